"""`pytest-selfheal demo`: heal a bundled example in a fresh git repository, the first thing a
new user runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import SelfHealError
from ..git import run_git
from ..output import runstore
from .exit_codes import EXIT_NOT_HEALED, EXIT_OK, EXIT_USAGE

PACKAGE = Path(__file__).resolve().parent.parent
DEMO_IDENTITY = ("-c", "user.name=selfheal demo", "-c", "user.email=demo@selfheal.invalid")
INCIDENT = "incident"  # `demo incident`: the service example, from a production exception
INCIDENT_EXAMPLE = "service"


def examples_dir() -> Path:
    """Bundled examples: package data in a wheel, the checkout's examples/ otherwise."""
    bundled = PACKAGE / "_examples"
    return bundled if bundled.is_dir() else PACKAGE.parent / "examples"


def example_names() -> list[str]:
    """The examples whose suite fails (a planted bug), and `incident` (a service whose suite
    passes and whose bug only production meets)."""
    return sorted([*(p.name for p in examples_dir().iterdir()
                     if (p / "tests").is_dir() and p.name != INCIDENT_EXAMPLE), INCIDENT])


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
    if example == INCIDENT:
        from .demo_incident import incident_demo

        return incident_demo(examples_dir() / INCIDENT_EXAMPLE, target, _commit)
    shutil.copytree(examples_dir() / example, target)
    _commit(target)
    print(f"healing {example} in {target}\n", flush=True)
    subprocess.run(
        [sys.executable, "-m", "pytest", "--selfheal", "--selfheal-agent=builtin",
         "-p", "no:cacheprovider", "--color=yes"],
        cwd=target,
    )
    reported = [run for run in runstore.list_runs(runstore.output_dir(target)) if run.report]
    if not reported:
        print("no heal report was written", file=sys.stderr)
        return EXIT_NOT_HEALED
    status = reported[-1].status
    print(f"\ndemo repository: {target}  (heal status: {status})")
    return EXIT_OK if status == "healed" else EXIT_NOT_HEALED


def _commit(target: Path) -> None:
    """The example as the one commit of a new repository: the heal measures changes from it."""
    for args in (("init", "-q"), ("add", "-A"),
                 (*DEMO_IDENTITY, "commit", "-q", "-m", "example with a planted bug")):
        done = run_git(target, *args)
        if done.returncode != 0:
            raise SelfHealError(f"cannot create the demo repository in {target}: git failed "
                                f"({done.stderr.strip()}); pass --dir with a writable directory")
