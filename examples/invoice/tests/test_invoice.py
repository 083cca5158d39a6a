from decimal import Decimal

import pytest

from invoice import Invoice, LineItem


def make_invoice(*items):
    invoice = Invoice("ACME")
    for description, price, quantity in items:
        invoice.add(description, price, quantity)
    return invoice


def test_empty_invoice_totals_zero():
    assert Invoice("ACME").total == Decimal("0.00")


def test_line_amount():
    assert LineItem("pen", Decimal("1.25"), 4).amount == Decimal("5.00")


def test_line_quantity_must_be_positive():
    with pytest.raises(ValueError):
        LineItem("pen", Decimal("1.25"), 0)


def test_subtotal_sums_lines():
    invoice = make_invoice(("pen", "1.25", 4), ("pad", "3.50", 2))
    assert invoice.subtotal == Decimal("12.00")


def test_small_order_tax():
    invoice = make_invoice(("pen", "1.25", 4))
    assert invoice.tax == Decimal("1.00")
    assert invoice.total == Decimal("6.00")


def test_large_order_gets_discount_before_tax():
    invoice = make_invoice(("chair", "150.00", 1))
    assert invoice.discounted == Decimal("135.00")
    assert invoice.total == Decimal("162.00")


def test_order_of_exactly_one_hundred_is_discounted():
    invoice = make_invoice(("desk lamp", "25.00", 4))
    assert invoice.total == Decimal("108.00")


def test_lines_render_total():
    invoice = make_invoice(("pen", "1.25", 4))
    assert invoice.lines()[-1].endswith("6.00")
    assert len(invoice.lines()) == 2
