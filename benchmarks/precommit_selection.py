"""Time for the pre-commit hook to block a breaking commit: with the test map (only the
affected tests run first) vs without it (the whole suite runs), alternated. Healing is off
(`-- --no-selfheal`) so the numbers measure selection, not repair.

    python benchmarks/precommit_selection.py [--modules 20] [--tests 25] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import commit_all, git_repo, summary


def hook(repo: Path) -> tuple[float, int]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    started = time.perf_counter()
    code = subprocess.run([sys.executable, "-m", "pytest_selfheal", "hook", "--", "--no-selfheal",
                           "-q", "-p", "no:cacheprovider"], cwd=repo, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    return time.perf_counter() - started, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--modules", type=int, default=20)
    parser.add_argument("--tests", type=int, default=25, help="tests per module")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    repo = git_repo()
    (repo / "pkg").mkdir()
    (repo / "pkg" / "__init__.py").write_text("")
    (repo / "tests").mkdir()
    for m in range(args.modules):
        (repo / "pkg" / f"mod{m}.py").write_text(f"def scale(x):\n    return x * {m + 2}\n")
        tests = "".join(
            f"\ndef test_{t}():\n    time.sleep(0.005)\n    assert scale({t}) == {t * (m + 2)}\n"
            for t in range(args.tests))
        (repo / "tests" / f"test_mod{m}.py").write_text(
            f"import time\nfrom pkg.mod{m} import scale\n{tests}")
    commit_all(repo)
    assert hook(repo)[1] == 0, "the green suite must pass and record the map"
    test_map = repo / ".selfheal" / "testmap.json"
    recorded = test_map.read_bytes()
    (repo / "pkg" / "mod0.py").write_text("def scale(x):\n    return x * 3\n")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    selected, whole = [], []
    for _ in range(args.runs):
        test_map.write_bytes(recorded)
        seconds, code = hook(repo)
        assert code == 1, "the breaking change must block"
        selected.append(seconds)
        test_map.unlink()
        seconds, code = hook(repo)
        assert code == 1
        whole.append(seconds)
    print(f"{args.modules * args.tests} tests in {args.modules} modules; one module broken; "
          f"{args.runs} alternating runs each")
    print(f"  hook with the test map (affected tests first)  {summary(selected)}")
    print(f"  hook without it (whole suite)                  {summary(whole)}")
    print(f"  ratio of medians   {statistics.median(selected) / statistics.median(whole):.3f}")


if __name__ == "__main__":
    main()
