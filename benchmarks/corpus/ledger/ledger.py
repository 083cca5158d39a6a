"""A small double-entry style ledger: accounts, transfers, interest and statements.

Amounts are integers in cents so that sums are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class InsufficientFunds(Exception):
    pass


@dataclass
class Account:
    name: str
    balance: int = 0
    overdraft: int = 0
    history: list[tuple[str, int]] = field(default_factory=list)

    def available(self) -> int:
        return self.balance + self.overdraft

    def deposit(self, cents: int, memo: str = "deposit") -> None:
        if cents <= 0:
            raise ValueError("deposit must be positive")
        self.balance += cents
        self.history.append((memo, cents))

    def withdraw(self, cents: int, memo: str = "withdrawal") -> None:
        if cents <= 0:
            raise ValueError("withdrawal must be positive")
        if cents > self.available():
            raise InsufficientFunds(f"{self.name}: {cents} > {self.available()}")
        self.balance -= cents
        self.history.append((memo, -cents))


def transfer(source: Account, target: Account, cents: int) -> None:
    """Move money; nothing changes if the source cannot pay."""
    source.withdraw(cents, memo=f"to {target.name}")
    target.deposit(cents, memo=f"from {source.name}")


def split_evenly(cents: int, parts: int) -> list[int]:
    """Split an amount into `parts` shares that differ by at most one cent, larger first."""
    if parts < 1:
        raise ValueError("parts must be at least 1")
    base, extra = divmod(cents, parts)
    return [base + 1 if i < extra else base for i in range(parts)]


def monthly_interest(balance: int, annual_rate_percent: int) -> int:
    """Interest for one month, rounded half up to the cent; none on negative balances."""
    if balance <= 0:
        return 0
    return (balance * annual_rate_percent + 600) // 1200


def apply_interest(account: Account, annual_rate_percent: int, months: int) -> int:
    """Compound monthly; returns the total interest paid."""
    total = 0
    for _ in range(months):
        interest = monthly_interest(account.balance, annual_rate_percent)
        if interest:
            account.deposit(interest, memo="interest")
            total += interest
    return total


def statement(account: Account) -> str:
    """One line per entry with a running balance, then the closing balance."""
    lines = [f"Statement for {account.name}"]
    running = account.balance - sum(amount for _, amount in account.history)
    for memo, amount in account.history:
        running += amount
        lines.append(f"{memo:<20}{amount:>10}{running:>10}")
    lines.append(f"{'closing':<20}{'':>10}{account.balance:>10}")
    return "\n".join(lines)


def largest_withdrawal(account: Account) -> int:
    """The largest single withdrawal, as a positive number; 0 when there is none."""
    withdrawals = [-amount for _, amount in account.history if amount < 0]
    return max(withdrawals, default=0)
