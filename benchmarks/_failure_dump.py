"""A pytest plugin, loaded with `-p _failure_dump`, that writes the run's failures to the JSON
file named by $SELFHEAL_FAILURE_DUMP, exactly as `--selfheal` captures them (exception, message,
traceback frames), without healing. benchmarks/fit_builtin.py uses it to record localization
inputs once per corpus bug.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import pytest

from pytest_selfheal.config import Settings
from pytest_selfheal.session import HealSession


class FailureDump(HealSession):
    """The heal session's capture, with the heal replaced by a dump."""

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        failures = [asdict(f) for f in self.failures.values()]
        Path(os.environ["SELFHEAL_FAILURE_DUMP"]).write_text(json.dumps(failures), encoding="utf-8")


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(FailureDump(config, Settings()), "failure-dump")
