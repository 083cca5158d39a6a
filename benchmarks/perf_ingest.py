"""Ingest throughput of `pytest-selfheal incidents`: incidents read and grouped per second.

Writes LINES JSON lines as the runtime hook writes them (realistic frames and arguments, a few
dozen signatures over two versions, messages with run-specific numbers), then times reading and
grouping them, RUNS times. Run it alone on the machine:

    flock /work/bench.lock python benchmarks/perf_ingest.py [--lines 1000000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from pytest_selfheal.incidents.groups import group
from pytest_selfheal.incidents.read import read
from pytest_selfheal.incidents.stacktrace import ProjectFiles
from pytest_selfheal.runtime.incident import Incident, IncidentFrame, RaisedException

_ERRORS = (("KeyError", "'sku-{n}'"), ("ValueError", "invalid quantity {n} for order {n}"),
           ("ZeroDivisionError", "division by zero"), ("TimeoutError", "read timed out (timeout={n})"),
           ("decimal.InvalidOperation", "[<class 'decimal.ConversionSyntax'>]"))
_FUNCTIONS = (("shop/cart.py", "Cart.total"), ("shop/orders.py", "place_order"),
              ("shop/pricing.py", "discount"), ("shop/stock.py", "reserve"),
              ("shop/api.py", "handle"), ("shop/tax.py", "rate_for"))


def incident_line(n: int) -> str:
    exc_type, message = _ERRORS[n % len(_ERRORS)]
    path, function = _FUNCTIONS[(n // 7) % len(_FUNCTIONS)]
    frames = (
        IncidentFrame("/usr/lib/python3.11/wsgiref/handlers.py", 137, "BaseHandler.run", False),
        IncidentFrame("shop/api.py", 40, "handle", True,
                      ({"name": "request", "kind": "positional", "value": {"path": "/orders", "id": n}},)),
        IncidentFrame(path, 10 + n % 3, function, True,
                      ({"name": "quantity", "kind": "positional", "value": n % 50},
                       {"name": "items", "kind": "positional", "value": [1, 2, 3]})),
    )
    return Incident(
        id=f"{n:032x}", time=1_700_000_000 + n * 0.1, version="a" * 40 if n < 500_000 else "b" * 40,
        source="wsgi", process={"pid": 4242, "executable": "python3", "host": "web-1"},
        chain=(RaisedException(exc_type, message.format(n=n), "raised", frames),),
    ).to_line()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "incidents.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for n in range(args.lines):
                out.write(incident_line(n) + "\n")
        project = ProjectFiles.of(p for p, _ in _FUNCTIONS)
        rates: dict[str, list[float]] = {"read": [], "group": [], "read and group": []}
        for _ in range(args.runs):
            started = time.perf_counter()
            ingest = read([str(path)], project)
            read_at = time.perf_counter()
            groups = group(ingest.occurrences)
            done_at = time.perf_counter()
            assert len(ingest.occurrences) == args.lines and not ingest.problems
            distinct = len({o.message for o in ingest.occurrences})
            rates["read"].append(args.lines / (read_at - started))
            rates["group"].append(args.lines / (done_at - read_at))
            rates["read and group"].append(args.lines / (done_at - started))
            del ingest
        size = path.stat().st_size / 1e6
    print(f"{args.lines} lines ({size:.0f} MB), {distinct} distinct messages, "
          f"{len(groups)} signatures")
    for phase, values in rates.items():
        print(f"  {phase:<15} median {statistics.median(values):>9,.0f} incidents/s "
              f"(min {min(values):,.0f}, max {max(values):,.0f}, n={args.runs})")


if __name__ == "__main__":
    main()
