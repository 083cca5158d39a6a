"""ISO dates in a text rewritten as day/month/year. Planted bug: day and month are swapped."""

import re

ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def strf_date_convert(match: re.Match[str]) -> str:
    year, month, day = match.groups()
    return f"{month}/{day}/{year}"


def european_dates(text: str) -> str:
    return ISO_DATE.sub(strf_date_convert, text)
