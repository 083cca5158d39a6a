import pytest
from wallet.purse import Purse


def test_spending_lowers_the_balance():
    purse = Purse("ann")
    purse.deposit(10)
    purse.spend(4)
    assert purse.balance == 6


def test_each_spending_starts_from_the_last_balance():
    purse = Purse("dee", 10)
    purse.spend(4)
    purse.spend(1)
    assert purse.balance == 5


def test_history_keeps_every_movement():
    purse = Purse("bob", balance=5)
    purse.spend(2)
    assert purse.history == [-2]


def test_spending_more_than_the_balance_is_refused():
    purse = Purse("cy")
    with pytest.raises(ValueError):
        purse.spend(1)
