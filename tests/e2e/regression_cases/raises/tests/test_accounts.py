import pytest
from bank.accounts import InsufficientFunds, withdraw


def test_overdraft_is_refused():
    with pytest.raises(InsufficientFunds):
        withdraw(10, 20)


def test_whole_balance_can_be_withdrawn():
    assert withdraw(10, 10) == 0


def test_negative_amount_is_refused():
    with pytest.raises(ValueError):
        withdraw(10, -1)
