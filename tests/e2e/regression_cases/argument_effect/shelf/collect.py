"""Gathering values into a list the caller owns. Planted bug: the upper bound is left out; the
function returns nothing, so only the list it fills shows the bug."""


def collect_between(values: list[int], low: int, high: int, found: list[int]) -> None:
    for value in values:
        if low <= value < high:
            found.append(value)
