"""What a heal leaves behind: the terminal section (rich), fix.diff and report.json."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..heal.ranking import ast_change_size, ranked
from ..models import Outcome
from . import markdown

if TYPE_CHECKING:
    from rich.console import Console

    from ..heal.request import HealResult

REPORT_VERSION = 1
TOP_SUSPECTS = 5


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    candidate = outcome.candidate
    return {
        "description": candidate.description,
        "agent": candidate.agent,
        "score": candidate.score,
        "edits": [
            {"path": e.path, "line": e.line, "template": e.template, "description": e.description}
            for e in candidate.edits
        ],
        "verdict": outcome.verdict.value,
        "seconds": outcome.seconds,
        "fixed": list(outcome.fixed),
        "broken": list(outcome.broken),
        "detail": outcome.detail,
    }


def report_json(result: HealResult) -> dict[str, Any]:
    request = result.request
    return {
        "version": REPORT_VERSION,
        "tool": f"pytest-selfheal {__version__}",
        "run_id": request.run_id,
        "status": result.status,
        "reason": result.reason,
        "agent": result.agent,
        "failures": [asdict(f) for f in request.failures],
        "targets": list(result.targets),
        "suspects": [asdict(s) for s in result.suspects],
        "candidates": [outcome_json(o) for o in result.outcomes],
        "fix": (
            {
                "files": list(result.fix.candidate.paths),
                "diff": "fix.diff",
                "candidate": result.outcomes.index(result.fix),
                "fixed": list(result.fix.fixed),
            }
            if result.fix
            else None
        ),
        "alternatives": [
            {"candidate": result.outcomes.index(o), "description": o.candidate.description,
             "fixed": len(o.fixed), "ast_change": ast_change_size(o.candidate)}
            for o in ranked(result.outcomes)
            if o is not result.fix
        ],
        "totals": {
            "failures": len(request.failures),
            "tests_run": len(request.outcomes),
            "candidates": len(result.outcomes),
            "plausible": sum(o.verdict.value == "plausible" for o in result.outcomes),
            "seconds": result.seconds,
            "seconds_to_green": result.seconds_to_green,
            "candidate_seconds": round(sum(o.seconds for o in result.outcomes), 3),
        },
        "settings": request.settings.as_dict(),
        "mode": (
            {"mode": result.action.mode, "done": result.action.done,
             "message": result.action.message, "branch": result.action.branch,
             "commit": result.action.commit}
            if result.action
            else {"mode": request.settings.mode, "done": False, "message": ""}
        ),
        "decisions": "decisions.jsonl",
        "triage": result.triage.as_json() if result.triage else None,
        "regression": result.regression.as_json() if result.regression else None,
        **result.details,
        "agent_report": result.agent_report or None,
    }


def write_run(result: HealResult) -> None:
    """fix.diff (only when there is a fix), report.json and report.md, in the run directory."""
    if result.run_dir is None:
        return
    try:
        if result.diff:
            (result.run_dir / "fix.diff").write_text(result.diff, encoding="utf-8")
        if result.regression and result.regression.path:
            regression = result.regression
            (result.run_dir / Path(regression.path).name).write_text(regression.source,
                                                                     encoding="utf-8")
        data = report_json(result)
        (result.run_dir / "report.json").write_text(json.dumps(data, indent=2) + "\n",
                                                    encoding="utf-8")
        markdown.write_markdown(result.run_dir, data, result.diff)
    except OSError:
        pass  # the terminal section still says what happened; the run dir was writable a moment ago


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
        console.print(Syntax(result.diff, "diff", theme="ansi_dark", background_color="default"))
        console.print(f"fix:    {result.run_dir / 'fix.diff'}", highlight=False)
        if result.regression:
            added = result.regression.path or "none"
            console.print(f"regression test: {added} ({result.regression.reason})", markup=False,
                          highlight=False)
        console.print(f"apply:  git apply {result.run_dir / 'fix.diff'}", highlight=False)
    if result.action:
        console.print(f"{result.action.mode}: {result.action.message}", markup=False,
                      highlight=False)
    if result.run_dir:
        console.print(f"report: {result.run_dir / 'report.json'}", highlight=False)
        console.print(f"log:    {result.run_dir / 'decisions.jsonl'}", highlight=False)
    alternatives = len(ranked(result.outcomes)) - 1
    if result.fix and alternatives > 0:
        console.print(f"{alternatives} other plausible patch(es) ranked below it in report.json "
                      "(alternatives)", highlight=False)


def _render_triage(result: HealResult, console: Console) -> None:
    """One line per failure: kind, rerun counts, history verdict, causal link."""
    verdicts = result.triage
    assert verdicts is not None
    since = "HEAD" if verdicts.base == "HEAD" else f"the last green commit {verdicts.base[:12]}"
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
