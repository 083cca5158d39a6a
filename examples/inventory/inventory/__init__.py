"""Stock levels, reservations and reorder lists."""

from .stock import Inventory, Item, OutOfStock

__all__ = ["Inventory", "Item", "OutOfStock"]
