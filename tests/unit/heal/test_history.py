"""The run history: a real sqlite file, concurrent writers, baselines and the last green run."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

from pytest_selfheal.errors import OutputError
from pytest_selfheal.heal import history


def run(run_id: str, commit: str = "c0", **outcomes: str) -> history.RunRecord:
    signatures = {n: f"sig-{n}" for n, o in outcomes.items() if o == "failed"}
    return history.RunRecord(run_id, commit, False, outcomes, signatures)


def test_empty_history_has_no_baseline(tmp_path):
    baseline = history.baseline(tmp_path / "history.db")
    assert baseline.runs == 0 and baseline.counts == {} and baseline.last_green_commit is None
    assert not (tmp_path / "history.db").exists(), "reading must not create the file"


def test_baseline_counts_signatures_and_finds_the_last_green_run(tmp_path):
    db = tmp_path / "history.db"
    history.record(db, run("r1", "c1", a="passed", b="passed"))
    history.record(db, run("r2", "c2", a="failed", b="passed"))
    history.record(db, run("r3", "c3", a="failed", b="failed"))
    baseline = history.baseline(db)
    assert baseline.runs == 3
    assert baseline.counts == {"sig-a": 2, "sig-b": 1}
    assert (baseline.last_green_run, baseline.last_green_commit) == ("r1", "c1")
    assert history.baseline(db, window=1).counts == {"sig-a": 1, "sig-b": 1}
    with closing(sqlite3.connect(db)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_baseline_counts_the_runs_a_signature_failed_in_apart_from_its_tests(tmp_path):
    """Two tests failing one way in one run are two occurrences and one run."""
    db = tmp_path / "history.db"
    shared = {"t1": "sig-shared", "t2": "sig-shared"}
    history.record(db, history.RunRecord("r1", "c1", False, {"t1": "failed", "t2": "failed"}, shared))
    history.record(db, history.RunRecord("r2", "c1", True, {"t1": "failed", "t2": "passed"},
                                         {"t1": "sig-shared"}))
    history.record(db, run("r3", "c1", t1="passed", t2="passed"))
    baseline = history.baseline(db)
    assert baseline.counts == {"sig-shared": 3}
    assert baseline.runs_with == {"sig-shared": 2}
    assert history.baseline(db, window=1).runs_with == {}


def test_head_state_reads_the_commit_and_whether_the_tree_differs_from_it(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ("git", "-c", "user.name=t", "-c", "user.email=t@example.invalid")
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    assert history.head_state(repo) == ("", False)  # no commit yet
    (repo / "a.py").write_text("x = 1\n")
    assert history.head_state(repo) == ("", True)
    subprocess.run([*git, "add", "a.py"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "a"], cwd=repo, check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()
    assert history.head_state(repo) == (head, False)
    (repo / ".gitignore").write_text("ignored.txt\n")
    subprocess.run([*git, "add", ".gitignore"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "ignore"], cwd=repo, check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()
    (repo / "ignored.txt").write_text("")
    assert history.head_state(repo) == (head, False), "a file git ignores is not a change"
    (repo / "a.py").write_text("x = 2\n")
    assert history.head_state(repo) == (head, True)
    assert history.head_state(tmp_path / "elsewhere") == ("", False)


def test_a_run_without_tests_is_not_green():
    assert not run("r").green
    assert run("r", a="passed").green


def _write_many(args: tuple[str, int]) -> None:
    db, worker = args
    for i in range(20):
        history.record(Path(db), run(f"w{worker}-{i}", a="failed", b="passed"))


def test_concurrent_writers_do_not_corrupt_the_history(tmp_path):
    db = tmp_path / "history.db"
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.map(_write_many, [(str(db), w) for w in range(4)])
    with closing(sqlite3.connect(db)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT count(*) FROM runs").fetchone() == (80,)
        assert connection.execute("SELECT count(*) FROM outcomes").fetchone() == (160,)


def test_a_corrupt_history_names_the_fix(tmp_path):
    db = tmp_path / "history.db"
    db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(OutputError, match="delete it to start a new history"):
        history.baseline(db)
