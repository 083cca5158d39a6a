"""Monthly sales reports from CSV-like text: parse, aggregate, rank, compare and format.

A row is `date,region,product,quantity,unit_price`, the date as YYYY-MM-DD and the price in
cents; a header row and blank lines may appear anywhere.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Sale:
    month: str  # "YYYY-MM"
    region: str
    product: str
    quantity: int
    unit_price: int  # cents

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_price


def parse(text: str) -> tuple[list[Sale], list[int]]:
    """The sales, and the numbers of the lines that could not be read."""
    sales: list[Sale] = []
    rejected: list[int] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("date,") or not line:
            continue
        fields = [field.strip() for field in line.split(",")]
        if len(fields) != 5:
            rejected.append(number)
            continue
        date, region, product, quantity, price = fields
        if not quantity.isdigit() or not price.isdigit():
            rejected.append(number)
            continue
        sales.append(Sale(date[:7], region.title(), product.lower(), int(quantity), int(price)))
    return sales, rejected


def totals_by(sales: list[Sale], field: str) -> dict[str, int]:
    """Amount per value of `field`: "month", "region" or "product"."""
    totals: dict[str, int] = defaultdict(int)
    for sale in sales:
        totals[getattr(sale, field)] += sale.amount
    return dict(totals)


def top_products(sales: list[Sale], count: int) -> list[tuple[str, int]]:
    """The `count` products that sold the most units, ties in name order."""
    units: dict[str, int] = defaultdict(int)
    for sale in sales:
        units[sale.product] += sale.quantity
    ranked = sorted(units.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:count]


def products_in(sales: list[Sale], region: str) -> list[str]:
    """The products sold in `region`, sorted."""
    return sorted({sale.product for sale in sales if sale.region == region})


def best_region(sales: list[Sale]) -> str | None:
    """The region with the largest amount; None without sales."""
    totals = totals_by(sales, "region")
    if not totals:
        return None
    return max(totals, key=totals.get)


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    if number == 12:
        return f"{year + 1:04d}-01"
    return f"{year:04d}-{number + 1:02d}"


def monthly_series(sales: list[Sale]) -> list[tuple[str, int]]:
    """(month, amount) for every month from the first sale to the last; a month without sales
    is in the series with 0, so that charts keep their spacing."""
    totals = totals_by(sales, "month")
    if not totals:
        return []
    series = []
    month, last = min(totals), max(totals)
    while month <= last:
        series.append((month, totals.get(month, 0)))
        month = next_month(month)
    return series


def moving_average(values: list[int], window: int) -> list[float]:
    """The mean of every run of `window` consecutive values; [] when there are fewer values."""
    averages = []
    for end in range(window, len(values) + 1):
        averages.append(sum(values[end - window:end]) / window)
    return averages


def percent_change(old: int, new: int) -> float | None:
    """The change from `old` to `new` in percent, to one decimal; None when `old` is zero."""
    if old == 0:
        return None
    return round((new - old) * 100 / old, 1)


def invoice_total(sales: list[Sale], tax_percent: int, shipping: int) -> int:
    """Cents due for an order: the amounts, tax on them rounded half up, and shipping."""
    subtotal = sum(sale.amount for sale in sales)
    tax = (subtotal * tax_percent + 50) // 100
    return subtotal + tax + shipping


def format_cents(cents: int) -> str:
    """12345 -> "123.45" and 1234567 -> "12,345.67"; a negative amount keeps its sign."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{units:,}.{rest:02d}"


def region_report(sales: list[Sale], previous: list[Sale]) -> list[str]:
    """One line per region, largest amount first: region, amount, change from `previous`."""
    now = totals_by(sales, "region")
    before = totals_by(previous, "region")
    lines = []
    for region, amount in sorted(now.items(), key=lambda item: (-item[1], item[0])):
        change = percent_change(before.get(region, 0), amount)
        shown = "new" if change is None else f"{change:+.1f}%"
        lines.append(f"{region:<8}{format_cents(amount):>12}  {shown}")
    return lines
