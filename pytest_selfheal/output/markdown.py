"""report.md: the run as Markdown for people (a CI job summary, a pull request body).

Written from report.json's data, next to it; appended to the file $GITHUB_STEP_SUMMARY names
when that is set, so a GitHub Actions job shows it on the run's page. The whole text is cleaned
by the heal's Redactor: no secret, no terminal escape, no line GitHub would run as a command.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

from ..redaction import Redactor
from .groups import place
from .rundir import FIX_DIFF, REPORT_MD, RUNS
from .summary import job_summary, write_job_summary

STEP_SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def write_markdown(run_dir: Path, report: dict[str, Any], diff: str, redactor: Redactor) -> None:
    """report.md in the run directory, and the job summary when running under GitHub Actions."""
    text = redactor.clean(render_markdown(run_dir, report, diff))
    (run_dir / REPORT_MD).write_text(text, encoding="utf-8")
    step_summary = os.environ.get(STEP_SUMMARY_ENV)
    if step_summary:
        write_job_summary(Path(step_summary), job_summary(text, run_dir.name))


GROUPED_ABOVE = 10  # failures listed in full, beyond which the list is folded


def render_markdown(run_dir: Path, report: dict[str, Any], diff: str) -> str:
    sections = [
        f"## pytest-selfheal: {report.get('status', 'unknown')}\n\n{report.get('reason', '')}",
        _failures(report),
        _triage(report),
        _fix(run_dir, report, diff),
        _regression(run_dir, report),
        _validation(report),
        _budget(report),
        f"<sub>run `{report.get('run_id', run_dir.name)}`, {report.get('tool', 'pytest-selfheal')}"
        "</sub>",
    ]
    return "\n\n".join(sections) + "\n"


def _cell(text: object) -> str:
    first = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return first[:200].replace("|", "\\|").replace("`", "'")


def _failures(report: dict[str, Any]) -> str:
    """The groups of failures alike first (what a reader counts), then every failure."""
    failures = report.get("failures", ())
    groups = report.get("failure_groups", ())
    summary = [
        f"- **{_cell(g.get('label'))}** in {g.get('count')} test(s) across {g.get('files')} file(s), "
        + place(str(g.get("label", "")), str(g.get("where", "")), lambda where: f"`{_cell(where)}`")
        for g in groups
    ]
    rows = [f"| `{_cell(f.get('nodeid'))}` | `{_cell(f.get('exc_type'))}: {_cell(f.get('message'))}` |"
            for f in failures]
    table = "| test | error |\n|---|---|\n" + "\n".join(rows)
    if len(failures) > GROUPED_ABOVE:
        table = f"<details><summary>all {len(failures)} failures</summary>\n\n{table}\n\n</details>"
    return "### Failures\n\n" + "\n".join(summary) + "\n\n" + table


def _triage(report: dict[str, Any]) -> str:
    """One line per failure: its kind, its history verdict and its causal link, with evidence."""
    triage = report.get("triage") or {}
    failures = triage.get("failures") or []
    if not failures:
        return "### Triage\n\nNo triage verdict was recorded in this run."
    since = (f"Changes measured since {triage.get('base_label') or 'HEAD'}." if triage.get("base") != ""
             else "No commit yet: every line is new.")
    lines = [since, ""]
    for item in failures:
        link = "causal link" if item.get("causal_link") else "no causal link"
        evidence = ", ".join(f"`{e}`" for e in item.get("evidence", [])[:5])
        lines.append(
            f"- `{item.get('nodeid', '')}`: **{item.get('kind', '-')}**, "
            f"{item.get('history') or 'no history'}, {link} "
            f"({item.get('confidence', '-')} confidence)" + (f": {evidence}" if evidence else "")
        )
    return "### Triage\n\n" + "\n".join(lines)


def _fix(run_dir: Path, report: dict[str, Any], diff: str) -> str:
    fix = report.get("fix")
    if not fix or not diff:
        return "### Fix\n\nNo plausible fix was found."
    candidates = report.get("candidates", [])
    index = fix.get("candidate")
    description = (candidates[index].get("description", "")
                   if isinstance(index, int) and 0 <= index < len(candidates) else "")
    why = (fix.get("ranking") or {}).get("why")
    plausible = 1 + len(report.get("alternatives", ()))
    ranked = f"Ranked first of {plausible} plausible patch(es): {_cell(why)}.\n\n" if why else ""
    shown = f"### Fix\n\n{_cell(description)}\n\n```diff\n{diff.rstrip()}\n```\n\n{ranked}"
    if fix.get("withheld"):
        return shown + str(fix["withheld"]) + "."
    return (
        f"{shown}Apply it with `pytest-selfheal apply {run_dir.name}` or "
        f"`git apply {report.get('settings', {}).get('output', '.selfheal')}/{RUNS}/{run_dir.name}"
        f"/{FIX_DIFF}`."
    )


def _regression(run_dir: Path, report: dict[str, Any]) -> str:
    tests = sorted(run_dir.glob("test_regression_*.py"))
    if tests:
        blocks = [f"`{t.name}`\n\n```python\n{t.read_text(encoding='utf-8').rstrip()}\n```"
                  for t in tests]
        return "### Regression test\n\n" + "\n\n".join(blocks)
    regression = report.get("regression")
    if regression:
        return f"### Regression test\n\nNo regression test was written: {_cell(regression.get('reason'))}"
    return "### Regression test\n\nNo regression test was written in this run."


def _validation(report: dict[str, Any]) -> str:
    totals = report.get("totals", {})
    verdicts = Counter(c.get("verdict", "?") for c in report.get("candidates", ()))
    lines = [
        f"- {len(report.get('targets', ()))} of {totals.get('failures', 0)} failure(s) reproduced "
        "in an isolated git worktree",
        f"- {totals.get('candidates', 0)} candidate(s) validated against the failing tests, then "
        f"the {totals.get('tests_run', 0)} test(s) that ran: "
        + (", ".join(f"{n} {v}" for v, n in sorted(verdicts.items())) or "none"),
    ]
    fix = report.get("fix")
    if fix:
        lines.append(f"- the fix makes {len(fix.get('fixed', ()))} failing test(s) pass and breaks "
                     "no test that passed")
    return "### Validation\n\n" + "\n".join(lines)


def _budget(report: dict[str, Any]) -> str:
    totals = report.get("totals", {})
    settings = report.get("settings", {})
    rows = [
        f"| time | {totals.get('seconds', 0)} s | {settings.get('time_budget', '-')} s |",
        f"| candidates | {totals.get('candidates', 0)} | {settings.get('max_candidates', '-')} |",
    ]
    spend = (report.get("agent_report") or {}).get("spend") or {}
    limits = spend.get("limits", {})
    tokens = sum(v for k, v in spend.items() if k.endswith("_tokens"))
    for label, spent, limit in (("model calls", spend.get("calls"), limits.get("calls")),
                                ("model tokens", tokens if spend else None, limits.get("tokens")),
                                ("model dollars", spend.get("dollars"), limits.get("dollars"))):
        if spent is not None:
            rows.append(f"| {label} | {spent} | {limit if limit is not None else '-'} |")
    stop = report.get("stop_reason")
    return ("### Budget\n\n| | spent | budget |\n|---|---|---|\n" + "\n".join(rows)
            + (f"\n\nStopped: {stop}." if stop else ""))
