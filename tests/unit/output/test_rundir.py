"""The run-directory layout: where a heal writes, and what happens when it cannot."""

import time

import pytest

from pytest_selfheal.errors import OutputError
from pytest_selfheal.output import rundir


def test_new_run_dir_makes_the_run_directory_and_hides_the_output_from_git(tmp_path):
    output = tmp_path / ".selfheal"
    run_dir = rundir.new_run_dir(output, "20260101-000000-000001")
    assert run_dir == output / "runs" / "20260101-000000-000001"
    assert run_dir.is_dir()
    assert (output / ".gitignore").read_text() == "# written by pytest-selfheal\n*\n"


def test_an_existing_gitignore_is_kept(tmp_path):
    (tmp_path / ".gitignore").write_text("mine\n")
    rundir.new_run_dir(tmp_path, "20260101-000000-000001")
    assert (tmp_path / ".gitignore").read_text() == "mine\n"


def test_an_unwritable_output_names_the_option_that_moves_it(tmp_path):
    blocked = tmp_path / "output"
    blocked.write_text("a file where the directory should be")
    with pytest.raises(OutputError) as error:
        rundir.new_run_dir(blocked, "20260101-000000-000001")
    assert f"cannot write the run output to {blocked}" in str(error.value)
    assert "pass --selfheal-output DIR with a writable directory" in str(error.value)


def test_run_ids_sort_by_time_across_milliseconds_and_seconds(monkeypatch):
    second = 1_767_225_600 * 1_000_000_000
    clock = [second + 1_999_999, second + 2_000_100, second + 999_999_000,
             second + 1_000_000_500, second + 61_000_000_000]
    monkeypatch.setattr(time, "time_ns", iter(clock).__next__)
    ids = [rundir.new_run_id() for _ in clock]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert ids[0].endswith("-001999") and ids[3].endswith("-000000")


def test_the_history_lives_beside_the_runs(tmp_path):
    assert rundir.history_db(tmp_path) == tmp_path / "history.db"
    assert rundir.runs_dir(tmp_path) == tmp_path / "runs"
