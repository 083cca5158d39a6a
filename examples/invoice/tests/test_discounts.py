from decimal import Decimal

import pytest

from invoice.discounts import apply_discount


def test_no_discount_below_threshold():
    assert apply_discount(Decimal("99.99")) == Decimal("99.99")


def test_discount_above_threshold():
    assert apply_discount(Decimal("200.00")) == Decimal("180.00")


def test_discount_at_threshold():
    assert apply_discount(Decimal("100.00")) == Decimal("90.00")


def test_custom_rate():
    assert apply_discount(Decimal("150.00"), rate=Decimal("20")) == Decimal("120.00")


def test_custom_threshold():
    assert apply_discount(Decimal("50.00"), threshold=Decimal("40")) == Decimal("45.00")


def test_zero_subtotal():
    assert apply_discount(Decimal("0")) == Decimal("0.00")


def test_negative_subtotal_is_refused():
    with pytest.raises(ValueError):
        apply_discount(Decimal("-1"))
