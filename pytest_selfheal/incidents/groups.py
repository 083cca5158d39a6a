"""Incidents grouped by signature: the same error in the same place is one row, however many
times and on whichever version it was raised."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..heal.signature import Signature, signature
from .occurrence import Occurrence, RawFrame

EXAMPLES = 3  # incident ids kept per signature, to show and to reproduce from


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
    """The groups, most incidents first. The signature of an exception seen before (same type,
    message and frames) is not computed again."""
    groups: dict[str, Group] = {}
    known: dict[tuple[str, str, tuple[RawFrame, ...]], Signature] = {}
    for found in occurrences:
        key = (found.exc_type, found.message, found.frames)
        if (sig := known.get(key)) is None:
            sig = known[key] = signature(found.failure())
        if (existing := groups.get(sig.key)) is None:
            existing = groups[sig.key] = Group(sig, found)
        existing.add(found)
    return sorted(groups.values(), key=lambda g: (-len(g.times), g.signature.text))
