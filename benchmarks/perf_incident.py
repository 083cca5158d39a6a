"""From a production incident to a validated fix, on the ratings service (examples/service).

Each run copies the service into a fresh git repository, serves it with the runtime hook
(`serve.py`), sends the request that fails (an even number of ratings), and then times
`pytest-selfheal heal .selfheal/incidents.jsonl` with the builtin agent. Reported, as medians:
the whole command (the user's suite, the reproduction at HEAD, the heal and its report), the
heal's time to its first validated fix (report.json totals.seconds_to_green) and the heal itself
(totals.seconds, which also ranks alternatives); and whether the fix is the developer's
(`middle - 1`). The goal is an incident to a validated fix in under 10 s.

    python benchmarks/perf_incident.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from _common import EXAMPLES, commit_all, environment, git_repo, spread

from pytest_selfheal.cli.demo_incident import serve_and_request
from pytest_selfheal.runtime.hooks import DEFAULT_PATH

FAILING_REQUEST = "/products/shelf-04/rating"


def record_incident(repo: Path) -> Path:
    """Serve the service with the hook, send the failing request, stop it; the incidents file."""
    [(_, status)] = serve_and_request(repo, [FAILING_REQUEST])
    assert status.startswith("500"), status
    return repo / DEFAULT_PATH


def one_run() -> dict[str, object]:
    repo = git_repo(EXAMPLES / "service")
    commit_all(repo)
    incidents = record_incident(repo)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest_selfheal", "heal", str(incidents), "--",
                           "--selfheal-agent=builtin", "-q", "-p", "no:cacheprovider"],
                          cwd=repo, capture_output=True, text=True)
    wall = time.perf_counter() - started
    reports = sorted((repo / ".selfheal" / "runs").glob("*/report.json"))
    report = json.loads(reports[-1].read_text()) if reports else {}
    totals = report.get("totals", {})
    diff = (reports[-1].parent / "fix.diff").read_text() if reports else ""
    return {"healed": done.returncode == 0, "wall": wall,
            "to_green": totals.get("seconds_to_green"), "heal": totals.get("seconds"),
            "correct": "+    return (ordered[middle] + ordered[middle - 1]) / 2" in diff}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(environment())
    runs = [one_run() for _ in range(args.runs)]
    for number, run in enumerate(runs, 1):
        print(f"run {number}: {json.dumps(run)}", flush=True)
    healed = [r for r in runs if r["healed"]]
    print(f"healed {len(healed)}/{len(runs)}, the developer's fix {sum(bool(r['correct']) for r in runs)}")
    if healed:
        print(f"incident file to fix.diff (pytest-selfheal heal): "
              f"{spread([float(r['wall']) for r in healed])}")
        print(f"heal to its first validated fix: {spread([float(r['to_green']) for r in healed])}")
        print(f"whole heal: {spread([float(r['heal']) for r in healed])}")


if __name__ == "__main__":
    main()
