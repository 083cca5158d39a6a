import pytest
from sales import (
    Sale,
    best_region,
    format_cents,
    invoice_total,
    monthly_series,
    moving_average,
    next_month,
    parse,
    percent_change,
    products_in,
    region_report,
    top_products,
    totals_by,
)

ROWS = """\
date,region,product,quantity,unit_price
2024-01-15,north,Widget,3,250
2024-01-20,south,gadget,1,1200

2024-03-02,North,widget,2,250
2024-03-09,east,gizmo,10,99
bad line
2024-03-30,south,Widget,x,250
2024-04-01, south , gadget ,2,1200
"""


def sales() -> list[Sale]:
    return parse(ROWS)[0]


def test_parse():
    found, rejected = parse(ROWS)
    assert rejected == [7, 8]
    assert found[0] == Sale("2024-01", "North", "widget", 3, 250)
    assert found[-1] == Sale("2024-04", "South", "gadget", 2, 1200)
    assert len(found) == 5
    assert found[0].amount == 750


def test_totals_by():
    assert totals_by(sales(), "region") == {"North": 1250, "South": 3600, "East": 990}
    assert totals_by(sales(), "month") == {"2024-01": 1950, "2024-03": 1490, "2024-04": 2400}
    assert totals_by([], "product") == {}


def test_top_products():
    assert top_products(sales(), 2) == [("gizmo", 10), ("widget", 5)]
    assert top_products(sales(), 5) == [("gizmo", 10), ("widget", 5), ("gadget", 3)]


def test_products_in():
    assert products_in(sales(), "South") == ["gadget"]
    assert products_in(sales(), "North") == ["widget"]
    assert products_in(sales(), "West") == []


def test_best_region():
    assert best_region(sales()) == "South"
    assert best_region([]) is None


def test_monthly_series_fills_gaps():
    assert monthly_series(sales()) == [("2024-01", 1950), ("2024-02", 0), ("2024-03", 1490),
                                       ("2024-04", 2400)]
    assert monthly_series([]) == []
    assert next_month("2024-12") == "2025-01"
    assert next_month("2024-09") == "2024-10"


def test_moving_average():
    assert moving_average([1, 2, 3, 4], 2) == [1.5, 2.5, 3.5]
    assert moving_average([1, 2], 3) == []


@pytest.mark.parametrize(("old", "new", "change"), [(200, 250, 25.0), (250, 200, -20.0),
                                                    (0, 5, None), (3, 4, 33.3)])
def test_percent_change(old, new, change):
    assert percent_change(old, new) == change


def test_invoice_total():
    assert invoice_total(sales(), 8, 500) == 5840 + 467 + 500


@pytest.mark.parametrize(("cents", "text"), [(12345, "123.45"), (1234567, "12,345.67"),
                                             (5, "0.05"), (-1234, "-12.34"), (0, "0.00")])
def test_format_cents(cents, text):
    assert format_cents(cents) == text


def test_region_report():
    previous = [Sale("2023-12", "North", "widget", 4, 250), Sale("2023-12", "South", "gadget", 3, 1200)]
    assert region_report(sales(), previous) == [
        "South          36.00  +0.0%",
        "North          12.50  +25.0%",
        "East            9.90  new",
    ]
