"""What redaction costs a heal with many failures: hiding secrets in the failures as the heal
starts, and writing report.json, report.md, decisions.jsonl and the terminal section through the
Redactor, against the same writes without it.

    python benchmarks/perf_redaction.py [--runs 5] [--failures 183] [--candidates 200]

Two profiles: `typical` (pytest's assertion explanation and a few log lines per failure) and
`worst` (message and captured output both at the session's 4,000-character limit). The import of
detect-secrets (and `requests`, which its plugins import) is measured apart, in fresh processes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from _common import ROOT, environment, spread
from rich.console import Console

from pytest_selfheal.config import Settings
from pytest_selfheal.heal.request import HealRequest, HealResult
from pytest_selfheal.models import Candidate, Edit, Failure, Outcome, Suspect, Verdict
from pytest_selfheal.output import report
from pytest_selfheal.output.decisions import DecisionLog
from pytest_selfheal.output.terminal import render
from pytest_selfheal.redaction import Redactor

LIMIT = 4_000  # session.OUTPUT_LIMIT
ENV = {"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
       "GITHUB_TOKEN": "ghp_R2d2C3poBb8Yoda1Luke2Leia3Han4Solo5x", "DATABASE_PASSWORD": "pa55word!x",
       "HOME": "/home/dev", "PATH": "/usr/local/bin:/usr/bin:/bin"}


def message(index: int, worst: bool) -> str:
    text = (f"assert {{'id': {index}, 'total': Decimal('{index}.50'), 'items': ['a', 'b']}} == "
            f"{{'id': {index}, 'total': Decimal('{index}.05'), 'items': ['a', 'b']}}\n"
            "  Omitting 2 identical items, use -vv to show\n  Differing items:\n"
            f"  {{'total': Decimal('{index}.50')}} != {{'total': Decimal('{index}.05')}}\n"
            "  Full diff:\n    {\n     'id': 1,\n-    'total': Decimal('1.05'),\n"
            "+    'total': Decimal('1.50'),\n")
    return (text * (LIMIT // len(text) + 1))[:LIMIT] if worst else text


def output(index: int, worst: bool) -> str:
    lines = [f"2026-01-01 00:00:{index % 60:02d} INFO orders.service: loaded order {index} from "
             f"postgresql://orders@db.internal:5432/orders in 0.{index:03d}s" for _ in range(40)]
    text = "----------------------------- Captured log call ------------------------------\n" + \
        "\n".join(lines if worst else lines[:4])
    return text[:LIMIT]


def result(run_dir: Path, failures: int, candidates: int, worst: bool) -> HealResult:
    nodeids = [f"tests/test_orders_{i // 20}.py::test_total[case{i}]" for i in range(failures)]
    request = HealRequest(
        repo_root=run_dir, rootdir=run_dir,
        failures=tuple(Failure(n, "call", "AssertionError", message(i, worst), output=output(i, worst))
                       for i, n in enumerate(nodeids)),
        outcomes=dict.fromkeys(nodeids, "failed"), settings=Settings(),
        make_agent=lambda name: sys.exit("no agent"), run_id="20260101-000000-000001",
        redactor=Redactor.from_environment(ENV),
    )
    before = "def total(order):\n    return sum(item.price for item in order.items) * (1 - order.discount)\n"
    outcomes = tuple(
        Outcome(Candidate((Edit("orders/service.py", before, before.replace("1 -", f"{k} -"),
                                f"`1` -> `{k}` at orders/service.py:2", "integer-constant", 2),)),
                Verdict.STILL_FAILING, 0.01, detail=f"{nodeids[0]}: {message(k, False)[:300]}")
        for k in range(candidates))
    return HealResult("not-healed", "no plausible fix found", request, run_dir=run_dir,
                      targets=tuple(nodeids), outcomes=outcomes, agent="builtin",
                      suspects=tuple(Suspect("orders/service.py", 2, "total", 0.9) for _ in range(5)))


class Unredacted(Redactor):
    """The baseline: the same writers and serialization, nothing hidden or cleaned."""

    def hide(self, text: str) -> str:
        return text

    def clean(self, text: str) -> str:
        return text


def heal_output(healed: HealResult, log_path: Path) -> None:
    """What a heal does with its redactor: hide the failures' secrets as it begins, log every
    candidate, write the run directory, show the terminal section."""
    request = healed.request.hiding_secrets()
    log = DecisionLog(log_path.parent, request.redactor)
    for number, outcome in enumerate(healed.outcomes):
        log.candidate(number, outcome, None)
    shown = replace(healed, request=request)
    report.write_run(shown)
    with open(os.devnull, "w") as devnull:
        render(shown, Console(file=devnull, width=120))


def cold_import_seconds(runs: int) -> list[float]:
    code = ("import time; t = time.perf_counter(); from pytest_selfheal.redaction import Redactor; "
            "Redactor(()).hide('warm up'); print(time.perf_counter() - t)")
    return [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                 text=True, cwd=ROOT).stdout) for _ in range(runs)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--failures", type=int, default=183)
    parser.add_argument("--candidates", type=int, default=200)
    args = parser.parse_args()
    print(environment())
    print(f"first use (import detect-secrets, first scan), fresh process: "
          f"{spread(cold_import_seconds(args.runs), digits=3)}")
    Redactor(()).hide("warm up")
    for profile in ("typical", "worst"):
        scratch = Path(tempfile.mkdtemp(prefix="selfheal-bench-"))
        healed = result(scratch, args.failures, args.candidates, profile == "worst")
        size = sum(len(f.message) + len(f.output) for f in healed.request.failures)
        plain = replace(healed, request=replace(healed.request, redactor=Unredacted(())))
        times: dict[str, list[float]] = {"plain": [], "redacted": []}
        for _ in range(args.runs):  # alternated, so that load on the machine hits both alike
            fresh = Redactor.from_environment(ENV)  # it remembers what it hid: new for each run
            redacted = replace(healed, request=replace(healed.request, redactor=fresh))
            for name, run in (("plain", plain), ("redacted", redacted)):
                log = scratch / "decisions.jsonl"
                log.unlink(missing_ok=True)
                started = time.perf_counter()
                heal_output(run, log)
                times[name].append(time.perf_counter() - started)
        extra = [r - p for p, r in zip(times["plain"], times["redacted"], strict=True)]
        print(f"{profile:<8} {args.failures} failures ({size / 1e6:.2f} MB of messages and output), "
              f"{args.candidates} candidates: plain {spread(times['plain'], digits=3)}; "
              f"redacted {spread(times['redacted'], digits=3)}; "
              f"redaction adds median {statistics.median(extra):.3f}s")
        shutil.rmtree(scratch)


if __name__ == "__main__":
    main()
