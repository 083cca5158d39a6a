"""Loaded with `-p pytest_selfheal.observer` into every test subprocess in the sandbox.

Writes one JSON file with each test's outcome, a short failure text, and the modules that were
imported from the user's checkout instead of the worktree (an isolation leak). With
SELFHEAL_COVERAGE set it also records per-test coverage contexts (the probe). It never imports
pytest and does nothing unless SELFHEAL_OBSERVE names the output file.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pluggy

from .contexts import PerTestContexts

hookimpl = pluggy.HookimplMarker("pytest")

_OUTPUT = os.environ.get("SELFHEAL_OBSERVE")
_FAILURE_TEXT_LIMIT = 2_000
_outcomes: dict[str, str] = {}
_failures: dict[str, str] = {}


def _start_coverage() -> PerTestContexts | None:
    data_file = os.environ.get("SELFHEAL_COVERAGE")
    if not (_OUTPUT and data_file):
        return None
    return PerTestContexts(data_file, os.environ["SELFHEAL_SANDBOX"])


_contexts = _start_coverage()


def pytest_configure(config: Any) -> None:
    if _contexts is not None:
        config.pluginmanager.register(_contexts, "selfheal-probe-contexts")


def pytest_runtest_logreport(report: Any) -> None:
    if _OUTPUT:
        record(report, _outcomes, _failures)


def record(report: Any, outcomes: dict[str, str], failures: dict[str, str]) -> None:
    """Fold one test report into nodeid -> outcome and nodeid -> failure text."""
    if report.failed:
        outcomes[report.nodeid] = "failed"
        failures.setdefault(report.nodeid, _failure_text(report))
    elif report.skipped and outcomes.get(report.nodeid) != "failed":
        outcomes[report.nodeid] = "skipped"
    elif report.when == "call" and report.passed:
        outcomes.setdefault(report.nodeid, "passed")


def pytest_collectreport(report: Any) -> None:
    if _OUTPUT and report.failed:
        nodeid = report.nodeid or "<collection>"
        _outcomes[nodeid] = "failed"
        _failures[nodeid] = _failure_text(report)


def _failure_text(report: Any) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    return text[:_FAILURE_TEXT_LIMIT]


def _leaked_modules() -> list[str]:
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
    payload = {"outcomes": _outcomes, "failures": _failures, "leaked": _leaked_modules()}
    Path(_OUTPUT).write_text(json.dumps(payload), encoding="utf-8")
