"""`runs`, `show` and `clean`: browse what past heals left in `<output>/runs/`, and remove it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from ..output import runstore
from ..output.rundir import FIX_DIFF, REPORT_JSON, runs_dir
from .console import rich_console
from .exit_codes import EXIT_NOTHING, EXIT_OK


def runs_command(root: Path, as_json: bool) -> int:
    """List past runs, oldest first."""
    output = runstore.output_dir(root)
    runs = runstore.list_runs(output)
    if as_json:
        print(json.dumps([
            {"run_id": r.run_id, "started": r.started, "status": r.status,
             "failures": r.failures, "fix": r.diff_path.is_file(), "path": str(r.path)}
            for r in runs
        ], indent=2))
        return EXIT_OK
    if not runs:
        print(f"no runs under {runs_dir(output)}: run `pytest --selfheal` first")
        return EXIT_NOTHING
    from rich.table import Table

    table = Table(show_edge=False)
    for column in ("run", "started", "failures", "outcome", "fix"):
        table.add_column(column)
    for run in runs:
        table.add_row(run.run_id, run.started, str(run.failures), run.status,
                      FIX_DIFF if run.diff_path.is_file() else "-")
    rich_console().print(table)
    return EXIT_OK


def show_command(root: Path, wanted: str | None, as_json: bool) -> int:
    """A run's summary and its syntax-highlighted diff."""
    run = runstore.find_run(runstore.output_dir(root), wanted)
    if as_json:
        print(json.dumps({"run_id": run.run_id, "path": str(run.path), "report": run.report,
                          "diff": run.diff}, indent=2))
        return EXIT_OK
    from rich.syntax import Syntax

    console = rich_console()
    report = run.report
    console.print(f"[bold]run {run.run_id}[/bold] ({run.started}): {run.status}")
    console.print(f"  {report.get('reason', f'no {REPORT_JSON} in this run')}", markup=False)
    for failure in report.get("failures", ()):
        message = str(failure.get("message", "")).strip().splitlines()
        console.print(f"  failed: {failure.get('nodeid')}: {failure.get('exc_type')}: "
                      f"{message[0] if message else ''}", markup=False)
    totals = report.get("totals", {})
    if totals:
        console.print(f"  {totals.get('candidates', 0)} candidate(s) tried in "
                      f"{totals.get('seconds', 0)}s with the {report.get('agent') or '-'} agent")
    if run.diff:
        console.print(Syntax(run.diff, "diff", theme="ansi_dark", background_color="default"))
        console.print(f"fix:   {run.diff_path}\napply: pytest-selfheal apply {run.run_id}")
    else:
        console.print("no fix in this run")
    return EXIT_OK


def clean_command(root: Path, everything: bool) -> int:
    """Remove the run directories; the history (and anything else in the output) stays unless asked."""
    output = runstore.output_dir(root)
    target = output if everything else runs_dir(output)
    if not target.exists():
        print(f"nothing to clean: {target} does not exist")
        return EXIT_OK
    count = len(runstore.list_runs(output))
    shutil.rmtree(target)
    kept = "" if everything else " (history kept; --all removes it too)"
    print(f"removed {count} run(s): {target}{kept}")
    return EXIT_OK
