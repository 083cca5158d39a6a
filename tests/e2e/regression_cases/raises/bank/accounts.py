"""Withdrawals. Planted bug: the overdraft guard compares the wrong way round."""


class InsufficientFunds(Exception):
    """Raised when a withdrawal asks for more than the balance."""


def withdraw(balance: int, amount: int) -> int:
    """The balance after taking `amount` out; overdrawing raises InsufficientFunds."""
    if amount < 0:
        raise ValueError("amount must not be negative")
    if amount < balance:
        raise InsufficientFunds(f"balance {balance}, asked for {amount}")
    return balance - amount
