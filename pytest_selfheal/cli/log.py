"""`log`: a run's decision log as a timeline, one line per decision."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..output import runstore
from ..output.rundir import DECISIONS
from .console import rich_console
from .exit_codes import EXIT_NOTHING, EXIT_OK

_TIME_KEYS = ("time", "ts", "t", "at", "elapsed", "seconds")
_KIND_KEYS = ("stage", "event", "kind", "type", "decision", "action")
_TEXT_KEYS = ("message", "reason", "detail", "summary")
_BOOKKEEPING_KEYS = ("seq", "pid")


def log_command(root: Path, wanted: str | None) -> int:
    """The decision log as a timeline: one line per decision."""
    run = runstore.find_run(runstore.output_dir(root), wanted)
    entries = run.decisions()
    if not entries:
        print(f"run {run.run_id} has no decision log ({DECISIONS} is absent or empty)")
        return EXIT_NOTHING
    console = rich_console()
    console.print(f"[bold]decisions of run {run.run_id}[/bold]")
    for entry in entries:
        console.print(timeline_line(entry), markup=False)
    return EXIT_OK


def timeline_line(entry: dict[str, Any]) -> str:
    """`  12.3s  validate  candidate 4 plausible  (verdict=plausible)` from one log entry."""
    rest = {k: v for k, v in entry.items() if k not in _BOOKKEEPING_KEYS}
    when = next((rest.pop(k) for k in _TIME_KEYS if k in rest), "")
    kinds = [str(rest.pop(k)) for k in _KIND_KEYS if k in rest]
    texts = [str(rest.pop(k)) for k in _TEXT_KEYS if k in rest]
    when_text = f"{when:.1f}s" if isinstance(when, int | float) else str(when)
    extra = ", ".join(f"{k}={json.dumps(v) if not isinstance(v, str) else v}"
                      for k, v in rest.items())
    parts = [f"{when_text:>8}", " / ".join(kinds) or "-", " ".join(texts)]
    return "  ".join(p for p in parts if p) + (f"  ({extra})" if extra else "")
