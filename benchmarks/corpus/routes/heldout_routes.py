"""Held-back tests for routes: other graph shapes, zero costs, ties and self-loops."""

import pytest
from routes import Graph


def graph(*edges: tuple[str, str, int]) -> Graph:
    g = Graph()
    for source, target, cost in edges:
        g.add_edge(source, target, cost)
    return g


def test_edges_update_and_targets_become_nodes():
    g = graph(("a", "b", 5), ("a", "b", 2), ("b", "c", 0))
    assert g.edges == {"a": {"b": 2}, "b": {"c": 0}, "c": {}}
    assert g.neighbours("zzz") == []


def test_reachable_more():
    g = graph(("a", "b", 1), ("b", "c", 1), ("c", "a", 1), ("c", "d", 1), ("e", "a", 1))
    assert g.reachable("a") == {"a", "b", "c", "d"}
    assert g.reachable("e") == {"a", "b", "c", "d", "e"}
    assert g.reachable("lonely") == {"lonely"}
    assert graph(("s", "s", 1)).reachable("s") == {"s"}


def test_fewest_hops_prefers_fewer_edges_over_cost():
    g = graph(("a", "b", 1), ("b", "c", 1), ("c", "d", 1), ("a", "d", 100))
    assert g.fewest_hops("a", "d") == ["a", "d"]
    assert g.fewest_hops("b", "d") == ["b", "c", "d"]
    assert g.fewest_hops("d", "a") is None
    assert g.fewest_hops("a", "nowhere") is None


def test_fewest_hops_breaks_ties_alphabetically():
    g = graph(("s", "y", 1), ("s", "x", 1), ("x", "t", 1), ("y", "t", 1), ("t", "u", 1))
    assert g.fewest_hops("s", "u") == ["s", "x", "t", "u"]


def test_cheapest_takes_more_hops_when_cheaper():
    g = graph(("a", "d", 10), ("a", "b", 2), ("b", "c", 2), ("c", "d", 2), ("d", "e", 1))
    assert g.cheapest("a", "d") == 6
    assert g.cheapest("a", "e") == 7
    assert g.cheapest("b", "a") is None


def test_cheapest_with_zero_costs_and_a_late_improvement():
    g = graph(("s", "a", 0), ("s", "b", 5), ("a", "c", 7), ("b", "c", 1), ("c", "t", 0))
    assert g.cheapest("s", "c") == 6
    assert g.cheapest("s", "t") == 6
    assert g.cheapest("a", "t") == 7
    assert g.cheapest("s", "s") == 0


def test_topological_order_more():
    assert Graph().topological_order() == []
    g = graph(("b", "c", 1), ("a", "c", 1), ("c", "d", 1), ("z", "d", 1))
    assert g.topological_order() == ["a", "b", "c", "z", "d"]
    g = graph(("m", "a", 1), ("m", "b", 1), ("b", "a", 1))
    assert g.topological_order() == ["m", "b", "a"]


def test_cycles_more():
    assert graph(("s", "s", 1)).has_cycle()
    assert not graph(("a", "b", 1), ("a", "c", 1), ("b", "c", 1)).has_cycle()
    assert not Graph().has_cycle()
    g = graph(("a", "b", 1), ("b", "c", 1), ("c", "b", 1))
    assert g.has_cycle()
    with pytest.raises(ValueError, match="cycle"):
        g.topological_order()


def test_out_degree_counts_distinct_targets():
    g = graph(("a", "b", 1), ("a", "b", 3), ("a", "c", 1))
    assert g.out_degree("a") == 2
    assert g.out_degree("c") == 0
