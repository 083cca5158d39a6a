"""The exceptions the failing tests expect, read from their own code, and the template that
raises one of them instead."""

from pathlib import Path

import libcst as cst

from pytest_selfheal.agents.builtin.clues import Clues
from pytest_selfheal.agents.builtin.expected import expected_exceptions
from pytest_selfheal.agents.builtin.sites import mutations
from pytest_selfheal.models import Failure, Frame

TESTS = '''\
import pytest
from pkg import errors, load


def test_missing_folder():
    with pytest.raises(FileNotFoundError, match="no folder"):
        load("nowhere")


class TestLoad:
    def test_bad_file(self):
        try:
            load("bad")
        except (errors.ParseError, KeyError):
            pass
        self.assertRaises(PermissionError, load, "locked")


def test_unrelated():
    with pytest.raises(ZeroDivisionError):
        1 / 0
'''

MODULE = '''\
from . import errors
from .errors import ParseError


def load(path):
    if not path:
        raise Exception("no folder")
    raise ValueError(path)
'''


def failing(line: int) -> Failure:
    return Failure("tests/test_load.py::t", "call", "Exception", "no folder",
                   frames=(Frame("tests/test_load.py", line, "t"), Frame("pkg/load.py", 7, "load")))


def test_the_failing_test_functions_say_what_they_expect(tmp_path: Path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_load.py").write_text(TESTS)
    assert expected_exceptions(tmp_path, [failing(7)]) == ("FileNotFoundError",)
    assert expected_exceptions(tmp_path, [failing(7), failing(13)]) == (
        "FileNotFoundError", "errors.ParseError", "KeyError", "PermissionError")
    assert expected_exceptions(tmp_path, [Failure("t.py::t", "call", "E", "", frames=())]) == ()


def test_a_raise_takes_an_expected_exception_the_module_can_name():
    module = cst.parse_module(MODULE)
    expected = ("FileNotFoundError", "errors.ParseError", "NotAnError", "Missing", "ParseError")
    found = [m.description for m in mutations(module, frozenset({7}), Clues(expected_errors=expected))
             if m.template == "exception-type"]
    assert found == ["`raise Exception` -> `raise FileNotFoundError`",
                     "`raise Exception` -> `raise errors.ParseError`",
                     "`raise Exception` -> `raise ParseError`"]
    assert [m.replacement for m in mutations(module, frozenset({7}))
            if m.template == "exception-type"] == []  # nothing expected, nothing made
