"""The "self-heal" section of pytest's terminal summary: what a user reads after a heal.

Every text that comes from the tests, the project or an agent is shown through the heal's
Redactor (`clean`): no secret, no terminal escape, no line a CI runner would take as a command.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from .diffs import diff_text
from .groups import place
from .rundir import DECISIONS, FIX_DIFF, REPORT_JSON

if TYPE_CHECKING:
    from rich.console import Console

    from ..heal.request import HealResult

TOP_SUSPECTS = 5
EXAMPLES = 3  # failures shown of each group
PER_FAILURE_TRIAGE = 10  # failures up to which triage is shown one line each


def render(result: HealResult, console: Console) -> None:
    """The "self-heal" section of pytest's terminal summary."""
    from rich.syntax import Syntax
    from rich.table import Table
    from rich.text import Text

    request = result.request
    shown = request.redactor.clean
    if result.status == "skipped":
        console.print(f"self-heal skipped: {shown(result.reason)}", markup=False)
        return
    _render_failures(result, console, shown)
    if result.triage:
        _render_triage(result, console, shown)
    if result.suspects:
        table = Table(title="top suspects", title_justify="left", show_edge=False)
        table.add_column("score", justify="right")
        table.add_column("location")
        table.add_column("function")
        for suspect in result.suspects[:TOP_SUSPECTS]:
            table.add_row(f"{suspect.score:.2f}", Text(shown(f"{suspect.path}:{suspect.line}")),
                          Text(shown(suspect.function)))
        console.print(table)
    tried = len(result.outcomes)
    green = (f"; first complete fix after {result.seconds_to_green:.1f}s"
             if result.seconds_to_green is not None else "")
    console.print(shown(
        f"{tried} candidate(s) tried in {result.seconds:.1f}s with the {result.agent or '-'} "
        f"agent ({result.details.get('stop_reason', result.status)}){green}"),
        markup=False, highlight=False,
    )
    if result.agent_report.get("spent"):
        console.print(shown(f"model: {result.agent_report['spent']}; stopped: "
                            f"{result.agent_report.get('stop', '-')}"), markup=False, highlight=False)
    style = {"healed": "bold green", "partial": "bold yellow"}.get(result.status, "bold red")
    console.print(Text(result.status, style=style) + Text(f": {shown(result.reason)}"),
                  highlight=False)
    if result.fix and result.run_dir:
        console.print(f"plausible fix ({shown(result.fix.candidate.description)}):", markup=False,
                      highlight=False)
        console.print(Syntax(shown(diff_text(result.diff)), "diff", theme="ansi_dark",
                             background_color="default"))
        withheld = request.redactor.patch_refusal(result.diff)
        if withheld:
            console.print(withheld, markup=False, highlight=False)
        else:
            console.print(f"fix:    {result.run_dir / FIX_DIFF}", markup=False, highlight=False)
        if result.regression:
            added = result.regression.path or "none"
            console.print(shown(f"regression test: {added} ({result.regression.summary})"),
                          markup=False, highlight=False)
        if not withheld:
            console.print(f"apply:  git apply {result.run_dir / FIX_DIFF}", markup=False,
                          highlight=False)
    if result.action:
        console.print(shown(f"{result.action.mode}: {result.action.message}"), markup=False,
                      highlight=False)
    if result.run_dir:
        console.print(f"report: {result.run_dir / REPORT_JSON}", highlight=False)
        console.print(f"log:    {result.run_dir / DECISIONS}", highlight=False)
    alternatives = len(result.alternatives)
    if result.fix and alternatives > 0:
        console.print(shown(f"{alternatives} other plausible patch(es) ranked below it in "
                            f"{REPORT_JSON} (alternatives); ranked first: {result.why_first}"),
                      markup=False, highlight=False)


def _render_failures(result: HealResult, console: Console, shown: Callable[[str], str]) -> None:
    """The failures by group (exception type and the place that raised it), a few of each: 183
    failures of two kinds read as two lines and their examples; every one is in report.json."""
    failures = {f.nodeid: f for f in result.request.failures}
    groups = result.failure_groups
    console.print(f"[bold]{len(failures)} failure(s) considered[/bold]"
                  + (f", {len(groups)} kind(s)" if len(groups) > 1 else ""))
    for group in groups:
        count = len(group.nodeids)
        if count > 1:
            console.print(shown(f"  {group.label} in {count} tests across {group.files} file(s), "
                                f"{place(group.label, group.where)}"), markup=False, highlight=False)
        for nodeid in group.nodeids[:EXAMPLES]:
            failure = failures[nodeid]
            indent = "    " if count > 1 else "  "
            console.print(shown(f"{indent}{nodeid}: {failure.exc_type}: "
                                f"{_first_line(failure.message)}"), markup=False, highlight=False)
        if count > EXAMPLES:
            console.print(f"    ... and {count - EXAMPLES} more (all in {REPORT_JSON})",
                          markup=False, highlight=False)


def _render_triage(result: HealResult, console: Console, shown: Callable[[str], str]) -> None:
    """One line per failure (kind, rerun counts, history verdict, causal link); past
    PER_FAILURE_TRIAGE failures, the counts of each instead, and why those not repaired are
    held."""
    from rich.text import Text

    verdicts = result.triage
    assert verdicts is not None
    since = verdicts.changed.describe()
    console.print(Text("triage", style="bold") + Text(
        shown(f" (changes since {since}; {verdicts.history_runs} earlier run(s) in the history)")),
        highlight=False)
    if len(verdicts.failures) > PER_FAILURE_TRIAGE:
        kinds = Counter(f.kind for f in verdicts.failures)
        histories = Counter(f.history for f in verdicts.failures)
        linked = sum(1 for f in verdicts.failures if f.link.causal_link)
        console.print(shown(
            "  " + ", ".join(f"{n} {kind}" for kind, n in kinds.most_common()) + "; "
            + ", ".join(f"{n} {history}" for history, n in histories.most_common()) + "; "
            + f"{linked} with a causal link to a change (each verdict in {REPORT_JSON})"),
            markup=False, highlight=False)
        held = Counter(f.note for f in verdicts.failures if not f.repair)
        for note, n in held.most_common(EXAMPLES):  # what to do about them, said once per reason
            console.print(shown(f"  {n} held: {note}"), markup=False, highlight=False)
        return
    for failure in verdicts.failures:
        counts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(failure.counts.items()))
        link = (f"caused by {', '.join(failure.link.evidence[:3])}" if failure.link.causal_link
                else "no causal link")
        console.print(shown(
            f"  {failure.nodeid}: {failure.kind}{f' ({counts})' if counts else ''}; "
            f"{failure.history}; {link} ({failure.link.confidence} confidence)"
            + ("" if failure.repair else f"; {failure.note}")),
            markup=False, highlight=False,
        )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else ""
