"""`pytest-selfheal` console script (also `python -m pytest_selfheal`).

Exit codes: 0 done (demo healed, fix applied, hook passed), 1 not healed / tests failed (the
hook blocks the commit), 2 usage error, 3 nothing there (no runs, no fix, no decision log),
4 the fix does not apply to the working tree.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SelfHealError
from ..output import runstore

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK = 0
EXIT_NOT_HEALED = 1
EXIT_USAGE = 2
EXIT_NOTHING = 3
EXIT_CONFLICT = 4
EXIT_CODES_HELP = (
    "exit codes: 0 done, 1 not healed or tests failed, 2 usage error, "
    "3 nothing there (no run, fix or log), 4 the fix does not apply"
)


def examples_dir() -> Path:
    """Bundled examples: package data in a wheel, the checkout's examples/ otherwise."""
    bundled = Path(__file__).parent / "_examples"
    return bundled if bundled.is_dir() else Path(__file__).resolve().parent.parent / "examples"


def example_names() -> list[str]:
    return sorted(p.name for p in examples_dir().iterdir() if (p / "tests").is_dir())


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def demo(example: str, directory: Path | None) -> int:
    """Copy an example into a fresh git repository and heal it with the offline agent."""
    if example not in example_names():
        print(f"unknown example {example!r}; choose one of: {', '.join(example_names())}",
              file=sys.stderr)
        return EXIT_USAGE
    target = (directory or Path(tempfile.mkdtemp(prefix="pytest-selfheal-demo-"))) / example
    if target.exists():
        print(f"{target} exists; pass --dir with an empty directory", file=sys.stderr)
        return EXIT_USAGE
    shutil.copytree(examples_dir() / example, target)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "-c", "user.name=selfheal demo", "-c", "user.email=demo@selfheal.invalid",
         "commit", "-q", "-m", "example with a planted bug")
    print(f"healing {example} in {target}\n", flush=True)
    subprocess.run(
        [sys.executable, "-m", "pytest", "--selfheal", "--selfheal-agent=builtin",
         "-p", "no:cacheprovider", "--color=yes"],
        cwd=target,
    )
    reports = sorted((target / ".selfheal" / "runs").glob("*/report.json"))
    if not reports:
        print("no heal report was written", file=sys.stderr)
        return EXIT_NOT_HEALED
    status = json.loads(reports[-1].read_text(encoding="utf-8"))["status"]
    print(f"\ndemo repository: {target}  (heal status: {status})")
    return EXIT_OK if status == "healed" else EXIT_NOT_HEALED


def _console() -> Console:
    from rich.console import Console

    return Console(soft_wrap=True, highlight=False)


def runs_command(root: Path, as_json: bool) -> int:
    """List past runs, oldest first."""
    runs = runstore.list_runs(runstore.output_dir(root))
    if as_json:
        print(json.dumps([
            {"run_id": r.run_id, "started": r.started, "status": r.status,
             "failures": r.failures, "fix": r.diff_path.is_file(), "path": str(r.path)}
            for r in runs
        ], indent=2))
        return EXIT_OK
    if not runs:
        print(f"no runs under {runstore.output_dir(root) / 'runs'}: run `pytest --selfheal` first")
        return EXIT_NOTHING
    from rich.table import Table

    table = Table(show_edge=False)
    for column in ("run", "started", "failures", "outcome", "fix"):
        table.add_column(column)
    for run in runs:
        table.add_row(run.run_id, run.started, str(run.failures), run.status,
                      "fix.diff" if run.diff_path.is_file() else "-")
    _console().print(table)
    return EXIT_OK


def show_command(root: Path, wanted: str | None, as_json: bool) -> int:
    """A run's summary and its syntax-highlighted diff."""
    run = runstore.find_run(runstore.output_dir(root), wanted)
    if as_json:
        print(json.dumps({"run_id": run.run_id, "path": str(run.path), "report": run.report,
                          "diff": run.diff}, indent=2))
        return EXIT_OK
    from rich.syntax import Syntax

    console = _console()
    report = run.report
    console.print(f"[bold]run {run.run_id}[/bold] ({run.started}): {run.status}")
    console.print(f"  {report.get('reason', 'no report.json in this run')}", markup=False)
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


def apply_command(root: Path, wanted: str | None) -> int:
    """Apply a run's fix.diff to the working tree; refuse, changing nothing, if it conflicts."""
    from ..git import find_repo_root

    run = runstore.find_run(runstore.output_dir(root), wanted)
    if not run.diff_path.is_file():
        print(f"run {run.run_id} has no fix ({run.status}); nothing to apply", file=sys.stderr)
        return EXIT_NOTHING
    repo = find_repo_root(root.resolve())
    if repo is None:
        print(f"no git repository at {root}: fix.diff applies at the root of the checkout it "
              "was made for; pass --root", file=sys.stderr)
        return EXIT_USAGE
    check = subprocess.run(["git", "apply", "--check", str(run.diff_path)], cwd=repo,
                           capture_output=True, text=True)
    if check.returncode != 0 and _git_ok(repo, "apply", "--check", "--reverse", str(run.diff_path)):
        print(f"the fix of run {run.run_id} is already in your working tree; nothing to do")
        return EXIT_OK
    if check.returncode != 0:
        print(f"the fix of run {run.run_id} does not apply to your working tree, which changed "
              f"since the run:\n{check.stderr.strip()}\nnothing was changed; rerun "
              "`pytest --selfheal` to heal the current code", file=sys.stderr)
        return EXIT_CONFLICT
    subprocess.run(["git", "apply", str(run.diff_path)], cwd=repo, check=True)
    files = run.report.get("fix", {}).get("files", []) if run.report.get("fix") else []
    print(f"applied the fix of run {run.run_id}" + (f" to {', '.join(files)}" if files else ""))
    return EXIT_OK


def _git_ok(cwd: Path, *args: str) -> bool:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True).returncode == 0


def log_command(root: Path, wanted: str | None) -> int:
    """The decision log as a timeline: one line per decision."""
    run = runstore.find_run(runstore.output_dir(root), wanted)
    entries = run.decisions()
    if not entries:
        print(f"run {run.run_id} has no decision log ({runstore.DECISIONS} is absent or empty)")
        return EXIT_NOTHING
    console = _console()
    console.print(f"[bold]decisions of run {run.run_id}[/bold]")
    for entry in entries:
        console.print(timeline_line(entry), markup=False)
    return EXIT_OK


_TIME_KEYS = ("time", "ts", "t", "at", "elapsed", "seconds")
_KIND_KEYS = ("stage", "event", "kind", "type", "decision", "action")
_TEXT_KEYS = ("message", "reason", "detail", "summary")
_BOOKKEEPING_KEYS = ("seq", "pid")


def timeline_line(entry: dict[str, Any]) -> str:
    """`  12.3s  validate  candidate 4 plausible  (verdict=plausible)` from one log entry."""
    rest = {k: v for k, v in entry.items() if k not in _BOOKKEEPING_KEYS}
    when = next((rest.pop(k) for k in _TIME_KEYS if k in rest), "")
    kinds = [str(rest.pop(k)) for k in _KIND_KEYS if k in rest]
    texts = [str(rest.pop(k)) for k in _TEXT_KEYS if k in rest]
    when_text = f"{when:.1f}s" if isinstance(when, int | float) else str(when)
    extra = ", ".join(f"{k}={json.dumps(v) if not isinstance(v, str) else v}"
                      for k, v in rest.items())
    parts = [f"{when_text:>8}", " / ".join(kinds) or "-", " ".join(texts)]
    return "  ".join(p for p in parts if p) + (f"  ({extra})" if extra else "")


def clean_command(root: Path, everything: bool) -> int:
    """Remove the run directories; the history (and anything else in the output) stays unless asked."""
    output = runstore.output_dir(root)
    target = output if everything else output / "runs"
    if not target.exists():
        print(f"nothing to clean: {target} does not exist")
        return EXIT_OK
    count = len(runstore.list_runs(output))
    shutil.rmtree(target)
    kept = "" if everything else " (history kept; --all removes it too)"
    print(f"removed {count} run(s): {target}{kept}")
    return EXIT_OK


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
                             help="which example (default: invoice)")
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
    from ..precommit.hook import run_hook

    return run_hook(args.root, apply=args.apply, pytest_args=args.pytest_args)
