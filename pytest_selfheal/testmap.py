"""Loaded with `-p pytest_selfheal.testmap` by the pre-commit hook's suite run: per-test coverage.

Records which lines each test executes (one coverage.py context per nodeid) into the data file
named by SELFHEAL_TESTMAP, for select.py to turn into the test map. The variable is removed from
the environment at import, so test subprocesses (and the heal's sandbox runs) do not inherit it.
It never imports pytest.
"""

from __future__ import annotations

import os
from typing import Any

import pluggy

hookimpl = pluggy.HookimplMarker("pytest")

ENV = "SELFHEAL_TESTMAP"


def _start() -> Any:
    data_file = os.environ.pop(ENV, None)
    if not data_file:
        return None
    import coverage

    cov = coverage.Coverage(data_file=data_file, source=[os.getcwd()], branch=False,
                            config_file=False)
    cov.start()
    return cov


_coverage = _start()


@hookimpl(tryfirst=True)
def pytest_runtest_setup(item: Any) -> None:
    if _coverage is not None:
        _coverage.switch_context(item.nodeid)


def pytest_runtest_logfinish(nodeid: str) -> None:
    if _coverage is not None:
        _coverage.switch_context("")


@hookimpl(tryfirst=True)  # before the heal starts: its subprocesses are not the user's tests
def pytest_sessionfinish(session: Any) -> None:
    if _coverage is not None:
        _coverage.stop()
        _coverage.save()
