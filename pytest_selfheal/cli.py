"""`pytest-selfheal` console script (also `python -m pytest_selfheal`)."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

EXIT_OK = 0
EXIT_NOT_HEALED = 1
EXIT_USAGE = 2


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
    target = (directory or Path(tempfile.mkdtemp(prefix="selfheal-demo-"))) / example
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pytest-selfheal",
        description="Heal failing pytest suites. Exit codes: 0 ok/healed, 1 not healed, 2 usage.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser(
        "demo", help="heal a bundled example (a planted bug) in a temporary git repository"
    )
    demo_parser.add_argument("example", nargs="?", default="invoice",
                             help="which example (default: invoice)")
    demo_parser.add_argument("--dir", type=Path, default=None,
                             help="where to create the demo repository (default: a temp dir)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        return demo(args.example, args.dir)
    return EXIT_USAGE  # pragma: no cover - argparse enforces the choices
