"""The one way to run git, and the one reader of its diffs.

Importing this module costs nothing (no GitPython): a green `--selfheal` run finds the
repository from here, and only building a sandbox imports GitPython.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

# Read-only calls must not take the index lock the user's own git may want, and nothing may
# wait for a password prompt.
GIT_ENV: Mapping[str, str] = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
TIMEOUT = 60.0

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def git_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment every git call gets: the process's own, GIT_ENV, then `extra`."""
    return {**os.environ, **GIT_ENV, **(extra or {})}


def run_git(cwd: Path, *args: str, env: Mapping[str, str] | None = None, stdin: str | None = None,
            timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    """git ARGS in `cwd`, output captured as text (undecodable bytes replaced); never raises for
    git's own exit status. OSError and TimeoutExpired propagate."""
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, encoding="utf-8", errors="replace",
        input=stdin, env=git_environment(env), timeout=timeout, check=False,
    )


def git_output(cwd: Path, *args: str) -> str | None:
    """stdout of a read-only git call, or None when git fails (unknown commit, not a repository,
    no git, a timeout)."""
    try:
        done = run_git(cwd, *args)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def git_ok(cwd: Path, *args: str) -> bool:
    """True when git ARGS succeeds."""
    return git_output(cwd, *args) is not None


def find_repo_root(start: Path) -> Path | None:
    """The enclosing git work tree, found by its `.git` directory or file (no git process)."""
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def diff_hunks(diff: str) -> dict[str, list[tuple[int, int, int, int]]]:
    """Per file of a `git diff -U0` (new-side path), its hunks as
    (old_start, old_count, new_start, new_count). Deleted files are keyed by their old path."""
    hunks: dict[str, list[tuple[int, int, int, int]]] = {}
    old_path: str | None = None
    path: str | None = None
    for line in diff.splitlines():
        if line.startswith("--- "):
            old_path = _diff_path(line[4:])
        elif line.startswith("+++ "):
            path = _diff_path(line[4:]) or old_path
            if path is not None:
                hunks.setdefault(path, [])
        elif path is not None and (match := _HUNK.match(line)):
            old_start, old_count, new_start, new_count = match.groups()
            hunks[path].append((
                int(old_start), 1 if old_count is None else int(old_count),
                int(new_start), 1 if new_count is None else int(new_count),
            ))
    return hunks


def _diff_path(text: str) -> str | None:
    text = text.split("\t", 1)[0].strip()
    if text == "/dev/null":
        return None
    if text.startswith('"') and text.endswith('"'):
        text = text[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape").encode(
            "latin-1").decode("utf-8", "replace")
    return text[2:] if text[:2] in ("a/", "b/") else text
