"""Frozen values passed between stages. No behaviour beyond small derived properties."""

from __future__ import annotations

import copy
import enum
from collections.abc import Iterable, Iterator, Mapping, Set
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Frame:
    """One traceback entry; `path` is relative to the repository root, POSIX style."""

    path: str
    line: int
    function: str


HypothesisVerdict = Literal["", "replayed", "flaky"]


@dataclass(frozen=True)
class Failure:
    """A test that failed in the user's run (or a module that failed to collect)."""

    nodeid: str
    phase: str  # "setup" | "call" | "teardown" | "collect"
    exc_type: str
    message: str
    frames: tuple[Frame, ...] = ()
    output: str = ""
    # a hypothesis test's failing call: hypothesis ran its failing example again before
    # reporting it, "replayed" when that run failed too, "flaky" when it passed (hypothesis
    # raised Flaky); "" for any other failure
    hypothesis: HypothesisVerdict = ""


@dataclass(frozen=True)
class TestRunResult:
    """Outcomes of one test run in the sandbox (a subprocess, or a warm worker's child)."""

    __test__ = False  # not a pytest test class, whatever its name says

    outcomes: dict[str, str]  # nodeid -> "passed" | "failed" | "skipped"
    exit_code: int
    seconds: float
    timed_out: bool = False
    output_tail: str = ""
    failures: dict[str, str] = field(default_factory=dict)  # nodeid -> short failure text
    leaked_modules: tuple[str, ...] = ()
    durations: dict[str, float] = field(default_factory=dict)  # nodeid -> seconds, all phases
    # a run that included the canary (a test that raises; runner.run_tests): whether pytest
    # reported it failed, as it must ("failed"), or "passed", or not at all ("missing")
    canary: str = ""

    @property
    def failed(self) -> frozenset[str]:
        return frozenset(n for n, o in self.outcomes.items() if o == "failed")

    @property
    def passed(self) -> frozenset[str]:
        return frozenset(n for n, o in self.outcomes.items() if o == "passed")


Line = tuple[str, int]  # (path relative to repository root, line number)


class Lines(Set[Line]):
    """The lines one test ran: per file a bit set (bit n for line n, as coverage.py stores them).
    The probe keeps one per test; as a frozenset of (path, line) a line costs 64 bytes, 40 MiB
    of a heal for pyflakes' 381 tests. The set operators against other sets give frozensets."""

    __slots__ = ("_bits",)

    def __init__(self, bits: Mapping[str, int]) -> None:
        self._bits = {path: found for path, found in bits.items() if found}

    @classmethod
    def of(cls, lines: Iterable[Line]) -> Lines:
        if isinstance(lines, Lines):
            return lines
        bits: dict[str, int] = {}
        for path, line in lines:
            bits[path] = bits.get(path, 0) | 1 << line
        return cls(bits)

    @classmethod
    def union(cls, sets: Iterable[Lines]) -> Lines:
        bits: dict[str, int] = {}
        for lines in sets:
            for path, found in lines._bits.items():
                bits[path] = bits.get(path, 0) | found
        return cls(bits)

    @classmethod
    def _from_iterable(cls, it: Iterable[Any]) -> frozenset[Any]:
        return frozenset(it)

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, tuple) or len(item) != 2 or not isinstance(item[1], int):
            return False
        path, line = item
        return line >= 0 and bool(self._bits.get(path, 0) >> line & 1)

    def __iter__(self) -> Iterator[Line]:
        for path, found in self._bits.items():
            for line in _set_bits(found):
                yield path, line

    def __len__(self) -> int:
        return sum(found.bit_count() for found in self._bits.values())

    def __hash__(self) -> int:
        return self._hash()

    def __repr__(self) -> str:
        return f"Lines({sorted(self)})"

    def runs_any(self, path: str, first: int, last: int) -> bool:
        """Whether a line from `first` to `last` (inclusive) of `path` is among them."""
        window = self._bits.get(path, 0) >> first
        if last - first + 1 < window.bit_length():
            window &= (1 << (last - first + 1)) - 1
        return window != 0


def _set_bits(bits: int) -> Iterator[int]:
    """The positions of the bits set in `bits`, highest first."""
    text = bin(bits)
    top = len(text) - 1
    index = text.find("1", 2)
    while index != -1:
        yield top - index
        index = text.find("1", index + 1)


@dataclass(frozen=True)
class Spectrum:
    """Which lines each test executed, and whether it passed; from the coverage probe."""

    covered: dict[str, Lines]  # nodeid -> lines executed
    outcomes: dict[str, str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "covered", {n: Lines.of(lines) for n, lines in self.covered.items()})

    @property
    def failing(self) -> tuple[str, ...]:
        return tuple(n for n, o in self.outcomes.items() if o == "failed" and n in self.covered)

    @property
    def passing(self) -> tuple[str, ...]:
        return tuple(n for n, o in self.outcomes.items() if o == "passed" and n in self.covered)


@dataclass(frozen=True)
class Suspect:
    """A source line ranked by how likely it holds the fault, with the evidence for it."""

    path: str
    line: int
    function: str
    score: float
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True, init=False)
class Edit:
    """A whole-file replacement of one source file, with a human description of the change.

    `before` and `after` are the file's text with its line endings as they are; `encoding` is
    the file's (source.PythonSource), so that written back only the edited lines change. The
    edit holds `after` as the span of `before` it replaces: a heal keeps every candidate it
    tried, and a whole second copy of the module in each grew its memory by the module's size
    per candidate (68 MiB over 760 candidates of a 79 kB module)."""

    path: str
    before: str
    description: str
    template: str
    line: int
    encoding: str
    change: tuple[int, int, str]  # (start, end, text): before[start:end] becomes text

    def __init__(self, path: str, before: str, after: str, description: str,
                 template: str = "manual", line: int = 0, encoding: str = "utf-8") -> None:
        fields = {"path": path, "before": before, "description": description, "template": template,
                  "line": line, "encoding": encoding, "change": _change(before, after)}
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    @property
    def after(self) -> str:
        start, end, text = self.change
        return self.before[:start] + text + self.before[end:]

    def described(self, description: str) -> Edit:
        """This edit with another description; its change is not worked out again."""
        edit = copy.copy(self)
        object.__setattr__(edit, "description", description)
        return edit


def _change(before: str, after: str) -> tuple[int, int, str]:
    """The shortest span of `before` whose replacement makes `after`, and what replaces it."""
    limit = min(len(before), len(after))
    start = _common_prefix(before, after, limit)
    tail = _common_prefix(before[start:][::-1], after[start:][::-1], limit - start)
    return start, len(before) - tail, after[start:len(after) - tail]


def _common_prefix(first: str, second: str, limit: int) -> int:
    """How many leading characters `first` and `second` share, at most `limit`: compared in
    growing chunks, each a C-speed slice comparison, not character by character."""
    done, step = 0, 64
    while done < limit:
        size = min(step, limit - done)
        if first[done:done + size] == second[done:done + size]:
            done, step = done + size, step * 2
        elif size == 1:
            break
        else:
            step = size // 2
    return done


@dataclass(frozen=True)
class Candidate:
    """A proposed fix: one or more edits, with the score that ordered it."""

    edits: tuple[Edit, ...]
    score: float = 0.0
    agent: str = "builtin"

    @property
    def description(self) -> str:
        return "; ".join(e.description for e in self.edits)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.path for e in self.edits))

    @property
    def encodings(self) -> dict[str, str]:
        """path -> the encoding its edits are written in."""
        return {edit.path: edit.encoding for edit in self.edits}

    @property
    def file_changes(self) -> dict[str, tuple[str, str]]:
        """path -> (text before its first edit, text after its last), in the order first edited:
        the candidate as a whole, whatever steps its edits took."""
        changes: dict[str, tuple[str, str]] = {}
        for edit in self.edits:
            changes[edit.path] = (changes.get(edit.path, (edit.before, ""))[0], edit.after)
        return changes


class Verdict(enum.Enum):
    """How validating a candidate ended."""

    PLAUSIBLE = "plausible"  # the target tests pass and no previously passing test fails
    PARTIAL = "partial"  # some targets pass in place, none near it breaks; the suite not yet run
    STILL_FAILING = "still-failing"
    BREAKS_OTHERS = "breaks-others"
    TIMEOUT = "timeout"
    INVALID = "invalid"  # does not parse or compile
    DUPLICATE = "duplicate"
    REJECTED = "rejected"  # broke a policy rule (policy.py); never run


@dataclass(frozen=True)
class Outcome:
    """A validated candidate and what the tests said about it."""

    candidate: Candidate
    verdict: Verdict
    seconds: float
    fixed: tuple[str, ...] = ()
    broken: tuple[str, ...] = ()
    detail: str = ""


IN_TESTS = "the tests"  # a failure group's `where` when no project frame outside the tests raised it

EVIDENCE_PREFIX = "raises "


def error_evidence(exc_type: str, message: str) -> str:
    """The error a suspect line raised, as evidence a repair can read back (see `read_evidence`)."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    return f"{EVIDENCE_PREFIX}{exc_type}: {first}"[:400]


def read_evidence(evidence: str) -> tuple[str, str] | None:
    """(exception type, message) from `error_evidence` text, or None for other evidence."""
    if not evidence.startswith(EVIDENCE_PREFIX):
        return None
    exc_type, _, message = evidence[len(EVIDENCE_PREFIX):].partition(": ")
    return exc_type, message
