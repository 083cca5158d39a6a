"""The last-resort regression test: the failing tests copied with only what they use."""

from pytest_selfheal.heal.regression_copy import copied_tests, defined_tests

MODULE = '''"""Tests of the reader."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path, PurePath

import pytest

from csvlite.reader import count_records, count_fields

pytestmark = pytest.mark.filterwarnings("error")
HEADER = "name,qty\\n"
UNUSED = json.dumps({})


def _rows(text):
    return csv.reader(io.StringIO(text))


@pytest.fixture
def sample():
    return HEADER + "apple,2\\n"


@pytest.fixture(autouse=True)
def _home(monkeypatch):
    monkeypatch.setenv("HOME", str(Path("/tmp")))


def test_records(sample):
    assert count_records(_rows(sample)) == 1


def test_fields():
    assert count_fields(_rows(HEADER)) == 2


class TestMore:
    limit = 3

    def _make(self):
        return _rows(HEADER)

    def test_one(self):
        assert count_records(self._make()) == 0

    def test_other(self):
        assert PurePath("x")
'''


def test_a_copy_keeps_the_test_and_what_it_uses_transitively():
    source = copied_tests(MODULE, ["test_records[1]"], "Copied.\n")
    compile(source, "copy.py", "exec")
    assert source == '''"""Copied.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from csvlite.reader import count_records

pytestmark = pytest.mark.filterwarnings("error")
HEADER = "name,qty\\n"


def _rows(text):
    return csv.reader(io.StringIO(text))


@pytest.fixture
def sample():
    return HEADER + "apple,2\\n"


@pytest.fixture(autouse=True)
def _home(monkeypatch):
    monkeypatch.setenv("HOME", str(Path("/tmp")))


def test_records(sample):
    assert count_records(_rows(sample)) == 1
'''


def test_a_test_method_is_copied_in_its_class_without_the_other_tests():
    source = copied_tests(MODULE, ["TestMore::test_one"], "Copied.\n", "\r\n")
    assert "class TestMore:\r\n    limit = 3\r\n\r\n    def _make(self):" in source
    assert "def test_one(self):" in source and "test_other" not in source
    assert "def test_records" not in source and "PurePath" not in source
    assert source.count("\n") == source.count("\r\n")


def test_only_tests_the_module_defines_itself_can_be_copied():
    module = MODULE + '''

class TestInherited(TestMore):
    limit = 4


if sys.version_info >= (3, 11):
    def test_new():
        pass
else:
    try:
        import tomllib
    except ImportError:
        def test_old():
            pass
'''
    named = ["test_records[1]", "TestMore::test_one", "TestInherited::test_one", "test_gone",
             "TestMore::test_gone", "limit", "test_new", "test_old"]
    assert defined_tests(module, named) == ["test_records[1]", "TestMore::test_one", "test_new",
                                            "test_old"]
