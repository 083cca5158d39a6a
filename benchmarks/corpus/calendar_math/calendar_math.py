"""Date arithmetic without the datetime module: leap years, month lengths, day counts."""

from __future__ import annotations

MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if not 1 <= month <= 12:
        raise ValueError(f"month out of range: {month}")
    if month == 2 and is_leap(year):
        return 29
    return MONTH_DAYS[month - 1]


def day_of_year(year: int, month: int, day: int) -> int:
    """1 for January 1st."""
    return sum(days_in_month(year, m) for m in range(1, month)) + day


def days_since_epoch(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 (which is day 0); years before 1970 are not supported."""
    if year < 1970:
        raise ValueError("years before 1970 are not supported")
    days = 0
    for y in range(1970, year):
        days += 366 if is_leap(y) else 365
    return days + day_of_year(year, month, day) - 1


def weekday(year: int, month: int, day: int) -> str:
    """1970-01-01 was a Thursday."""
    return WEEKDAYS[(days_since_epoch(year, month, day) + 3) % 7]


def add_months(year: int, month: int, day: int, months: int) -> tuple[int, int, int]:
    """Add calendar months, clamping the day to the end of the target month."""
    index = year * 12 + (month - 1) + months
    new_year, new_month = divmod(index, 12)
    new_month += 1
    return new_year, new_month, min(day, days_in_month(new_year, new_month))


def days_between(start: tuple[int, int, int], end: tuple[int, int, int]) -> int:
    return days_since_epoch(*end) - days_since_epoch(*start)


def business_days(start: tuple[int, int, int], count: int) -> int:
    """How many of `count` consecutive days from `start` fall on Monday to Friday."""
    first = days_since_epoch(*start)
    total = 0
    for offset in range(count):
        if WEEKDAYS[(first + offset + 3) % 7] not in ("Sat", "Sun"):
            total += 1
    return total


def quarter(month: int) -> int:
    return (month - 1) // 3 + 1


def format_date(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}"
