"""An invoice: line items, a discount on the subtotal, then tax."""

from dataclasses import dataclass, field
from decimal import Decimal

from .discounts import apply_discount
from .money import percent, round_money, to_money


@dataclass(frozen=True)
class LineItem:
    description: str
    unit_price: Decimal
    quantity: int = 1

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise ValueError("quantity must be at least 1")

    @property
    def amount(self) -> Decimal:
        return round_money(self.unit_price * self.quantity)


@dataclass
class Invoice:
    customer: str
    tax_rate: Decimal = Decimal("20")
    items: list[LineItem] = field(default_factory=list)

    def add(self, description: str, unit_price: object, quantity: int = 1) -> LineItem:
        item = LineItem(description, to_money(unit_price), quantity)
        self.items.append(item)
        return item

    @property
    def subtotal(self) -> Decimal:
        return round_money(sum((item.amount for item in self.items), Decimal("0")))

    @property
    def discounted(self) -> Decimal:
        return apply_discount(self.subtotal)

    @property
    def tax(self) -> Decimal:
        return percent(self.discounted, self.tax_rate)

    @property
    def total(self) -> Decimal:
        return round_money(self.discounted + self.tax)

    def lines(self) -> list[str]:
        rows = [f"{i.description:<20}{i.quantity:>4} x {i.unit_price:>8} = {i.amount:>9}"
                for i in self.items]
        rows.append(f"{'total':<20}{self.total:>27}")
        return rows
