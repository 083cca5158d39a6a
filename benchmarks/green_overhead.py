"""Cost of `--selfheal` on a green suite: `pytest` vs `pytest --selfheal`, alternated.

    python benchmarks/green_overhead.py [--tests 500] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics

from _common import commit_all, git_repo, summary, timed_pytest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tests", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    repo = git_repo()
    per_file = 50
    for index in range(args.tests // per_file):
        body = "\n".join(
            f"def test_{index}_{n}():\n    assert sum(range({n})) == {n * (n - 1) // 2}\n"
            for n in range(per_file)
        )
        (repo / f"test_generated_{index}.py").write_text(body)
    commit_all(repo)
    plain, healing = [], []
    timed_pytest(repo)  # warm the file system cache
    for _ in range(args.runs):
        plain.append(timed_pytest(repo))
        healing.append(timed_pytest(repo, "--selfheal"))
    ratio = statistics.median(healing) / statistics.median(plain)
    print(f"green suite of {args.tests} tests, {args.runs} alternating runs each")
    print(f"  pytest             {summary(plain)}")
    print(f"  pytest --selfheal  {summary(healing)}")
    print(f"  ratio of medians   {ratio:.3f}")


if __name__ == "__main__":
    main()
