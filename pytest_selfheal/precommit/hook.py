"""The pre-commit hook: the tests the staged change affects first, then the suite, healing failures.

pre-commit stashes unstaged changes, so the working tree is what is about to be committed.
A red run blocks the commit (exit 1) and prints the proposed fix and the path to fix.diff;
with --apply the fix is written into the working tree, to review, stage and commit again.
The suite run records the test map the next commit's selection uses.
"""

from __future__ import annotations

import enum
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..git import commit_of
from ..output import runstore
from ..output.apply import apply_fix
from ..sandbox.protocol import TESTMAP_ENV, TESTMAP_PLUGIN
from . import selection as select

PYTEST_NO_TESTS = 5
GIT_HOOK_ENV = ("GIT_INDEX_FILE", "GIT_DIR", "GIT_WORK_TREE", "GIT_PREFIX", "GIT_EDITOR")


class Verdict(enum.Enum):
    """Whether the commit goes through; the console script turns it into the exit code."""

    PASSED = "passed"
    BLOCKED = "blocked"


def run_hook(root: Path, *, apply: bool, pytest_args: Sequence[str]) -> Verdict:
    """BLOCKED when the affected tests or the suite fail, healed or not."""
    root = root.resolve()
    output = runstore.output_dir(root)
    known = runstore.run_ids(output)
    affected = _affected(root, output)
    if affected and not _passes(root, pytest_args, affected):
        return _blocked(root, output, known, apply)
    print("selfheal hook: running the suite", flush=True)
    with tempfile.TemporaryDirectory(prefix="selfheal-hook-") as scratch:
        coverage_file = Path(scratch) / "testmap.coverage"
        passed = _passes(root, [*pytest_args, "-p", TESTMAP_PLUGIN], (),
                         {TESTMAP_ENV: str(coverage_file)})
        if coverage_file.exists():
            select.record_map(root, coverage_file, output / select.MAP_FILE)
    if not passed:
        return _blocked(root, output, known, apply)
    return Verdict.PASSED


def _affected(root: Path, output: Path) -> list[str]:
    """The tests to run first; none without a test map or a HEAD to compare with."""
    test_map = select.load_map(output / select.MAP_FILE)
    if test_map is None:
        print("selfheal hook: no test map yet; running the whole suite", flush=True)
        return []
    if commit_of(root, "HEAD") is None:
        print("selfheal hook: the first commit, everything in it is new; running the whole suite",
              flush=True)
        return []
    try:
        affected = select.affected_tests(root, select.staged_changes(root), test_map)
    except subprocess.CalledProcessError as exc:
        print(f"selfheal hook: no selection ({exc.stderr.strip()}); running the whole suite",
              flush=True)
        return []
    print(f"selfheal hook: {len(affected)} test(s) or module(s) affected by the staged change",
          flush=True)
    return affected


def _passes(root: Path, args: Sequence[str], tests: Sequence[str],
            env: dict[str, str] | None = None) -> bool:
    """Run `pytest --selfheal args tests` (the tests via an @file: they can be many)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("".join(f"{test}\n" for test in tests))
    try:
        code = subprocess.run(
            [sys.executable, "-m", "pytest", "--selfheal", *args, *([f"@{fh.name}"] if tests else [])],
            cwd=root, env={**_without_hook_git_env(), **(env or {})},
        ).returncode
    finally:
        Path(fh.name).unlink()
    return code in (0, PYTEST_NO_TESTS)


def _without_hook_git_env() -> dict[str, str]:
    """The environment minus what git sets for hooks: the heal's worktree has its own index."""
    return {k: v for k, v in os.environ.items() if k not in GIT_HOOK_ENV}


def _blocked(root: Path, output: Path, known: set[str], apply: bool) -> Verdict:
    """Say why the commit is blocked; in apply mode write the fix into the working tree."""
    new = runstore.runs_since(output, known)
    if not new or not new[-1].diff_path.is_file():
        print("selfheal hook: tests fail and no fix was found; commit blocked", flush=True)
        return Verdict.BLOCKED
    run = new[-1]
    if not apply:
        print(f"selfheal hook: commit blocked; proposed fix: {run.diff_path}\n"
              f"  apply it with `pytest-selfheal apply {run.run_id}` (or run the hook with "
              "--apply), review, stage and commit again", flush=True)
        return Verdict.BLOCKED
    applied = apply_fix(root, run)
    applied.announce()
    if not applied.in_working_tree:
        return Verdict.BLOCKED
    print("selfheal hook: commit blocked; the fix is in your working tree: review it, "
          "`git add` it and commit again", flush=True)
    return Verdict.BLOCKED
