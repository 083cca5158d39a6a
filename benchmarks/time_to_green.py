"""Time-to-green per example: wall time of the heal itself (report.json totals.seconds),
and of the whole `pytest --selfheal` command.

    python benchmarks/time_to_green.py [--runs 5] [example ...]
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
        heal_seconds, command_seconds, candidates = [], [], []
        for _ in range(args.runs):
            repo = git_repo(EXAMPLES / name)
            commit_all(repo)
            command_seconds.append(timed_pytest(repo, "--selfheal", "--selfheal-agent=builtin"))
            report_path = next((repo / ".selfheal" / "runs").glob("*/report.json"))
            report = json.loads(report_path.read_text())
            if report["status"] != "healed":
                raise SystemExit(f"{name}: not healed ({report['reason']})")
            heal_seconds.append(report["totals"]["seconds"])
            candidates.append(report["totals"]["candidates"])
            shutil.rmtree(repo.parent)
        print(f"{name:<10} heal {summary(heal_seconds)}; whole command {summary(command_seconds)}; "
              f"candidates tried {candidates[0]}")


if __name__ == "__main__":
    main()
