"""Which lines changed since a commit, uncommitted work included, read with plain `git` calls.

Run in the sandbox worktree (HEAD plus the user's changes), never in the user's checkout. Also
tells the commit and dirty flag of the user's checkout for the run history, read-only.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections import defaultdict
from pathlib import Path

from ..models import Line
from ..sandbox.worktree import GIT_ENV

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(?P<start>\d+)(?:,(?P<count>\d+))? @@", re.MULTILINE)


def _git(cwd: Path, *args: str) -> str | None:
    """stdout of a read-only git call, or None when git fails (unknown commit, not a repo)."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, encoding="utf-8", errors="replace",
            check=False,
            env={**os.environ, **GIT_ENV}, timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def head_state(repo: Path) -> tuple[str, bool]:
    """(HEAD commit, whether tracked or untracked-unignored files differ from it)."""
    commit = (_git(repo, "rev-parse", "HEAD") or "").strip()
    status = _git(repo, "status", "--porcelain", "--untracked-files=normal") or ""
    return commit, bool(status.strip())


def resolve_base(worktree: Path, wanted: str | None) -> str:
    """`wanted` when that commit still exists (history may have been rewritten), else HEAD."""
    if wanted and _git(worktree, "cat-file", "-e", f"{wanted}^{{commit}}") is not None:
        return wanted
    return "HEAD"


def changed_lines(worktree: Path, base: str) -> dict[str, frozenset[int]]:
    """path -> lines added or modified since `base`, in the current files; new files count whole."""
    found: dict[str, set[int]] = defaultdict(set)
    diff = _git(worktree, "-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff",
                "--no-renames", "-U0", base, "--") or ""
    for section in diff.split("\ndiff --git "):
        path = _new_path(section)
        if path is None:
            continue
        for hunk in _HUNK.finditer(section):
            start = int(hunk["start"])
            count = int(hunk["count"]) if hunk["count"] is not None else 1
            # a pure deletion has no new lines: the lines around the gap stand for it
            found[path].update(range(start, start + count) if count else (start, start + 1))
    untracked = _git(worktree, "-c", "core.quotePath=false", "ls-files", "--others",
                     "--exclude-standard", "-z") or ""
    for rel in filter(None, untracked.split("\0")):
        try:
            lines = (worktree / rel).read_text(encoding="utf-8").count("\n") + 1
        except (OSError, UnicodeDecodeError):
            continue
        found[rel].update(range(1, lines + 1))
    return {path: frozenset(lines) for path, lines in found.items() if lines}


def _new_path(section: str) -> str | None:
    for line in section.splitlines():
        if line.startswith("+++ "):
            target = line[4:].strip()
            return target[2:] if target.startswith("b/") else None
        if line.startswith("@@"):
            break
    return None


def as_lines(changed: dict[str, frozenset[int]]) -> frozenset[Line]:
    return frozenset((path, line) for path, lines in changed.items() for line in lines)
