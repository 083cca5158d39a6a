"""Green overhead and import cost of the plugin.

1. `pytest` vs `pytest --selfheal` on a green suite (default 2,000 tests), alternated, as a
   ratio of medians, in wall time and in CPU time (user+sys, which stays meaningful when other
   work shares the machine). Nothing is traced or imported for healing while the suite is green.
2. `python -X importtime -c "import pytest_selfheal.plugin"`: the plugin's own cumulative import
   time, with pytest already counted separately (it is imported by every pytest run anyway).

    python benchmarks/perf_green.py [--tests 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys

from _common import ROOT, environment, green_suite, measured_pytest, spread


def plugin_import_ms() -> float:
    """Cumulative import time of pytest_selfheal.plugin beyond what pytest itself imports."""
    stderr = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import pytest; import pytest_selfheal.plugin"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stderr
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|\s*pytest_selfheal(\.plugin)?$", line)
        if match and match[2]:
            return int(match[1]) / 1000
    raise SystemExit("pytest_selfheal.plugin not found in -X importtime output")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tests", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(environment())
    repo = green_suite(args.tests)
    plain, healing = [], []
    measured_pytest(repo)  # warm the file system cache
    for _ in range(args.runs):
        plain.append(measured_pytest(repo))
        healing.append(measured_pytest(repo, "--selfheal"))
    imports = [plugin_import_ms() for _ in range(args.runs)]
    print(f"green suite of {args.tests} tests, {args.runs} alternating runs each")
    for index, kind in enumerate(("wall", "CPU")):
        base = [run[index] for run in plain]
        heal = [run[index] for run in healing]
        ratios = [h / p for h, p in zip(heal, base, strict=True)]
        print(f"  {kind:<4} pytest             {spread(base)}")
        print(f"  {kind:<4} pytest --selfheal  {spread(heal)}")
        print(f"  {kind:<4} ratio of medians   {statistics.median(heal) / statistics.median(base):.3f} "
              f"(per-pair ratios min {min(ratios):.3f}, max {max(ratios):.3f})")
    print(f"import pytest_selfheal.plugin (after pytest): {spread(imports, 'ms', 1)}")


if __name__ == "__main__":
    main()
