"""Money helpers: amounts are Decimals rounded half-up to cents."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_money(value: object) -> Decimal:
    """Accept ints, strings and Decimals; floats are refused to avoid binary rounding."""
    if isinstance(value, float):
        raise TypeError("use a string or Decimal for money, not a float")
    return Decimal(str(value))


def round_money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def percent(amount: Decimal, rate: Decimal) -> Decimal:
    """`rate` percent of `amount`, rounded to cents."""
    return round_money(amount * rate / Decimal(100))
