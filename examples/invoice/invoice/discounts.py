"""Volume discount: orders at or above the threshold get a percentage off."""

from decimal import Decimal

from .money import percent, round_money

THRESHOLD = Decimal("100.00")
RATE = Decimal("10")


def qualifies(subtotal: Decimal, threshold: Decimal = THRESHOLD) -> bool:
    return subtotal > threshold


def apply_discount(subtotal: Decimal, threshold: Decimal = THRESHOLD,
                   rate: Decimal = RATE) -> Decimal:
    """The subtotal after the volume discount, rounded to cents."""
    if subtotal < 0:
        raise ValueError("subtotal cannot be negative")
    if qualifies(subtotal, threshold):
        return round_money(subtotal - percent(subtotal, rate))
    return round_money(subtotal)
