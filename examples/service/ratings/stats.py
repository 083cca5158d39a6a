"""Summaries of the ratings a product received."""


def median(values):
    """The middle rating, or the mean of the two middle ratings."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle] + ordered[middle + 1]) / 2


def spread(values):
    """How far apart the lowest and the highest rating are."""
    return max(values) - min(values)
