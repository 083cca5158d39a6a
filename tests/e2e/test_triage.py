"""Triage through `pytest --selfheal`, in real git repositories with real reruns and coverage."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from helpers import fingerprint, git, latest_report, make_repo, run_pytest, triage_verdicts

pytestmark = pytest.mark.slow

FAST = ("--selfheal", "--selfheal-reruns=1", "--selfheal-max-candidates=1")

CALC = {
    "calc/__init__.py": "",
    "calc/ops.py": """
        def add(a, b):
            return a + b


        def mul(a, b):
            return a * b
        """,
    "tests/test_ops.py": """
        from calc.ops import add, mul


        def test_add():
            assert add(2, 2) == 4


        def test_mul():
            assert mul(2, 3) == 6
        """,
}


def test_flaky_order_dependent_and_transient_failures_are_classified_not_repaired(tmp_path):
    state = tmp_path / "flaky-state"
    repo = make_repo(tmp_path / "repo", {
        "tests/test_unstable.py": f"""
            import os
            import time
            from pathlib import Path

            STATE = Path({str(state)!r})
            ALONE = STATE.with_suffix(".lock")
            SEEN = []


            def test_flaky():
                alone = os.open(ALONE, os.O_CREAT | os.O_EXCL)  # FileExistsError beside itself
                try:
                    time.sleep(0.2)
                    runs = int(STATE.read_text()) if STATE.exists() else 0
                    STATE.write_text(str(runs + 1))
                finally:
                    os.close(alone)
                    os.remove(ALONE)
                assert runs % 2 == 1, "fails every other run"


            def test_pollutes():
                SEEN.append(1)


            def test_needs_clean_state():
                assert SEEN == []


            def test_service():
                raise ConnectionRefusedError(111, "Connection refused")
            """,
    })
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal", "--selfheal-reruns=2")
    assert result.returncode == 1
    assert fingerprint(repo) == before
    report = latest_report(repo)
    verdicts = triage_verdicts(report)
    flaky = verdicts["tests/test_unstable.py::test_flaky"]
    assert flaky["kind"] == "flaky"
    assert flaky["counts"] == {"failed_alone": 1, "passed_alone": 1}
    ordered = verdicts["tests/test_unstable.py::test_needs_clean_state"]
    assert ordered["kind"] == "order-dependent"
    assert ordered["counts"] == {"passed_alone": 2, "failed_in_order": 1}
    assert verdicts["tests/test_unstable.py::test_service"]["kind"] == "transient"
    assert not any(v["repair"] for v in verdicts.values())
    assert report["status"] == "not-healed" and report["candidates"] == []
    assert report["reason"] == "nothing to repair: 1 flaky, 1 order-dependent, 1 transient"
    assert "test_flaky: flaky (failed alone 1, passed alone 1)" in result.stdout
    assert "test_needs_clean_state: order-dependent" in result.stdout


def test_a_hypothesis_failure_is_rerun_alone_once_and_the_rest_three_times(tmp_path):
    """Hypothesis ran the failing example again before it reported it; every rerun of it would
    search and shrink again. When that run passed it said Flaky: flaky, whatever reruns would
    see. A test of a directory called hypothesis is not one of its tests."""
    files = dict(CALC)
    files["calc/ops.py"] = CALC["calc/ops.py"].replace("a * b", "a * b + 1")
    files["tests/test_props.py"] = """
        from hypothesis import given, strategies as st

        from calc.ops import mul


        @given(st.integers())
        def test_one_is_neutral(x):
            assert mul(x, 1) == x
        """
    files["tests/test_unsteady.py"] = """
        from hypothesis import given, settings, strategies as st

        SEEN = []


        @settings(database=None)
        @given(st.integers())
        def test_first_example_only(x):
            SEEN.append(x)
            assert len(SEEN) > 1, "the first example fails, and never again"
        """
    files["tests/hypothesis/test_edges.py"] = """
        from calc.ops import mul


        def test_zero():
            assert mul(5, 0) == 0
        """
    repo = make_repo(tmp_path / "repo", files)
    result = run_pytest(repo, "--selfheal")
    assert result.returncode == 1
    verdicts = triage_verdicts(latest_report(repo))
    searched = verdicts["tests/test_props.py::test_one_is_neutral"]
    plain = verdicts["tests/test_ops.py::test_mul"]
    assert (searched["kind"], searched["counts"]) == ("deterministic", {"failed_alone": 1})
    assert (plain["kind"], plain["counts"]) == ("deterministic", {"failed_alone": 3})
    in_directory = verdicts["tests/hypothesis/test_edges.py::test_zero"]
    assert (in_directory["kind"], in_directory["counts"]) == ("deterministic", {"failed_alone": 3})
    unsteady = verdicts["tests/test_unsteady.py::test_first_example_only"]
    assert (unsteady["kind"], unsteady["counts"], unsteady["repair"]) == ("flaky", {}, False)
    assert "hypothesis ran its failing example again and it passed (Flaky)" in unsteady["note"]
    report = latest_report(repo)
    recorded = {f["nodeid"]: f for f in report["failures"]}
    assert recorded["tests/test_unsteady.py::test_first_example_only"]["exc_type"] == "AssertionError"
    assert report["status"] == "healed"


def test_chronic_and_new_failures_differ_and_the_new_one_is_linked_to_the_change(tmp_path):
    files = dict(CALC)
    files["tests/test_report.py"] = """
        from calc.ops import add


        def test_chronic(tmp_path):
            assert add(1, 1) == 3, f"{object()} in {tmp_path}"
        """
    repo = make_repo(tmp_path / "repo", files)
    run_pytest(repo, *FAST)
    first = triage_verdicts(latest_report(repo))["tests/test_report.py::test_chronic"]
    assert first["history"] == "no baseline"
    run_pytest(repo, *FAST)
    again = triage_verdicts(latest_report(repo))["tests/test_report.py::test_chronic"]
    assert again["history"] == "recurring", "one earlier failure is not yet a chronic one"
    assert again["history_note"].startswith("1 occurrence(s) in 1 of the last 1 run(s)")
    run_pytest(repo, *FAST)

    ops = repo / "calc" / "ops.py"
    ops.write_text(ops.read_text().replace("a * b", "a / b"))  # uncommitted regression
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal", "--selfheal-reruns=1",
                        "--selfheal-require-causal-link=true")
    assert result.returncode == 1
    assert fingerprint(repo) == before
    report = latest_report(repo)
    verdicts = triage_verdicts(report)
    chronic = verdicts["tests/test_report.py::test_chronic"]
    new = verdicts["tests/test_ops.py::test_mul"]

    assert chronic["signature"] == first["signature"], "same error, other address and tmp path"
    messages = [f["message"] for f in report["failures"] if f["nodeid"].endswith("test_chronic")]
    assert "0x" in messages[0] and "<hex>" in chronic["signature_text"]
    assert (chronic["history"], new["history"]) == ("chronic", "new regression")
    assert chronic["history_note"].startswith("3 occurrence(s) in 3 of the last 3 run(s)")
    assert new["p_value"] < 0.05 <= chronic["p_value"]

    assert new["causal_link"] is True and new["is_runtime_change"] is True
    assert new["confidence"] == "high"
    assert new["evidence"] == ["calc/ops.py:6"]
    assert chronic["causal_link"] is False and chronic["evidence"] == []
    assert chronic["repair"] is False and "require_causal_link" in chronic["note"]

    assert report["targets"] == ["tests/test_ops.py::test_mul"]
    assert report["suspects"][0]["path"] == "calc/ops.py" and report["suspects"][0]["line"] == 6
    assert "changed since HEAD" in report["suspects"][0]["evidence"]
    assert report["status"] == "healed"
    assert "test_mul: deterministic (failed alone 1); new regression; caused by calc/ops.py:6" \
        in result.stdout


def test_changes_are_measured_from_the_last_green_commit(tmp_path):
    files = dict(CALC)
    files["calc/ops.py"] = files["calc/ops.py"].replace("a * b", "a / b")
    repo = make_repo(tmp_path / "repo", files)
    run_pytest(repo, *FAST)  # a failing run starts the history
    ops = repo / "calc" / "ops.py"
    ops.write_text(ops.read_text().replace("a / b", "a * b"))
    git(repo, "commit", "-qam", "fix mul")
    green = git(repo, "rev-parse", "HEAD").strip()
    assert run_pytest(repo, "--selfheal").returncode == 0
    with closing(sqlite3.connect(repo / ".selfheal" / "history.db")) as db:
        assert db.execute("SELECT git_commit FROM runs WHERE green = 1").fetchall() == [(green,)]

    ops.write_text(ops.read_text().replace("a + b", "a - b"))
    git(repo, "commit", "-qam", "break add")
    run_pytest(repo, *FAST)
    report = latest_report(repo)
    assert report["triage"]["base"] == green
    assert report["triage"]["history_runs"] == 2
    assert report["triage"]["last_green_commit"] == green
    verdict = triage_verdicts(report)["tests/test_ops.py::test_add"]
    assert verdict["causal_link"] is True and verdict["evidence"] == ["calc/ops.py:2"]


def test_collection_error_from_a_misspelled_name_is_healed(tmp_path):
    repo = make_repo(tmp_path / "repo", {
        **CALC,
        "calc/limits.py": """
            LIMIT = 10
            DOUBLE_LIMIT = LIMT * 2
            """,
        "tests/test_limits.py": """
            from calc.limits import DOUBLE_LIMIT


            def test_double():
                assert DOUBLE_LIMIT == 20
            """,
    })
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal", "--selfheal-reruns=1")
    assert result.returncode == 2, result.stdout  # pytest's collection-error status is kept
    assert fingerprint(repo) == before
    report = latest_report(repo)
    verdict = triage_verdicts(report)["tests/test_limits.py"]
    assert verdict["kind"] == "collection-error"
    assert report["suspects"][0]["path"] == "calc/limits.py"
    assert report["suspects"][0]["line"] == 2
    assert report["status"] == "healed", report["reason"]
    fix = repo / ".selfheal" / "runs" / report["run_id"] / "fix.diff"
    assert "-DOUBLE_LIMIT = LIMT * 2\n+DOUBLE_LIMIT = LIMIT * 2" in fix.read_text()
    git(repo, "apply", str(fix))
    assert run_pytest(repo).returncode == 0


def test_collection_error_from_a_missing_project_import_is_healed(tmp_path):
    repo = make_repo(tmp_path / "repo", {
        **CALC,
        "calc/tables.py": '''
            """Lookup tables."""

            from calc.ops import add

            SQUARES = build_squares(4)
            TOTAL = add(1, 2)
            ''',
        "calc/builders.py": """
            def build_squares(n):
                return [i * i for i in range(n)]
            """,
        "tests/test_tables.py": """
            from calc.tables import SQUARES


            def test_squares():
                assert SQUARES == [0, 1, 4, 9]
            """,
    })
    run_pytest(repo, "--selfheal", "--selfheal-reruns=1")
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    diff = (repo / ".selfheal" / "runs" / report["run_id"] / "fix.diff").read_text()
    assert "+from calc.builders import build_squares\n" in diff
    assert report["candidates"][report["fix"]["candidate"]]["edits"][0]["template"] == "missing-import"


def healed_as_one_group(repo, alike, failures):
    """`pytest --selfheal` in `repo`, whose failures, each of its own message, triage reruns as
    one group: a sample of three, each failure deterministic and repaired. Its report."""
    result = run_pytest(repo, "--selfheal", "--selfheal-reruns=1")
    assert result.returncode == 1, result.stdout
    report = latest_report(repo)
    reruns = report["triage"]["reruns"]
    assert [(g["alike"], g["failures"], g["messages"]) for g in reruns["groups"]] == [
        (alike, failures, failures)]
    assert reruns["runs"] == 3
    verdicts = triage_verdicts(report)
    assert len(verdicts) == failures and all(v["kind"] == "deterministic" and v["repair"]
                                             for v in verdicts.values())
    return report


def test_failures_a_shared_helper_asserts_are_rerun_as_one_kind(tmp_path):
    """pyflakes' layout: tests inside the package check their inputs through one helper, whose
    message quotes each test's own input. Reruns grow with the ways of failing, not with the
    tests: a sample of three stands for eight failures."""
    files = {
        "pyproject.toml": """
            [tool.pytest.ini_options]
            addopts = ["--strict-config", "--strict-markers"]
            filterwarnings = ["error"]
            testpaths = ["lint"]
            """,
        "lint/__init__.py": "",
        "lint/checker.py": """
            def is_literal(source):
                return source.startswith(("'", '"')) or source.isdigit()
            """,
        "lint/test/__init__.py": "",
        "lint/test/harness.py": """
            from lint.checker import is_literal


            class TestCase:
                def check(self, source, expected):
                    got = is_literal(source)
                    assert got == expected, f"for input {source!r}: expected {expected}, got {got}"
            """,
        "lint/test/test_literals.py": """
            from lint.test.harness import TestCase


            class TestLiterals(TestCase):
            """ + "".join(f"""
                def test_literal_{i}(self):
                    self.check({source!r}, True)

                def test_name_{i}(self):
                    self.check("name_{i}", False)
            """ for i, source in enumerate(["'a'", '"bb"', "12", "'c' "])),
    }
    repo = make_repo(tmp_path / "repo", files)
    (repo / "lint/checker.py").write_text(
        "def is_literal(source):\n    return not (source.startswith((\"'\", '\"')) or source.isdigit())\n")
    # one group to rerun, of eight messages: each test asserts its own input, one of each
    # screens a candidate
    report = healed_as_one_group(repo, "AssertionError at lint/test/harness.py:7", 8)
    assert report["status"] == "healed"


CACHE_CLASSES = {"FIFOCache": "self._order.pop(0)", "LIFOCache": "self._order.pop()",
                 "LRUCache": "self._order.pop(0)", "MRUCache": "self._order.pop()",
                 "RRCache": "self._order.pop(len(self._order) // 2)"}


def test_errors_each_class_raises_through_a_mixins_test_are_rerun_as_one_kind(tmp_path):
    """cachetools' layout: a mixin in `tests/__init__.py` holds the tests every cache class
    inherits, and each class's own `popitem` raises, quoting its name, when a bug in the base
    class leaves every cache empty. One line of the tests, one exception: one group of five
    ways to fail, a sample of three rerun, not five groups."""
    files = {
        "pyproject.toml": """
            [tool.pytest.ini_options]
            addopts = ["--strict-config", "--strict-markers"]
            filterwarnings = ["error"]
            xfail_strict = true
            testpaths = ["tests"]
            """,
        "caches/__init__.py": """
            class Cache:
                def __init__(self, maxsize):
                    self.maxsize = maxsize
                    self._data = {}
                    self._order = []

                def __setitem__(self, key, value):
                    if key not in self._data:
                        self._order.append(key)
                    self._data[key] = value

                def __len__(self):
                    return len(self._data)
            """ + "".join(f"""

            class {name}(Cache):
                def popitem(self):
                    if not self._order:
                        raise KeyError("{name} is empty")
                    key = {pop}
                    return key, self._data.pop(key)
            """ for name, pop in CACHE_CLASSES.items()),
        "tests/__init__.py": """
            class CacheTestMixin:
                def test_popitem(self):
                    cache = self.Cache(maxsize=2)
                    cache[1] = "one"
                    assert cache.popitem() == (1, "one")
                    assert len(cache) == 0
            """,
        **{f"tests/test_{name[:-5].lower()}.py": f"""
            import unittest

            from caches import {name}

            from . import CacheTestMixin


            class {name}Test(unittest.TestCase, CacheTestMixin):
                Cache = {name}
            """ for name in CACHE_CLASSES},
    }
    repo = make_repo(tmp_path / "repo", files)
    base = repo / "caches" / "__init__.py"
    base.write_text(base.read_text().replace("if key not in self._data:", "if key in self._data:"))
    report = healed_as_one_group(repo, "KeyError at tests/__init__.py:5", 5)
    assert report["status"] == "healed", report["reason"]
    fix = (repo / ".selfheal" / "runs" / report["run_id"] / "fix.diff").read_text()
    assert "-        if key in self._data:\n+        if key not in self._data:" in fix
