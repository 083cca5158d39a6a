"""Line diffs of two versions of a file, for every stage that asks what an edit changed: the
policy's size limit, the count of lines a patch puts back, the lines a candidate touches, the
hunks a change made and the formatter's changes kept. Standard library only."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Literal

# difflib's: tag, old start, old end, new start, new end
Opcode = tuple[Literal["replace", "delete", "insert", "equal"], int, int, int, int]


def line_opcodes(old: Sequence[str], new: Sequence[str]) -> list[Opcode]:
    """difflib's opcodes that turn `old` into `new`, equal runs included; without its junk
    heuristic, which takes the lines a module repeats (blank ones, `return`) for noise."""
    return difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()


def differing_lines(old: Sequence[str], new: Sequence[str]) -> tuple[int, int, int]:
    """(first changed line, end of the changed lines in `old`, and in `new`), 0-based: the lines
    both share at the start and at the end left out."""
    shortest = min(len(old), len(new))
    start = 0
    while start < shortest and old[start] == new[start]:
        start += 1
    end = 0
    while end < shortest - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return start, len(old) - end, len(new) - end


def lines_apart(old: Sequence[str], new: Sequence[str]) -> int:
    """How many lines an edit of `old` into `new` replaces, adds or deletes; a one-line change
    counts once. The lines both share at the start and the end are left out first: a diff of a
    whole large module per candidate costs more than its test run."""
    start, old_end, new_end = differing_lines(old, new)
    return sum(max(i2 - i1, j2 - j1)
               for tag, i1, i2, j1, j2 in line_opcodes(old[start:old_end], new[start:new_end])
               if tag != "equal")


def edited_lines(before: str, after: str) -> set[int]:
    """1-based lines of `after` that differ from `before`; for lines only deleted, the line
    after the gap."""
    lines: set[int] = set()
    for tag, _, _, j1, j2 in line_opcodes(before.splitlines(), after.splitlines()):
        if tag != "equal":
            lines.update(range(j1 + 1, j2 + 1) if j2 > j1 else {j1 + 1})
    return lines
