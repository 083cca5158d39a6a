"""What triage costs: heal time (report.json totals.seconds) per example with each rerun count.

    python benchmarks/triage_cost.py [--runs 5] [--reruns 1 3] [example ...]
"""

from __future__ import annotations

import argparse
import json
import shutil

from _common import EXAMPLES, commit_all, git_repo, summary, timed_pytest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reruns", type=int, nargs="+", default=[1, 3])
    parser.add_argument("examples", nargs="*")
    args = parser.parse_args()
    names = args.examples or sorted(p.name for p in EXAMPLES.iterdir() if (p / "tests").is_dir())
    for name in names:
        for reruns in args.reruns:
            heal_seconds = []
            for _ in range(args.runs):
                repo = git_repo(EXAMPLES / name)
                commit_all(repo)
                timed_pytest(repo, "--selfheal", "--selfheal-agent=builtin", f"--selfheal-reruns={reruns}")
                report_path = next((repo / ".selfheal" / "runs").glob("*/report.json"))
                report = json.loads(report_path.read_text())
                if report["status"] != "healed":
                    raise SystemExit(f"{name}: not healed ({report['reason']})")
                heal_seconds.append(report["totals"]["seconds"])
                shutil.rmtree(repo.parent)
            print(f"{name:<10} reruns={reruns} failing={report['totals']['failures']} "
                  f"heal {summary(heal_seconds)}")


if __name__ == "__main__":
    main()
