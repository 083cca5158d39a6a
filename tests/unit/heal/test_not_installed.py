"""What is not installed where the tests ran: a fixture nothing in the repository defines (a
plugin's), a module the tests import that the repository does not have (a test dependency's);
told from what the repository defines now or at the base commit, which a change may have broken,
and from an import the project's own code fails."""

from __future__ import annotations

import textwrap

from helpers import git, make_repo

from pytest_selfheal.heal.collection_errors import build_error
from pytest_selfheal.heal.not_installed import Missing, absent, hint, missing
from pytest_selfheal.models import Failure, Frame

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


def fixtures(*names: str) -> set[Missing]:
    return {Missing("fixture", name) for name in names}


def modules(*names: str) -> set[Missing]:
    return {Missing("module", name) for name in names}


def test_only_the_fixtures_no_file_defines_now_or_at_the_base_are_absent(tmp_path):
    root = make_repo(tmp_path / "repo", {"tests/conftest.py": CONFTEST + "\n\ndef old_name():\n    pass\n"})
    base = git(root, "rev-parse", "HEAD").strip()
    # the working tree drops `old_name` and adds an untracked module defining `fresh`
    (root / "tests/conftest.py").write_text(textwrap.dedent(CONFTEST), encoding="utf-8")
    (root / "tests/helpers.py").write_text("def fresh():\n    pass\n", encoding="utf-8")
    (root / "notes.txt").write_text("def mocker(): a text file is no Python\n", encoding="utf-8")
    wanted = fixtures("database", "client", "session", "renamed", "old_name", "fresh", "mocker",
                      "benchmark", "data")  # `data` is a prefix of `database`, not its name
    assert absent(wanted, root, base) == fixtures("mocker", "benchmark", "data")
    # without the base commit (or with one that names none), what the change removed is absent too
    assert absent(wanted, root, "") == absent(wanted, root, "HEAD~1") == fixtures(
        "mocker", "benchmark", "data", "old_name")


def test_only_the_modules_no_file_or_directory_is_named_for_now_or_at_the_base_are_absent(tmp_path):
    root = make_repo(tmp_path / "repo", {"src/shop/__init__.py": "", "src/shop/cart.py": "",
                                         "tests/fakes.py": "", "legacy.py": ""})
    base = git(root, "rev-parse", "HEAD").strip()
    (root / "legacy.py").unlink()  # removed by the change
    (root / "tools").mkdir()
    (root / "tools/stubs.py").write_text("", encoding="utf-8")  # untracked
    wanted = modules("shop", "cart", "fakes", "legacy", "stubs", "freezegun")
    assert absent(wanted, root, base) == modules("freezegun")
    assert absent(wanted, root, "") == modules("freezegun", "legacy")
    both = fixtures("mocker") | modules("freezegun", "shop")
    assert absent(both, root, base) == fixtures("mocker") | modules("freezegun")


def test_where_git_cannot_tell_nothing_is_absent(tmp_path):
    assert absent(fixtures("mocker") | modules("freezegun"), tmp_path, "") == frozenset()


def test_what_a_failure_did_not_find(tmp_path):
    def is_test(path: str) -> bool:
        return path.startswith("tests/")

    def of(failure: Failure) -> Missing | None:
        return missing(failure, build_error(failure, tmp_path, is_test))

    assert of(Failure("tests/test_speed.py::test_speed", "setup", "FixtureLookupError",
                      "fixture 'benchmark' not found")) == Missing("fixture", "benchmark")
    assert of(Failure("t.py::t", "setup", "FixtureLookupError",
                      " recursive dependency involving fixture 'x' detected")) is None
    # a test module's import, as pytest reports it (the exception only in its text)
    collected = (f"ImportError while importing test module '{tmp_path}/tests/test_frozen.py'.\n"
                 "Traceback:\n"
                 f'  File "{tmp_path}/tests/test_frozen.py", line 1, in <module>\n'
                 "    import freezegun.api\n"
                 "E   ModuleNotFoundError: No module named 'freezegun'")
    assert of(Failure("tests/test_frozen.py", "collect", "Error", collected)) == Missing("module", "freezegun")
    # imported in a test, or below it in installed code: the environment's
    in_test = Failure("tests/test_a.py::test_a", "call", "ModuleNotFoundError", "No module named 'yaml'",
                      frames=(Frame("tests/test_a.py", 3, "test_a"), Frame("/venv/lib/x.py", 9, "load")))
    assert of(in_test) == Missing("module", "yaml")
    # imported by the project's own code: a fallback the change removed is the code's
    in_code = Failure("tests/test_a.py::test_a", "call", "ModuleNotFoundError", "No module named 'ujson'",
                      frames=(Frame("tests/test_a.py", 3, "test_a"), Frame("shop/fast.py", 2, "dumps")))
    assert of(in_code) is None
    assert of(Failure("tests/test_a.py::test_a", "call", "ImportError", "cannot import name 'x'")) is None


def test_what_to_install():
    assert "pytest-benchmark, which provides it, is not installed" in hint(Missing("fixture", "benchmark"))
    assert "the plugin that provides it is not installed" in hint(Missing("fixture", "dbsession"))
    assert hint(Missing("module", "freezegun")).startswith(
        "No module named 'freezegun', and the repository has none: a test dependency is not installed")
