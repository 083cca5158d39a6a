"""Held-back tests for calendar_math, checked against the standard library's calendar."""

import datetime

import pytest
from calendar_math import (
    add_months,
    business_days,
    day_of_year,
    days_between,
    days_in_month,
    days_since_epoch,
    format_date,
    is_leap,
    quarter,
    weekday,
)

EPOCH = datetime.date(1970, 1, 1)
DATES = [datetime.date(1970, 1, 1) + datetime.timedelta(days=n) for n in range(0, 25000, 97)]


@pytest.mark.parametrize(("year", "leap"), [(1600, True), (1700, False), (1996, True),
                                            (2001, False), (2400, True), (1800, False)])
def test_is_leap_more(year, leap):
    assert is_leap(year) is leap


@pytest.mark.parametrize("year", [1900, 2000, 2023, 2024])
def test_month_lengths_add_up_to_the_year(year):
    assert sum(days_in_month(year, m) for m in range(1, 13)) == (366 if is_leap(year) else 365)
    assert [days_in_month(year, m) for m in (4, 6, 9, 11)] == [30, 30, 30, 30]


def test_day_of_year_more():
    assert day_of_year(2024, 12, 31) == 366
    assert day_of_year(2024, 2, 29) == 60
    assert day_of_year(2023, 2, 1) == 32


@pytest.mark.parametrize("date", DATES, ids=str)
def test_days_since_epoch_and_weekday_match_the_standard_library(date):
    assert days_since_epoch(date.year, date.month, date.day) == (date - EPOCH).days
    assert weekday(date.year, date.month, date.day) == date.strftime("%a")
    assert day_of_year(date.year, date.month, date.day) == date.timetuple().tm_yday


@pytest.mark.parametrize(("start", "months", "expected"), [
    ((2024, 1, 31), 13, (2025, 2, 28)), ((2023, 5, 31), -1, (2023, 4, 30)),
    ((2024, 2, 29), 12, (2025, 2, 28)), ((2023, 12, 31), 1, (2024, 1, 31)),
    ((2023, 1, 15), -13, (2021, 12, 15)), ((2023, 6, 30), 24, (2025, 6, 30)),
    ((2023, 8, 31), 1, (2023, 9, 30)), ((2023, 3, 31), -1, (2023, 2, 28)),
])
def test_add_months_more(start, months, expected):
    assert add_months(*start, months) == expected


def test_days_between_matches_the_standard_library():
    for first, second in zip(DATES, reversed(DATES)):
        expected = (second - first).days
        assert days_between(first.timetuple()[:3], second.timetuple()[:3]) == expected
    assert days_between((2023, 5, 5), (2023, 5, 5)) == 0


@pytest.mark.parametrize(("start", "count"), [((2023, 10, 2), 14), ((2023, 10, 8), 1),
                                              ((2023, 10, 7), 3), ((2024, 2, 26), 40),
                                              ((2023, 10, 4), 0), ((1999, 12, 31), 9)])
def test_business_days_match_a_day_by_day_count(start, count):
    first = datetime.date(*start)
    expected = sum((first + datetime.timedelta(days=n)).weekday() < 5 for n in range(count))
    assert business_days(start, count) == expected


def test_quarter_and_format_date():
    assert quarter(12) == 4
    assert format_date(5, 1, 9) == "0005-01-09"
    assert format_date(2024, 12, 31) == "2024-12-31"
