"""A table whose rows are padded to its columns. Planted bug: a short row gets one cell too few."""


class Table:
    def __init__(self, headers: list[str], fill: str = "-") -> None:
        self.headers = list(headers)
        self.fill = fill
        self.rows: list[list[object]] = []

    def add_column(self, name: str) -> None:
        self.headers.append(name)

    def extend(self, rows: list[list[object]]) -> None:
        for row in rows:
            self.rows.append(self._fill(row))

    def _fill(self, row: list[object]) -> list[object]:
        missing = len(self.headers) - len(row) - 1
        return list(row) + [self.fill] * missing
