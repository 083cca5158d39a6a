"""Counting the records of a CSV file. Planted bug: blank lines are counted as records."""

from collections.abc import Iterable


def count_records(rows: Iterable[list[str]]) -> int:
    records = [row for row in rows]
    return len(records) - 1  # the header is no record
