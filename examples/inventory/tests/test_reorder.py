def test_low_item_is_reordered(inventory):
    assert inventory.reorder_list() == ["B-2"]


def test_reservation_can_trigger_reorder(inventory):
    inventory.reserve("C-3", 16)
    assert inventory.reorder_list() == ["B-2", "C-3"]


def test_discontinued_items_are_not_reordered(inventory):
    inventory.discontinue("B-2")
    assert inventory.reorder_list() == []


def test_level_is_inclusive(inventory):
    inventory.remove("A-1", 40)
    assert "A-1" in inventory.reorder_list()
