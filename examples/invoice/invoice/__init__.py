"""Invoices with line items, tax and a volume discount."""

from .discounts import apply_discount
from .invoice import Invoice, LineItem
from .money import round_money

__all__ = ["Invoice", "LineItem", "apply_discount", "round_money"]
