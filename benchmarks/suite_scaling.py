"""Time-to-green against suite size: does a heal cost a multiple of the user's own suite time?

Generates a library shaped like a real one (a package of a few modules, test modules of 50 tests
that call it, a handful of slow tests) of 300, 3,000 and 10,000 tests, commits it, and injects
one bug into a helper that a tenth of the test modules use: it fails about one test in fifty with
two signatures (an assertion on the helper's value, a ValueError raised by its caller). For each
size, and serially and with `-n 2` (the heal's gate then runs under pytest-xdist too), it runs,
alternating the two sides:

- the plain run of the buggy suite (`pytest -q`, or `pytest -q -n 2`): the user's own suite time;
- `pytest --selfheal` of the same repository (a fresh copy each time): time-to-green
  (report.json `totals.seconds_to_green`), the whole heal (`totals.seconds`), the cost of each
  stage from decisions.jsonl (probe, triage with its rerun count, localization, candidates until
  the first complete fix, the gate runs, the alternatives window, the regression test), and peak
  RSS of the largest process against the plain run's.

Prints medians (min-max) and writes one JSON object per (size, engine) to
`benchmarks/results/suite_scaling.jsonl`, with every run's figures.

    python benchmarks/suite_scaling.py [--sizes 300 3000 10000] [--runs 3] [--engines serial xdist]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _common import ROOT, commit_all, environment, spread

PER_MODULE = 50
SLOW_TESTS = 4
SLOW_SECONDS = 0.25
RESULTS = ROOT / "benchmarks" / "results" / "suite_scaling.jsonl"

_PEAK = (
    "import resource, subprocess, sys, time\n"
    "started = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "wall = time.perf_counter() - started\n"
    "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(wall, usage.ru_maxrss)\n"
)

_PACKAGE = {
    "shop/__init__.py": "",
    "shop/money.py": '''\
"""Amounts in cents."""


def line_total(price, quantity):
    return price * quantity


def discount(total, percent):
    """The total after taking `percent` off, rounded down to the cent."""
    return total - total * percent // 100


def tax(total, permille):
    return total + total * permille // 1000


def split(total, parts):
    share, rest = divmod(total, parts)
    return [share + (1 if index < rest else 0) for index in range(parts)]
''',
    "shop/cart.py": '''\
"""A cart's checkout."""

from .money import discount, line_total, tax


def subtotal(lines):
    return sum(line_total(price, quantity) for price, quantity in lines)


def checkout(lines, percent, permille):
    total = subtotal(lines)
    reduced = discount(total, percent)
    if reduced > total:
        raise ValueError(f"discounted total {reduced} exceeds the total {total}")
    return tax(reduced, permille)
''',
    "shop/text.py": '''\
"""Labels."""


def slug(name):
    return "-".join(part for part in name.lower().replace("_", " ").split() if part)


def initials(name):
    return "".join(part[0].upper() for part in name.split())
''',
    "pyproject.toml": '''\
[tool.pytest.ini_options]
testpaths = ["tests"]
''',
}

BUG = ("shop/money.py", "return total - total * percent // 100", "return total + total * percent // 100")


def _test(module: int, index: int, buggy_module: bool) -> str:
    """One test: most call the package's unaffected functions; in a tenth of the modules, a
    fifth of the tests use the discount (and fail once the bug is in)."""
    n = module * PER_MODULE + index
    kind = index % 10
    if buggy_module and kind == 0:
        total, percent = 100 + n, 5 + n % 20
        return (f"def test_discount_{index}():\n"
                f"    assert discount({total}, {percent}) == {total - total * percent // 100}\n")
    if buggy_module and kind == 5:
        price, percent = 10 + n % 50, 1 + n % 30
        total = price * 3
        expected = (total - total * percent // 100) * 1021 // 1000
        return (f"def test_checkout_{index}():\n"
                f"    assert checkout([({price}, 3)], {percent}, 21) == {expected}\n")
    if kind in (1, 6):
        total = 200 + n
        return f"def test_no_discount_{index}():\n    assert discount({total}, 0) == {total}\n"
    if kind in (2, 7):
        price, quantity = 1 + n % 97, 1 + n % 7
        return (f"def test_line_total_{index}():\n"
                f"    assert line_total({price}, {quantity}) == {price * quantity}\n")
    if kind in (3, 8):
        total, parts = 1000 + n, 2 + n % 5
        return (f"def test_split_{index}():\n"
                f"    assert sum(split({total}, {parts})) == {total}\n")
    return (f"def test_slug_{index}():\n"
            f"    assert slug('Item {n} Name') == 'item-{n}-name'\n")


def generate(tests: int, workdir: Path) -> Path:
    """A committed repository of `tests` tests in `workdir`, then the bug as an uncommitted
    change (the changed lines a heal starts from)."""
    repo = workdir / "repo"
    for rel, text in _PACKAGE.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    modules = max(1, tests // PER_MODULE)
    for module in range(modules):
        buggy = module % 10 == 0
        body = ["import time\n", "from shop.cart import checkout",
                "from shop.money import discount, line_total, split", "from shop.text import slug\n\n"]
        body += [_test(module, index, buggy) for index in range(PER_MODULE)]
        if module < SLOW_TESTS:
            body.append(f"def test_slow():\n    time.sleep({SLOW_SECONDS})\n")
        (repo / "tests" / f"test_shop_{module:04d}.py").parent.mkdir(exist_ok=True)
        (repo / "tests" / f"test_shop_{module:04d}.py").write_text("\n\n".join(body))
    commit_all(repo)
    path, before, after = BUG
    source = (repo / path).read_text()
    (repo / path).write_text(source.replace(before, after))
    return repo


def peak_run(repo: Path, *args: str) -> tuple[float, int]:
    """(wall seconds, peak RSS in MiB of the largest process) of `python -m pytest -q ...`."""
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    out = subprocess.run(
        [sys.executable, "-c", _PEAK, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         *args], cwd=repo, env=env, capture_output=True, text=True, check=True,
    ).stdout
    wall, peak = out.split()[-2:]
    return float(wall), int(peak) // 1024


def stage_costs(run_dir: Path) -> dict[str, Any]:
    """Each stage's seconds (and the counts that drive them) from decisions.jsonl: waiting for the
    warm test process, the probe, triage's reruns, localization, the search up to the first
    complete fix, the gates (whole-suite runs), the alternatives window, the regression test."""
    records = [json.loads(line) for line in
               (run_dir / "decisions.jsonl").read_text(encoding="utf-8").splitlines()]
    first = {r["kind"]: r for r in reversed(records)}
    at = {kind: record["t"] for kind, record in first.items()}
    probe, triage = first.get("probe", {}), first.get("triage", {})
    reruns = triage.get("verdicts", {}).get("reruns", {})
    candidates = [r for r in records if r["kind"] == "candidate"]
    gates = [r for r in records if r["kind"] == "gate"]
    green = first.get("agent", {}).get("healed_at")
    return {
        "failures": len(first.get("start", {}).get("failures", [])),
        "waited_for_worker": probe.get("waited_for_worker"),
        "probe": probe.get("seconds"),
        "probe_done": at.get("probe"),
        "reruns": reruns.get("runs"),
        "triage": reruns.get("seconds"),
        "localize": _minus(at.get("suspects"), at.get("triage")),
        "search_to_green": _minus(green, at.get("suspects")),
        "gates": len(gates),
        "first_gate": gates[0]["seconds"] if gates else None,
        "gate_seconds": [g["seconds"] for g in gates],
        "candidates": len(candidates),
        "alternatives": _minus(at.get("agent"), green),
        "regression": first.get("regression", {}).get("seconds"),
    }


def _minus(later: float | None, earlier: float | None) -> float | None:
    return None if later is None or earlier is None else round(later - earlier, 3)


def measure(tests: int, engine: str, runs: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="selfheal-scaling-"))  # all this size's files, and only them
    try:
        return _measure(generate(tests, workdir), workdir, tests, engine, runs)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _measure(source: Path, workdir: Path, tests: int, engine: str, runs: int) -> dict[str, Any]:
    xdist = ["-n", "2"] if engine == "xdist" else []
    peak_run(source, *xdist)  # warm the file system cache and the bytecode
    plain, green, heal, plain_mb, heal_mb, stages, load = [], [], [], [], [], [], []
    for run in range(runs):
        load.append(os.getloadavg()[0])
        seconds, peak = peak_run(source, *xdist)
        plain.append(seconds)
        plain_mb.append(peak)
        repo = workdir / f"heal-{run}"
        shutil.copytree(source, repo, symlinks=True)
        _, peak = peak_run(repo, *xdist, "--selfheal", "--selfheal-agent=builtin")
        heal_mb.append(peak)
        report_file = next((repo / ".selfheal" / "runs").glob("*/report.json"))
        report = json.loads(report_file.read_text())
        if report["status"] != "healed":
            raise SystemExit(f"{tests} tests, {engine}: not healed ({report['reason']})")
        green.append(report["totals"]["seconds_to_green"])
        heal.append(report["totals"]["seconds"])
        stages.append(stage_costs(report_file.parent))
        shutil.rmtree(repo)
    suite = statistics.median(plain)
    return {
        "tests": tests, "engine": engine, "runs": runs,
        "suite_seconds": round(suite, 3),
        "time_to_green": round(statistics.median(green), 3),
        "ratio": round(statistics.median(green) / suite, 2),
        "whole_heal": round(statistics.median(heal), 3),
        "peak_mib": {"plain": statistics.median(plain_mb), "heal": statistics.median(heal_mb)},
        "load_average": round(statistics.median(load), 1),
        "stages": {key: _median([s[key] for s in stages]) for key in stages[0]
                   if key != "gate_seconds"},
        "each_run": {"plain": plain, "time_to_green": green, "whole_heal": heal, "stages": stages},
    }


def _median(values: list[Any]) -> Any:
    known = [v for v in values if v is not None]
    return round(statistics.median(known), 3) if known else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 3000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", nargs="+", choices=("serial", "xdist"), default=["serial", "xdist"])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    print(environment())
    rows = []
    for tests in args.sizes:
        for engine in args.engines:
            row = measure(tests, engine, args.runs)
            rows.append(row)
            budget = 2 * row["suite_seconds"] if row["suite_seconds"] >= 5 else 1.5 + row["suite_seconds"]
            print(f"{tests} tests, {engine}: suite {spread(row['each_run']['plain'])}; "
                  f"time-to-green {spread(row['each_run']['time_to_green'])} = {row['ratio']}x the suite "
                  f"(goal {budget:.1f}s); whole heal {spread(row['each_run']['whole_heal'])}; "
                  f"peak RSS {row['peak_mib']['heal']} vs {row['peak_mib']['plain']} MiB")
            print("  stages (medians): " + ", ".join(f"{k} {v}" for k, v in row["stages"].items()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps({"environment": environment(), **row}) + "\n")


if __name__ == "__main__":
    main()
