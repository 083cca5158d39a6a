"""Held-back tests for nested: other shapes, separators and edge cases of the same functions."""

import copy

import pytest
from nested import count_leaves, depth, diff, flatten_keys, flatten_list, get_path, merge, unflatten_keys


def test_flatten_list_more():
    assert flatten_list([[[[]]]]) == []
    assert flatten_list([[1], 2, [[3, 4]]]) == [1, 2, 3, 4]
    assert flatten_list([None, [False, [0]]]) == [None, False, 0]
    assert flatten_list([{"a": [1]}]) == [{"a": [1]}]


@pytest.mark.parametrize(("value", "expected"), [
    ({}, 1), ({"a": {}}, 2), ([1, [2, [3]]], 3), ({"a": [{"b": 1}]}, 3), ("text", 0),
    ([[], [[]]], 3),
])
def test_depth_more(value, expected):
    assert depth(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ({}, 0), ({"a": {"b": {"c": 1}}}, 1), ([1, [2, 3], {"x": [4, 5]}], 5), (None, 1),
    ({"a": [], "b": {}}, 0),
])
def test_count_leaves_more(value, expected):
    assert count_leaves(value) == expected


def test_flatten_keys_more():
    data = {"a": {"b": {"c": {"d": 1}}, "e": {}}, "f": [1, {"g": 2}]}
    assert flatten_keys(data) == {"a.b.c.d": 1, "a.e": {}, "f": [1, {"g": 2}]}
    assert flatten_keys(data, prefix="root") == {"root.a.b.c.d": 1, "root.a.e": {},
                                                 "root.f": [1, {"g": 2}]}
    assert flatten_keys({}) == {}
    assert flatten_keys({"x": {"y": None}}, separator="__") == {"x__y": None}


def test_round_trips():
    data = {"a": {"b": {"c": 1, "d": {}}, "e": [1, 2]}, "f": None}
    for separator in (".", "/", "::"):
        assert unflatten_keys(flatten_keys(data, separator=separator), separator) == data
    assert unflatten_keys({}) == {}


def test_merge_more():
    base = {"a": {"b": 1, "c": {"d": 2}}, "x": [1]}
    original = copy.deepcopy(base)
    assert merge(base, {"a": {"c": {"e": 3}}}) == {"a": {"b": 1, "c": {"d": 2, "e": 3}}, "x": [1]}
    assert merge(base, {"a": 5}) == {"a": 5, "x": [1]}
    assert merge({"a": 5}, {"a": {"b": 1}}) == {"a": {"b": 1}}
    assert merge(base, {"x": [2]}) == {"a": {"b": 1, "c": {"d": 2}}, "x": [2]}
    assert merge(base, {}) == base
    assert merge(base, {}) is not base
    assert base == original


def test_merge_of_three_layers():
    defaults = {"log": {"level": "info", "file": None}, "workers": 1}
    site = {"log": {"file": "/var/log/app"}}
    local = {"log": {"level": "debug"}, "workers": 4}
    assert merge(merge(defaults, site), local) == {
        "log": {"level": "debug", "file": "/var/log/app"}, "workers": 4}


def test_get_path_more():
    data = {"a": [[10, 11], {"b": [None]}], "0": "zero"}
    assert get_path(data, "a.0.1") == 11
    assert get_path(data, "a.1.b.0", default="missing") is None
    assert get_path(data, "a.2", default=-1) == -1
    assert get_path(data, "a.x", default=-1) == -1
    assert get_path(data, "0") == "zero"
    assert get_path(data, "a") == [[10, 11], {"b": [None]}]
    assert get_path([5, 6], "1") == 6
    assert get_path(3, "a", default="d") == "d"


def test_diff_more():
    assert diff({}, {"a": {"b": 1}}) == ["+ a"]
    assert diff({"a": {"b": 1}}, {}) == ["- a"]
    assert diff({"a": {"b": {"c": 1}}}, {"a": {"b": {"c": 2, "d": 3}}}) == [
        "~ a.b.c: 1 -> 2", "+ a.b.d"]
    assert diff({"a": 1}, {"a": {"x": 1}}) == ["~ a: 1 -> {'x': 1}"]
    assert diff({"a": 1}, {"a": 1}, prefix="top.") == []
    assert diff({"k": 1}, {"k": 2}, prefix="top.") == ["~ top.k: 1 -> 2"]
