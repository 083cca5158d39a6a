"""Cost of the policy check per candidate: every builtin candidate at every line of each
example's source files, checked with the default policy; medians of --runs passes.

    python benchmarks/policy_check.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from _common import EXAMPLES

from pytest_selfheal.agents.builtin.agent import candidates
from pytest_selfheal.config import Settings
from pytest_selfheal.heal.policy import build_policy
from pytest_selfheal.models import Suspect
from pytest_selfheal.testfiles import TestFiles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    policy = build_policy(Settings(), TestFiles(("test_*.py",)),
                          submodules=(), test_literals=frozenset({17, "x"}))
    for example in sorted(p for p in EXAMPLES.iterdir() if (p / "tests").is_dir()):
        sources = [p for p in example.rglob("*.py") if "tests" not in p.parts]
        suspects = [Suspect(str(p.relative_to(example)), line, "", 1.0)
                    for p in sources for line in range(1, len(p.read_text().splitlines()) + 1)]
        pool = list(candidates(example, suspects))
        per_candidate = []
        for _ in range(args.runs):
            started = time.perf_counter()
            rejected = sum(policy.check(c) is not None for c in pool)
            per_candidate.append((time.perf_counter() - started) / len(pool))
        print(f"{example.name:<10} {len(pool)} candidates, {rejected} rejected; policy check "
              f"median {statistics.median(per_candidate) * 1e3:.2f} ms per candidate "
              f"(runs: {', '.join(f'{s * 1e3:.2f}' for s in per_candidate)})")


if __name__ == "__main__":
    main()
