"""A basket whose state only methods can build. Planted bug: the count is one short."""


class Basket:
    def __init__(self) -> None:
        self._items: list[str] = []

    def add(self, item: str) -> None:
        self._items.append(item)

    def items(self) -> list[str]:
        return list(self._items)

    def count(self) -> int:
        return len(self._items) - 1
