"""A fix as whole-line replacements: each hunk of fix.diff without its surrounding context.

SARIF's `fix` and a pull request's `suggestion` blocks both say "these lines of the file become
these": one derivation serves both. A replacement always covers at least one existing line (a
pure insertion or deletion takes in one line of context beside it), since a suggestion is put on
a range of lines and replaces all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..git import Hunk, parse_diff


@dataclass(frozen=True)
class LineChange:
    """Lines `start`..`end` (1-based, inclusive) of `path`, as the diff found them (`old`),
    become `new`."""

    path: str
    start: int
    end: int
    old: tuple[str, ...]
    new: tuple[str, ...]

    @property
    def lines(self) -> range:
        return range(self.start, self.end + 1)


def line_changes(diff: str) -> tuple[LineChange, ...]:
    """The changes of `diff` to files that exist before it, in the diff's order; a file the diff
    adds or deletes has no lines to replace and is left out."""
    return tuple(_change(f.path, hunk) for f in parse_diff(diff) if not (f.added or f.deleted)
                 for hunk in f.hunks if hunk.lines)


def _change(path: str, hunk: Hunk) -> LineChange:
    lines = list(hunk.lines)
    first = next(i for i, line in enumerate(lines) if not line.startswith(" "))
    last = max(i for i, line in enumerate(lines) if not line.startswith(" "))
    changed = lines[first:last + 1]
    if not any(line.startswith("-") for line in changed) or \
            not any(line.startswith("+") for line in changed):
        # one side is empty: take in a line of context, before when there is one
        if first > 0:
            first -= 1
        elif last + 1 < len(lines):
            last += 1
    old_line = hunk.old_start + sum(1 for line in lines[:first] if not line.startswith("+"))
    kept = lines[first:last + 1]
    old = tuple(line[1:] for line in kept if not line.startswith("+"))
    new = tuple(line[1:] for line in kept if not line.startswith("-"))
    return LineChange(path, old_line, old_line + len(old) - 1, old, new)
