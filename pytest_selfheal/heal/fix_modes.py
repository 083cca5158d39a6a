"""What happens to a validated fix: `report` (propose only), `apply` (working tree) or `branch`.

`apply` writes the user's working tree with `git apply` semantics, and only when every touched
file has no uncommitted change of the user's; it is refused under CI. `branch` commits the fix
on top of HEAD to `selfheal/<run-id>` through a private index file, so the checkout, HEAD and
the user's index are never written. git runs without a timeout here: a write cut short could
leave the user's files half changed. git reads the diff from a file, as bytes: it holds the
files' own line endings and encodings.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..git import run_git
from ..output.diffs import GIT_APPLY

_DIFF_HEADER = re.compile(rb"^diff --git a/(.+?) b/", re.MULTILINE)
BRANCH_PREFIX = "selfheal/"
_IDENTITY = {
    "GIT_AUTHOR_NAME": "pytest-selfheal", "GIT_AUTHOR_EMAIL": "selfheal@localhost",
    "GIT_COMMITTER_NAME": "pytest-selfheal", "GIT_COMMITTER_EMAIL": "selfheal@localhost",
}


@dataclass(frozen=True)
class ModeAction:
    """What the mode did with the fix, in words for the terminal and the decision log."""

    mode: str
    done: bool
    message: str
    branch: str = ""
    commit: str = ""


@dataclass(frozen=True)
class Fix:
    """A validated fix as the modes need it; `diff_file` is where the run keeps the diff."""

    diff: bytes
    diff_file: Path
    run_id: str
    message: str

    @property
    def paths(self) -> tuple[str, ...]:
        """Every file the diff touches (the fix, and any test file added with it)."""
        return tuple(dict.fromkeys(path.decode("utf-8", "surrogateescape")
                                   for path in _DIFF_HEADER.findall(self.diff)))


def carry_out(mode: str, repo_root: Path, fix: Fix,
              env: Mapping[str, str] = os.environ) -> ModeAction:
    """Apply or branch the fix; `report` does nothing. Never raises for git errors."""
    if mode == "apply":
        return _apply(repo_root, fix, env)
    if mode == "branch":
        return _branch(repo_root, fix)
    return ModeAction("report", False, f"proposal only; apply with `git apply {fix.diff_file}`")


def _apply(repo_root: Path, fix: Fix, env: Mapping[str, str]) -> ModeAction:
    if env.get("CI"):
        return ModeAction("apply", False, "not applied: --selfheal-apply is refused when the CI "
                          f"environment variable is set; the fix is in {fix.diff_file}")
    dirty = run_git(repo_root, "status", "--porcelain", "--untracked-files=all", "--", *fix.paths,
                    timeout=None)
    if dirty.returncode != 0 or dirty.stdout.strip():
        touched = ", ".join(line[3:] for line in dirty.stdout.splitlines()) or dirty.stderr.strip()
        return ModeAction("apply", False, f"not applied: uncommitted changes of yours in "
                          f"{touched}; commit or stash them, then `git apply {fix.diff_file}`")
    with _written(fix.diff) as diff:
        check = run_git(repo_root, *GIT_APPLY, "--check", diff, timeout=None)
        if check.returncode != 0:
            return ModeAction("apply", False, f"not applied: `git apply --check` refused the fix "
                              f"({check.stderr.strip()}); it is in {fix.diff_file}")
        done = run_git(repo_root, *GIT_APPLY, diff, timeout=None)
    if done.returncode != 0:
        return ModeAction("apply", False, f"not applied: {done.stderr.strip()}")
    return ModeAction("apply", True, f"applied to your working tree: {', '.join(fix.paths)} "
                      "(review with `git diff`; undo with `git checkout -- <file>`)")


def _branch(repo_root: Path, fix: Fix) -> ModeAction:
    """Commit HEAD + the fix through a private index; only the new branch ref is written."""
    name = BRANCH_PREFIX + fix.run_id
    with tempfile.TemporaryDirectory(prefix="selfheal-index-") as scratch, _written(fix.diff) as diff:
        private = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        for step in (("read-tree", "HEAD"), (*GIT_APPLY, "--cached", diff)):
            result = run_git(repo_root, *step, env=private, timeout=None)
            if result.returncode != 0:
                return ModeAction("branch", False, f"no branch created: `git {step[0]}` failed "
                                  f"({result.stderr.strip()}); the fix does not apply to HEAD, "
                                  f"commit your changes first. The fix is in {fix.diff_file}")
        tree = run_git(repo_root, "write-tree", env=private, timeout=None).stdout.strip()
    identity = {} if run_git(repo_root, "config", "user.email", timeout=None).stdout.strip() else _IDENTITY
    commit = run_git(repo_root, "commit-tree", tree, "-p", "HEAD", "-m", fix.message, env=identity,
                     timeout=None)
    if commit.returncode != 0:
        return ModeAction("branch", False, f"no branch created: {commit.stderr.strip()}")
    sha = commit.stdout.strip()
    created = run_git(repo_root, "branch", name, sha, timeout=None)
    if created.returncode != 0:
        return ModeAction("branch", False, f"no branch created: {created.stderr.strip()}")
    return ModeAction("branch", True, f"committed to branch {name} ({sha[:12]}); your checkout, "
                      f"HEAD and index are unchanged. Push it with `git push origin {name}`",
                      branch=name, commit=sha)


@contextmanager
def _written(diff: bytes) -> Iterator[str]:
    """The path of a temporary file that holds the diff's bytes."""
    with tempfile.TemporaryDirectory(prefix="selfheal-diff-") as scratch:
        path = Path(scratch) / "fix.diff"
        path.write_bytes(diff)
        yield str(path)
