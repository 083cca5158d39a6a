"""Loaded with `-p pytest_selfheal.testproc.observer` into every test subprocess in the sandbox.

Writes one file (a `protocol.ObservedRun`) with each test's outcome, a short failure text, its
duration, and the modules that were imported from the user's checkout instead of the worktree (an
isolation leak). With SELFHEAL_COVERAGE set it also records per-test coverage contexts (the
probe; the tests SELFHEAL_COVERAGE_WHOLE lists are traced whole, the others for their first
moments, see contexts.py). With SELFHEAL_SELECT naming a file of node ids it keeps only those
tests, in that order (the run then names their files, see runner.run_tests). With SELFHEAL_CASES
naming the user's movable parametrized tests it first gives each of them the user's id (see
`take_user_ids`), so that selection and every report name the case the user's run named. It never imports
pytest and does nothing unless SELFHEAL_OBSERVE names the output file. The warm worker's children
write the same file through `Observations`. Under pytest-xdist each worker selects the same
tests, records coverage into a data file of its own (the name with `.<worker id>` added) and
hands its leaks to the controller, which receives every worker's reports and writes the file.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from ..sandbox.protocol import (
    CANARY_ENV,
    CANARY_TEST,
    CASES_ENV,
    COVERAGE_ENV,
    COVERAGE_WHOLE_ENV,
    OBSERVE_ENV,
    SANDBOX_ENV,
    SELECT_ENV,
    USER_ROOT_ENV,
    ObservedRun,
    case_key,
    decode_cases,
    encode_observed,
    keyed_function,
    parametrized_function,
)
from .contexts import PerTestContexts

hookimpl = pluggy.HookimplMarker("pytest")

_OUTPUT = os.environ.get(OBSERVE_ENV)
_SELECTION = os.environ.get(SELECT_ENV)
_CANARY = bool(os.environ.get(CANARY_ENV))
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # set by pytest-xdist in its workers
_LEAKED_KEY = "selfheal_leaked"  # in an xdist worker's output to the controller
_FAILURE_TEXT_LIMIT = 2_000


@dataclass
class Observations:
    """What one test run saw: outcome, failure text and seconds per test."""

    outcomes: dict[str, str] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)  # setup + call + teardown
    canary: str = ""

    def record(self, report: Any) -> None:
        """Fold one test report in. A subtest's report (pytest 9's `subtests` and unittest's
        `subTest`, or the pytest-subtests plugin: a report with a `context`) carries the test's
        node id: one that fails fails the test, one that is skipped leaves the test's outcome to
        the test's own reports (pathspec skips the subtests of other platforms)."""
        nodeid = report.nodeid
        if _is_canary(nodeid):
            if report.failed or not self.canary:
                self.canary = "failed" if report.failed else "passed"
            return
        self.durations[nodeid] = round(self.durations.get(nodeid, 0.0) + report.duration, 6)
        subtest = hasattr(report, "context")
        if report.failed:
            self.outcomes[nodeid] = "failed"
            self.failures.setdefault(nodeid, _failure_text(report))
        elif report.skipped and subtest:
            return
        elif report.skipped and self.outcomes.get(nodeid) != "failed":
            self.outcomes[nodeid] = "skipped"
        elif report.when == "call" and report.passed:
            self.outcomes.setdefault(nodeid, "passed")

    def record_collection(self, report: Any) -> None:
        if report.failed:
            nodeid = report.nodeid or "<collection>"
            self.outcomes[nodeid] = "failed"
            self.failures[nodeid] = _failure_text(report)

    def write(self, path: Path, *, leaked: list[str]) -> None:
        observed = ObservedRun(outcomes=self.outcomes, failures=self.failures,
                               durations=self.durations, leaked=tuple(leaked), canary=self.canary)
        path.write_text(encode_observed(observed), encoding="utf-8")


def _start_coverage() -> PerTestContexts | None:
    data_file = os.environ.get(COVERAGE_ENV)
    if not (_OUTPUT and data_file):
        return None
    if _XDIST_WORKER:
        data_file = f"{data_file}.{_XDIST_WORKER}"
    listed = os.environ.get(COVERAGE_WHOLE_ENV)
    whole = Path(listed).read_text(encoding="utf-8").splitlines() if listed else None
    return PerTestContexts(data_file, os.environ[SANDBOX_ENV], whole=whole)


_observed = Observations()
_contexts = _start_coverage()
_workers_leaked: set[str] = set()  # what the xdist workers imported from the checkout


@hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config: Any) -> Any:
    """A project's own pytest-cov (`--cov` in its addopts) would take coverage's tracer over from
    the per-test contexts, leaving the probe's spectrum empty: while they record, it is off, as
    with `--no-cov` (set before its hook reads it; it starts coverage in this hook)."""
    if _contexts is not None:
        early_config.known_args_namespace.no_cov = True
    return (yield)


def pytest_configure(config: Any) -> None:
    if _contexts is not None:
        config.pluginmanager.register(_contexts, "selfheal-probe-contexts")


@hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Name the user's moved tests as the user's run did, then keep the tests the run selected,
    in its order, before any other plugin sees them (as pytest itself orders tests named by
    node id)."""
    if not _OUTPUT:
        return
    take_user_ids(items)
    if not _SELECTION:
        return
    lines = Path(_SELECTION).read_text(encoding="utf-8").splitlines()
    order = {nodeid: index for index, nodeid in reversed(list(enumerate(lines)))}
    kept, dropped, canaries = [], [], []
    for item in items:
        index = selected_at(item.nodeid, order)
        if _is_canary(item.nodeid):
            canaries.append(item)
        elif index is None:
            dropped.append(item)
        else:
            kept.append((index, item))
    items[:] = [*(item for _, item in sorted(kept, key=lambda pair: pair[0])), *canaries]
    if dropped:
        config.hook.pytest_deselected(items=dropped)


def _is_canary(nodeid: str) -> bool:
    """The canary test the run was given (CANARY_ENV), whatever path pytest's rootdir gives it."""
    return _CANARY and nodeid.rsplit("::", 1)[-1] == CANARY_TEST


def take_user_ids(items: list[Any]) -> None:
    """Give the parametrized tests that SELFHEAL_CASES names (the user's node id -> case_key) the
    user's ids: here pytest may have numbered them in another order (their parameters come from
    a set), and every later step (selection, reports, coverage contexts, a warm worker's jobs)
    names a test by its node id. A local test not found among the user's cases keeps its id
    unless that id is one of theirs, which it may not be the case of: then it is told apart as
    `[sandbox-<its id>]`, and the user's test is missed rather than judged by another case."""
    listed = os.environ.get(CASES_ENV)
    if not listed:
        return
    user_ids = {key: nodeid for nodeid, key in decode_cases(Path(listed).read_text("utf-8")).items()}
    functions = {keyed_function(key) for key in user_ids}
    found: dict[str, list[Any]] = defaultdict(list)
    unmatched = []
    for item in items:
        function = parametrized_function(item)
        if function not in functions:
            continue
        key = case_key(item)
        if key in user_ids:
            found[key].append(item)
        else:
            unmatched.append((function, item))
    for key, same in found.items():
        if len(same) == 1:
            _rename(same[0], user_ids[key])
        else:
            unmatched += [(keyed_function(key), item) for item in same]
    theirs = set(user_ids.values())
    for function, item in unmatched:
        if item.nodeid in theirs:
            _rename(item, f"{function}[sandbox-{item.callspec.id}]")


def _rename(item: Any, nodeid: str) -> None:
    """pytest keeps an item's node id in `_id`, a structured NodeId (since 9.2), or in `_nodeid`
    (before): read by `Node.nodeid`, reports and hashing. An item is renamed before anything
    holds it by its id or hash."""
    structured = getattr(item, "_id", None)
    if structured is not None and hasattr(type(structured), "parse"):
        item._id = type(structured).parse(nodeid)
    else:
        item._nodeid = nodeid


def selected_at(nodeid: str, order: Mapping[str, int]) -> int | None:
    """The first place the selection names this test: as itself, its function without the
    parameters, its class, its module or a directory above it; None if it names none."""
    parts = nodeid.split("::")
    keys = [nodeid]
    if parts[-1].endswith("]") and "[" in parts[-1]:
        keys.append(nodeid[:nodeid.rindex("[")])
    keys += ["::".join(parts[:end]) for end in range(len(parts) - 1, 0, -1)]
    path = parts[0]
    while "/" in path:
        path = path.rsplit("/", 1)[0]
        keys.append(path)
    found = [order[key] for key in keys if key in order]
    return min(found) if found else None


def pytest_runtest_logreport(report: Any) -> None:
    if _OUTPUT:
        _observed.record(report)


def pytest_collectreport(report: Any) -> None:
    if _OUTPUT:
        _observed.record_collection(report)


def _failure_text(report: Any) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    return text[:_FAILURE_TEXT_LIMIT]


def leaked_modules() -> list[str]:
    """Modules imported from the user's checkout rather than the worktree."""
    user_root = os.environ.get(USER_ROOT_ENV)
    if not user_root:
        return []
    inside = os.path.join(os.path.realpath(user_root), "")
    environment = os.path.join(os.path.realpath(sys.prefix), "")  # a virtualenv in the checkout
    directories: dict[str, str] = {}  # resolved once per directory, not once per module
    leaks = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not file or name.split(".")[0] == "pytest_selfheal":
            continue
        folder, base = os.path.split(file)
        if folder not in directories:
            directories[folder] = os.path.realpath(folder)
        path = os.path.realpath(file) if os.path.islink(file) else os.path.join(directories[folder], base)
        if path.startswith(inside) and not path.startswith(environment):
            leaks.append(f"{name} ({file})")
    return sorted(leaks)


@hookimpl(trylast=True)
def pytest_sessionfinish(session: Any) -> None:
    if not _OUTPUT:
        return
    if _contexts is not None:
        _contexts.save()
    if _XDIST_WORKER:
        session.config.workeroutput[_LEAKED_KEY] = leaked_modules()
    else:
        _observed.write(Path(_OUTPUT), leaked=sorted({*leaked_modules(), *_workers_leaked}))


@hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """An xdist worker finished (in the controller): keep what it imported from the checkout."""
    _workers_leaked.update(getattr(node, "workeroutput", {}).get(_LEAKED_KEY, ()))
