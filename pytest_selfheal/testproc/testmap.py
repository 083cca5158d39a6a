"""Loaded with `-p pytest_selfheal.testproc.testmap` by the pre-commit hook's suite run: per-test coverage.

Records which lines each test executes (one coverage.py context per nodeid) into the data file
named by SELFHEAL_TESTMAP, for precommit/selection.py to turn into the test map. The variable is
removed from the environment at import, so test subprocesses (and the heal's sandbox runs) do not
inherit it. It never imports pytest.
"""

from __future__ import annotations

import os
from typing import Any

import pluggy

from ..sandbox.protocol import TESTMAP_ENV
from .contexts import PerTestContexts

hookimpl = pluggy.HookimplMarker("pytest")


def _start() -> PerTestContexts | None:
    data_file = os.environ.pop(TESTMAP_ENV, None)
    return PerTestContexts(data_file, os.getcwd()) if data_file else None


_contexts = _start()


def pytest_configure(config: Any) -> None:
    if _contexts is not None:
        config.pluginmanager.register(_contexts, "selfheal-testmap-contexts")


@hookimpl(tryfirst=True)  # before the heal starts: its subprocesses are not the user's tests
def pytest_sessionfinish(session: Any) -> None:
    if _contexts is not None:
        _contexts.save()
