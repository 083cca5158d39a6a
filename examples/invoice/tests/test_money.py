from decimal import Decimal

import pytest

from invoice.money import percent, round_money, to_money


def test_round_half_up():
    assert round_money(Decimal("2.345")) == Decimal("2.35")


def test_round_down():
    assert round_money(Decimal("2.344")) == Decimal("2.34")


def test_to_money_from_string():
    assert to_money("19.99") == Decimal("19.99")


def test_to_money_from_int():
    assert to_money(5) == Decimal("5")


def test_to_money_refuses_float():
    with pytest.raises(TypeError):
        to_money(0.1)


def test_percent():
    assert percent(Decimal("80.00"), Decimal("20")) == Decimal("16.00")


def test_percent_rounds():
    assert percent(Decimal("10.05"), Decimal("10")) == Decimal("1.01")
