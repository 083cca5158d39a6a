"""Put a changed hunk back as the base of the change had it.

When the failures follow a change (triage's base: the last green commit, else HEAD under
uncommitted work, else HEAD~1), the likeliest fix of the regression undoes the part of the
change that the failing tests ran, and its text is known exactly: no template guesses the
constant a change replaced (`"latin-1"` -> `"utf-8"`). One candidate per hunk that holds a
suspect line, best suspect first, then per other hunk of those files, then per hunk that ran at
import in the change's other files, and one with all of them; tried before the templates, and
judged by the suite as every candidate is.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from ...linediff import Opcode, line_opcodes
from ...models import Candidate, Edit
from ...source import PythonSource, UnreadableSource, function_span_in, read_source
from ..base import Workbench

MAX_HUNKS = 3  # hunks put back, those of the best suspects
SCORE = 1.0
UNDECODABLE = "\ufffd"  # git's text of a base file that is not UTF-8: not put back


def restorations(bench: Workbench) -> Iterator[Candidate]:
    """A candidate per changed hunk holding a suspect line, best suspect first; then per other
    hunk of the suspects' files, which no test's coverage shows if it ran at import (a module's
    constant); then per hunk outside any function in the other files the change touched (no
    test ran a line of them, but every test that imported them ran those: bidict's default
    `OnDup`); at most MAX_HUNKS in all. Then, when there are several, one that puts them all
    back (a change made in two places, a name renamed where it is defined and used, is undone
    only whole)."""
    read: set[str] = set()
    files: dict[str, _Changed] = {}  # the suspects' files the change touched, best first
    hunks: dict[tuple[str, Hunk], None] = {}

    def found(changed: _Changed, hunk: Hunk | None) -> Candidate | None:
        if hunk is None or (changed.path, hunk) in hunks or len(hunks) >= MAX_HUNKS:
            return None
        hunks[changed.path, hunk] = None
        return Candidate(edits=(changed.edit([hunk], bench.change_base),), score=SCORE, agent="builtin")

    for suspect in bench.suspects:
        if suspect.path not in read:
            read.add(suspect.path)
            if (changed := _changed(bench, suspect.path)) is not None:
                files[suspect.path] = changed
        if suspect.path in files and (candidate := found(files[suspect.path],
                                                         files[suspect.path].hunk(suspect.line))):
            yield candidate
    for changed in files.values():
        for hunk in changed.every_hunk():
            if candidate := found(changed, hunk):
                yield candidate
    for path in bench.changed_paths:
        if path in read or not path.endswith(".py") or bench.policy.refusal(path) is not None:
            continue
        read.add(path)
        if (changed := _changed(bench, path)) is None:
            continue
        for hunk in changed.every_hunk():
            if changed.runs_at_import(hunk) and (candidate := found(changed, hunk)):
                files[path] = changed
                yield candidate
    if len(hunks) > 1:
        by_file = {path: [hunk for where, hunk in hunks if where == path] for path, _ in hunks}
        yield Candidate(edits=tuple(files[path].edit(mine, bench.change_base)
                                    for path, mine in by_file.items()), score=SCORE, agent="builtin")


@dataclass(frozen=True)
class Hunk:
    """Lines start..end (0-based, end excluded) of a file, to become `put_back`; found at `line`."""

    start: int
    end: int
    put_back: tuple[str, ...]
    line: int = field(compare=False)


@dataclass(frozen=True)
class _Changed:
    """A file the change touched: as it is, and its lines as the base had them."""

    path: str
    read: PythonSource
    base: tuple[str, ...]

    @cached_property
    def spans(self) -> list[Opcode]:
        """difflib's opcodes from the file to the base, computed once for every suspect line."""
        return spans(self.read.text.split("\n"), self.base)

    def hunk(self, line: int) -> Hunk | None:
        """The hunk at `line`, in this file's line endings; None where there is none, or the base's
        text of it could not be decoded."""
        span = span_at(self.spans, self.base, line)
        if span is None:
            return None
        crlf = "\r\n" in self.read.text
        put_back = tuple(text.rstrip("\r") + ("\r" if crlf else "") for text in span[2])
        return None if any(UNDECODABLE in text for text in put_back) else Hunk(*span[:2], put_back, line)

    def every_hunk(self) -> list[Hunk]:
        """Each hunk of the file's change, in file order."""
        found = (self.hunk(i1 + 1 if tag != "insert" else max(i1, 1)) for tag, i1, *_ in self.spans)
        return [hunk for hunk in found if hunk is not None]

    def runs_at_import(self, hunk: Hunk) -> bool:
        """No line of the hunk is in a function: it ran when the module was imported (a
        constant, a class attribute, a decorator), which no test's coverage shows. A deletion's
        lines are judged by the lines beside the gap."""
        lines = range(hunk.start + 1, hunk.end + 1) if hunk.end > hunk.start else (hunk.start,
                                                                                  hunk.start + 1)
        return all(function_span_in(self.read.text, line) is None for line in lines)

    def edit(self, hunks: Sequence[Hunk], base: str) -> Edit:
        """The file with `hunks` put back (the last first, so that the others stay in place)."""
        original = self.read.text.split("\n")
        lines = list(original)
        for hunk in sorted(hunks, key=lambda h: -h.start):
            lines[hunk.start:hunk.end] = hunk.put_back
        if len(hunks) == 1:
            what = _what(original[hunks[0].start:hunks[0].end], hunks[0].put_back)
        else:
            what = f"put back {len(hunks)} changed hunks"
        return Edit(path=self.path, before=self.read.text, after="\n".join(lines),
                    template="restore-change", line=hunks[0].line, encoding=self.read.encoding,
                    description=f"{self.path}:{hunks[0].line}: {what} as {base} had it")


def _changed(bench: Workbench, path: str) -> _Changed | None:
    base = bench.base_text(path)
    if base is None:
        return None
    try:
        return _Changed(path, read_source(bench.root / path), tuple(base.split("\n")))
    except (OSError, UnreadableSource):
        return None


def spans(current: Sequence[str], base: Sequence[str]) -> list[Opcode]:
    """The opcodes that turn `current` into `base`, line endings aside."""
    return [opcode for opcode in line_opcodes([text.rstrip("\r") for text in current],
                                              [text.rstrip("\r") for text in base])
            if opcode[0] != "equal"]


def span_at(opcodes: Sequence[Opcode], base: Sequence[str], line: int
            ) -> tuple[int, int, list[str]] | None:
    """(start, end, base lines): the hunk (lines, 0-based, end excluded) that holds the 1-based
    `line`, with what the base has in its place; a deletion holds the lines on either side of
    it. None when `line` is as the base has it."""
    for tag, i1, i2, j1, j2 in opcodes:
        if (i1 < line <= i2) if tag != "insert" else (i1 <= line <= i1 + 1):
            return i1, i2, list(base[j1:j2])
    return None


def _what(replaced: Sequence[str], put_back: Sequence[str]) -> str:
    """`old` -> `new` for one line, else how many lines go back."""
    if len(replaced) == len(put_back) == 1:
        return f"`{replaced[0].strip()}` -> `{put_back[0].strip()}`"
    return f"put back {len(put_back)} line(s) in place of {len(replaced)}"
