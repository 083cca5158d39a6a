"""Failure signatures: the same error gets the same signature across runs and machines.

Exception type, the message with run-specific noise stripped (addresses, numbers, UUIDs,
timestamps, temp and absolute paths, hex ids), and the innermost frame inside the project.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..models import IN_TESTS, Failure, Frame

MESSAGE_LIMIT = 500

_NOISE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"),
     "<uuid>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"
                r"(?:Z|[+-]\d{2}:?\d{2})?"), "<time>"),
    (re.compile(r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b"), "<time>"),
    (re.compile(r"(?:[A-Za-z]:)?(?:[\\/][\w.\-@+~]+){2,}[\\/]?"), "<path>"),
    (re.compile(r"\b0x[0-9a-fA-F]+\b"), "<hex>"),
    (re.compile(r"\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b"), "<hex>"),
    (re.compile(r"\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b"), "<n>"),
)

_QUOTED = re.compile(r"""(?<![\w'"])(?:[bBrRuUfF]{1,2})?(?:'[^'\n]*'|"[^"\n]*")""")  # a str or bytes literal


@dataclass(frozen=True)
class Signature:
    key: str  # short stable hash, what history stores
    text: str  # the normalized form, for humans


def normalize(message: str) -> str:
    text = message.strip()
    for pattern, replacement in _NOISE:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())[:MESSAGE_LIMIT]


def signature(failure: Failure) -> Signature:
    """`<type>: <normalized message> @ <file>::<function>` of the innermost project frame."""
    project = _project_frames(failure)
    where = f"{project[-1].path}::{project[-1].function}" if project else failure.nodeid.split("::")[0]
    text = f"{failure.exc_type}: {normalize(failure.message)} @ {where}"
    return Signature(hashlib.sha256(text.encode()).hexdigest()[:16], text)


def failing_alike(failure: Failure, is_test_file: Callable[[str], bool]) -> str:
    """What failures that fail alike share, so that a few of them stand for all in triage: the
    signature with its frame taken outside the test files. The same wrong value asserted by many
    tests is one group, as pytest's message names the call (`where 95 = discount(100, 5)`), and
    so is the same error raised by one function of the project for every test that calls it,
    whatever strings its message quotes (the bad signature, the missing key)."""
    where = _raised_in(failure, is_test_file)
    if not where:
        return f"{failure.exc_type}: {normalize(failure.message)} @ the test"
    return f"{failure.exc_type}: {_QUOTED.sub('<str>', normalize(failure.message))} @ {where}"


@dataclass(frozen=True)
class AlikeGroup:
    """Failures that fail alike (`alike_groups`)."""

    alike: str  # what most of them share
    nodeids: tuple[str, ...]  # in the order given
    # the node ids by their `failing_alike` text, the message each shows of its own values:
    # which tells candidates apart where rerunning them would not (a sample of the group is
    # rerun, one test of each message screens a candidate)
    by_message: tuple[tuple[str, ...], ...]


def alike_groups(failures: Sequence[Failure], is_test_file: Callable[[str], bool]
                 ) -> list[AlikeGroup]:
    """`failures` in groups that fail alike, in the order of their first members. Failures are
    alike when their `failing_alike` texts are the same, or when the same exception came out of
    the same line of the tests' own code, whatever values its message shows and wherever in the
    project it was raised: a helper every test calls to check its result (pyflakes'
    `self.flakes(source, *expected)` quotes each test's own source), one parametrized test, a
    mixin's test inherited by several classes. Alike through another failure is alike too."""
    keys = [(failing_alike(f, is_test_file), *_tests_line(f, is_test_file)) for f in failures]
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for own in keys:
        for key in own[1:]:
            parent[root(key)] = root(own[0])
    members: dict[str, list[int]] = {}
    for index, own in enumerate(keys):
        members.setdefault(root(own[0]), []).append(index)
    groups = []
    for indexes in members.values():
        shared = Counter(key for index in indexes for key in keys[index])
        by_message: dict[str, list[str]] = {}
        for index in indexes:
            by_message.setdefault(keys[index][0], []).append(failures[index].nodeid)
        groups.append(AlikeGroup(shared.most_common(1)[0][0],
                                 tuple(failures[index].nodeid for index in indexes),
                                 tuple(map(tuple, by_message.values()))))
    return groups


def _tests_line(failure: Failure, is_test_file: Callable[[str], bool]) -> tuple[str, ...]:
    """`<type> at <path>:<line>` of the innermost frame in the tests' own code: the line that
    asserted, or the call into the project that raised (a mixin's `cache.popitem()`, inherited by
    one test class per cache, raises from each class's own `popitem`)."""
    tests = [f for f in _project_frames(failure) if is_test_file(f.path)]
    if not tests:
        return ()
    return (f"{failure.exc_type} at {tests[-1].path}:{tests[-1].line}",)


def _project_frames(failure: Failure) -> list[Frame]:
    return [f for f in failure.frames if not f.path.startswith("/") and ":" not in f.path[:3]]


def _raised_in(failure: Failure, is_test_file: Callable[[str], bool]) -> str:
    """`path::function` of the innermost project frame outside the test files; "" when the
    tests' own code raised it."""
    source = [f for f in _project_frames(failure) if not is_test_file(f.path)]
    return f"{source[-1].path}::{source[-1].function}" if source else ""


@dataclass(frozen=True)
class FailureGroup:
    """Failures that fail the same way, as a reader counts them: one exception type raised at
    one place in the project (or by the tests' own asserts), whatever values the messages hold."""

    label: str  # "AssertionError", or "TypeError: <its message>" when every member says the same
    where: str  # the innermost project frame outside test files: "pkg/mod.py::fn", or IN_TESTS
    nodeids: tuple[str, ...]

    @property
    def files(self) -> int:
        return len({nodeid.split("::")[0] for nodeid in self.nodeids})

    def as_json(self) -> dict[str, object]:
        return {"label": self.label, "where": self.where, "count": len(self.nodeids),
                "files": self.files, "nodeids": list(self.nodeids)}


def failure_groups(failures: Sequence[Failure], is_test_file: Callable[[str], bool]
                   ) -> tuple[FailureGroup, ...]:
    """The failures by exception type and the place that raised it, largest group first."""
    members: dict[tuple[str, str], list[Failure]] = {}
    for failure in failures:
        where = _raised_in(failure, is_test_file) or IN_TESTS
        members.setdefault((failure.exc_type, where), []).append(failure)
    groups = []
    for (exc_type, where), alike in members.items():
        messages = {normalize(f.message.strip().splitlines()[0] if f.message.strip() else "")
                    for f in alike}
        message = messages.pop() if len(messages) == 1 else ""
        label = f"{exc_type}: {message}" if message and exc_type != "AssertionError" else exc_type
        groups.append(FailureGroup(label, where, tuple(f.nodeid for f in alike)))
    return tuple(sorted(groups, key=lambda g: -len(g.nodeids)))


def spread_sample(members: Sequence[str], size: int) -> list[str]:
    """At most `size` of `members`, spread evenly from the first to the last, in order."""
    if len(members) <= size:
        return list(members)
    if size == 1:
        return [members[0]]
    return [members[round(i * (len(members) - 1) / (size - 1))] for i in range(size)]
