import pytest

from inventory import Inventory


@pytest.fixture
def inventory():
    inv = Inventory()
    inv.register("A-1", "bolts", reorder_level=10)
    inv.register("B-2", "nuts", reorder_level=3)
    inv.register("C-3", "washers", reorder_level=5)
    inv.receive("A-1", 50)
    inv.receive("B-2", 2)
    inv.receive("C-3", 20)
    return inv
