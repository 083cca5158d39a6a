import pytest

from inventory import OutOfStock


def test_reserve_reduces_available(inventory):
    assert inventory.reserve("A-1", 10) == 40


def test_reserved_units_cannot_be_removed(inventory):
    inventory.reserve("C-3", 18)
    with pytest.raises(OutOfStock):
        inventory.remove("C-3", 5)


def test_release_restores(inventory):
    inventory.reserve("A-1", 10)
    assert inventory.release("A-1", 4) == 44


def test_release_never_negative(inventory):
    assert inventory.release("A-1", 100) == 50


def test_reserve_too_many(inventory):
    with pytest.raises(OutOfStock):
        inventory.reserve("B-2", 5)
