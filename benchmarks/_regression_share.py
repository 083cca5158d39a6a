"""The regression test a heal handed over with its fix, read from report.json, and the share of
healed bugs that carry one (issue 20's measure: a proven test for every fix)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

KINDS = ("replayed", "copied")  # calls of the patched function rebuilt as source; a copy of the failing test


def regression_outcome(report: Mapping[str, Any]) -> tuple[str, str]:
    """(kind, reason): kind is "replayed" or "copied" for a test written and proven on both
    versions, "" for none; the reason is the report's own sentence, saying why when there is none."""
    regression = report.get("regression") or {}
    reason = str(regression.get("reason", "")) or "no regression stage ran"
    if not regression.get("path"):
        return "", reason
    return ("replayed" if regression.get("calls") else "copied"), reason


def share_lines(healed: Iterable[tuple[str, str, str]]) -> list[str]:
    """The summary of (bug, kind, reason) of the healed bugs: the share with a test, by kind, and
    each bug without one with its reason, the reasons grouped by their leading clause."""
    rows = list(healed)
    kinds = Counter(kind for _, kind, _ in rows if kind)
    lines = [f"regression test with the fix: {sum(kinds.values())}/{len(rows)} healed"
             + (f" ({', '.join(f'{kinds[k]} {k}' for k in KINDS if kinds[k])})" if kinds else "")]
    missing = [(bug, reason) for bug, kind, reason in rows if not kind]
    if missing:
        causes = Counter(_cause(reason) for _, reason in missing)
        lines.append("without one, by cause: " + "; ".join(f"{n}x {c}" for c, n in causes.most_common()))
        lines += [f"  {bug}: {reason[:300]}" for bug, reason in missing]
    return lines


def _cause(reason: str) -> str:
    """The first clause of a reason, its counts and names kept short enough to group by."""
    head = reason.split(";", 1)[0]
    return head if len(head) <= 90 else head[:87] + "..."
