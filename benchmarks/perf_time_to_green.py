"""Time-to-green and peak memory per example, optionally padded to a ~300-test project.

Each run copies the example into a fresh git repository and runs `pytest --selfheal` once.
Reported: when the probe, triage and localization were done and the first candidate judged
(decisions.jsonl), time-to-green (report.json totals.seconds_to_green: from the end of the
test session to the first fix of every failing test confirmed by a clean run of the suite),
the whole heal (totals.seconds: also the alternatives, the regression test and the report),
the whole command, the CPU seconds the heal adds over a plain run (all processes; stable when the machine
is shared), and peak RSS of the largest process of the run (ru_maxrss over all waited-for
descendants) against a plain `pytest` run of the same project. Forked children share the warm
worker's pages, so the per-process peak is what bounds memory.

    python benchmarks/perf_time_to_green.py [--runs 5] [--pad 300] [--workers N] [example ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import EXAMPLES, commit_all, environment, git_repo, p90, spread

_PEAK = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(usage.ru_utime + usage.ru_stime, usage.ru_maxrss)\n"
)


def pad(repo: Path, tests: int) -> None:
    """Add passing tests until the project has about `tests` of them."""
    body = "\n".join(f"def test_padding_{n}():\n    assert {n} + 1 == {n + 1}\n" for n in range(tests))
    (repo / "tests" / "test_padding.py").write_text(body)


def peak_run(repo: Path, *args: str) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in MiB) of `python -m pytest ...` and all it started."""
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _PEAK, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=repo, env=env, capture_output=True, text=True, check=True,
    ).stdout
    cpu, peak = out.split()[-2:]
    return time.perf_counter() - started, float(cpu), int(peak) // 1024


_STAGES = ("probe", "triage", "suspects")


def stages(run_dir: Path) -> dict[str, float]:
    """Seconds from the heal's start (decisions.jsonl) at which the probe, triage and
    localization were done and the first candidate was judged."""
    at: dict[str, float] = {}
    for line in (run_dir / "decisions.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        kind = "first candidate" if record["kind"] == "candidate" else record["kind"]
        if kind in (*_STAGES, "first candidate"):
            at.setdefault(kind, record["t"])
    return at


def count_tests(repo: Path) -> int:
    out = subprocess.run([sys.executable, "-m", "pytest", "--co", "-q", "-p", "no:cacheprovider"],
                         cwd=repo, capture_output=True, text=True).stdout
    return sum("::" in line for line in out.splitlines())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pad", type=int, default=0, help="grow each example to about N tests")
    parser.add_argument("--workers", default=None, help="--selfheal-workers (default: one per core)")
    parser.add_argument("examples", nargs="*")
    args = parser.parse_args()
    names = args.examples or sorted(p.name for p in EXAMPLES.iterdir() if (p / "tests").is_dir())
    extra = [f"--selfheal-workers={args.workers}"] if args.workers is not None else []
    print(environment())
    all_greens: list[float] = []
    for name in names:
        green, heal, command, plain_mb, heal_mb, extra_cpu = [], [], [], [], [], []
        marks: dict[str, list[float]] = {}
        tests = 0
        for _ in range(args.runs):
            repo = git_repo(EXAMPLES / name)
            if args.pad:
                pad(repo, max(0, args.pad - count_tests(repo)))
            commit_all(repo)
            tests = count_tests(repo)
            _, plain_cpu, plain_peak = peak_run(repo)
            plain_mb.append(plain_peak)
            seconds, cpu, peak = peak_run(repo, "--selfheal", "--selfheal-agent=builtin", *extra)
            extra_cpu.append(cpu - plain_cpu)
            command.append(seconds)
            heal_mb.append(peak)
            report_file = next((repo / ".selfheal" / "runs").glob("*/report.json"))
            report = json.loads(report_file.read_text())
            for stage, seconds in stages(report_file.parent).items():
                marks.setdefault(stage, []).append(seconds)
            if report["status"] != "healed":
                raise SystemExit(f"{name}: not healed ({report['reason']})")
            green.append(report["totals"]["seconds_to_green"])
            heal.append(report["totals"]["seconds"])
            shutil.rmtree(repo.parent)
        all_greens.extend(green)
        ratio = statistics.median(heal_mb) / statistics.median(plain_mb)
        print(f"{name} ({tests} tests): time-to-green {spread(green)}, p90 {p90(green):.2f}s")
        print("  done after (medians from the heal's start): " + ", ".join(
            f"{stage} {statistics.median(marks[stage]):.2f}s"
            for stage in (*_STAGES, "first candidate") if stage in marks
        ) + f", green {statistics.median(green):.2f}s")
        print(f"  whole heal {spread(heal)}; whole command {spread(command)}")
        print(f"  CPU of the heal (all processes, beyond the plain run) {spread(extra_cpu)}")
        print(f"  peak RSS: plain pytest {spread(plain_mb, ' MiB', 0)}; "
              f"with the heal {spread(heal_mb, ' MiB', 0)}; ratio {ratio:.2f}")
    print(f"all examples: time-to-green median {statistics.median(all_greens):.2f}s, "
          f"p90 {p90(all_greens):.2f}s, n={len(all_greens)}")


if __name__ == "__main__":
    main()
