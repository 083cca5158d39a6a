"""One verdict per signature: did the deploy bring it (or make it more frequent), is it the
network's, and which changed lines it runs through.

The count after the deploy (incidents on the new version within `window` of its first one) is
compared with the rate before it (incidents on other versions within `baseline` before the
deploy): p = P(X >= after) for X ~ Poisson(mean), mean = (before + 1/2) x after-span /
before-span, each span what the data covers of its window. The 1/2 is a stated prior (Jeffreys'
for a Poisson rate): a signature never seen before the deploy is judged against half an
occurrence in the baseline, not against zero, so one incident after a long quiet baseline is not
p = 0 and a burst still is significant. When no incident at all precedes the deploy, there is
no baseline: such signatures are "new, no baseline" with no p-value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..heal.triage import SIGNIFICANCE, CausalLink, poisson_tail, transient_cause
from .deploys import Deploy
from .groups import Group
from .links import NO_LINK, Changes

PRIOR = 0.5  # occurrences added to every baseline count (see the module's docstring)
MIN_SPAN = 1.0  # seconds: the after-window of a deploy seen once is not empty


@dataclass(frozen=True)
class Windows:
    baseline: float  # seconds before the deploy
    window: float  # seconds after it


@dataclass(frozen=True)
class Verdict:
    group: Group
    status: str  # regression | chronic | new | new, no baseline | not since the deploy | no deploy
    before: int
    after: int
    p_value: float | None
    note: str
    transient: str | None  # why it is the network's or a service's
    link: CausalLink
    link_note: str

    @property
    def regression(self) -> bool:
        return self.status == "regression"

    def as_json(self) -> dict[str, Any]:
        g = self.group
        return {
            "signature": g.signature.text,
            "key": g.signature.key,
            "status": self.status,
            "is_runtime_change": self.link.is_runtime_change and self.regression and not self.transient,
            "causal_link": self.link.causal_link,
            "confidence": self.link.confidence,
            "evidence": list(self.link.evidence),
            "link_note": self.link_note,
            "counts": {"before": self.before, "after": self.after, "total": len(g.times)},
            "p_value": self.p_value,
            "note": self.note,
            "first_seen": iso(g.first_seen),
            "last_seen": iso(g.last_seen),
            "versions": sorted({v for v in g.versions if v}),
            "transient": self.transient,
            "examples": list(g.examples),
        }


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def judge(found: Group, deploy: Deploy | None, windows: Windows, changes: Changes | None) -> Verdict:
    transient = transient_cause(found.first.failure())
    if deploy is None:
        return Verdict(found, "no deploy", 0, len(found.times), None,
                       "the incidents hold one version: nothing to compare", transient, NO_LINK,
                       "no two versions to compare")
    before, after = _counts(found, deploy, windows)
    status, p_value, note = _status(before, after, deploy, windows)
    link, link_note = NO_LINK, "not seen since the deploy"
    latest = found.latest.get(deploy.version)
    if changes is not None and latest is not None:
        link, link_note = changes.link(latest)
    return Verdict(found, status, before, after, p_value, note, transient, link, link_note)


def _counts(found: Group, deploy: Deploy, windows: Windows) -> tuple[int, int]:
    before = after = 0
    start, end = deploy.at - windows.baseline, deploy.at + windows.window
    for time, version in zip(found.times, found.versions, strict=True):
        if version == deploy.version:
            after += deploy.at <= time <= end
        else:
            before += start <= time < deploy.at
    return before, after


def _status(before: int, after: int, deploy: Deploy, windows: Windows) -> tuple[str, float | None, str]:
    before_span = min(windows.baseline, deploy.at - deploy.start)
    after_span = max(MIN_SPAN, min(windows.window, deploy.end - deploy.at))
    counted = f"{before} in {_span(before_span)} before the deploy, {after} in {_span(after_span)} after"
    if after == 0:
        return "not since the deploy", None, counted
    if before_span <= 0:
        return "new, no baseline", None, f"{counted}; no incident precedes the deploy: no baseline"
    mean = (before + PRIOR) * after_span / before_span
    p_value = poisson_tail(after, mean)
    note = f"{counted}; expected {mean:.3g}; Poisson p={p_value:.3g}"
    shown = float(f"{p_value:.3g}")
    if p_value < SIGNIFICANCE:
        return "regression", shown, note
    return ("chronic" if before else "new"), shown, note


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.3g}{unit}"
    return f"{seconds:.3g}s"
