"""A green `pytest --selfheal` run costs what a plain run costs: it imports none of the healing
stages' heavy libraries, in a project that never failed and in one with a run history."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from helpers import copy_example, git, init_repo, latest_run_dir, run_pytest

HEAVY = ("git", "libcst", "anthropic", "rich", "coverage")
FAILURE_ONLY = ("pytest_selfheal.models", "pytest_selfheal.source", "pytest_selfheal.git")
PROBE = "selfheal_import_probe"
PROBE_SOURCE = f"""\
import json
import sys

import pytest

WATCHED = {HEAVY + FAILURE_ONLY!r}


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    with open("loaded.json", "w") as fh:
        json.dump([name for name in WATCHED if name in sys.modules], fh)
"""


@pytest.fixture(scope="module")
def healed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An example project healed once, so it has a history, and the fix that heal proposed."""
    repo = init_repo(copy_example("invoice", tmp_path_factory.mktemp("healed")))
    result = run_pytest(repo, "--selfheal")
    assert result.returncode == 1 and "healed: plausible fix" in result.stdout, result.stdout
    fix = tmp_path_factory.mktemp("fix") / "fix.diff"
    shutil.copy(latest_run_dir(repo) / "fix.diff", fix)
    return repo, fix


def green_selfheal_run(repo: Path, tmp_path: Path) -> list[str]:
    """Run the project's suite with --selfheal; the watched modules loaded when pytest ended."""
    probe_dir = tmp_path / "probe"
    probe_dir.mkdir()
    (probe_dir / f"{PROBE}.py").write_text(PROBE_SOURCE)
    pythonpath = os.pathsep.join(filter(None, [str(probe_dir), os.environ.get("PYTHONPATH")]))
    result = run_pytest(repo, "--selfheal", "-p", PROBE, env={"PYTHONPATH": pythonpath})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-heal" not in result.stdout
    loaded: list[str] = json.loads((repo / "loaded.json").read_text())
    return loaded


def green_runs(db: Path) -> int:
    with closing(sqlite3.connect(db)) as connection:
        (count,) = connection.execute("SELECT COUNT(*) FROM runs WHERE green = 1").fetchone()
    return int(count)


def test_green_run_without_history_imports_nothing_heavy(healed, tmp_path):
    _, fix = healed
    repo = init_repo(copy_example("invoice", tmp_path / "fresh"))
    git(repo, "apply", str(fix))
    assert green_selfheal_run(repo, tmp_path) == [], "not even the failure records are imported"
    assert not (repo / ".selfheal").exists(), "a project that never failed gets no history"


def test_green_run_with_history_imports_nothing_heavy_and_is_recorded(healed, tmp_path):
    repo, fix = healed
    db = repo / ".selfheal" / "history.db"
    assert db.is_file() and green_runs(db) == 0
    git(repo, "apply", str(fix))
    git(repo, "commit", "-qam", "apply the proposed fix")
    assert not set(green_selfheal_run(repo, tmp_path)) & set(HEAVY)
    assert green_runs(db) == 1, "the green run is the next heal's base"
