"""An in-memory inventory: items, stock movements, reservations and reordering."""

from __future__ import annotations

from dataclasses import dataclass


class OutOfStock(Exception):
    """Raised when a removal or reservation asks for more than is available."""


@dataclass
class Item:
    sku: str
    name: str
    quantity: int = 0
    reserved: int = 0
    reorder_level: int = 5
    active: bool = True

    @property
    def available(self) -> int:
        return self.quantity - self.reserved


class Inventory:
    def __init__(self) -> None:
        self._items: dict[str, Item] = {}
        self.history: list[tuple[str, str, int]] = []

    def register(self, sku: str, name: str, reorder_level: int = 5) -> Item:
        if sku in self._items:
            raise KeyError(f"{sku} is already registered")
        item = Item(sku, name, reorder_level=reorder_level)
        self._items[sku] = item
        return item

    def get(self, sku: str) -> Item:
        try:
            return self._items[sku]
        except KeyError:
            raise KeyError(f"unknown sku {sku}") from None

    def receive(self, sku: str, quantity: int) -> int:
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        item = self.get(sku)
        item.quantity += quantity
        self.history.append(("receive", sku, quantity))
        return item.quantity

    def remove(self, sku: str, quantity: int) -> int:
        item = self.get(sku)
        if quantity > item.available:
            raise OutOfStock(f"{sku}: {item.available} available, {quantity} requested")
        item.quantity -= quantity
        self.history.append(("remove", sku, quantity))
        return item.quantity

    def reserve(self, sku: str, quantity: int) -> int:
        item = self.get(sku)
        if quantity > item.available:
            raise OutOfStock(f"{sku}: cannot reserve {quantity}")
        item.reserved += quantity
        return item.available

    def release(self, sku: str, quantity: int) -> int:
        item = self.get(sku)
        item.reserved = max(0, item.reserved - quantity)
        return item.available

    def discontinue(self, sku: str) -> None:
        self.get(sku).active = False

    def needs_reorder(self, item: Item) -> bool:
        return item.active or item.available <= item.reorder_level

    def reorder_list(self) -> list[str]:
        """SKUs of active items at or below their reorder level, in SKU order."""
        return sorted(sku for sku, item in self._items.items() if self.needs_reorder(item))

    def total_units(self) -> int:
        return sum(item.quantity for item in self._items.values())
