"""Span and function edits, and diffs that real `git apply` accepts."""

import pytest
from helpers import git, init_repo

from pytest_selfheal.agents.patch import replace_function, replace_span
from pytest_selfheal.errors import PatchError
from pytest_selfheal.models import Candidate, Edit
from pytest_selfheal.output.diffs import combined_diff

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


@pytest.mark.parametrize(
    ("before", "after"),
    [("x = 1\ny = 2\n", "x = 1\ny = 3\n"), ("x = 1\ny = 2", "x = 1\ny = 3"),
     ("x = 1\ny = 2", "x = 1\ny = 2\n")],
)
def test_diff_applies_with_git(tmp_path, before, after):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text(before)
    init_repo(tmp_path)
    diff = combined_diff(Candidate((Edit("pkg/m.py", before, after, "change"),)))
    (tmp_path / "fix.diff").write_text(diff)
    git(tmp_path, "apply", "--check", "fix.diff")
    git(tmp_path, "apply", "fix.diff")
    assert (tmp_path / "pkg" / "m.py").read_text() == after


def test_combined_diff_folds_edits_of_one_file():
    edits = [Edit("m.py", "a\n", "b\n", "1"), Edit("m.py", "b\n", "c\n", "2")]
    diff = combined_diff(Candidate(tuple(edits)))
    assert diff.count("diff --git") == 1
    assert "-a\n+c\n" in diff
