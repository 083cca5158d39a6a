"""Span and function edits: the one occurrence or the named function, and a result that parses."""

import pytest

from pytest_selfheal.agents.patch import replace_function, replace_span
from pytest_selfheal.errors import PatchError

SOURCE = "class Cart:\n    def total(self):\n        return 1\n\n\ndef total():\n    return 2\n"


def test_replace_span_unique():
    assert replace_span("a = 1\nb = 2\n", "m.py", "b = 2", "b = 3") == "a = 1\nb = 3\n"


@pytest.mark.parametrize(("find", "words"), [("c = 3", "does not occur"), ("= ", "occurs 2 times")])
def test_replace_span_must_match_once(find, words):
    with pytest.raises(PatchError, match=words):
        replace_span("a = 1\nb = 2\n", "m.py", find, "x")


def test_replace_span_must_parse():
    with pytest.raises(PatchError, match="does not parse"):
        replace_span("a = 1\n", "m.py", "a = 1", "a = (")


def test_replace_function_by_qualified_name():
    result = replace_function(SOURCE, "m.py", "Cart.total", "def total(self):\n    return 10\n")
    assert "        return 10\n" in result
    assert result.endswith("def total():\n    return 2\n")


def test_replace_function_unknown_name():
    with pytest.raises(PatchError, match=r"no function named 'Cart\.size'"):
        replace_function(SOURCE, "m.py", "Cart.size", "def size(self):\n    return 0\n")
