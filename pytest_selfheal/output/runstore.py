"""Read what past heals left in `<output>/runs/`: the console script's view of the run history.

The writer is report.py; this module only reads, so the CLI never needs pytest or a sandbox.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import config as cfg
from ..errors import SelfHealError
from ..ids import named_by
from .diffs import diff_text
from .rundir import DECISIONS, FIX_DIFF, REPORT_JSON, runs_dir


class RunNotFound(SelfHealError):
    """The requested run does not exist, or there are no runs at all."""


@dataclass(frozen=True)
class Run:
    """One run directory and its report.json (empty when the report is missing or unreadable)."""

    path: Path
    report: dict[str, Any]

    @property
    def run_id(self) -> str:
        return self.path.name

    @property
    def started(self) -> str:
        """`2026-11-22 00:47:01` from the run id `20261122-004701-123456`."""
        day, _, clock = self.run_id.partition("-")
        if len(day) != 8 or len(clock) < 6:
            return "?"
        return f"{day[:4]}-{day[4:6]}-{day[6:]} {clock[:2]}:{clock[2:4]}:{clock[4:6]}"

    @property
    def status(self) -> str:
        return str(self.report.get("status", "unknown"))

    @property
    def failures(self) -> int:
        return len(self.report.get("failures", ()))

    @property
    def diff_path(self) -> Path:
        return self.path / FIX_DIFF

    @property
    def diff(self) -> str:
        return diff_text(self.diff_path.read_bytes()) if self.diff_path.is_file() else ""

    def decisions(self) -> list[dict[str, Any]]:
        """The decision log, one JSON object per line; lines that are not objects are kept as text."""
        path = self.path / DECISIONS
        if not path.is_file():
            return []
        entries: list[dict[str, Any]] = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                entry = {"message": line}
            entries.append(entry if isinstance(entry, dict) else {"message": entry})
        return entries


def output_dir(root: Path) -> Path:
    """The project's output directory, as `pytest --selfheal` resolves it (pyproject, env)."""
    settings = cfg.resolve(cli={}, ini={}, pyproject=cfg.read_pyproject_table(root),
                           output_in=cfg.Collection(root))
    return root / settings.output


def list_runs(output: Path) -> list[Run]:
    """Every run, oldest first (run ids sort by time)."""
    runs = runs_dir(output)
    if not runs.is_dir():
        return []
    return [_load(path) for path in sorted(runs.iterdir()) if path.is_dir()]


def run_ids(output: Path) -> set[str]:
    """The ids of the runs there now (no report is read), for `runs_since`."""
    runs = runs_dir(output)
    return {path.name for path in runs.iterdir() if path.is_dir()} if runs.is_dir() else set()


def runs_since(output: Path, known: set[str]) -> list[Run]:
    """The runs a command started after `known = run_ids(output)` was taken, oldest first."""
    runs = runs_dir(output)
    if not runs.is_dir():
        return []
    return [_load(path) for path in sorted(runs.iterdir()) if path.is_dir() and path.name not in known]


def find_run(output: Path, wanted: str | None) -> Run:
    """The latest run, or the one whose id is `wanted` or starts with it."""
    runs = list_runs(output)
    if not runs:
        raise RunNotFound(
            f"no runs under {runs_dir(output)}: run `pytest --selfheal` first "
            "(or pass --root with the project's rootdir)"
        )
    if wanted is None:
        return runs[-1]
    by_id = {run.run_id: run for run in runs}
    matches = named_by(wanted, by_id)
    if len(matches) != 1:
        problem = "matches several runs" if matches else "matches no run"
        raise RunNotFound(
            f"{wanted!r} {problem}; `pytest-selfheal runs` lists the run ids"
        )
    return by_id[matches[0]]


def _load(path: Path) -> Run:
    try:
        report = json.loads((path / REPORT_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        report = {}
    return Run(path=path, report=report if isinstance(report, dict) else {})
