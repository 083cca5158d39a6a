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


@pytest.mark.parametrize(("year", "leap"), [(2024, True), (2023, False), (1900, False),
                                            (2000, True), (2100, False)])
def test_is_leap(year, leap):
    assert is_leap(year) is leap


def test_days_in_month():
    assert days_in_month(2024, 2) == 29
    assert days_in_month(2023, 2) == 28
    assert days_in_month(2023, 1) == 31
    assert days_in_month(2023, 12) == 31
    assert days_in_month(2023, 4) == 30
    with pytest.raises(ValueError):
        days_in_month(2023, 13)
    with pytest.raises(ValueError):
        days_in_month(2023, 0)


def test_day_of_year():
    assert day_of_year(2023, 1, 1) == 1
    assert day_of_year(2023, 3, 1) == 60
    assert day_of_year(2024, 3, 1) == 61
    assert day_of_year(2023, 12, 31) == 365


def test_days_since_epoch():
    assert days_since_epoch(1970, 1, 1) == 0
    assert days_since_epoch(1970, 1, 2) == 1
    assert days_since_epoch(1971, 1, 1) == 365
    assert days_since_epoch(1973, 1, 1) == 365 + 365 + 366
    assert days_since_epoch(2000, 1, 1) == 10957
    with pytest.raises(ValueError):
        days_since_epoch(1969, 12, 31)


def test_weekday():
    assert weekday(1970, 1, 1) == "Thu"
    assert weekday(2024, 2, 29) == "Thu"
    assert weekday(2023, 10, 1) == "Sun"


def test_add_months_clamps():
    assert add_months(2023, 1, 31, 1) == (2023, 2, 28)
    assert add_months(2024, 1, 31, 1) == (2024, 2, 29)
    assert add_months(2023, 11, 15, 2) == (2024, 1, 15)
    assert add_months(2023, 3, 10, -3) == (2022, 12, 10)
    assert add_months(2023, 12, 5, 0) == (2023, 12, 5)


def test_days_between():
    assert days_between((2023, 1, 1), (2023, 3, 1)) == 59
    assert days_between((2024, 3, 1), (2024, 1, 1)) == -60


def test_business_days():
    assert business_days((2023, 10, 2), 7) == 5  # Monday to Sunday
    assert business_days((2023, 10, 7), 2) == 0  # a weekend
    assert business_days((2023, 10, 6), 4) == 2  # Fri, Sat, Sun, Mon


def test_quarter():
    assert [quarter(m) for m in range(1, 13)] == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]


def test_format_date():
    assert format_date(2023, 4, 5) == "2023-04-05"
