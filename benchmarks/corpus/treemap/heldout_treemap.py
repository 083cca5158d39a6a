"""Held-back tests for treemap: random operation sequences checked against a plain dict."""

import bisect
import random

import pytest
from treemap import TreeMap, from_pairs


def model_floor(keys: list[int], key: int) -> int | None:
    index = bisect.bisect_right(keys, key)
    return keys[index - 1] if index else None


@pytest.mark.parametrize("seed", range(12))
def test_random_operations_match_a_dict(seed):
    rng = random.Random(seed)
    tree, model = TreeMap(), {}
    for _ in range(150):
        key = rng.randrange(60)
        if rng.random() < 0.6:
            value = rng.randrange(1000)
            tree.put(key, value)
            model[key] = value
        else:
            assert tree.delete(key) == (key in model)
            model.pop(key, None)
        assert len(tree) == len(model)
    ordered = sorted(model)
    assert list(tree.items()) == [(k, model[k]) for k in ordered]
    assert tree.total() == sum(model.values())
    assert tree.min_key() == (ordered[0] if ordered else None)
    assert tree.max_key() == (ordered[-1] if ordered else None)
    for key in range(-1, 62):
        assert tree.get(key) == model.get(key)
        assert (key in tree) == (key in model)
        assert tree.floor(key) == model_floor(ordered, key)
    for low, high in [(0, 60), (10, 20), (25, 26), (30, 30), (59, 100), (-5, 3)]:
        assert tree.keys_between(low, high) == [k for k in ordered if low <= k < high]


def test_delete_everything_in_any_order():
    tree = from_pairs([(k, k) for k in (8, 4, 12, 2, 6, 10, 14, 1, 3, 5, 7, 9, 11, 13, 15)])
    for key in (8, 1, 15, 4, 12, 6, 10, 2, 3, 5, 7, 9, 11, 13, 14):
        assert tree.delete(key)
        assert key not in tree
    assert len(tree) == 0
    assert tree.root is None
    assert tree.height() == 0
    assert (tree.min_key(), tree.max_key(), tree.floor(8)) == (None, None, None)


def test_height_of_balanced_and_degenerate_trees():
    assert from_pairs([(k, 0) for k in (4, 2, 6, 1, 3, 5, 7)]).height() == 3
    assert from_pairs([(k, 0) for k in range(10, 0, -1)]).height() == 10
    assert from_pairs([(5, 0)]).height() == 1


def test_floor_of_a_single_node():
    tree = from_pairs([(5, 50)])
    assert tree.floor(5) == 5
    assert tree.floor(4) is None
    assert tree.floor(6) == 5


def test_values_may_be_zero_or_negative():
    tree = from_pairs([(1, 0), (2, -3), (3, 10)])
    assert tree.get(1) == 0
    assert tree.total() == 7
    tree.put(2, 0)
    assert tree.total() == 10
