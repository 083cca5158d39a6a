"""An id, or the start of one, names the records it names."""

from pytest_selfheal.ids import named_by

IDS = ["20261122-004701-1", "20261122-004701-12", "20261123-000000-5", "20261122-004701-1"]


def test_an_exact_id_wins_over_the_longer_ids_it_starts() -> None:
    assert named_by("20261122-004701-1", IDS) == ["20261122-004701-1"]


def test_a_prefix_names_every_id_it_starts_once_each_in_order() -> None:
    assert named_by("20261122", IDS) == ["20261122-004701-1", "20261122-004701-12"]
    assert named_by("20261123", IDS) == ["20261123-000000-5"]
    assert named_by("2027", IDS) == []
