"""The parts behind the safety guarantees, one by one: the lock, stale cleanup, and a sandbox
that keeps non-UTF-8 bytes intact and names its owner in git's list of worktrees."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import git, init_repo

from pytest_selfheal.sandbox.lock import (
    LockBusy,
    clean_stale,
    heal_lock,
    sandbox_reason,
    stale_worktrees,
)
from pytest_selfheal.sandbox.worktree import open_sandbox


def test_lock_is_exclusive_and_released(tmp_path):
    with heal_lock(tmp_path):
        assert (tmp_path / "heal.lock").read_text() == str(os.getpid())
        other = subprocess.run(
            [sys.executable, "-c", "import sys; from pathlib import Path; "
             "from pytest_selfheal.sandbox.lock import heal_lock\n"
             "try:\n    heal_lock(Path(sys.argv[1])).__enter__()\n"
             "except Exception as exc:\n    print(exc)", str(tmp_path)],
            capture_output=True, text=True)
        assert f"another pytest --selfheal (pid {os.getpid()}) is healing" in other.stdout
    with heal_lock(tmp_path):
        pass  # free again


def test_lock_in_the_same_process_is_busy(tmp_path):
    with heal_lock(tmp_path), pytest.raises(LockBusy), heal_lock(tmp_path):
        pass


def relock(repo: Path, worktree: Path, owner: int) -> None:
    """Mark the sandbox as `owner`'s, as if that process had made it."""
    git(repo, "worktree", "unlock", str(worktree))
    git(repo, "worktree", "lock", "--reason", sandbox_reason(owner), str(worktree))


def test_stale_worktree_of_a_dead_process_is_removed(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("A = 1\n")
    init_repo(repo)
    dead = subprocess.Popen(["true"])
    dead.wait()
    with open_sandbox(repo) as live:
        relock(repo, live.root, dead.pid)  # as if its owner had died
        assert stale_worktrees(repo) == [live.root]
        relock(repo, live.root, os.getpid())
        assert stale_worktrees(repo) == [], "a live owner's worktree is never touched"
        relock(repo, live.root, dead.pid)
        (tmp_path / "out" / "runs" / "old").mkdir(parents=True)
        cleaned = clean_stale(repo, tmp_path / "out", keep=tmp_path / "out" / "runs" / "new")
        assert cleaned == {"worktrees": [str(live.root)], "runs": ["old"]}
        assert not live.tmp.exists()
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert json.loads((tmp_path / "out" / "runs" / "old" / "report.json").read_text())["status"] \
        == "interrupted"


def test_sandbox_round_trips_non_utf8_bytes(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    raw = b"# -*- coding: latin-1 -*-\nNAME = '\xe9t\xe9'\n"
    (repo / "legacy.py").write_bytes(raw)
    init_repo(repo)
    with open_sandbox(repo) as sandbox:
        source = sandbox.read("legacy.py")
        sandbox.write("legacy.py", source.text.replace("NAME", "TITLE"), source.encoding)
        assert (sandbox.root / "legacy.py").read_bytes() == raw.replace(b"NAME", b"TITLE")
        sandbox.write("legacy.py", source.text, source.encoding)
        assert (sandbox.root / "legacy.py").read_bytes() == raw


def test_sandbox_is_locked_in_the_name_of_this_process(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("A = 1\n")
    init_repo(repo)
    with open_sandbox(repo) as sandbox:
        listing = git(repo, "worktree", "list", "--porcelain")
        assert f"worktree {sandbox.root}\n" in listing
        assert f"locked {sandbox_reason(os.getpid())}\n" in listing
