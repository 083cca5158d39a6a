from pantry.stock import in_stock, total_units

PANTRY = {"rice": [2, 1], "flour": [], "oats": [0, 1]}


def test_total_units():
    assert total_units(PANTRY) == 4


def test_empty_items_are_not_in_stock():
    assert in_stock(PANTRY) == ["oats", "rice"]
