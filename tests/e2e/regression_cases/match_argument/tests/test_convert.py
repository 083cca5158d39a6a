from dates.convert import european_dates


def test_dates_are_written_day_first():
    assert european_dates("due 2024-03-05, paid") == "due 05/03/2024, paid"


def test_text_without_dates_is_unchanged():
    assert european_dates("no date here") == "no date here"
