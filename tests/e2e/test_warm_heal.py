"""Whole heals with the warm worker: same fix as with fresh subprocesses only, and a bug that
runs at import time still heals (through the subprocess fallback)."""

import json
from pathlib import Path

import pytest
from helpers import fingerprint, git, init_repo, latest_report, latest_run_dir, run_pytest

pytestmark = pytest.mark.slow

CONFTEST = """\
import os, sys
with open(os.environ["CALC_LOG"], "a") as log:
    log.write(sys.argv[0] + "\\n")
"""

CLAMP = """\
def clamp(value, low, high):
    if value < low:
        return low
    if value > high:
        return low
    return value


def double(x):
    return x * 2
"""

CLAMP_TESTS = """\
from calc import clamp, double

def test_low():
    assert clamp(-1, 0, 10) == 0

def test_middle():
    assert clamp(5, 0, 10) == 5

def test_high():
    assert clamp(11, 0, 10) == 10

def test_double():
    assert double(4) == 8
"""

SCALE = """\
def scale(x):
    return x * 3


SCALED = scale(2)
"""

SCALE_TESTS = """\
from calc import SCALED, scale

def test_scale():
    assert scale(5) == 10

def test_scaled_at_import():
    assert SCALED == 4
"""


def make_repo(root: Path, source: str, tests: str) -> Path:
    root.mkdir()
    (root / "calc.py").write_text(source)
    (root / "test_calc.py").write_text(tests)
    (root / "conftest.py").write_text(CONFTEST)
    return init_repo(root)


def heal(repo: Path, log: Path, *args: str) -> dict[str, object]:
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal", *args, env={"CALC_LOG": str(log)})
    assert result.returncode == 1, result.stdout
    assert fingerprint(repo) == before
    return latest_report(repo)


def test_warm_worker_finds_the_same_fix_as_fresh_subprocesses(tmp_path):
    warm_repo = make_repo(tmp_path / "warm", CLAMP, CLAMP_TESTS)
    cold_repo = make_repo(tmp_path / "cold", CLAMP, CLAMP_TESTS)
    # the alternatives are counted in candidates, so both paths try the same ones
    few = "--selfheal-alternatives=3"
    warm = heal(warm_repo, tmp_path / "warm.log", few)
    cold = heal(cold_repo, tmp_path / "cold.log", few, "--selfheal-workers=0")
    assert warm["status"] == cold["status"] == "healed"
    diff = (latest_run_dir(warm_repo) / "fix.diff").read_text().replace(warm["run_id"], "<run>")
    assert "+        return high" in diff
    cold_diff = (latest_run_dir(cold_repo) / "fix.diff").read_text().replace(cold["run_id"], "<run>")
    assert diff == cold_diff, "the same fix and regression test, but for the run id they name"
    assert [c["verdict"] for c in warm["candidates"]] == [c["verdict"] for c in cold["candidates"]]
    warm_starts = (tmp_path / "warm.log").read_text().splitlines()
    cold_starts = (tmp_path / "cold.log").read_text().splitlines()
    assert sum(s.endswith("worker.py") for s in warm_starts) == 1, "one warm session per heal"
    assert not any(s.endswith("worker.py") for s in cold_starts)
    assert len(warm_starts) < len(cold_starts), "candidates were screened without new processes"


def test_a_function_that_ran_at_import_time_heals_through_a_subprocess(tmp_path):
    repo = make_repo(tmp_path / "repo", SCALE, SCALE_TESTS)
    report = heal(repo, tmp_path / "calls.log")
    assert report["status"] == "healed", report["reason"]
    assert "+    return x * 2" in (latest_run_dir(repo) / "fix.diff").read_text()
    assert any(s.endswith("worker.py") for s in (tmp_path / "calls.log").read_text().splitlines())


def test_triage_reruns_start_no_process(tmp_path):
    """Each rerun is a forked child of the warm session, so five reruns cost what one does."""
    starts = []
    for reruns in (1, 5):
        repo = make_repo(tmp_path / f"reruns-{reruns}", CLAMP, CLAMP_TESTS)
        log = tmp_path / f"reruns-{reruns}.log"
        report = heal(repo, log, f"--selfheal-reruns={reruns}", "--selfheal-alternatives=0")
        assert report["status"] == "healed"
        (failure,) = report["triage"]["failures"]
        assert failure["kind"] == "deterministic" and failure["counts"] == {"failed_alone": reruns}
        starts.append(len(log.read_text().splitlines()))
    assert starts[0] == starts[1], "a rerun started a process"


def test_a_checkout_with_bytecode_caches_heals_as_one_without(tmp_path):
    """The sandbox starts from the session's compiled modules (pytest's rewritten tests too);
    coverage, tracebacks and the fix must still name the worktree's files, never the checkout."""
    reports = {}
    for name, dont_write in (("cached", ""), ("uncached", "1")):
        repo = make_repo(tmp_path / name, CLAMP, CLAMP_TESTS)
        before = fingerprint(repo)
        result = run_pytest(repo, "--selfheal", "--selfheal-alternatives=0",
                            env={"CALC_LOG": str(tmp_path / f"{name}.log"),
                                 "PYTHONDONTWRITEBYTECODE": dont_write, "PYTHONPYCACHEPREFIX": ""})
        assert result.returncode == 1, result.stdout
        assert fingerprint(repo) == before
        reports[name] = latest_report(repo)
    assert list((tmp_path / "cached" / "__pycache__").glob("test_calc.*-pytest-*.pyc"))
    assert not (tmp_path / "uncached" / "__pycache__").exists()
    cached, uncached = reports["cached"], reports["uncached"]
    assert cached["status"] == uncached["status"] == "healed", cached["reason"]
    assert cached["suspects"] == uncached["suspects"]
    assert [s["path"] for s in cached["suspects"]][:1] == ["calc.py"]
    assert cached["fix"] == uncached["fix"]


FREEZING_CONFTEST = CONFTEST + """
import gc


def pytest_collection_finish(session):
    # as packaging's conftest does: the collected session into GC's permanent generation
    gc.collect()
    gc.freeze()
"""


def _decisions(repo: Path, kind: str) -> list[dict[str, object]]:
    lines = (latest_run_dir(repo) / "decisions.jsonl").read_text().splitlines()
    return [record for record in map(json.loads, lines) if record["kind"] == kind]


def test_a_conftest_that_freezes_the_heap_leaves_candidates_to_the_warm_worker(tmp_path):
    """Frozen objects are invisible to the garbage collector's listing, the functions a swap
    replaces among them; the decision log says what the worker ran and why anything fell back."""
    repo = make_repo(tmp_path / "repo", CLAMP, CLAMP_TESTS)
    (repo / "conftest.py").write_text(FREEZING_CONFTEST)
    git(repo, "commit", "-qam", "freeze the collected session")
    report = heal(repo, tmp_path / "calls.log", "--selfheal-alternatives=3")
    assert report["status"] == "healed", report["reason"]
    [warm] = _decisions(repo, "warm")
    assert warm["ready"] is True and warm["stopped"] == ""
    assert warm["fell_back"] == {}, warm
    assert warm["ran"] >= len(report["candidates"]) >= 2


def test_the_decision_log_says_why_a_job_needed_a_subprocess(tmp_path):
    repo = make_repo(tmp_path / "repo", SCALE, SCALE_TESTS)
    report = heal(repo, tmp_path / "calls.log")
    assert report["status"] == "healed", report["reason"]
    [warm] = _decisions(repo, "warm")
    assert list(warm["fell_back"]) == ["calc.py: scale runs at import time"], warm
    assert warm["fell_back"]["calc.py: scale runs at import time"] >= 1
