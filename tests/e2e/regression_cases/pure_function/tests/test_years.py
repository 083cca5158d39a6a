from calendar_rules.years import days_in_year, is_leap_year


def test_ordinary_year():
    assert not is_leap_year(2023)


def test_fourth_year_is_leap():
    assert is_leap_year(2024)


def test_century_is_not_leap():
    assert not is_leap_year(1900)


def test_fourth_century_is_leap():
    assert days_in_year(2000) == 366
