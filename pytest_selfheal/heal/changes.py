"""Which lines changed since a commit, uncommitted work included.

Run in the sandbox worktree (HEAD plus the user's changes), never in the user's checkout.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from ..git import DIFF_OPTIONS, commit_of, file_at, git_output, parse_diff
from ..linediff import lines_apart
from ..models import Candidate, Line
from ..source import UnreadableSource, read_source


@dataclass(frozen=True)
class ChangedLines:
    """The heal's one "changed lines" signal: what triage links failures to and what lifts a
    suspect, with the commit it is measured from."""

    base: str  # a commit id, "HEAD", "HEAD~1", or NO_COMMIT
    label: str  # how the report names the base
    lines: frozenset[Line]

    @functools.cached_property
    def paths(self) -> frozenset[str]:
        """The files with a changed line."""
        return frozenset(path for path, _ in self.lines)

    def describe(self) -> str:
        """The base as a person reads it: "HEAD", "HEAD~1", "the last green commit 1a2b3c4d5e6f",
        "no commit yet (every line is new)"."""
        if self.base == NO_COMMIT or self.base.startswith("HEAD"):
            return self.label
        return f"{self.label} {self.base[:12]}"


NO_COMMIT = ""  # the base of a repository before its first commit


@dataclass
class BaseRestoration:
    """How many lines of the change since the base a candidate puts back as the base had them.

    The base is where the changed-lines signal is measured from: the last green commit, or HEAD
    under uncommitted work. Two patches that pass the same tests are told apart by this before
    any prior: a regression's likeliest fix undoes the change that caused it (`< 3` put back to
    the base's `< 2`, not turned into `> 3`)."""

    worktree: Path
    changed: ChangedLines
    _base_texts: dict[str, str | None] = field(default_factory=dict)
    _apart_before: dict[str, tuple[str, int]] = field(default_factory=dict)  # path -> (text, apart)
    _puts_back_only: dict[Candidate, bool] = field(default_factory=dict)  # asked once per test run

    def puts_back_only(self, candidate: Candidate) -> bool:
        """Every line the candidate changes it puts back as the base had it (and some it does)."""
        if candidate not in self._puts_back_only:
            restored = self.lines_restored(candidate)
            self._puts_back_only[candidate] = restored > 0 and restored == sum(
                lines_apart(before.splitlines(), after.splitlines())
                for before, after in candidate.file_changes.values())
        return self._puts_back_only[candidate]

    def base_text(self, path: str) -> str | None:
        """`path` as the base had it; None where nothing changed (no line to put back), or the
        base has no such file."""
        if path not in self._base_texts:
            self._base_texts[path] = (file_at(self.worktree, self.changed.base, path)
                                      if path in self.changed.paths and self.changed.base != NO_COMMIT
                                      else None)
        return self._base_texts[path]

    def lines_restored(self, candidate: Candidate) -> int:
        restored = 0
        for path, (before, after) in candidate.file_changes.items():
            text = self.base_text(path)
            if text is None:
                continue
            base = text.splitlines()
            known = self._apart_before.get(path)
            if known is None or known[0] != before:  # the same text before every candidate
                known = self._apart_before[path] = (before, lines_apart(before.splitlines(), base))
            restored += max(0, known[1] - lines_apart(after.splitlines(), base))
        return restored

    def diff(self) -> str:
        """`git diff` from the base to the worktree ("" before the first commit)."""
        if self.changed.base == NO_COMMIT:
            return ""
        return git_output(self.worktree, "diff", "--no-color", "--no-ext-diff", self.changed.base,
                          "--") or ""


def changed_since_base(worktree: Path, last_green_commit: str | None,
                       added: Collection[str] = ()) -> ChangedLines:
    """Since the last green commit, when the history knows one that still exists (history may
    have been rewritten); else the work not committed yet; on a clean tree, the last commit.
    The files the heal `added` to the worktree (an incident's reproduction test) are nobody's
    change."""
    def lines(base: str | None) -> frozenset[Line]:
        return as_lines({path: found for path, found in changed_lines(worktree, base).items()
                         if path not in added})

    if last_green_commit and commit_of(worktree, last_green_commit) is not None:
        return ChangedLines(last_green_commit, "the last green commit", lines(last_green_commit))
    if commit_of(worktree, "HEAD") is None:
        return ChangedLines(NO_COMMIT, "no commit yet (every line is new)", lines(None))
    uncommitted = lines("HEAD")
    if uncommitted:
        return ChangedLines("HEAD", "HEAD", uncommitted)
    return ChangedLines("HEAD~1", "HEAD~1", lines("HEAD~1"))


def changed_lines(worktree: Path, base: str | None) -> dict[str, frozenset[int]]:
    """path -> lines added or modified since `base`, in the current files; new files count whole,
    and every file does when there is no base (no commit yet)."""
    diff = (git_output(worktree, "diff", *DIFF_OPTIONS, base, "--") or "") if base else ""
    found = {path: set(lines) for path, lines in changed_lines_in(diff).items()}
    new = ("--cached", "--others") if base is None else ("--others",)
    untracked = git_output(worktree, "ls-files", *new, "--exclude-standard", "-z") or ""
    for rel in filter(None, untracked.split("\0")):
        try:
            lines = read_source(worktree / rel).text.count("\n") + 1
        except (OSError, UnreadableSource):
            continue
        found.setdefault(rel, set()).update(range(1, lines + 1))
    return {path: frozenset(lines) for path, lines in found.items() if lines}


def changed_lines_in(diff: str) -> dict[str, frozenset[int]]:
    """path -> lines of the new file that a `git diff` (DIFF_OPTIONS) adds or modifies. Deleted
    files have none; a deletion inside a file counts the lines around it, where the missing code
    would go."""
    found: dict[str, set[int]] = defaultdict(set)
    for file in parse_diff(diff):
        if not file.deleted:
            found[file.path].update(line for hunk in file.hunks for line in hunk.new_lines)
    return {path: frozenset(lines) for path, lines in found.items()}


def as_lines(changed: dict[str, frozenset[int]]) -> frozenset[Line]:
    return frozenset((path, line) for path, lines in changed.items() for line in lines)
