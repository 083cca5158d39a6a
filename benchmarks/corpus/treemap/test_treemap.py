from treemap import TreeMap, from_pairs

PAIRS = [(50, 5), (30, 3), (70, 7), (20, 2), (40, 4), (60, 6), (80, 8), (35, 1), (85, 9)]


def sample() -> TreeMap:
    return from_pairs(PAIRS)


def keys(tree: TreeMap) -> list[int]:
    return [key for key, _ in tree.items()]


def test_put_and_get():
    tree = sample()
    assert len(tree) == 9
    assert tree.get(35) == 1
    assert tree.get(85) == 9
    assert tree.get(99) is None
    assert 40 in tree
    assert 45 not in tree


def test_put_replaces_the_value():
    tree = sample()
    tree.put(30, 33)
    assert tree.get(30) == 33
    assert len(tree) == 9


def test_items_in_key_order():
    assert keys(sample()) == [20, 30, 35, 40, 50, 60, 70, 80, 85]
    assert list(TreeMap().items()) == []


def test_min_and_max():
    tree = sample()
    assert (tree.min_key(), tree.max_key()) == (20, 85)
    assert TreeMap().min_key() is None
    assert TreeMap().max_key() is None


def test_floor():
    tree = sample()
    assert tree.floor(36) == 35
    assert tree.floor(50) == 50
    assert tree.floor(10) is None
    assert tree.floor(1000) == 85


def test_delete_a_leaf_and_a_missing_key():
    tree = sample()
    assert tree.delete(20)
    assert not tree.delete(21)
    assert keys(tree) == [30, 35, 40, 50, 60, 70, 80, 85]
    assert len(tree) == 8


def test_delete_a_node_with_one_child():
    tree = sample()
    assert tree.delete(80)
    assert keys(tree) == [20, 30, 35, 40, 50, 60, 70, 85]
    assert tree.delete(40)
    assert keys(tree) == [20, 30, 35, 50, 60, 70, 85]


def test_delete_a_node_with_two_children():
    tree = sample()
    assert tree.delete(30)
    assert keys(tree) == [20, 35, 40, 50, 60, 70, 80, 85]
    assert tree.delete(50)
    assert keys(tree) == [20, 35, 40, 60, 70, 80, 85]
    assert tree.get(60) == 6
    assert len(tree) == 7


def test_keys_between():
    tree = sample()
    assert tree.keys_between(30, 60) == [30, 35, 40, 50]
    assert tree.keys_between(0, 100) == keys(tree)
    assert tree.keys_between(51, 59) == []


def test_total_and_height():
    tree = sample()
    assert tree.total() == 45
    assert tree.height() == 4
    assert TreeMap().total() == 0
    assert TreeMap().height() == 0
    assert from_pairs([(1, 1), (2, 2), (3, 3)]).height() == 3
