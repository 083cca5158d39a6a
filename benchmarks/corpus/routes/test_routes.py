import pytest
from routes import Graph


def sample() -> Graph:
    g = Graph()
    for source, target, cost in [("a", "b", 4), ("a", "c", 1), ("c", "b", 2), ("b", "d", 5),
                                 ("c", "d", 8), ("d", "e", 3)]:
        g.add_edge(source, target, cost)
    g.add_edge("x", "y")
    return g


def test_add_edge_rejects_negative_costs():
    with pytest.raises(ValueError):
        Graph().add_edge("a", "b", -1)


def test_neighbours_sorted():
    assert sample().neighbours("a") == ["b", "c"]
    assert sample().neighbours("e") == []


def test_reachable():
    g = sample()
    assert g.reachable("a") == {"a", "b", "c", "d", "e"}
    assert g.reachable("d") == {"d", "e"}
    assert g.reachable("x") == {"x", "y"}


def test_reachable_with_a_cycle_terminates():
    g = Graph()
    g.add_edge("a", "b")
    g.add_edge("b", "a")
    g.add_edge("b", "c")
    assert g.reachable("a") == {"a", "b", "c"}


def test_fewest_hops():
    g = sample()
    assert g.fewest_hops("a", "e") == ["a", "b", "d", "e"]
    assert g.fewest_hops("a", "a") == ["a"]
    assert g.fewest_hops("e", "a") is None


def test_cheapest():
    g = sample()
    assert g.cheapest("a", "b") == 3
    assert g.cheapest("a", "d") == 8
    assert g.cheapest("a", "e") == 11
    assert g.cheapest("e", "a") is None
    assert g.cheapest("a", "a") == 0


def test_topological_order():
    assert sample().topological_order() == ["a", "c", "b", "d", "e", "x", "y"]


def test_cycle_detection():
    g = sample()
    assert not g.has_cycle()
    g.add_edge("e", "a")
    assert g.has_cycle()
    with pytest.raises(ValueError):
        g.topological_order()


def test_out_degree():
    g = sample()
    assert g.out_degree("a") == 2
    assert g.out_degree("e") == 0
    assert g.out_degree("missing") == 0
