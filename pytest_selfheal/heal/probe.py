"""Rerun tests under coverage.py with one context per test, in the sandbox: the spectrum."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from ..models import Lines, Spectrum, TestRunResult
from ..sandbox.testruns import Job, TestRuns
from .signature import spread_sample


def start_probe(runs: TestRuns, nodeids: Sequence[str], *, timeout: float,
                failing: Sequence[str] = ()) -> Callable[[], tuple[Spectrum, TestRunResult]]:
    """Start running `nodeids` under coverage; the call returned waits for them and gives which
    lines each test executed, and the run.

    The `failing` tests are traced whole; every other test only for its first moments of CPU
    time (testproc/contexts.py): the lines a passing test runs late in a long loop are not
    counted for it, and the probe costs about what the tests cost untraced, not several times.

    In warm children when the worker is up, else in a subprocess. After a session under
    pytest-xdist the probe runs as that session did, in as many processes: that many warm
    children, a share of the test modules each (a module's tests stay together, in the order
    given), or one subprocess under pytest-xdist; after a serial session, in one process."""
    data_file = runs.command.scratch / "probe.coverage"
    shares = module_shares(nodeids, runs.xdist_workers if runs.warm is not None else 1)
    whole = tuple(failing)
    jobs = [Job(tuple(share), {}, timeout=timeout, parallel=True, coverage_whole=whole,
                coverage=data_file if len(shares) == 1 else data_file.with_name(f"{data_file.name}.{i}"))
            for i, share in enumerate(shares)]
    running = runs.run_later(jobs)

    def probed() -> tuple[Spectrum, TestRunResult]:
        ran = running()
        assert all(run is not None for run in ran)  # no deadline: a job is always run
        run = merged([run for run in ran if run is not None])
        return Spectrum(covered=read_contexts(data_file, runs.command.sandbox_root),
                        outcomes=dict(run.outcomes)), run

    return probed


def module_shares(nodeids: Sequence[str], count: int) -> list[list[str]]:
    """`nodeids` split into at most `count` shares of whole test modules, about equal in tests,
    each in the order given."""
    sizes = Counter(nodeid.split("::", 1)[0] for nodeid in nodeids)
    load = [0] * max(1, count)
    share_of: dict[str, int] = {}
    for module, size in sorted(sizes.items(), key=lambda item: -item[1]):
        share_of[module] = load.index(min(load))
        load[share_of[module]] += size
    shares: list[list[str]] = [[] for _ in load]
    for nodeid in nodeids:
        shares[share_of[nodeid.split("::", 1)[0]]].append(nodeid)
    return [share for share in shares if share] or [[]]


def merged(runs: Sequence[TestRunResult]) -> TestRunResult:
    """One run of what several processes ran side by side."""
    if len(runs) == 1:
        return runs[0]
    return TestRunResult(
        outcomes={n: o for run in runs for n, o in run.outcomes.items()},
        exit_code=next((run.exit_code for run in runs if run.exit_code), 0),
        seconds=max(run.seconds for run in runs),
        timed_out=any(run.timed_out for run in runs),
        output_tail="\n".join(run.output_tail for run in runs if run.output_tail),
        failures={n: f for run in runs for n, f in run.failures.items()},
        leaked_modules=tuple(sorted({m for run in runs for m in run.leaked_modules})),
        durations={n: d for run in runs for n, d in run.durations.items()},
    )


def read_contexts(data_file: Path, sandbox_root: Path) -> dict[str, Lines]:
    """Per-test executed lines, with paths relative to the sandbox root, from `data_file` and
    the files written beside it (`<name>.<share>`, `<name>.<worker id>` of pytest-xdist)."""
    bits: dict[str, dict[str, int]] = defaultdict(dict)  # test -> path -> its lines' bits
    for found in [data_file, *sorted(data_file.parent.glob(f"{data_file.name}.*"))]:
        if found.is_file():
            _read_into(bits, found, sandbox_root.resolve())
    return {nodeid: Lines(by_path) for nodeid, by_path in bits.items()}


def _read_into(bits: dict[str, dict[str, int]], data_file: Path, root: Path) -> None:
    """Read as stored, one row per test and file, its lines as coverage.py's numbits (bit n set
    for line n), which are Lines' own bits (coverage's own reader gives each line its tests,
    which costs seconds to turn around on a suite of thousands of tests)."""
    rows = _line_rows(data_file)
    if rows is None:
        _read_through_api(bits, data_file, root)
        return
    paths, found = rows
    relative = {file_id: rel for file_id, path in paths if (rel := _relative(path, root))}
    for context, file_id, numbits in found:
        rel = relative.get(file_id)
        if context and rel is not None:
            by_path = bits[context]
            by_path[rel] = by_path.get(rel, 0) | int.from_bytes(numbits, "little")


COVERAGE_SCHEMA = 7  # the data file layout read directly; another version is read through the API


def _line_rows(data_file: Path) -> tuple[list[tuple[int, str]], list[tuple[str, int, bytes]]] | None:
    """(file ids and paths, (context, file id, numbits) rows), or None when the file is not of
    COVERAGE_SCHEMA."""
    connection = sqlite3.connect(f"{data_file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        (version,) = connection.execute("SELECT version FROM coverage_schema").fetchone()
        if version != COVERAGE_SCHEMA:
            return None
        paths = connection.execute("SELECT id, path FROM file").fetchall()
        found = connection.execute("SELECT context.context, line_bits.file_id, line_bits.numbits "
                                   "FROM line_bits JOIN context ON line_bits.context_id = context.id"
                                   ).fetchall()
        return paths, found
    except sqlite3.Error:
        return None
    finally:
        connection.close()


def _read_through_api(bits: dict[str, dict[str, int]], data_file: Path, root: Path) -> None:
    """A data file of another coverage.py layout; only then is coverage.py imported into the
    heal's process (8 MiB)."""
    import coverage

    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    for measured in data.measured_files():
        rel = _relative(measured, root)
        if rel is None:
            continue
        for lineno, contexts in data.contexts_by_lineno(measured).items():
            for context in contexts:
                if context:
                    bits[context][rel] = bits[context].get(rel, 0) | 1 << lineno


def _relative(path: str, root: Path) -> str | None:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        return None


# The other tests of a failing test's module traced at most, an even spread of them beyond:
# a generated module (idna's 6,368 conformance cases) took the probe 20 s, longer than the
# user's whole suite, for lines a thousand of its cases show as well.
PROBE_MODULE_SAMPLE = 1000


def probe_selection(failing: Sequence[str], ran: Sequence[str]) -> list[str]:
    """The failing tests and the other tests that ran in the same test modules (at most
    PROBE_MODULE_SAMPLE of each, spread evenly), in the order the user's run ran them (a failing
    test it did not list first). What a process does once, a singleton built or a cache filled
    at first use, is then counted for the test that did it in the user's run too, not for a
    failing test moved ahead of it: sqlparse's lexer, built at the first call, topped the
    suspects as run by its one failing test alone."""
    failed = set(failing)
    modules = {nodeid.split("::", 1)[0] for nodeid in failed}
    others: dict[str, list[str]] = defaultdict(list)
    for nodeid in dict.fromkeys(ran):
        module = nodeid.split("::", 1)[0]
        if module in modules and nodeid not in failed:
            others[module].append(nodeid)
    chosen = {n for tests in others.values() for n in spread_sample(tests, PROBE_MODULE_SAMPLE)}
    in_order = [n for n in dict.fromkeys(ran) if n in failed or n in chosen]
    listed = set(in_order)
    return [*dict.fromkeys(n for n in failing if n not in listed), *in_order]
