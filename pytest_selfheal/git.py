"""The one way to run git, and the one reader of its diffs.

Importing this module costs nothing (no GitPython): a green `--selfheal` run finds the
repository and records its history from here, and only building a sandbox imports GitPython.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

# Read-only calls must not take the index lock the user's own git may want, and nothing may
# wait for a password prompt.
GIT_ENV: Mapping[str, str] = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
TIMEOUT = 60.0

# The `git diff` options whose output parse_diff reads: hunks without context, each file under
# its own name, and prefixes fixed whatever the user's diff.noPrefix or diff.mnemonicPrefix say.
DIFF_OPTIONS = ("--no-color", "--no-ext-diff", "--no-renames", "-U0",
                "--src-prefix=a/", "--dst-prefix=b/")

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ESCAPE = re.compile(rb'\\([0-7]{3}|[abtnvfr"\\])')
_ESCAPED = {b"a": b"\a", b"b": b"\b", b"t": b"\t", b"n": b"\n", b"v": b"\v", b"f": b"\f",
            b"r": b"\r", b'"': b'"', b"\\": b"\\"}


def git_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment every git call gets: the process's own, GIT_ENV, then `extra`."""
    return {**os.environ, **GIT_ENV, **(extra or {})}


def run_git(cwd: Path, *args: str, env: Mapping[str, str] | None = None, stdin: str | None = None,
            timeout: float | None = TIMEOUT, check: bool = False,
            ) -> subprocess.CompletedProcess[str]:
    """git ARGS in `cwd`, output captured as text (undecodable bytes replaced). git's own exit
    status raises CalledProcessError (with its stderr) only when `check`; OSError and
    TimeoutExpired propagate. `timeout=None` is for calls that write and must not be cut short."""
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, encoding="utf-8", errors="replace",
        input=stdin, env=git_environment(env), timeout=timeout, check=check,
    )


def git_output(cwd: Path, *args: str) -> str | None:
    """stdout of a read-only git call, or None when git fails (unknown commit, not a repository,
    no git, a timeout)."""
    try:
        done = run_git(cwd, *args)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def file_at(cwd: Path, commit: str, path: str) -> str | None:
    """The text of `path` (relative to the repository root) as `commit` has it, or None where
    that commit has no such file (or is no commit)."""
    return git_output(cwd, "show", f"{commit}:{path}")


def git_ok(cwd: Path, *args: str) -> bool:
    """True when git ARGS succeeds."""
    return git_output(cwd, *args) is not None


def commit_of(cwd: Path, revision: str) -> str | None:
    """The full id of the commit `revision` names in the repository at `cwd` (a commit id or a
    prefix of one, a branch, a tag, HEAD), or None when it names none there: unknown (not
    fetched), not a commit (a tree, a blob), no repository, no git. A revision that starts with
    `-` names none (git would read it as an option)."""
    if revision.startswith("-"):
        return None
    found = git_output(cwd, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    return found.strip() if found is not None else None


def find_repo_root(start: Path) -> Path | None:
    """The enclosing git work tree, found by its `.git` directory or file (no git process)."""
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


@dataclass(frozen=True)
class Hunk:
    """One `@@ -old_start,old_count +new_start,new_count @@` of a diff without context."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    # the hunk's lines as the diff has them: " " context, "-" old, "+" new (prefix kept)
    lines: tuple[str, ...] = field(default=(), compare=False)

    @property
    def old_lines(self) -> range:
        """Lines of the old file the hunk touches."""
        return _touched(self.old_start, self.old_count)

    @property
    def new_lines(self) -> range:
        """Lines of the new file the hunk touches."""
        return _touched(self.new_start, self.new_count)


def _touched(start: int, count: int) -> range:
    # With count 0 this side has no lines (an insertion on the old side, a deletion on the new):
    # git names the line before the gap, and both lines around it stand for the change.
    return range(start, start + count) if count else range(start, start + 2)


@dataclass(frozen=True)
class FileDiff:
    """One file of a diff: its path (the old one when deleted) and its hunks."""

    path: str
    added: bool
    deleted: bool
    hunks: tuple[Hunk, ...]


def parse_diff(diff: str) -> tuple[FileDiff, ...]:
    """The files of a `git diff` run with DIFF_OPTIONS, in order. A file without `---`/`+++`
    lines (binary, mode change only, empty and added) has no lines to report and is left out."""
    files: list[tuple[str, bool, bool, list[Hunk]]] = []
    hunks: list[Hunk] | None = None  # the current file's
    body: list[str] = []  # the current hunk's lines
    old_path: str | None = None
    old_left = new_left = 0  # lines of the current hunk not read yet, per side
    for line in diff.split("\n"):
        if old_left > 0 or new_left > 0:  # hunk content, whatever it looks like ("--- x")
            if not line.startswith("\\"):
                body.append(line)
            if line.startswith("-"):
                old_left -= 1
            elif line.startswith("+"):
                new_left -= 1
            elif not line.startswith("\\"):  # "\ No newline at end of file" is no line
                old_left, new_left = old_left - 1, new_left - 1
            if old_left <= 0 and new_left <= 0 and hunks:
                hunks[-1] = replace(hunks[-1], lines=tuple(body))
        elif line.startswith("--- "):
            old_path = _diff_path(line[4:], "a/")
        elif line.startswith("+++ "):
            new_path = _diff_path(line[4:], "b/")
            path = new_path if new_path is not None else old_path
            hunks = None
            if path is not None:
                hunks = []
                files.append((path, old_path is None, new_path is None, hunks))
        elif hunks is not None and (match := _HUNK.match(line)):
            old_start, old_count, new_start, new_count = match.groups()
            body = []
            hunk = Hunk(int(old_start), 1 if old_count is None else int(old_count),
                        int(new_start), 1 if new_count is None else int(new_count))
            hunks.append(hunk)
            old_left, new_left = hunk.old_count, hunk.new_count
    return tuple(FileDiff(path, added, deleted, tuple(hunks))
                 for path, added, deleted, hunks in files)


def _diff_path(text: str, prefix: str) -> str | None:
    """The path of a `---`/`+++` line: None for /dev/null; git ends a name that has a space with
    a tab, and quotes one with special characters (C escapes, UTF-8 bytes in octal)."""
    name = text.split("\t", 1)[0]
    if name == "/dev/null":
        return None
    if name.startswith('"') and name.endswith('"') and len(name) > 1:
        raw = _ESCAPE.sub(lambda m: _unescape(m[1]), name[1:-1].encode("utf-8"))
        name = raw.decode("utf-8", "replace")
    return name.removeprefix(prefix)


def _unescape(escape: bytes) -> bytes:
    return bytes([int(escape, 8)]) if len(escape) == 3 else _ESCAPED[escape]
