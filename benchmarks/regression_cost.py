"""Cost of the regression-test stage per example: its seconds (report.json regression.seconds)
against the whole heal (totals.seconds), and how many witness tests it emitted.

    python benchmarks/regression_cost.py [--runs 5] [example ...]
"""

from __future__ import annotations

import argparse
import json
import shutil

from _common import EXAMPLES, commit_all, git_repo, summary, timed_pytest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("examples", nargs="*")
    args = parser.parse_args()
    names = args.examples or sorted(p.name for p in EXAMPLES.iterdir() if (p / "tests").is_dir())
    for name in names:
        stage, heal, tests = [], [], set()
        for _ in range(args.runs):
            repo = git_repo(EXAMPLES / name)
            commit_all(repo)
            timed_pytest(repo, "--selfheal", "--selfheal-agent=builtin")
            report = json.loads(next((repo / ".selfheal" / "runs").glob("*/report.json")).read_text())
            regression = report.get("regression") or {}
            if not regression.get("path"):
                raise SystemExit(f"{name}: no regression test ({regression.get('reason')})")
            stage.append(regression["seconds"])
            heal.append(report["totals"]["seconds"])
            tests.add(len(regression["tests"]))
            shutil.rmtree(repo.parent)
        print(f"{name:<10} regression stage {summary(stage)}; whole heal {summary(heal)}; "
              f"tests emitted {sorted(tests)}")


if __name__ == "__main__":
    main()
