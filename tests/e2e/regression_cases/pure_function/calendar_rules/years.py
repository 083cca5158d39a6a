"""Gregorian calendar rules. Planted bug: centuries divisible by 400 are not leap years."""


def is_leap_year(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 != 0)


def days_in_year(year: int) -> int:
    return 366 if is_leap_year(year) else 365
