"""Cost and reach of the regression-test stage.

Per example: its seconds (report.json regression.seconds) against the whole heal (totals.seconds),
and how many witness tests it emitted. (The share of healed bugs of a corpus whose fix came with
a proven regression test, and why the others did not, is in repair_rate.py's summary.)

    python benchmarks/regression_cost.py [--runs 5] [example ...]
    python benchmarks/regression_cost.py --tracing [--runs 5]

--tracing times the recorder inside one process on a workload of the project's objects (2,000
objects, 6 method calls each): untraced, traced with carving off (no file is the project's),
and traced with carving on (MAX_CARVED objects per test are followed, the rest only checked).
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from _common import EXAMPLES, commit_all, git_repo, summary, timed_pytest


def _report(repo: Path) -> dict[str, object]:
    report: dict[str, object] = json.loads(
        sorted((repo / ".selfheal" / "runs").glob("*/report.json"))[-1].read_text())
    return report


def examples(names: list[str], runs: int) -> None:
    for name in names:
        stage, heal, tests = [], [], set()
        for _ in range(runs):
            repo = git_repo(EXAMPLES / name)
            commit_all(repo)
            timed_pytest(repo, "--selfheal", "--selfheal-agent=builtin")
            report = _report(repo)
            regression: dict[str, object] = report.get("regression") or {}  # type: ignore[assignment]
            if not regression.get("path"):
                raise SystemExit(f"{name}: no regression test ({regression.get('reason')})")
            stage.append(float(regression["seconds"]))  # type: ignore[arg-type]
            heal.append(float(report["totals"]["seconds"]))  # type: ignore[index]
            tests.add(len(regression["tests"]))  # type: ignore[arg-type]
            shutil.rmtree(repo.parent)
        print(f"{name:<10} regression stage {summary(stage)}; whole heal {summary(heal)}; "
              f"tests emitted {sorted(tests)}", flush=True)


WORKLOAD = """
class Account:
    def __init__(self, owner, limit=100):
        self.owner = owner
        self.limit = limit
        self.entries = []

    def deposit(self, amount):
        self.entries.append(amount)

    def balance(self):
        return sum(self.entries)


def run():
    total = 0
    for number in range(2000):
        account = Account(f"owner{number}")
        for amount in range(3):
            account.deposit(amount)
            total += account.balance()
    return total


def target():
    pass
"""


def tracing(runs: int) -> None:
    import importlib.util
    import os
    import sys
    import tempfile
    import time

    from pytest_selfheal.sandbox.protocol import SANDBOX_ENV
    from pytest_selfheal.testproc import recorder

    root = Path(tempfile.mkdtemp(prefix="selfheal-trace-"))
    (root / "workload.py").write_text(WORKLOAD)
    spec = importlib.util.spec_from_file_location("workload", root / "workload.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    timings: dict[str, list[float]] = {"untraced": [], "carving off": [], "carving on": []}
    for _ in range(runs):
        for label in timings:
            os.environ[SANDBOX_ENV] = str(root if label == "carving on" else root / "elsewhere")
            traced = recorder.Recorder({"file": str(root / "workload.py"), "qualname": "target",
                                        "output": str(root)})
            started = time.perf_counter()
            if label != "untraced":
                sys.settrace(traced.trace)
            try:
                module.run()
            finally:
                sys.settrace(None)
            timings[label].append(time.perf_counter() - started)
            traced.carver.reset()
    shutil.rmtree(root)
    for label, values in timings.items():
        print(f"{label:<12} {summary(values)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tracing", action="store_true", help="the recorder's cost in a process")
    parser.add_argument("examples", nargs="*")
    args = parser.parse_args()
    if args.tracing:
        tracing(args.runs)
        return
    examples(args.examples or sorted(p.name for p in EXAMPLES.iterdir() if (p / "tests").is_dir()),
             args.runs)


if __name__ == "__main__":
    main()
