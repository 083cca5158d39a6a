"""The def or class around a change, read instead of the whole module when a candidate is checked."""

from __future__ import annotations

import ast

from pytest_selfheal.heal.edited_scope import edited_pieces
from pytest_selfheal.heal.policy import Policy
from pytest_selfheal.heal.workbench import _invalid
from pytest_selfheal.models import Candidate, Edit

MODULE = '''"""A module."""
import functools

LIMIT = 3


class Cart:
    """Items."""

    def __init__(self):
        self.items = []

    @functools.cache
    def total(self, rate=1):
        doc = """
not indented
"""
        return sum(self.items) * rate


def outer():
    count = 0

    def inner():
        count = 1
        return count

    return inner()
'''


def edited(old: str, new: str, text: str = MODULE) -> str:
    assert text.count(old) == 1
    return text.replace(old, new)


def test_the_pieces_are_the_innermost_def_around_the_change_and_parse_alone():
    after = edited("return sum(self.items) * rate", "return sum(self.items) + rate")
    pieces = edited_pieces(MODULE, after)
    assert pieces is not None
    assert pieces.before.startswith("if 1:\n    @functools.cache\n    def total(")
    assert pieces.after == pieces.before.replace("* rate", "+ rate")
    ast.parse(pieces.before), ast.parse(pieces.after)


def test_a_change_that_adds_lines_takes_them_into_the_piece():
    after = edited("        self.items = []\n", "        self.seen = set()\n        self.items = []\n")
    pieces = edited_pieces(MODULE, after)
    assert pieces is not None
    assert pieces.before.splitlines()[1:] == ["    def __init__(self):", "        self.items = []"]
    assert pieces.after.splitlines()[2:] == ["        self.seen = set()", "        self.items = []"]


def test_a_change_outside_every_def_or_a_line_added_after_one_has_no_piece():
    assert edited_pieces(MODULE, edited("LIMIT = 3", "LIMIT = 4")) is None
    after_class = edited("* rate\n\n\ndef outer", "* rate\n    size = 0\n\n\ndef outer")
    assert edited_pieces(MODULE, after_class) is None  # a line after Cart's last: in no def
    after_init = edited("        self.items = []\n", "        self.items = []\n        self.seen = set()\n")
    assert edited_pieces(MODULE, after_init).before.startswith("class Cart:")  # after __init__'s


def test_crlf_lines_give_pieces_and_a_lone_carriage_return_none():
    crlf = MODULE.replace("\n", "\r\n")
    pieces = edited_pieces(crlf, edited("* rate", "- rate", crlf))
    assert pieces is not None and pieces.after.endswith("- rate\r")
    assert edited_pieces(MODULE + "x = 1\r", edited("* rate", "- rate") + "x = 1\r") is None


def candidate(after: str) -> Candidate:
    return Candidate(edits=(Edit("shop/cart.py", MODULE, after, "an edit"),), score=1.0, agent="test")


def test_the_policy_reads_the_piece_and_finds_what_the_whole_module_would():
    policy = Policy(is_test_file=lambda path: False)
    broad = edited("        return sum(self.items) * rate",
                   "        try:\n            return sum(self.items) * rate\n"
                   "        except Exception:\n            return 0")
    assert policy.check(candidate(broad)) == (
        "broad-except: adds a bare or broad `except` that would hide the failure")
    assert policy.check(candidate(edited("* rate", "- rate"))) is None


def test_an_edit_compiles_when_its_piece_needs_the_rest_of_the_module():
    """`nonlocal count` binds to outer(): inner() alone does not compile, the module does."""
    assert _invalid(candidate(edited("        count = 1", "        nonlocal count\n        count = 1"))) == ""
    assert "nonlocal" in _invalid(candidate(edited("        count = 1", "        nonlocal total")))
    assert _invalid(candidate(edited("* rate", "* (rate"))).startswith("shop/cart.py: ")
