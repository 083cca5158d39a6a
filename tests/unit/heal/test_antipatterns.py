"""Repair anti-patterns found by comparing the patched functions, whatever made the patch."""

import pytest

from pytest_selfheal.heal.antipatterns import antipatterns
from pytest_selfheal.models import Candidate, Edit

BEFORE = '''\
def late_fees(invoices, rate, limit):
    total = 0
    i = 0
    while i < len(invoices):
        total += invoices[i].amount * rate
        i += 1
    if total > limit:
        raise ValueError("over the limit")
    return total + limit // 10
'''


def patched(find: str, replace: str, before: str = BEFORE) -> Candidate:
    assert before.count(find) == 1
    return Candidate(edits=(Edit(path="fees.py", before=before, after=before.replace(find, replace),
                                 description=f"`{find}` -> `{replace}`"),))


@pytest.mark.parametrize(("find", "replace", "expected"), [
    ("        raise ValueError(\"over the limit\")\n", "        pass\n", "deletes a raise"),
    ("    if total > limit:\n        raise ValueError(\"over the limit\")\n", "",
     "deletes an if statement"),
    ("    return total", "    return 0\n    return total", "adds an early exit"),
    ("if total > limit:", "if False:", "makes a condition constant"),
    ("if total > limit:", "if total > limit or True:", "makes a condition constant"),
    ("if total > limit:", "if str(total > limit):", "makes a condition constant"),  # "False"
    ("if total > limit:", "if str(len(invoices) % 2):", "makes a condition constant"),
    ("        i += 1\n", "", "deletes the update of a loop's counter"),
    ("i += 1", "i += 0", "makes an update do nothing"),
    ("        i += 1\n", "        i += 1\n        i = 0\n", "overwrites what the statement before"),
    ("return total + limit // 10", "return 0", "returns a constant instead of a computation"),
    ("return total + limit // 10", "return total", "drops a term of a computation"),
])
def test_each_anti_pattern_is_named(find, replace, expected):
    found = antipatterns(patched(find, replace))
    assert any(phrase.startswith(expected) for phrase in found), found


@pytest.mark.parametrize(("find", "replace"), [
    ("total > limit", "total >= limit"),  # an operator
    ("total + limit // 10", "limit // 10 + total"),  # operands swapped
    ("limit // 10", "limit // 100"),  # a constant
    ("    total = 0\n", "    total = 0\n    if not invoices:\n        return 0\n"),  # a guard
    ("i < len(invoices)", "i < len(invoices) - 1"),  # a bound
    ("i += 1", "i += 2"),  # a step
    ("return total + limit // 10", "return total + limit // 10 - 1"),  # a literal term added
])
def test_ordinary_fixes_match_none(find, replace):
    assert antipatterns(patched(find, replace)) == ()


def test_dropping_a_literal_term_is_an_off_by_one_fix_a_variable_one_is_not():
    before = "def last(items):\n    return items[len(items) - 1]\n"
    assert antipatterns(patched("len(items) - 1", "len(items)", before)) == ()
    assert antipatterns(patched("amount * rate", "amount")) == ("drops a term of a computation",)


def test_a_constant_replaced_by_another_constant_is_not_a_computation_lost():
    before = "def default(kind):\n    if kind:\n        return None\n    return 0\n"
    assert antipatterns(patched("return 0", "return None", before)) == ()


def test_only_the_changed_function_is_judged():
    before = BEFORE + "\n\ndef forever():\n    while True:\n        return 1\n"
    assert antipatterns(patched("total > limit", "total >= limit", before)) == ()


def test_methods_are_matched_by_their_class():
    before = ("class Ledger:\n    def close(self):\n        return self.total()\n\n"
              "    def total(self):\n        return 0\n")
    found = antipatterns(patched("return self.total()", "return 1", before))
    assert found == ("returns a constant instead of a computation",)


def test_a_patch_that_does_not_parse_matches_nothing():
    assert antipatterns(patched("return total", "return total +")) == ()


def test_a_value_tested_against_itself_is_an_operand_dropped_in_effect():
    before = "def strip(data, item, on):\n    if on and data and item:\n        return data.strip()\n    return data\n"
    assert antipatterns(patched("and item:", "and data:", before)) == ("tests a value against itself",)
    assert antipatterns(patched("on and", "data == data and", before)) == ("tests a value against itself",)
    assert antipatterns(patched("on and data and item", "on and data", before)) == ()


REMAP = '''\
def remap(status, strict, replacement):
    if status == "V" or (status == "3" and strict and replacement is None):
        return 1
    elif replacement is not None and (status == "M" or (status == "3" and strict)):
        return 2
    return 3
'''


def test_a_condition_the_function_writes_twice_changed_at_one_place_only():
    once = REMAP.replace('"3" and strict and', '"3" and not strict and')
    both = once.replace('"3" and strict)', '"3" and not strict)')
    assert antipatterns(patched(REMAP, once, REMAP)) == ("changes one of two identical conditions",)
    assert antipatterns(patched(REMAP, both, REMAP)) == ()
    # a condition written once, changed, is an ordinary fix
    assert antipatterns(patched('status == "V"', 'status == "v"', REMAP)) == ()
