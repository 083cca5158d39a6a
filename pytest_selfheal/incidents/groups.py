"""Incidents grouped by signature: the same error in the same place is one row, however many
times and on whichever version it was raised."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..heal.signature import Signature, normalize, signature
from .bulk import collector_paused
from .occurrence import Occurrence, RawFrame

EXAMPLES = 3  # incident ids kept per signature, to show and to reproduce from
_SAME_DIGIT = str.maketrans("123456789", "555555555")
_KEPT_DIGIT = re.compile("[1-9]")
_Key = tuple[str, str, tuple[RawFrame, ...]]  # exception type, message (or its shape), frames


@dataclass
class Group:
    """One signature's incidents: `first` stands for them all (its frames and exception), and the
    time and version of each is what the baseline counts (two lists: floats and strings are
    not tracked by the garbage collector, tuples would be)."""

    signature: Signature
    first: Occurrence
    times: list[float] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    latest: dict[str, Occurrence] = field(default_factory=dict)  # version -> its latest incident

    @property
    def first_seen(self) -> float:
        return min(self.times)

    @property
    def last_seen(self) -> float:
        return max(self.times)

    def add(self, found: Occurrence) -> None:
        self.times.append(found.time)
        self.versions.append(found.version)
        if len(self.examples) < EXAMPLES:
            self.examples.append(found.id)
        known = self.latest.get(found.version)
        if known is None or known.time <= found.time:
            self.latest[found.version] = found


def group(occurrences: Iterable[Occurrence]) -> list[Group]:
    """The groups, most incidents first.

    `normalize` runs once per shape of message, not once per message: its patterns treat the
    digits 1 to 9 alike (only `0x` names a digit), so two messages that differ only in which of
    those digits they hold are matched at the same places, and when the normalized form keeps
    none of them (each was a number, a time, an id) both normalize alike. A million
    `KeyError: 'sku-123'` then cost one normalization; messages whose normalized form keeps a
    digit are looked up as they are."""
    groups: dict[str, Group] = {}
    by_shape: dict[_Key, Group] = {}
    by_message: dict[_Key, Group] = {}
    with collector_paused():
        for found in occurrences:
            shape = (found.exc_type, found.message.translate(_SAME_DIGIT), found.frames)
            if (into := by_shape.get(shape)) is None:
                into = _group_of(found, shape, groups, by_shape, by_message)
            into.add(found)
    return sorted(groups.values(), key=lambda g: (-len(g.times), g.signature.text))


def _group_of(found: Occurrence, shape: _Key, groups: dict[str, Group], by_shape: dict[_Key, Group],
              by_message: dict[_Key, Group]) -> Group:
    """The group of an occurrence whose shape of message is not known to name one."""
    exact = (found.exc_type, found.message, found.frames)
    if (into := by_message.get(exact)) is not None:
        return into
    sig = signature(found.failure())
    if (into := groups.get(sig.key)) is None:
        into = groups[sig.key] = Group(sig, found)
    if _KEPT_DIGIT.search(normalize(found.message)):
        by_message[exact] = into
    else:
        by_shape[shape] = into
    return into
