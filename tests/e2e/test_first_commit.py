"""A repository with no commits yet heals like any other: the sandbox is built from the index and
the working tree, and the repository is left with no commit, the same index and no new object."""

import re
import subprocess
import sys
import time
from pathlib import Path

from helpers import (
    copy_example,
    fingerprint,
    git,
    latest_report,
    latest_run_dir,
    run_pytest,
    user_env,
)

NO_CACHE = ("--", "-p", "no:cacheprovider")  # the user's own pytest run writes nothing either


def test_pytest_selfheal_heals_before_the_first_commit(tmp_path):
    repo = copy_example("invoice", tmp_path / "repo")  # shipped with its bug: `subtotal > threshold`
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    money = repo / "invoice" / "money.py"
    money.write_text(money.read_text() + "\n# rounding is half-up, as on paper\n")  # not staged
    (repo / "invoice" / "notes.py").write_text('"""Not added yet."""\n')  # untracked
    before, objects = fingerprint(repo), git(repo, "count-objects")

    result = run_pytest(repo, "--selfheal")

    assert result.returncode == 1, "the run stays red"
    assert "no commits yet" not in result.stdout
    report = latest_report(repo)
    assert report["status"] == "healed", result.stdout
    assert (report["triage"]["base"], report["triage"]["base_label"]) == (
        "", "no commit yet (every line is new)")
    assert "No commit yet: every line is new." in (latest_run_dir(repo) / "report.md").read_text()
    diff = latest_run_dir(repo) / "fix.diff"
    assert "+    return subtotal >= threshold" in diff.read_text()
    assert fingerprint(repo) == before
    assert git(repo, "count-objects") == objects, "no commit, tree or blob written"
    no_head = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "HEAD"], cwd=repo)
    assert no_head.returncode != 0, "still no commit"

    git(repo, "apply", str(diff))  # the fix applies to the user's working tree as it is
    assert "half-up" in money.read_text()
    assert run_pytest(repo, "-q").returncode == 0


def test_the_hook_blocks_a_first_commit_with_a_fix_and_leaves_the_index_as_it_was(tmp_path):
    repo = copy_example("invoice", tmp_path / "repo")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    before, objects = fingerprint(repo), git(repo, "count-objects")

    done = subprocess.run([sys.executable, "-m", "pytest_selfheal", "hook", *NO_CACHE], cwd=repo,
                          capture_output=True, text=True, env=user_env(), timeout=300)

    assert done.returncode == 1, done.stdout + done.stderr
    assert "no test map yet; running the whole suite" in done.stdout
    match = re.search(r"selfheal hook: commit blocked; proposed fix: (\S+/fix\.diff)", done.stdout)
    assert match, done.stdout
    assert fingerprint(repo) == before
    assert git(repo, "count-objects") == objects
    git(repo, "apply", "--check", match[1])

    # the suite run recorded a test map; with no HEAD to compare with, the next try runs it all
    again = subprocess.run([sys.executable, "-m", "pytest_selfheal", "hook", *NO_CACHE], cwd=repo,
                           capture_output=True, text=True, env=user_env(), timeout=300)
    assert again.returncode == 1
    assert "the first commit, everything in it is new; running the whole suite" in again.stdout
    assert fingerprint(repo) == before


def test_the_janitor_removes_the_sandbox_of_a_killed_heal_before_the_first_commit(tmp_path):
    repo = copy_example("invoice", tmp_path / "repo")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    before = fingerprint(repo)
    root = tmp_path / "worktree.txt"
    script = f"""
import os
from pathlib import Path
from pytest_selfheal.sandbox.janitor import Janitor
from pytest_selfheal.sandbox.lock import new_sandbox_dir
from pytest_selfheal.sandbox.worktree import open_sandbox

sandbox = open_sandbox(Path({str(repo)!r}), new_sandbox_dir()).__enter__()
Janitor(Path({str(repo)!r}), None).watch(sandbox.root)
Path({str(root)!r}).write_text(str(sandbox.root))
os._exit(0)  # dies as a killed heal would, removing nothing
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60, env=user_env())
    assert done.returncode == 0, done.stderr
    worktree = Path(root.read_text())
    deadline = time.monotonic() + 20
    while worktree.parent.exists():
        assert time.monotonic() < deadline, "the janitor left the sandbox"
        time.sleep(0.1)
    assert fingerprint(repo) == before
