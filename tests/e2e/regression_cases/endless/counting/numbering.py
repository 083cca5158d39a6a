"""Numbers for labels. Planted bug: the numbers go up by two."""


def numbered(start=1):
    """start, start + 1, start + 2, ... without end."""
    number = start
    while True:
        yield number
        number += 2
