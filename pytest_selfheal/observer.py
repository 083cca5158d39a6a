"""Loaded with `-p pytest_selfheal.observer` into every test subprocess in the sandbox.

Writes one JSON file with each test's outcome, a short failure text, its duration, and the
modules that were imported from the user's checkout instead of the worktree (an isolation leak).
With SELFHEAL_COVERAGE set it also records per-test coverage contexts (the probe). It never
imports pytest and does nothing unless SELFHEAL_OBSERVE names the output file. The warm worker's
children write the same file through `Observations`.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy

from .contexts import PerTestContexts

hookimpl = pluggy.HookimplMarker("pytest")

_OUTPUT = os.environ.get("SELFHEAL_OBSERVE")
_FAILURE_TEXT_LIMIT = 2_000


@dataclass
class Observations:
    """What one test run saw: outcome, failure text and seconds per test."""

    outcomes: dict[str, str] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)  # setup + call + teardown

    def record(self, report: Any) -> None:
        """Fold one test report in."""
        nodeid = report.nodeid
        self.durations[nodeid] = round(self.durations.get(nodeid, 0.0) + report.duration, 6)
        if report.failed:
            self.outcomes[nodeid] = "failed"
            self.failures.setdefault(nodeid, _failure_text(report))
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
        payload = {"outcomes": self.outcomes, "failures": self.failures,
                   "durations": self.durations, "leaked": leaked}
        path.write_text(json.dumps(payload), encoding="utf-8")


def _start_coverage() -> PerTestContexts | None:
    data_file = os.environ.get("SELFHEAL_COVERAGE")
    if not (_OUTPUT and data_file):
        return None
    return PerTestContexts(data_file, os.environ["SELFHEAL_SANDBOX"])


_observed = Observations()
_contexts = _start_coverage()


def pytest_configure(config: Any) -> None:
    if _contexts is not None:
        config.pluginmanager.register(_contexts, "selfheal-probe-contexts")


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
    user_root = os.environ.get("SELFHEAL_USER_ROOT")
    if not user_root:
        return []
    root = Path(user_root)
    environment = Path(sys.prefix).resolve()  # a virtualenv inside the checkout (.venv, .tox)
    leaks = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not file or name.split(".")[0] == "pytest_selfheal":
            continue
        path = Path(file).resolve()
        if path.is_relative_to(root) and not path.is_relative_to(environment):
            leaks.append(f"{name} ({file})")
    return sorted(leaks)


@hookimpl(trylast=True)
def pytest_sessionfinish(session: Any) -> None:
    if not _OUTPUT:
        return
    if _contexts is not None:
        _contexts.save()
    _observed.write(Path(_OUTPUT), leaked=leaked_modules())
