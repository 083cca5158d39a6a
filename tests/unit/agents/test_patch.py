"""Span and function edits: the one occurrence or the named function, and a result that parses,
in the file's own line endings and encoding."""

import pytest

from pytest_selfheal.agents.patch import edits_from_specs, replace_function, replace_span
from pytest_selfheal.errors import PatchError
from pytest_selfheal.source import PythonSource, UnreadableSource

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


CRLF = SOURCE.replace("\n", "\r\n")


def test_a_span_quoted_with_newlines_is_found_and_written_in_a_crlf_file():
    result = replace_span(CRLF, "m.py", "def total():\n    return 2", "def total():\n    return 3")
    assert result == CRLF.replace("return 2", "return 3")
    result = replace_span(CRLF, "m.py", "    return 2", "    x = 3\n    return x")
    assert result == CRLF.replace("return 2", "x = 3\r\n    return x")


def test_a_function_replaced_in_a_crlf_file_keeps_crlf():
    result = replace_function(CRLF, "m.py", "Cart.total", "def total(self):\n    x = 1\n    return x\n")
    assert "        x = 1\r\n        return x\r\n" in result and "\n" not in result.replace("\r\n", "")


def test_edits_carry_their_file_encoding_and_build_on_each_other():
    latin1 = PythonSource("# coding: latin-1\ns = 'é'\nx = 1\n", "iso-8859-1")
    specs = [{"path": "m.py", "find": "x = 1", "replace": "x = 2"},
             {"path": "m.py", "find": "x = 2", "replace": "x = 3"}]
    first, second = edits_from_specs(lambda path: latin1, specs, "fix", "claude")
    assert (first.encoding, second.encoding) == ("iso-8859-1", "iso-8859-1")
    assert first.before == latin1.text and second.before == first.after
    assert second.after.endswith("x = 3\n")


def test_an_unreadable_file_is_a_patch_error_that_says_why():
    def unreadable(path: str) -> PythonSource:
        raise UnreadableSource("line 2 is not valid utf-8, the file's encoding (invalid start byte)")

    with pytest.raises(PatchError, match=r"m\.py: cannot be read as Python source: line 2"):
        edits_from_specs(unreadable, [{"path": "m.py", "find": "a", "replace": "b"}], "fix", "claude")
