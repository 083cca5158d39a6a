"""The "self-heal" section of pytest's terminal summary: what a user reads after a heal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .diffs import diff_text
from .rundir import DECISIONS, FIX_DIFF, REPORT_JSON

if TYPE_CHECKING:
    from rich.console import Console

    from ..heal.request import HealResult

TOP_SUSPECTS = 5


def render(result: HealResult, console: Console) -> None:
    """The "self-heal" section of pytest's terminal summary."""
    from rich.syntax import Syntax
    from rich.table import Table

    request = result.request
    if result.status == "skipped":
        console.print(f"self-heal skipped: {result.reason}")
        return
    console.print(f"[bold]{len(request.failures)} failure(s) considered[/bold]")
    for failure in request.failures:
        console.print(f"  {failure.nodeid}: {failure.exc_type}: {_first_line(failure.message)}",
                      markup=False, highlight=False)
    if result.triage:
        _render_triage(result, console)
    if result.suspects:
        table = Table(title="top suspects", title_justify="left", show_edge=False)
        table.add_column("score", justify="right")
        table.add_column("location")
        table.add_column("function")
        for suspect in result.suspects[:TOP_SUSPECTS]:
            table.add_row(f"{suspect.score:.2f}", f"{suspect.path}:{suspect.line}",
                          suspect.function)
        console.print(table)
    tried = len(result.outcomes)
    green = (f"; first complete fix after {result.seconds_to_green:.1f}s"
             if result.seconds_to_green is not None else "")
    console.print(
        f"{tried} candidate(s) tried in {result.seconds:.1f}s with the {result.agent or '-'} "
        f"agent ({result.details.get('stop_reason', result.status)}){green}",
        highlight=False,
    )
    if result.agent_report.get("spent"):
        console.print(f"model: {result.agent_report['spent']}; stopped: "
                      f"{result.agent_report.get('stop', '-')}", markup=False, highlight=False)
    style = {"healed": "bold green", "partial": "bold yellow"}.get(result.status, "bold red")
    console.print(f"[{style}]{result.status}[/{style}]: {result.reason}", highlight=False)
    if result.fix and result.run_dir:
        console.print(f"plausible fix ({result.fix.candidate.description}):", markup=False,
                      highlight=False)
        console.print(Syntax(diff_text(result.diff), "diff", theme="ansi_dark", background_color="default"))
        console.print(f"fix:    {result.run_dir / FIX_DIFF}", highlight=False)
        if result.regression:
            added = result.regression.path or "none"
            console.print(f"regression test: {added} ({result.regression.reason})", markup=False,
                          highlight=False)
        console.print(f"apply:  git apply {result.run_dir / FIX_DIFF}", highlight=False)
    if result.action:
        console.print(f"{result.action.mode}: {result.action.message}", markup=False,
                      highlight=False)
    if result.run_dir:
        console.print(f"report: {result.run_dir / REPORT_JSON}", highlight=False)
        console.print(f"log:    {result.run_dir / DECISIONS}", highlight=False)
    alternatives = len(result.alternatives)
    if result.fix and alternatives > 0:
        console.print(f"{alternatives} other plausible patch(es) ranked below it in {REPORT_JSON} "
                      "(alternatives)", highlight=False)


def _render_triage(result: HealResult, console: Console) -> None:
    """One line per failure: kind, rerun counts, history verdict, causal link."""
    verdicts = result.triage
    assert verdicts is not None
    since = verdicts.changed.describe()
    console.print(f"[bold]triage[/bold] (changes since {since}; {verdicts.history_runs} earlier "
                  "run(s) in the history)", highlight=False)
    for failure in verdicts.failures:
        counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(failure.counts.items()))
        link = (f"caused by {', '.join(failure.link.evidence[:3])}" if failure.link.causal_link
                else "no causal link")
        console.print(
            f"  {failure.nodeid}: {failure.kind}{f' ({counts})' if counts else ''}; "
            f"{failure.history}; {link} ({failure.link.confidence} confidence)"
            + ("" if failure.repair else f"; {failure.note}"),
            markup=False, highlight=False,
        )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else ""
