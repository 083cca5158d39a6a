"""Held-back tests for sales: other rows, boundaries of months, windows, rounding and signs."""

import pytest
from sales import (
    Sale,
    best_region,
    format_cents,
    invoice_total,
    monthly_series,
    moving_average,
    parse,
    percent_change,
    products_in,
    region_report,
    top_products,
    totals_by,
)


def test_parse_more():
    text = ("2023-11-30,new york,Bolt,0,15\n  \ndate,region,product,quantity,unit_price\n"
            "2023-12-01,west,nut,-1,5\n2023-12-02,west,nut,1,5,extra\n2023-12-03, west ,NUT, 4 , 5 \n"
            "2023-12-04,west,nut,4,5.50\n")
    found, rejected = parse(text)
    assert found == [Sale("2023-11", "New York", "bolt", 0, 15), Sale("2023-12", "West", "nut", 4, 5)]
    assert rejected == [4, 5, 7]
    assert parse("") == ([], [])
    assert parse("\n\n") == ([], [])


def test_aggregates_more():
    rows = [Sale("2024-01", "A", "p", 2, 100), Sale("2024-01", "B", "q", 2, 300),
            Sale("2024-02", "A", "q", 1, 300), Sale("2024-02", "A", "r", 3, 10)]
    assert totals_by(rows, "product") == {"p": 200, "q": 900, "r": 30}
    assert totals_by(rows, "region") == {"A": 530, "B": 600}
    assert top_products(rows, 0) == []
    assert top_products(rows, 2) == [("q", 3), ("r", 3)]
    assert products_in(rows, "A") == ["p", "q", "r"]
    assert best_region(rows) == "B"
    assert best_region(rows[:1]) == "A"
    assert best_region([]) is None


def test_monthly_series_across_a_year():
    rows = [Sale("2024-02", "A", "p", 1, 7), Sale("2023-11", "A", "p", 1, 5), Sale("2023-11", "B", "p", 1, 1)]
    assert monthly_series(rows) == [("2023-11", 6), ("2023-12", 0), ("2024-01", 0), ("2024-02", 7)]
    assert monthly_series(rows[:1]) == [("2024-02", 7)]


@pytest.mark.parametrize(("values", "window", "expected"), [
    ([4, 8], 1, [4.0, 8.0]), ([1, 2, 3], 3, [2.0]), ([], 2, []), ([0, 10, 20, 30, 40], 4, [15.0, 25.0]),
])
def test_moving_average_more(values, window, expected):
    assert moving_average(values, window) == expected


@pytest.mark.parametrize(("old", "new", "change"), [(100, 0, -100.0), (100, 100, 0.0), (1, 3, 200.0),
                                                    (3, 1, -66.7), (0, 0, None), (8, 9, 12.5)])
def test_percent_change_more(old, new, change):
    assert percent_change(old, new) == change


def test_invoice_total_more():
    assert invoice_total([], 20, 300) == 300
    assert invoice_total([Sale("2024-01", "A", "p", 1, 50)], 1, 0) == 51
    assert invoice_total([Sale("2024-01", "A", "p", 1, 49)], 1, 0) == 49
    assert invoice_total([Sale("2024-01", "A", "p", 3, 1000)], 0, 0) == 3000


@pytest.mark.parametrize(("cents", "text"), [(-5, "-0.05"), (100, "1.00"), (100000000, "1,000,000.00"),
                                             (-123456789, "-1,234,567.89"), (-100, "-1.00"), (99, "0.99")])
def test_format_cents_more(cents, text):
    assert format_cents(cents) == text


def test_region_report_more():
    now = [Sale("2024-02", "West", "p", 1, 500), Sale("2024-02", "East", "p", 1, 500),
           Sale("2024-02", "North", "p", 1, 2000)]
    before = [Sale("2024-01", "West", "p", 1, 1000), Sale("2024-01", "South", "p", 1, 70)]
    assert region_report(now, before) == [
        "North          20.00  new",
        "East            5.00  new",
        "West            5.00  -50.0%",
    ]
    assert region_report([], before) == []
