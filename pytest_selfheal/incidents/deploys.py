"""Which deploy the incidents are judged against: the newest version seen and the one before it,
ordered by when each was first seen (or the versions the user names), and when it happened."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import SelfHealError
from ..ids import named_by
from .groups import Group


@dataclass(frozen=True)
class Deploy:
    version: str  # the deployed commit judged
    previous: str  # the one running before it
    at: float  # when `version` was first seen: the deploy, as far as the incidents tell
    start: float  # the first incident of any version: how far back the data reaches
    end: float  # the last one


def find_deploy(groups: Iterable[Group], version: str | None = None,
                baseline_version: str | None = None) -> Deploy | None:
    """None when the incidents hold fewer than two known versions and none is named."""
    first: dict[str, float] = {}
    start, end = float("inf"), float("-inf")
    for found in groups:
        for time, seen in zip(found.times, found.versions, strict=True):
            if seen and time < first.get(seen, float("inf")):
                first[seen] = time
        start, end = min(start, min(found.times)), max(end, max(found.times))
    ordered = sorted(first, key=first.__getitem__)
    new = _resolve(version, ordered, "--version") if version else (ordered[-1] if ordered else None)
    if new is None:
        return None
    if baseline_version:
        old = _resolve(baseline_version, ordered, "--baseline-version")
    else:
        earlier = [v for v in ordered if first[v] < first[new]]
        if not earlier:
            return None
        old = earlier[-1]
    return Deploy(new, old, first[new], start, end)


def _resolve(given: str, seen: list[str], option: str) -> str:
    """The version seen that `given` names (a commit id or a prefix of one)."""
    matches = named_by(given, seen)
    if len(matches) == 1:
        return matches[0]
    listed = ", ".join(v[:12] for v in seen) or "none"
    if not matches:
        raise SelfHealError(f"{option} {given}: no incident was recorded on that version "
                            f"(versions seen: {listed}); name one of those")
    raise SelfHealError(f"{option} {given} is ambiguous: it starts {len(matches)} versions seen "
                        f"({listed}); give more of the commit id")
