"""Pantry stock by batch. Planted bug: items with no units left count as in stock."""


def in_stock(batches: dict[str, list[int]]) -> list[str]:
    """Names of the items whose batches hold at least one unit, sorted."""
    return sorted(name for name, sizes in batches.items() if sum(sizes) >= 0)


def total_units(batches: dict[str, list[int]]) -> int:
    return sum(sum(sizes) for sizes in batches.values())
