"""The green-run benchmark's timer (benchmarks/_own_time.py), loaded into a real pytest run of
a project with a history: it counts every call of the plugin's hooks and the time inside them."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from helpers import make_repo, run_pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_the_timer_counts_each_hook_call_of_a_green_run_that_records_itself(tmp_path):
    repo = make_repo(tmp_path / "repo", {
        "pyproject.toml": """
            [tool.pytest.ini_options]
            addopts = ["--strict-config", "--strict-markers"]
            filterwarnings = ["error"]
            """,
        "tests/test_many.py": """
            import pytest


            @pytest.mark.parametrize("n", range(7))
            def test_n(n):
                assert n >= 0
            """,
    })
    (repo / ".selfheal").mkdir()
    (repo / ".selfheal" / "history.db").touch()  # a history: the green run records itself
    report = tmp_path / "own.json"
    env = {"OWN_TIME_FILE": str(report),
           "PYTHONPATH": os.pathsep.join(filter(None, (str(BENCHMARKS), os.environ.get("PYTHONPATH"))))}
    result = run_pytest(repo, "-p", "_own_time", "--selfheal", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    spent = json.loads(report.read_text())
    hooks = {name: (seconds, calls) for name, (seconds, calls) in spent["hooks"].items()}
    assert hooks["pytest_runtest_logreport"][1] == 3 * 7  # setup, call, teardown of each test
    assert hooks["pytest_runtest_logfinish"][1] == 7
    assert hooks["pytest_configure"][1] == 1 and hooks["pytest_sessionfinish"][1] == 1
    assert spent["import"] > 0 and all(seconds > 0 for seconds, _ in hooks.values())
    with sqlite3.connect(repo / ".selfheal" / "history.db") as history:  # what sessionfinish did
        assert history.execute("SELECT count(*), sum(green) FROM runs").fetchone() == (1, 1)
        assert history.execute("SELECT count(*) FROM outcomes").fetchone() == (7,)

    without = run_pytest(repo, "-p", "_own_time", env=env)
    assert without.returncode == 0
    plain = json.loads(report.read_text())["hooks"]
    assert "pytest_runtest_logreport" not in plain, "without --selfheal no session hooks run"
    assert plain["pytest_addoption"][1] == 1
