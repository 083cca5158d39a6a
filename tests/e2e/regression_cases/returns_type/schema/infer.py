"""The Python type of a column of values. Planted bug: booleans are typed int (bool is an int)."""


def _type(values: list[object]) -> type:
    present = [value for value in values if value is not None]
    if not present:
        return type(None)
    if all(isinstance(value, int) for value in present):
        return int
    if all(isinstance(value, bool) for value in present):
        return bool
    if all(isinstance(value, int | float) for value in present):
        return float
    return str


def column_types(columns: dict[str, list[object]]) -> dict[str, str]:
    return {name: _type(values).__name__ for name, values in columns.items()}
