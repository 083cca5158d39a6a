"""The user's failures as the session records them from pytest's reports."""

from __future__ import annotations

import pytest

from pytest_selfheal.session import split_exception


@pytest.mark.parametrize(("crash", "expected"), [
    ("ZeroDivisionError: division by zero", ("ZeroDivisionError", "division by zero")),
    ("assert 3 == 4", ("AssertionError", "assert 3 == 4")),
    ("StopIteration", ("StopIteration", "")),
    # an exception group holding one exception is that exception (anyio's task groups,
    # hypothesis's FlakyFailure); its message from the repr's one string, newlines and all
    ("ValueError('no key 3\\nin the table') [single exception in ExceptionGroup]",
     ("ValueError", "no key 3\nin the table")),
    ("builtins.KeyError(3) [single exception in BaseExceptionGroup]", ("builtins.KeyError", "3")),
    ("OSError(2, 'No such file') [single exception in FlakyFailure]", ("OSError", "2, 'No such file'")),
    ("ExceptionGroup: two failed (2 sub-exceptions)", ("ExceptionGroup", "two failed (2 sub-exceptions)")),
    # a fixture pytest did not find: its text has no crash line, only the test's source and this
    ("file /src/tests/test_speed.py, line 4\n  def test_speed(benchmark):\n"
     "E       fixture 'benchmark' not found\n>       available fixtures: cache, capsys\n"
     ">       use 'pytest --fixtures [testpath]' for help on them.",
     ("FixtureLookupError", "fixture 'benchmark' not found")),
])
def test_the_exception_type_and_message_of_a_crash_line(crash, expected):
    assert split_exception(crash) == expected
