"""`pytest-selfheal` console script (also `python -m pytest_selfheal`): the arguments, and which
command runs. Each command lives in a module of its own; exit codes are in exit_codes.py."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..errors import SelfHealError
from ..output import runstore
from .apply import apply_command
from .demo import demo
from .exit_codes import EXIT_CODES_HELP, EXIT_NOTHING, EXIT_USAGE
from .incidents import add_arguments as add_incidents_arguments
from .incidents import incidents_command
from .log import log_command
from .runs import clean_command, runs_command, show_command

GITHUB_ARTIFACT = "selfheal-runs"  # what action.yml uploads the run directories as


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pytest-selfheal",
        description="Heal failing pytest suites, and review, apply and clean up the fixes found.",
        epilog=EXIT_CODES_HELP,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo_parser = commands.add_parser(
        "demo", help="heal a bundled example (a planted bug) in a temporary git repository",
        epilog=EXIT_CODES_HELP,
    )
    demo_parser.add_argument("example", nargs="?", default="invoice",
                             help="which example (default: invoice); `incident` serves a small "
                             "service that production breaks, and heals the incident it records")
    demo_parser.add_argument("--dir", type=Path, default=None,
                             help="where to create the demo repository (default: a temp dir)")

    def add(name: str, help_text: str, *, run: bool = False, json_flag: bool = False
            ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text,
                                  epilog=EXIT_CODES_HELP)
        sub.add_argument("--root", type=Path, default=Path.cwd(),
                         help="the project's rootdir, where .selfheal/ lives (default: .)")
        if run:
            sub.add_argument("run", nargs="?", default=None, metavar="RUN",
                             help="run id or a unique prefix of it (default: the latest run)")
        if json_flag:
            sub.add_argument("--json", action="store_true", help="print JSON instead of text")
        return sub

    add("runs", "list past runs: time, failures, outcome", json_flag=True)
    add("show", "a run's summary and syntax-highlighted diff", run=True, json_flag=True)
    add("apply", "apply a run's fix.diff to the working tree (refuses on conflicts)", run=True)
    add("log", "a run's decision log as a timeline", run=True)
    clean = add("clean", "remove the run directories under .selfheal/runs")
    clean.add_argument("--all", action="store_true",
                       help="remove the whole output directory, history included")
    hook = add("hook", "the pre-commit hook: run the tests the staged change affects, then the "
               "suite, healing failures; exit 1 blocks the commit")
    hook.add_argument("--apply", action="store_true",
                      help="write the fix into the working tree (stage it and commit again)")
    hook.add_argument("pytest_args", nargs="*", metavar="PYTEST_ARG",
                      help="extra pytest arguments (after --)")
    github = add("github", "in a GitHub Actions job after `pytest --selfheal`: annotations, the "
                 "job summary and, on a pull request, a review with the fix as suggestions", run=True)
    github.add_argument("--pytest-exit-code", type=int, default=1, metavar="N",
                        help="pytest's exit code; 0 says the tests pass (default: 1)")
    github.add_argument("--artifact", default=GITHUB_ARTIFACT,
                        help="the name the run directories are uploaded under")
    github.add_argument("--open-pr", action="store_true",
                        help="push the branch --selfheal-branch committed the fix on and open a "
                        "pull request from it (never for a fork's pull request)")
    triage = add("incidents", "triage production incidents: group them by signature, judge each "
                 "against the deploy before it (regression?, transient?, changed line); exit 1 "
                 "when one is a regression", json_flag=True)
    add_incidents_arguments(triage)
    reproduce = add("reproduce", "write a pytest test that fails at HEAD the way a production "
                    "incident did (from the runtime hook's JSON lines)", json_flag=True)
    reproduce.add_argument("incidents", metavar="INCIDENTS",
                           help="the incidents' JSON-lines file, or - for standard input")
    reproduce.add_argument("--id", default=None, metavar="ID",
                           help="the incident's id or a unique prefix (default: the newest)")
    heal = add("heal", "heal a production incident: its reproduction test is the target and the "
               "whole suite the gate (runs `pytest --selfheal-incident=FILE`)")
    heal.add_argument("incidents", metavar="INCIDENTS",
                      help="the incidents' JSON-lines file")
    heal.add_argument("--id", default=None, metavar="ID",
                      help="the incident's id or a unique prefix (default: the newest)")
    heal.add_argument("pytest_args", nargs="*", metavar="PYTEST_ARG",
                      help="extra pytest arguments (after --)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except runstore.RunNotFound as exc:
        print(f"pytest-selfheal: {exc}", file=sys.stderr)
        return EXIT_NOTHING
    except SelfHealError as exc:
        print(f"pytest-selfheal: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "demo":
        return demo(args.example, args.dir)
    if args.command == "runs":
        return runs_command(args.root, args.json)
    if args.command == "show":
        return show_command(args.root, args.run, args.json)
    if args.command == "apply":
        return apply_command(args.root, args.run)
    if args.command == "log":
        return log_command(args.root, args.run)
    if args.command == "clean":
        return clean_command(args.root, args.all)
    if args.command == "incidents":
        return incidents_command(args.root, args)
    if args.command == "github":
        from .github import github_command

        return github_command(args.root, args.run, args.pytest_exit_code, args.artifact,
                              args.open_pr)
    if args.command == "heal":
        from .heal import heal_command

        return heal_command(args.root, args.incidents, args.id, args.pytest_args)
    if args.command == "reproduce":
        from .reproduce import reproduce_command  # the sandbox and the regression writer

        return reproduce_command(args.root, args.incidents, args.id, args.json)
    from .hook import hook_command  # the hook's selection imports the heal's stages

    return hook_command(args.root, args.apply, args.pytest_args)
