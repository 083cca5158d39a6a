"""Rerun tests under coverage.py with one context per test, in the sandbox: the spectrum."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import coverage

from ..models import Line, Spectrum, TestRunResult
from ..sandbox.testruns import Job, TestRuns


def probe(runs: TestRuns, nodeids: Sequence[str], *, timeout: float) -> tuple[Spectrum, TestRunResult]:
    """Run `nodeids` under coverage (in a warm child when the worker is up, else in a subprocess
    under pytest-xdist if the user's session ran so); return which lines each test executed, and
    the run."""
    data_file = runs.command.scratch / "probe.coverage"
    (run,) = runs.run([Job(tuple(nodeids), {}, timeout=timeout, coverage=data_file, parallel=True)])
    assert run is not None  # no deadline: a job is always run
    return Spectrum(covered=read_contexts(data_file, runs.command.sandbox_root),
                    outcomes=dict(run.outcomes)), run


def read_contexts(data_file: Path, sandbox_root: Path) -> dict[str, frozenset[Line]]:
    """Per-test executed lines, with paths relative to the sandbox root, from `data_file` and
    the files pytest-xdist's workers wrote beside it (`<name>.<worker id>`)."""
    lines: dict[str, set[Line]] = defaultdict(set)
    for found in [data_file, *sorted(data_file.parent.glob(f"{data_file.name}.*"))]:
        if found.is_file():
            _read_into(lines, found, sandbox_root)
    return {nodeid: frozenset(found) for nodeid, found in lines.items()}


def _read_into(lines: dict[str, set[Line]], data_file: Path, sandbox_root: Path) -> None:
    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    for measured in data.measured_files():
        try:
            rel = Path(measured).resolve().relative_to(sandbox_root.resolve()).as_posix()
        except ValueError:
            continue
        for lineno, contexts in data.contexts_by_lineno(measured).items():
            for context in contexts:
                if context:
                    lines[context].add((rel, lineno))


def probe_selection(failing: Sequence[str], ran: Sequence[str]) -> list[str]:
    """The failing tests plus every test that ran in the same test modules."""
    modules = {nodeid.split("::", 1)[0] for nodeid in failing}
    chosen = [n for n in ran if n.split("::", 1)[0] in modules]
    return list(dict.fromkeys([*failing, *chosen]))
