"""What a heal leaves in its run directory: report.json, fix.diff, report.md and report.sarif.

Everything is written through the heal's Redactor: report.json and report.md cleaned of secrets
and terminal escapes; fix.diff, which must apply, is not written when the patch holds a secret
(report.json's `fix.withheld` says so).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..models import Outcome
from . import markdown, sarif
from .diffs import diff_text
from .rundir import DECISIONS, FIX_DIFF, REPORT_JSON

if TYPE_CHECKING:
    from ..heal.request import HealResult

REPORT_VERSION = 1


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
    """The report's data as the heal left it; write_run cleans it before writing."""
    request = result.request
    withheld = request.redactor.patch_refusal(result.diff)
    return {
        "version": REPORT_VERSION,
        "tool": f"pytest-selfheal {__version__}",
        "run_id": request.run_id,
        "status": result.status,
        "reason": result.reason,
        "agent": result.agent,
        "failures": [asdict(f) for f in request.failures],
        "failure_groups": [group.as_json() for group in result.failure_groups],
        "targets": list(result.targets),
        "suspects": [asdict(s) for s in result.suspects],
        "candidates": [outcome_json(o) for o in result.outcomes],
        "fix": (
            {
                "files": list(result.fix.candidate.paths),
                "diff": None if withheld else FIX_DIFF,
                **({"withheld": withheld} if withheld else {}),
                "candidate": result.outcomes.index(result.fix),
                "fixed": list(result.fix.fixed),
                "ranking": {"why": result.why_first,
                            **(result.fix_evidence.as_json() if result.fix_evidence else {})},
            }
            if result.fix
            else None
        ),
        "alternatives": [
            {"candidate": result.outcomes.index(a.outcome),
             "description": a.outcome.candidate.description,
             "fixed": len(a.outcome.fixed), **a.evidence.as_json()}
            for a in result.alternatives
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
        "decisions": DECISIONS,
        "triage": result.triage.as_json() if result.triage else None,
        "regression": result.regression.as_json() if result.regression else None,
        **result.details,
        "agent_report": result.agent_report or None,
    }


def write_run(result: HealResult) -> None:
    """fix.diff (only when there is a fix it may hold), report.json and report.md, in the run
    directory."""
    if result.run_dir is None:
        return
    redactor = result.request.redactor
    try:
        if result.diff and not redactor.patch_refusal(result.diff):
            (result.run_dir / FIX_DIFF).write_bytes(result.diff)
        if result.regression and result.regression.path:
            regression = result.regression  # its witnesses hold no secret (regression.py)
            (result.run_dir / Path(regression.path).name).write_text(regression.source,
                                                                     encoding="utf-8")
        data = redactor.clean_tree(report_json(result))
        (result.run_dir / REPORT_JSON).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        markdown.write_markdown(result.run_dir, data, diff_text(result.diff), redactor)
        sarif.write_sarif(result.run_dir, data, diff_text(result.diff))
    except OSError:
        pass  # the terminal section still says what happened; the run dir was writable a moment ago
