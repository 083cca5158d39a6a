"""Candidate validation throughput on the examples: warm forked children vs a fresh subprocess.

For each example, the builtin agent's real candidates (every template at every line of the buggy
module) are checked against the failing tests twice, in the same run: one `pytest` subprocess per
candidate from files on disk (the fallback path), and the warm worker (collect once, fork a child
per candidate, swap the code object in place, `--selfheal-workers` children at once). The warm
worker's start-up is printed separately; it overlaps the coverage probe in a heal.

    python benchmarks/perf_candidates.py [--runs 5] [--subprocess-sample 8] [--jobs 2] [example ...]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path

from _common import EXAMPLES, commit_all, environment, git_repo, spread

from pytest_selfheal.agents.builtin.agent import candidates
from pytest_selfheal.models import Candidate, Suspect
from pytest_selfheal.sandbox.paths import Sandbox
from pytest_selfheal.sandbox.runner import PytestCommand, run_tests
from pytest_selfheal.sandbox.testruns import Job
from pytest_selfheal.sandbox.warm import WarmWorker

BUGGY = {
    "invoice": "invoice/discounts.py",
    "textstats": "src/textstats/stats.py",
    "inventory": "inventory/stock.py",
}


def all_candidates(root: Path, path: str) -> list[Candidate]:
    lines = len((root / path).read_text().splitlines())
    suspects = [Suspect(path, line, "", 1.0) for line in range(1, lines + 1)]
    return list(candidates(root, suspects))


def command_for(root: Path) -> PytestCommand:
    src = root / "src"
    return PytestCommand(sandbox_root=root, user_root=root.parent / "nowhere", cwd=root,
                         scratch=root.parent / "scratch", import_roots=(src,) if src.is_dir() else ())


def subprocess_rate(command: PytestCommand, targets: tuple[str, ...], sample: list[Candidate]) -> float:
    """Written as the heal writes them: each write gets an mtime of its own, so the restored
    module is never imported from the bytecode of a same-size candidate written that second."""
    sandbox = Sandbox(user_root=command.user_root, root=command.sandbox_root, tmp=command.scratch)
    started = time.perf_counter()
    for candidate in sample:
        (edit,) = candidate.edits
        sandbox.write(edit.path, edit.after)
        try:
            run_tests(command, targets, timeout=120)
        finally:
            sandbox.write(edit.path, edit.before)
    return len(sample) / (time.perf_counter() - started)


def warm_rate(command: PytestCommand, targets: tuple[str, ...], tried: list[Candidate],
              jobs: int) -> tuple[float, float, int]:
    """(candidates/s, start-up seconds, candidates run in place)."""
    started = time.perf_counter()
    worker = WarmWorker(command, jobs=jobs, startup_timeout=120)
    worker.collect(["tests"])
    try:
        worker.run([])  # nothing: only the start-up below is timed
        assert worker.wait_ready(), "the warm worker did not start"
        startup = time.perf_counter() - started
        started = time.perf_counter()
        runs = worker.run([
            Job(targets, {c.edits[0].path: (c.edits[0].before, c.edits[0].after)}, timeout=60,
                stop_at_first_failure=len(targets) == 1)
            for c in tried
        ])
        rate = len(tried) / (time.perf_counter() - started)
    finally:
        worker.close()
    return rate, startup, sum(run is not None for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--subprocess-sample", type=int, default=8)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("examples", nargs="*")
    args = parser.parse_args()
    print(environment())
    for name in args.examples or sorted(BUGGY):
        repo = git_repo(EXAMPLES / name)
        commit_all(repo)
        command = command_for(repo)
        baseline = run_tests(command, ["tests"], timeout=120)
        targets = tuple(sorted(baseline.failed))
        tried = all_candidates(repo, BUGGY[name])
        cold, warm, startups = [], [], []
        in_place = 0
        for _ in range(args.runs):
            cold.append(subprocess_rate(command, targets, tried[: args.subprocess_sample]))
            rate, startup, in_place = warm_rate(command, targets, tried, args.jobs)
            warm.append(rate)
            startups.append(startup)
        print(f"{name}: {len(tried)} candidates ({in_place} in place), {len(targets)} failing tests")
        print(f"  subprocess per candidate  {spread(cold, ' cand/s', 1)}")
        print(f"  warm fork, {args.jobs} children   {spread(warm, ' cand/s', 1)}")
        print(f"  speed-up (medians)        {statistics.median(warm) / statistics.median(cold):.1f}x")
        print(f"  warm worker start-up      {spread(startups)}")
        shutil.rmtree(repo.parent)


if __name__ == "__main__":
    main()
