from pathlib import Path

import pytest

from pytest_selfheal.sandbox.options import in_sandbox, repeated_options
from pytest_selfheal.sandbox.protocol import serial_args

HERE = Path("/home/u/proj/sub")


def repeated(*args: str, positional: tuple[str, ...] = ()) -> tuple[str, ...]:
    return repeated_options(args, positional, HERE, dropped=("--selfheal-time-budget",))


@pytest.mark.parametrize(("args", "positional", "kept"), [
    (("-p", "no:randomly", "--timeout=5", "-W", "error"), (), ("-p", "no:randomly", "--timeout=5", "-W", "error")),
    (("--timeout", "5", "tests/test_a.py::test_x"), ("tests/test_a.py::test_x",), ("--timeout=5",)),
    (("-o", "xfail_strict=true", "-oconsole_output_style=classic"), (),
     ("-o", "xfail_strict=true", "-o", "console_output_style=classic")),
    (("-Werror::UserWarning", "--import-mode=importlib", "--strict-markers", "--asyncio-mode", "auto"), (),
     ("-W", "error::UserWarning", "--import-mode=importlib", "--strict-markers", "--asyncio-mode=auto")),
    (("--runxfail", "-pno:cacheprovider"), (), ("--runxfail", "-p", "no:cacheprovider")),
])
def test_options_that_configure_pytest_are_repeated(args, positional, kept):
    assert repeated(*args, positional=positional) == kept


@pytest.mark.parametrize("args", [
    ("-x", "-q", "-v", "-s", "-l"), ("-xvs",), ("--lf", "--ff", "--nf", "--sw", "--cache-clear"),
    ("--maxfail", "3", "-n", "2", "-n2", "--dist=loadfile"), ("-k", "add and not slow", "-m", "not slow"),
    ("--tb", "long", "--tb=short", "-rA", "-r", "fE", "--capture=no", "--durations=10"),
    ("--junitxml", "out.xml", "--basetemp=/tmp/b", "--rootdir", "x", "--color=yes"),
    ("--cov", "src", "--cov=pkg", "--cov", "--cov-report=term-missing", "--no-cov"),
    ("--pdb", "--trace", "--collect-only", "--deselect", "tests/test_a.py::test_b"),
    ("--selfheal", "--selfheal-time-budget", "30", "--selfheal-time-budget=30", "--no-selfheal"),
])
def test_options_the_sandbox_decides_for_itself_are_left_out(args):
    """Selection, stopping early, debugging, reporting, files written, processes, our own."""
    assert repeated(*args) == ()


def test_test_paths_are_left_out_wherever_they_are():
    assert repeated("tests/a.py", "-W", "error", "tests/b.py", "--timeout", "3",
                    positional=("tests/a.py", "tests/b.py")) == ("-W", "error", "--timeout=3")


def test_a_cluster_keeps_what_configures_and_reads_the_value_of_its_last_option():
    assert repeated("-xWerror") == ("-W", "error")
    assert repeated("-vp", "no:randomly") == ("-p", "no:randomly")


def test_paths_are_made_absolute_from_where_pytest_started_and_moved_into_the_worktree():
    options = repeated("-c", "ci/pytest.ini", "--confcutdir=..", "--ignore", "tests/slow")
    assert options == ("--config-file=/home/u/proj/sub/ci/pytest.ini", "--confcutdir=/home/u/proj",
                       "--ignore=/home/u/proj/sub/tests/slow")
    moved = in_sandbox(options, Path("/home/u/proj"), lambda p: Path("/sandbox") / p.relative_to("/home/u/proj"))
    assert moved == ("--config-file=/sandbox/sub/ci/pytest.ini", "--confcutdir=/sandbox",
                     "--ignore=/sandbox/sub/tests/slow")
    outside = in_sandbox(("--config-file=/etc/pytest.ini", "-W", "error"), Path("/home/u/proj"),
                         lambda p: Path("/never"))
    assert outside == ("--config-file=/etc/pytest.ini", "-W", "error")


def test_a_run_keeps_its_tests_in_one_process_unless_the_options_turn_xdist_off():
    assert serial_args(["-p", "no:xdist"]) == serial_args(["-pno:xdist"]) == []
    assert serial_args(["-p", "no:randomly"]) == ["-n", "0"]  # pytest-xdist is installed here
