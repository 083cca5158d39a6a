"""Progress while a heal works, read from the decisions it logs as it goes.

Every stage already records what it decided (decisions.py); the stage after each record is what
the heal is doing now. On a terminal one live line says the stage, the candidates tried, the best
so far, the time left and that Ctrl-C stops it safely; elsewhere (CI, pre-commit) a plain line
is printed when the stage changes. `-q` keeps it to one line, `-qq` to none.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live

# The stage a heal is in after each kind of decision.
NEXT_STAGE = {
    "start": "probe", "probe": "triage", "triage": "localize", "suspects": "repair",
    "candidate": "repair", "gate": "repair", "agent-turn": "repair", "agent": "regression test",
    "confirm": "regression test", "format": "regression test", "regression": "report",
}
STOP_HINT = "Ctrl-C stops it safely"


class Progress:
    """Counts what the decisions say: the stage, candidates tried, the best fix so far."""

    def __init__(self, budget: float, show: Callable[[Progress, bool], None]) -> None:
        self.started = time.monotonic()
        self.budget = budget
        self.stage = "sandbox"
        self.tried = 0
        self.targets = 0
        self.best = 0  # most failing tests one candidate made pass without breaking any
        self._show = show

    def record(self, kind: str, fields: Mapping[str, Any]) -> None:
        """DecisionLog's listener: one decision, as the heal makes it."""
        if kind == "triage":
            self.targets = len(fields.get("targets", ()))
        elif kind == "candidate":
            self.tried += 1
            if not fields.get("broken") and fields.get("verdict") in ("plausible", "partial"):
                self.best = max(self.best, len(fields.get("fixed", ())))
        stage = NEXT_STAGE.get(kind, self.stage)
        changed, self.stage = stage != self.stage, stage
        self._show(self, changed)

    def line(self) -> str:
        left = max(0.0, self.budget - (time.monotonic() - self.started))
        parts = [f"self-heal: {self.stage}"]
        if self.tried:
            parts.append(f"{self.tried} candidate(s)")
            if self.targets:
                parts.append(f"best fixes {self.best} of {self.targets}")
        parts += [f"{left:.0f}s left", STOP_HINT]
        return "; ".join(parts)


def plain(write_line: Callable[[str], None], budget: float, *, quiet: bool) -> Progress:
    """A line per stage (quiet: one line as the heal starts), for logs that are not terminals."""
    def show(progress: Progress, changed: bool) -> None:
        if changed and not (quiet and progress.stage != "probe"):
            write_line(progress.line())

    return Progress(budget, show)


class LiveLine:
    """One line rewritten in place on a terminal; gone when the heal ends, before its summary."""

    def __init__(self, console: Console, budget: float) -> None:
        from rich.live import Live

        self.progress = Progress(budget, self._show)
        self._live: Live = Live("", console=console, transient=True, refresh_per_second=4,
                                auto_refresh=True, get_renderable=self._render)
        self._live.start()

    def _render(self) -> str:
        return self.progress.line()

    def _show(self, progress: Progress, changed: bool) -> None:
        self._live.refresh()

    def close(self) -> None:
        self._live.stop()
