"""The output directory's layout, in one place: `<output>/runs/<run-id>/` and the files in it.

Every module that writes or reads a run's files names them through this module.
"""

from __future__ import annotations

import time
from pathlib import Path

from ..errors import OutputError

RUNS = "runs"
REPORT_JSON = "report.json"
REPORT_MD = "report.md"
REPORT_SARIF = "report.sarif"
FIX_DIFF = "fix.diff"
DECISIONS = "decisions.jsonl"
TRANSCRIPT = "transcript.json"
HISTORY_DB = "history.db"


def new_run_id() -> str:
    """`20261122-004701-123456`: local time to the microsecond, so ids sort by time."""
    seconds, nanoseconds = divmod(time.time_ns(), 1_000_000_000)
    return time.strftime("%Y%m%d-%H%M%S", time.localtime(seconds)) + f"-{nanoseconds // 1000:06d}"


def runs_dir(output: Path) -> Path:
    return output / RUNS


def history_db(output: Path) -> Path:
    return output / HISTORY_DB


def ensure_output_dir(output: Path) -> None:
    """`<output>/`, with a `.gitignore` so git never sees it; raises OSError."""
    output.mkdir(parents=True, exist_ok=True)
    ignore = output / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# written by pytest-selfheal\n*\n", encoding="utf-8")


def new_run_dir(output: Path, run_id: str) -> Path:
    """`<output>/runs/<run_id>`, with `<output>/.gitignore` so git never sees it."""
    try:
        ensure_output_dir(output)
        run_dir = runs_dir(output) / run_id
        run_dir.mkdir(parents=True)
    except OSError as exc:
        raise OutputError(
            f"cannot write the run output to {output}: {exc.strerror}; "
            "pass --selfheal-output DIR with a writable directory"
        ) from None
    return run_dir
