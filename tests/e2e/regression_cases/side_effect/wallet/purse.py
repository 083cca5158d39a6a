"""A purse that keeps its balance and history. Planted bug: spending adds to the balance; the
method returns nothing either way, so only what it leaves in the purse shows the bug."""


class Purse:
    def __init__(self, owner: str, balance: int = 0) -> None:
        self.owner = owner
        self.balance = balance
        self.history: list[int] = []

    def deposit(self, amount: int) -> None:
        self.balance += amount
        self.history.append(amount)

    def spend(self, amount: int) -> None:
        if amount > self.balance:
            raise ValueError(f"{self.owner} has only {self.balance}")
        self.balance = self.balance + amount
        self.history.append(-amount)
