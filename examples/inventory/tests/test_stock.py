import pytest

from inventory import Inventory, OutOfStock


def test_register_twice_fails(inventory):
    with pytest.raises(KeyError):
        inventory.register("A-1", "bolts again")


def test_unknown_sku(inventory):
    with pytest.raises(KeyError, match="unknown sku"):
        inventory.get("Z-9")


def test_receive_adds(inventory):
    assert inventory.receive("A-1", 5) == 55


def test_receive_rejects_zero(inventory):
    with pytest.raises(ValueError):
        inventory.receive("A-1", 0)


def test_remove_subtracts(inventory):
    assert inventory.remove("C-3", 4) == 16


def test_remove_too_many(inventory):
    with pytest.raises(OutOfStock):
        inventory.remove("B-2", 3)


def test_history_records_movements(inventory):
    inventory.remove("A-1", 1)
    assert inventory.history[-1] == ("remove", "A-1", 1)
    assert len(inventory.history) == 4


def test_total_units(inventory):
    assert inventory.total_units() == 72


def test_empty_inventory_has_no_units():
    assert Inventory().total_units() == 0
