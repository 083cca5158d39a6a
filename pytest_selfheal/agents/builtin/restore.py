"""Put a changed hunk back as the base of the change had it.

When the failures follow a change (triage's base: the last green commit, else HEAD under
uncommitted work, else HEAD~1), the likeliest fix of the regression undoes the part of the
change that the failing tests ran, and its text is known exactly: no template guesses the
constant a change replaced (`"latin-1"` -> `"utf-8"`). One candidate per hunk that holds a
suspect line, best suspect first, tried before the templates; the suite judges them as it
judges every candidate.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence

from ...models import Candidate, Edit
from ...source import UnreadableSource, read_source
from ..base import Workbench

MAX_HUNKS = 3  # hunks put back, those of the best suspects
SCORE = 1.0
UNDECODABLE = "\ufffd"  # git's text of a base file that is not UTF-8: not put back


def restorations(bench: Workbench) -> Iterator[Candidate]:
    """A candidate per changed hunk holding a suspect line, best suspect first, at most MAX_HUNKS."""
    given: set[tuple[str, int, int]] = set()
    for suspect in bench.suspects:
        if len(given) >= MAX_HUNKS:
            return
        base = bench.base_text(suspect.path)
        if base is None:
            continue
        try:
            read = read_source(bench.root / suspect.path)
        except (OSError, UnreadableSource):
            continue
        current = read.text.split("\n")
        hunk = hunk_at(current, base.split("\n"), suspect.line)
        if hunk is None or (suspect.path, hunk[0], hunk[1]) in given:
            continue
        given.add((suspect.path, hunk[0], hunk[1]))
        start, end, lines = hunk
        crlf = "\r\n" in read.text
        put_back = [line.rstrip("\r") + ("\r" if crlf else "") for line in lines]
        if any(UNDECODABLE in line for line in put_back):
            continue
        after = "\n".join([*current[:start], *put_back, *current[end:]])
        edit = Edit(path=suspect.path, before=read.text, after=after, template="restore-change",
                    line=suspect.line, encoding=read.encoding,
                    description=f"{suspect.path}:{suspect.line}: "
                                f"{_what(current[start:end], put_back)} as {bench.change_base} had it")
        yield Candidate(edits=(edit,), score=SCORE, agent="builtin")


def hunk_at(current: Sequence[str], base: Sequence[str], line: int) -> tuple[int, int, list[str]] | None:
    """(start, end, base lines): the hunk of `current` (lines, 0-based, end excluded) that holds
    the 1-based `line` and differs from `base`, with what the base has in its place; a deletion
    holds the lines on either side of it. None when `line` is as the base has it."""
    bare = [text.rstrip("\r") for text in current]
    matcher = difflib.SequenceMatcher(None, bare, [text.rstrip("\r") for text in base], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        held = i1 < line <= i2 if tag != "insert" else i1 <= line <= i1 + 1
        if tag != "equal" and held:
            return i1, i2, list(base[j1:j2])
    return None


def _what(replaced: Sequence[str], put_back: Sequence[str]) -> str:
    """`old` -> `new` for one line, else how many lines go back."""
    if len(replaced) == len(put_back) == 1:
        return f"`{replaced[0].strip()}` -> `{put_back[0].strip()}`"
    return f"put back {len(put_back)} line(s) in place of {len(replaced)}"
