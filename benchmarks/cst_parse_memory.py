"""What parsing a long module with LibCST adds to a process's peak memory: the whole text at
once (`libcst.parse_module`) against `pytest_selfheal.cst_parse.parse_module` (in pieces).

    python benchmarks/cst_parse_memory.py [--runs 3] [FILE ...]

Each parse runs in a fresh interpreter that has imported LibCST already, the two ways alternated
run by run; the peak is /proc's VmHWM (Linux only). Without FILEs, three long modules of the
standard library.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from _common import ROOT

_MEASURE = """
import sys, time
import libcst
from pytest_selfheal.cst_parse import parse_module

def peak():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024

text = open(sys.argv[2], encoding="utf-8").read()
before, started = peak(), time.perf_counter()
module = libcst.parse_module(text) if sys.argv[1] == "whole" else parse_module(text)
print(peak() - before, time.perf_counter() - started)
"""


def measure(way: str, path: Path) -> tuple[float, float]:
    """(MiB added to the peak, seconds) of one parse of `path` in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, way, str(path.resolve())], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    library = Path(argparse.__file__).parent
    files = args.files or [library / "typing.py", library / "argparse.py", library / "inspect.py"]
    for path in files:
        found: dict[str, list[tuple[float, float]]] = {"whole": [], "pieces": []}
        for _ in range(args.runs):
            for way in found:
                found[way].append(measure(way, path))
        medians = {way: (statistics.median(m for m, _ in runs), statistics.median(s for _, s in runs))
                   for way, runs in found.items()}
        print(f"{path.name} ({path.stat().st_size // 1024} kB): peak +{medians['whole'][0]:.1f} MiB "
              f"whole, +{medians['pieces'][0]:.1f} MiB in pieces; {medians['whole'][1]:.2f} s vs "
              f"{medians['pieces'][1]:.2f} s (medians of {args.runs})")


if __name__ == "__main__":
    main()
