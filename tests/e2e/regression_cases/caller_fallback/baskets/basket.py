"""A basket filled by a helper that takes plain names; made from a generator, which no test can
write back. Planted bug: the count is one short."""

from collections.abc import Iterable


class Basket:
    def __init__(self, items: Iterable[str] = ()) -> None:
        self._items: list[str] = list(items)

    def add(self, item: str) -> None:
        self._items.append(item)

    def items(self) -> list[str]:
        return list(self._items)

    def count(self) -> int:
        return len(self._items) - 1


def basket_size(names: list[str]) -> int:
    basket = Basket(name.strip() for name in names)
    return basket.count()
