"""`incidents`: triage a stream of production incidents, one verdict per signature.

Exit codes: 0 read and triaged, no regression; 1 a signature is a regression of the deploy
(the gate fails, as when tests fail); 2 usage (no such file, an unknown --version); 3 no
incident in what was read."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..git import git_output
from ..redaction import Redactor
from .console import rich_console
from .exit_codes import EXIT_NOT_HEALED, EXIT_NOTHING, EXIT_OK

if TYPE_CHECKING:  # the reader and its decoder load when the command runs, not for every command
    from ..incidents.deploys import Deploy
    from ..incidents.links import Changes
    from ..incidents.read import Ingest
    from ..incidents.verdicts import Verdict, Windows

PROBLEMS_SHOWN = 20  # malformed lines listed on the terminal (all are counted; JSON lists more)
PROBLEMS_IN_JSON = 1000
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> float:
    """`90s`, `15m`, `24h`, `7d` in seconds (argparse type)."""
    match = _DURATION.fullmatch(text.strip())
    if match is None or float(match[1]) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration: write e.g. 30m, 24h or 7d")
    return float(match[1]) * _UNITS[match[2]]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", default=["-"], metavar="PATH",
                        help="incident files (our JSON lines or the Collector's OTLP JSON; their "
                        "rotations .1, .2, ... are read too), directories of them, or - for "
                        "stdin (default)")
    parser.add_argument("--baseline", type=duration, default=duration("24h"), metavar="DURATION",
                        help="the window before the deploy whose rate is the baseline (default 24h)")
    parser.add_argument("--window", type=duration, default=duration("24h"), metavar="DURATION",
                        help="the window after the deploy that is counted (default 24h)")
    parser.add_argument("--version", default=None, metavar="COMMIT",
                        help="the deployed version to judge (default: the newest seen)")
    parser.add_argument("--baseline-version", default=None, metavar="COMMIT",
                        help="the version before it (default: the one seen before it)")


def incidents_command(root: Path, args: argparse.Namespace) -> int:
    from ..incidents.deploys import find_deploy
    from ..incidents.groups import group
    from ..incidents.links import changes_between
    from ..incidents.read import read
    from ..incidents.stacktrace import ProjectFiles
    from ..incidents.verdicts import Windows, judge

    redactor = Redactor.from_environment()
    ingest = read(args.paths, ProjectFiles.of(_tracked(root)))
    groups = group(ingest.occurrences)
    deploy = find_deploy(groups, args.version, args.baseline_version)
    changes = changes_between(root, deploy.previous, deploy.version) if deploy else None
    windows = Windows(args.baseline, args.window)
    verdicts = [judge(found, deploy, windows, changes) for found in groups]
    summary = _summary(ingest, deploy, changes, windows)
    if args.json:
        document = {**summary, "verdicts": [v.as_json() for v in verdicts]}
        print(json.dumps(redactor.clean_tree(document), indent=2, ensure_ascii=False))
    else:
        _print(redactor, summary, verdicts, ingest)
    if not ingest.occurrences:
        return EXIT_NOTHING
    return EXIT_NOT_HEALED if any(v.regression for v in verdicts) else EXIT_OK


def _tracked(root: Path) -> list[str]:
    """The repository's files, to know a deployed path (`/srv/app/shop/cart.py`) as its own."""
    return (git_output(root, "ls-files", "-z") or "").split("\0")


def _summary(ingest: Ingest, deploy: Deploy | None, changes: Changes | None, windows: Windows
             ) -> dict[str, Any]:
    from ..incidents.verdicts import iso

    return {
        "read": {"files": ingest.files, "lines": ingest.lines, "incidents": len(ingest.occurrences),
                 "skipped": ingest.skipped, "malformed": len(ingest.problems),
                 "problems": [str(p) for p in ingest.problems[:PROBLEMS_IN_JSON]]},
        "deploy": None if deploy is None else {
            "version": deploy.version, "previous": deploy.previous, "at": iso(deploy.at),
            "baseline_seconds": windows.baseline, "window_seconds": windows.window,
            "changed_lines": len(changes.lines) if changes else 0,
            "problem": changes.problem if changes and changes.problem else None,
        },
    }


def _print(redactor: Redactor, summary: dict[str, Any], verdicts: list[Verdict], ingest: Ingest) -> None:
    from rich.table import Table

    console = rich_console()
    read_ = summary["read"]
    console.print(redactor.clean(
        f"read {read_['incidents']} incident(s) from {read_['lines']} line(s) in "
        f"{len(read_['files'])} file(s); {read_['skipped']} OTLP record(s) without an exception "
        f"skipped; {read_['malformed']} line(s) not readable"), markup=False)
    for problem in ingest.problems[:PROBLEMS_SHOWN]:
        console.print(redactor.clean(f"  {problem}"), markup=False)
    if len(ingest.problems) > PROBLEMS_SHOWN:
        console.print(f"  ... and {len(ingest.problems) - PROBLEMS_SHOWN} more (--json lists them)")
    deploy = summary["deploy"]
    if deploy is None:
        console.print("no deploy to judge: no version of the incidents was first seen after "
                      "another (name them with --version and --baseline-version)")
    else:
        console.print(redactor.clean(
            f"deploy {deploy['version'][:12]} (after {deploy['previous'][:12]}) first seen "
            f"{deploy['at']}"), markup=False)
        if deploy["problem"]:
            console.print(redactor.clean(deploy["problem"]), markup=False)
    if not verdicts:
        return
    table = Table("signature", "status", "before", "after", "p", "kind", "changed line")
    for verdict in verdicts:
        row = verdict.as_json()
        table.add_row(*(redactor.clean(text) for text in (
            row["signature"], row["status"], str(row["counts"]["before"]),
            str(row["counts"]["after"]), _p(row["p_value"]),
            "transient" if row["transient"] else "logic",
            ", ".join(row["evidence"][:3]) if row["causal_link"] else "-")))
    console.print(table)


def _p(p_value: float | None) -> str:
    """The p-value as shown: below 1e-15 it is the float's rounding (1 - P(X < k)), not a figure."""
    if p_value is None:
        return "-"
    return f"{p_value:.3g}" if p_value >= 1e-15 else "<1e-15"
