"""Shares of a total. Planted bug: the percentage multiplies by the total instead of dividing."""


def percent(part: int, whole: int) -> float:
    if whole == 0:
        return 0.0
    return round(100 * part * whole, 1)


def summarize(results: dict[str, int]) -> dict[str, float]:
    total = sum(results.values())
    return {name: percent(count, total) for name, count in results.items()}
