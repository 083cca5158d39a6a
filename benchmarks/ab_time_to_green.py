"""Time-to-green of two checkouts of pytest-selfheal on the same bugs, alternated bug by bug.

A shared machine's load changes from minute to minute, so two runs of the corpus taken one
after the other cannot say whether a change made healing slower. Here each bug is healed by
both checkouts back to back, the order flipped on every other bug, each through that
checkout's own `benchmarks/repair_rate.py` (which puts that checkout first on PYTHONPATH).
The bugs are drawn at random (seeded) from those the committed results say are healed.

    python benchmarks/ab_time_to_green.py --old DIR --new DIR [--corpus own] [--bugs 30]
                                          [--budget 40] [--seed 7] [--jsonl FILE]

Prints, over the bugs both heal, the median and p90 time-to-green of each side and the median
of the per-bug ratios new/old.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ROOT, p90

RESULTS = {"own": "repair_rate_budget40.jsonl", "realbugs": "repair_rate_realbugs.jsonl",
           "mutants": "repair_rate_mutants.jsonl"}


def healed_bugs(corpus: str) -> list[str]:
    path = ROOT / "benchmarks" / "results" / RESULTS[corpus]
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return sorted(row["id"] for row in rows if row["plausible"])


def heal(checkout: Path, corpus: str, bug: str, budget: float) -> dict[str, object]:
    """One heal of `bug` by the checkout's own repair_rate.py: its recorded row."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "row.jsonl"
        subprocess.run([sys.executable, str(checkout / "benchmarks" / "repair_rate.py"), "--corpus",
                        corpus, "--bugs", bug, "--budget", str(budget), "--jsonl", str(out)],
                       capture_output=True, check=False)
        lines = out.read_text().splitlines() if out.exists() else []
    return json.loads(lines[-1]) if lines else {"id": bug, "to_green": None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="checkout measured first on even bugs")
    parser.add_argument("--new", type=Path, required=True)
    parser.add_argument("--corpus", choices=sorted(RESULTS), default="own")
    parser.add_argument("--bugs", type=int, default=30)
    parser.add_argument("--budget", type=float, default=40.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jsonl", type=Path, help="append each heal's side, bug and time-to-green")
    args = parser.parse_args()
    bugs = random.Random(args.seed).sample(healed_bugs(args.corpus), args.bugs)
    sides = {"old": args.old.resolve(), "new": args.new.resolve()}
    times: dict[str, dict[str, float | None]] = {"old": {}, "new": {}}
    for index, bug in enumerate(bugs):
        for side in ("old", "new") if index % 2 == 0 else ("new", "old"):
            row = heal(sides[side], args.corpus, bug, args.budget)
            seconds = row.get("to_green")
            times[side][bug] = float(seconds) if isinstance(seconds, int | float) else None
            if args.jsonl:
                with args.jsonl.open("a") as out:
                    out.write(json.dumps({"bug": bug, "side": side, "to_green": times[side][bug]}) + "\n")
    both = [bug for bug in bugs if times["old"][bug] is not None and times["new"][bug] is not None]
    old = [times["old"][bug] or 0.0 for bug in both]
    new = [times["new"][bug] or 0.0 for bug in both]
    if not both:
        print("no bug healed by both")
        return
    ratios = [n / o for o, n in zip(old, new, strict=True) if o > 0]
    print(f"{len(both)} of {len(bugs)} bugs healed by both")
    print(f"time-to-green median old {statistics.median(old):.2f}s new {statistics.median(new):.2f}s, "
          f"p90 old {p90(old):.2f}s new {p90(new):.2f}s, median per-bug ratio new/old "
          f"{statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
