"""The repair-rate benchmark's notion of "the developer's fix": equivalent spellings of the same
condition count, anything that can behave differently does not."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from _equivalence import normalized


@pytest.mark.parametrize(("patch", "fix"), [
    ("if not v is not None:\n    pass\n", "if v is None:\n    pass\n"),
    ("x = not (v is None)\n", "x = v is not None\n"),
    ("x = not a == b\n", "x = a != b\n"),
    ("x = not a != b\n", "x = a == b\n"),
    ("x = not k in d\n", "x = k not in d\n"),
    ("x = not not (a is b)\n", "x = a is b\n"),
    ("while not not ready:\n    pass\n", "while ready:\n    pass\n"),
    ("if a and not not b:\n    pass\n", "if a and b:\n    pass\n"),
    ("y = [i for i in xs if not not i]\n", "y = [i for i in xs if i]\n"),
    ("y = 1 if not not c else 2\n", "y = 1 if c else 2\n"),
    ("y = value if value is not None else replacement\n", "y = replacement if value is None else value\n"),
    ("y = 2 if not c else 1\n", "y = 1 if c else 2\n"),
    ("y = a if k not in d else b\n", "y = b if k in d else a\n"),
    ('def f():\n    """Raises Exception."""\n    raise OSError\n',
     'def f():\n    """Raises OSError."""\n    raise OSError\n'),  # a docstring only documents
    ('class C:\n    """Old."""\n', "class C:\n    pass\n"),
])
def test_equivalent_spellings_are_one(patch: str, fix: str) -> None:
    assert normalized(patch) == normalized(fix)


@pytest.mark.parametrize(("patch", "fix"), [
    ("x = not a < b\n", "x = a >= b\n"),  # sets and NaN: not (a < b) is not a >= b
    ("x = not not a\n", "x = a\n"),  # a value, not a condition: bool(a) is not a
    ("x = a == b\n", "x = b == a\n"),  # another __eq__ is called first
    ("x = not (a is b is c)\n", "x = a is not b is not c\n"),  # a chain negates as a whole
    ("if v is not None:\n    pass\n", "if v is None:\n    pass\n"),
    ("y = a if v is not None else b\n", "y = a if v is None else b\n"),  # not swapped
    ("y = b if a < c else a\n", "y = a if a >= c else b\n"),  # NaN again
    ("return_ = not (a and b)\n", "return_ = not a and not b\n"),
    ('def f():\n    """Doc."""\n    "a statement, not its docstring"\n    return 1\n',
     'def f():\n    """Doc."""\n    return 1\n'),
])
def test_different_behaviour_is_not_accepted(patch: str, fix: str) -> None:
    assert normalized(patch) != normalized(fix)
