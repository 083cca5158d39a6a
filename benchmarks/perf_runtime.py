"""What the runtime hook costs a running program: each recorded incident, and the path with no
exception (which must cost nothing: no hook runs until an exception reaches it).

    flock /work/bench.lock python benchmarks/perf_runtime.py [--runs 7] [--incidents 200]

Per incident: `Recorder.record` of a fresh exception raised three project frames deep with a few
arguments (a Decimal, a dict, a str), into a JSON-lines file, with and without secret values in the
environment; the first incident of a process also imports detect-secrets (measured apart, in
fresh processes). No exception: a call of a small function, timed with and without install(), runs
alternating; and the per-request cost of the WSGI middleware (a response made already, and one
streamed, which the middleware iterates through its own iterator) and per-run cost of a job, which
wrap the call (they are not free: a try block and, for a streamed response, the iterator).
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import subprocess
import sys
import tempfile
import timeit
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from _common import ROOT, environment, spread

from pytest_selfheal import runtime

ENV_SECRETS = {"SERVICE_API_KEY": "sk-live-7Hq2Xz9Lm4Np8Rt6Vw3Yb5", "DATABASE_PASSWORD": "pa55word!x",
               "HOME": "/home/app"}


def checkout(cart: dict[str, int], code: str) -> Decimal:
    return price(Decimal("19.90") * sum(cart.values()), code)


def price(total: Decimal, code: str) -> Decimal:
    return discount(total, code, 2)


def discount(total: Decimal, code: str, rounding: int) -> Decimal:
    return round(total * (100 - int(code)) / 100, rounding)


def raised() -> BaseException:
    try:
        checkout({"apple": 2, "pear": 1}, "FIFTY")
    except ValueError as exc:
        return exc
    raise AssertionError


def per_incident(incidents: int, env: dict[str, str]) -> float:
    """Median microseconds of one `record`, after a first one that pays the imports."""
    with tempfile.TemporaryDirectory() as scratch, \
            runtime.install(ROOT, path=Path(scratch) / "i.jsonl", rate=1e9, burst=10**9, env=env,
                            log=False) as recorder:
        recorder.record(raised())
        times = []
        for _ in range(incidents):
            exc = raised()
            times.append(timeit.timeit(functools.partial(recorder.record, exc), number=1))
        assert recorder.stats.recorded == incidents + 1 and recorder.stats.failed == 0
    return statistics.median(times) * 1e6


FIRST = """
import sys, tempfile, time
from pathlib import Path
sys.path.insert(0, {bench!r})
from perf_runtime import raised
from pytest_selfheal import runtime
with tempfile.TemporaryDirectory() as scratch:
    recorder = runtime.install({root!r}, path=Path(scratch) / "i.jsonl", log=False)
    exc = raised()
    started = time.perf_counter()
    recorder.record(exc)
    print(time.perf_counter() - started)
"""


def first_incident() -> float:
    """Seconds of the first incident in a fresh process (it imports detect-secrets)."""
    code = FIRST.format(bench=str(Path(__file__).parent), root=str(ROOT))
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout)


def work(n: int = 20) -> int:
    return sum(i * i for i in range(n))


def call_ns(call: Callable[[], object], number: int = 200_000) -> float:
    return min(timeit.repeat(call, number=number, repeat=5)) / number * 1e9


def no_exception(runs: int) -> tuple[list[float], list[float]]:
    """Nanoseconds of a call without the hook, and with it, alternating."""
    without, with_hook = [], []
    for _ in range(runs):
        without.append(call_ns(work))
        with tempfile.TemporaryDirectory() as scratch, \
                runtime.install(ROOT, path=Path(scratch) / "i.jsonl"):
            with_hook.append(call_ns(work))
    return without, with_hook


def wrappers(runs: int) -> dict[str, list[float]]:
    """Nanoseconds of a WSGI request and of a job with no exception, bare and wrapped. A request
    is served as a WSGI server serves it: the application called, its body iterated, then closed.
    A body made already (a list) is handed on as it is; a streamed one (a generator) is iterated
    through the middleware's wrapper, which records what the iteration raises."""
    def made(environ: dict[str, object], start_response: Callable[..., object]) -> list[bytes]:
        return [b"ok"]

    def streamed(environ: dict[str, object], start_response: Callable[..., object]) -> Iterator[bytes]:
        yield b"o"
        yield b"k"

    environ: dict[str, object] = {"REQUEST_METHOD": "GET", "PATH_INFO": "/"}

    def served(app: Callable[[dict[str, object], Callable[..., object]], Iterable[bytes]]
               ) -> Callable[[], None]:
        def request() -> None:
            body = app(environ, print)
            try:
                for _ in body:
                    pass
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()
        return request

    def in_job() -> int:
        with runtime.job("bench"):
            return work()

    calls: dict[str, Callable[[], object]] = {
        "wsgi list bare": served(made), "wsgi list wrapped": served(runtime.WSGIMiddleware(made)),
        "wsgi streamed bare": served(streamed),
        "wsgi streamed wrapped": served(runtime.WSGIMiddleware(streamed)),
        "job bare": work, "job wrapped": in_job}
    found: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(runs):
        for name, call in calls.items():
            found[name].append(call_ns(call, 100_000))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--incidents", type=int, default=200)
    args = parser.parse_args()
    print(environment())
    print(f"# python benchmarks/perf_runtime.py --runs {args.runs} --incidents {args.incidents}")
    results: dict[str, object] = {}
    for label, env in (("no secrets", {}), ("3 secret values", ENV_SECRETS)):
        medians = [per_incident(args.incidents, env) for _ in range(args.runs)]
        results[f"per incident, {label} (us)"] = medians
        print(f"per recorded incident, {label}: {spread(medians, 'us', 0)} (median of each run's "
              f"{args.incidents})")
    firsts = [first_incident() * 1000 for _ in range(args.runs)]
    results["first incident of a process (ms)"] = firsts
    print(f"first incident of a process (imports detect-secrets): {spread(firsts, 'ms', 0)}")
    without, with_hook = no_exception(args.runs)
    results["no exception (ns)"] = {"without": without, "with": with_hook}
    print(f"no exception, a call without the hook: {spread(without, 'ns', 1)}")
    print(f"no exception, the same call with it:   {spread(with_hook, 'ns', 1)} "
          f"(difference of medians {statistics.median(with_hook) - statistics.median(without):+.1f}ns)")
    for name, values in wrappers(args.runs).items():
        print(f"no exception, {name}: {spread(values, 'ns', 0)}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
