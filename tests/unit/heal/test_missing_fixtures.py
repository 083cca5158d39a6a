"""A fixture nothing in the repository defines is a plugin not installed: told from a fixture the
repository defines (now or at the base commit), which a change may have broken."""

from __future__ import annotations

import textwrap

from helpers import git, make_repo

from pytest_selfheal.heal.missing_fixtures import fixture_name, hint, undefined
from pytest_selfheal.models import Failure

CONFTEST = '''
    import pytest


    @pytest.fixture
    def database():
        return {}


    @pytest.fixture(name="client")
    def _client():
        return object()


    async def session():
        pass


    renamed = pytest.fixture(lambda: 1)
    '''


def test_only_the_names_no_file_defines_now_or_at_the_base_are_undefined(tmp_path):
    root = make_repo(tmp_path / "repo", {"tests/conftest.py": CONFTEST + "\n\ndef old_name():\n    pass\n"})
    base = git(root, "rev-parse", "HEAD").strip()
    # the working tree drops `old_name` and adds an untracked module defining `fresh`
    (root / "tests/conftest.py").write_text(textwrap.dedent(CONFTEST), encoding="utf-8")
    (root / "tests/helpers.py").write_text("def fresh():\n    pass\n", encoding="utf-8")
    (root / "notes.txt").write_text("def mocker(): a text file is no Python\n", encoding="utf-8")
    names = {"database", "client", "session", "renamed", "old_name", "fresh", "mocker", "benchmark",
             "data"}  # `data` is a prefix of `database`, not its name
    assert undefined(names, root, base) == {"mocker", "benchmark", "data"}
    # without the base commit, the fixture the change removed is undefined too
    assert undefined(names, root, "") == {"mocker", "benchmark", "data", "old_name"}


def test_where_git_cannot_search_no_name_is_held(tmp_path):
    assert undefined({"mocker"}, tmp_path, "") == frozenset()  # not a repository


def test_the_fixture_a_setup_did_not_find():
    missing = Failure("tests/test_speed.py::test_speed", "setup", "FixtureLookupError",
                      "fixture 'benchmark' not found")
    assert fixture_name(missing) == "benchmark"
    assert fixture_name(Failure("t.py::t", "call", "FixtureLookupError", "fixture 'x' not found")) is None
    assert fixture_name(Failure("t.py::t", "setup", "FixtureLookupError",
                                " recursive dependency involving fixture 'x' detected")) is None
    assert "pytest-benchmark, which provides it, is not installed" in hint("benchmark")
    assert "the plugin that provides it is not installed" in hint("dbsession")
