"""A shopping cart with stock reservations, coupons and a receipt."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Product:
    sku: str
    price: int  # cents
    on_hand: int
    reserved: int = 0

    def free(self) -> int:
        return self.on_hand - self.reserved


@dataclass
class Coupon:
    code: str
    percent: int
    minimum: int = 0


@dataclass
class Cart:
    catalog: dict[str, Product]
    lines: dict[str, int] = field(default_factory=dict)
    coupon: Coupon | None = None
    log: list[str] = field(default_factory=list)

    def add(self, sku: str, quantity: int = 1) -> None:
        product = self.catalog.get(sku)
        if product is None:
            raise KeyError(f"unknown product {sku}")
        if quantity > product.free():
            raise ValueError(f"only {product.free()} of {sku} left")
        product.reserved += quantity
        self.lines[sku] = self.lines.get(sku, 0) + quantity
        self.log.append(f"add {sku} x{quantity}")

    def remove(self, sku: str) -> None:
        quantity = self.lines.pop(sku, 0)
        self.catalog[sku].reserved -= quantity
        self.log.append(f"remove {sku}")

    def subtotal(self) -> int:
        return sum(self.catalog[sku].price * qty for sku, qty in self.lines.items())

    def discount(self) -> int:
        coupon = self.coupon
        if coupon is None:
            return 0
        subtotal = self.subtotal()
        if subtotal < coupon.minimum:
            return 0
        return subtotal * coupon.percent // 100

    def total(self) -> int:
        return self.subtotal() - self.discount()

    def is_empty(self) -> bool:
        return not self.lines

    def most_expensive(self) -> str | None:
        if not self.lines:
            return None
        return max(self.lines, key=lambda sku: self.catalog[sku].price)


def receipt(cart: Cart) -> list[str]:
    lines = []
    for sku in sorted(cart.lines):
        qty = cart.lines[sku]
        lines.append(f"{sku} x{qty} {cart.catalog[sku].price * qty}")
    if cart.discount():
        lines.append(f"discount -{cart.discount()}")
    lines.append(f"total {cart.total()}")
    return lines


def average_price(cart: Cart) -> float:
    """Average unit price over everything in the cart; 0 for an empty cart."""
    units = sum(cart.lines.values())
    if not units:
        return 0.0
    return cart.subtotal() / units


def describe(product: Product | None) -> str:
    if product is None:
        return "unknown"
    return f"{product.sku} @ {product.price}"


def first_sku(cart: Cart, prefix: str) -> str | None:
    """The first SKU in the cart, alphabetically, that starts with `prefix`."""
    matches = sorted(sku for sku in cart.lines if sku.startswith(prefix))
    if not matches:
        return None
    return matches[0]
