from tables.table import Table


def test_short_rows_are_padded_to_every_column():
    table = Table(["name", "qty"], fill="?")
    table.add_column("price")
    table.extend([["apple"]])
    assert table.rows == [["apple", "?", "?"]]


def test_headers_keep_their_order():
    table = Table(["a"])
    table.add_column("b")
    assert table.headers == ["a", "b"]
