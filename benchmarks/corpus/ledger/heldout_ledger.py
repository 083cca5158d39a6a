"""Held-back tests for ledger: other amounts, overdrafts, rounding edges and statements."""

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


def test_invalid_amounts_are_refused_and_change_nothing():
    acct = Account("a", balance=100)
    for bad in (0, -5):
        with pytest.raises(ValueError):
            acct.withdraw(bad)
        with pytest.raises(ValueError):
            acct.deposit(bad)
    assert (acct.balance, acct.history) == (100, [])


def test_overdraft_only():
    acct = Account("o", overdraft=100)
    assert acct.available() == 100
    acct.withdraw(60)
    acct.withdraw(40)
    assert (acct.balance, acct.available()) == (-100, 0)
    with pytest.raises(InsufficientFunds, match="o: 1 > 0"):
        acct.withdraw(1)
    acct.deposit(30)
    assert acct.available() == 30


def test_memos_are_recorded():
    acct = Account("m", balance=500)
    acct.deposit(25, memo="refund")
    acct.withdraw(125, memo="groceries")
    assert acct.history == [("refund", 25), ("groceries", -125)]


def test_transfer_of_everything_and_into_overdraft():
    a, b = Account("a", balance=300, overdraft=200), Account("b", balance=7)
    transfer(a, b, 500)
    assert (a.balance, b.balance) == (-200, 507)
    with pytest.raises(InsufficientFunds):
        transfer(a, b, 1)
    assert (a.balance, b.balance) == (-200, 507)
    assert a.history == [("to b", -500)]
    assert b.history == [("from a", 500)]


@pytest.mark.parametrize(("cents", "parts", "expected"), [
    (5, 5, [1, 1, 1, 1, 1]), (3, 5, [1, 1, 1, 0, 0]), (1, 1, [1]), (101, 4, [26, 25, 25, 25]),
    (999, 2, [500, 499]), (4, 3, [2, 1, 1]),
])
def test_split_evenly_more(cents, parts, expected):
    assert split_evenly(cents, parts) == expected


def test_split_rejects_negative_parts():
    with pytest.raises(ValueError):
        split_evenly(10, -2)


@pytest.mark.parametrize(("balance", "rate", "expected"), [
    (0, 12, 0), (1000, 0, 0), (150, 4, 1), (149, 4, 0), (10000, 6, 50), (1, 1200, 1),
    (250000, 5, 1042), (-1, 100, 0),
])
def test_monthly_interest_more(balance, rate, expected):
    assert monthly_interest(balance, rate) == expected


def test_apply_interest_edges():
    acct = Account("s", balance=100000)
    assert apply_interest(acct, 12, 0) == 0
    assert acct.history == []
    tiny = Account("t", balance=10)
    assert apply_interest(tiny, 12, 3) == 0
    assert (tiny.balance, tiny.history) == (10, [])
    owing = Account("n", balance=-500, overdraft=1000)
    assert apply_interest(owing, 12, 2) == 0
    assert owing.balance == -500
    saver = Account("s", balance=120000)
    assert apply_interest(saver, 12, 3) == 1200 + 1212 + 1224
    assert [memo for memo, _ in saver.history] == ["interest"] * 3


def test_statement_layout():
    acct = Account("x", balance=1000)
    assert statement(acct) == "Statement for x\n" + f"{'closing':<20}{'':>10}{1000:>10}"
    acct.withdraw(250, memo="rent")
    acct.deposit(40)
    assert statement(acct).splitlines() == [
        "Statement for x",
        f"{'rent':<20}{-250:>10}{750:>10}",
        f"{'deposit':<20}{40:>10}{790:>10}",
        f"{'closing':<20}{'':>10}{790:>10}",
    ]


def test_largest_withdrawal_more():
    acct = Account("a", balance=100)
    acct.deposit(900)
    assert largest_withdrawal(acct) == 0
    other = Account("b")
    transfer(acct, other, 450)
    acct.withdraw(10)
    assert largest_withdrawal(acct) == 450
    assert largest_withdrawal(other) == 0
