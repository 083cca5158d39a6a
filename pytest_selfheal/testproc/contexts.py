"""Per-test coverage contexts for one pytest process: the lines each test runs are recorded
under its node id. Shared by the sandbox probe (observer.py) and the pre-commit test map
(testmap.py); never imports pytest, and coverage.py only when a data file is asked for."""

from __future__ import annotations

from typing import Any

import pluggy

hookimpl = pluggy.HookimplMarker("pytest")


class PerTestContexts:
    """A pytest plugin object; create it as early as possible, register it at configure."""

    def __init__(self, data_file: str, source: str) -> None:
        import coverage

        self.coverage = coverage.Coverage(data_file=data_file, source=[source], branch=False,
                                          config_file=False)
        self.coverage.start()

    @hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: Any) -> None:
        self.coverage.switch_context(item.nodeid)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        self.coverage.switch_context("")

    def save(self) -> None:
        """Coverage warns when it collected nothing (a project's own pytest-cov took the tracer
        over); under the project's `filterwarnings = error` that warning would end the process
        after its tests ran, losing their outcomes. The spectrum is only thinner for it."""
        import warnings

        from coverage.exceptions import CoverageWarning

        self.coverage.stop()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CoverageWarning)
            self.coverage.save()
