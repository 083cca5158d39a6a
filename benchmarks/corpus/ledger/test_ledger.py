import pytest
from ledger import (
    Account,
    InsufficientFunds,
    apply_interest,
    largest_withdrawal,
    monthly_interest,
    split_evenly,
    statement,
    transfer,
)


def test_deposit_and_withdraw():
    acct = Account("a")
    acct.deposit(500)
    acct.withdraw(200)
    assert acct.balance == 300
    assert acct.history == [("deposit", 500), ("withdrawal", -200)]


def test_withdraw_up_to_overdraft():
    acct = Account("a", balance=100, overdraft=50)
    acct.withdraw(150)
    assert acct.balance == -50
    with pytest.raises(InsufficientFunds):
        acct.withdraw(1)


def test_withdraw_exact_balance():
    acct = Account("a", balance=100)
    acct.withdraw(100)
    assert acct.balance == 0


def test_deposit_rejects_non_positive():
    with pytest.raises(ValueError):
        Account("a").deposit(0)


def test_transfer_moves_money_and_records_both_sides():
    a, b = Account("a", balance=1000), Account("b")
    transfer(a, b, 400)
    assert (a.balance, b.balance) == (600, 400)
    assert b.history == [("from a", 400)]
    assert a.history == [("to b", -400)]


def test_failed_transfer_changes_nothing():
    a, b = Account("a", balance=10), Account("b")
    with pytest.raises(InsufficientFunds):
        transfer(a, b, 11)
    assert (a.balance, b.balance, b.history) == (10, 0, [])


@pytest.mark.parametrize(("cents", "parts", "expected"), [
    (100, 3, [34, 33, 33]), (10, 5, [2, 2, 2, 2, 2]), (7, 2, [4, 3]), (0, 2, [0, 0]),
])
def test_split_evenly(cents, parts, expected):
    assert split_evenly(cents, parts) == expected
    assert sum(split_evenly(cents, parts)) == cents


def test_split_rejects_zero_parts():
    with pytest.raises(ValueError):
        split_evenly(10, 0)


def test_monthly_interest_rounds_half_up():
    assert monthly_interest(120000, 12) == 1200
    assert monthly_interest(100, 6) == 1  # 0.5 cent rounds up
    assert monthly_interest(99, 6) == 0
    assert monthly_interest(-500, 12) == 0


def test_apply_interest_compounds():
    acct = Account("s", balance=100000)
    total = apply_interest(acct, 12, 2)
    assert total == 1000 + 1010
    assert acct.balance == 102010
    assert acct.history[-1] == ("interest", 1010)


def test_statement_running_balance():
    acct = Account("a", balance=50)
    acct.deposit(100)
    acct.withdraw(30, memo="rent")
    lines = statement(acct).splitlines()
    assert lines[0] == "Statement for a"
    assert lines[1].split() == ["deposit", "100", "150"]
    assert lines[2].split() == ["rent", "-30", "120"]
    assert lines[3].split() == ["closing", "120"]


def test_largest_withdrawal():
    acct = Account("a", balance=1000)
    assert largest_withdrawal(acct) == 0
    acct.withdraw(30)
    acct.withdraw(300)
    acct.deposit(5000)
    acct.withdraw(20)
    assert largest_withdrawal(acct) == 300
