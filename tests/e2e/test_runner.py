"""Test subprocesses: outcomes, timeouts that kill the whole process group."""

import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import gone_within

from pytest_selfheal.sandbox.runner import PytestCommand, run_tests


def command(tmp_path: Path) -> PytestCommand:
    return PytestCommand(sandbox_root=tmp_path, user_root=tmp_path / "elsewhere", cwd=tmp_path,
                       scratch=tmp_path / ".scratch")


def test_outcomes_and_failure_text(tmp_path):
    (tmp_path / "test_a.py").write_text(
        "def test_ok():\n    pass\n\ndef test_bad():\n    assert 1 == 2\n"
    )
    run = run_tests(command(tmp_path), ["test_a.py"], timeout=60)
    assert run.outcomes == {"test_a.py::test_ok": "passed", "test_a.py::test_bad": "failed"}
    assert "assert 1 == 2" in run.failures["test_a.py::test_bad"]
    assert not run.timed_out


def test_hanging_test_is_killed_with_its_children(tmp_path):
    pidfile = tmp_path / "child.pid"
    (tmp_path / "test_hang.py").write_text(
        "import subprocess, sys, time\n"
        "def test_hang():\n"
        "    child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"    open({str(pidfile)!r}, 'w').write(str(child.pid))\n"
        "    time.sleep(600)\n"
    )
    started = time.monotonic()
    run = run_tests(command(tmp_path), ["test_hang.py"], timeout=3)
    assert run.timed_out
    assert time.monotonic() - started < 30
    assert run.outcomes == {}
    child = int(pidfile.read_text())
    assert gone_within(child, 5), "the test's child process outlived the timeout"


def test_exactly_the_selected_tests_run_in_the_order_given(tmp_path):
    """The run names files; the selection decides which of their tests run, and in what order."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "test_b.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.parametrize('n', [1, 2, 3])\ndef test_param(n):\n    pass\n\n"
        "class TestGroup:\n    def test_one(self):\n        pass\n\n"
        "    def test_two(self):\n        pass\n\n"
        "def test_last():\n    pass\n"
    )
    (tmp_path / "test_a.py").write_text("def test_first():\n    pass\n\ndef test_other():\n    pass\n")
    (tmp_path / "test_c.py").write_text("def test_c():\n    pass\n")
    selection = ["pkg/test_b.py::test_last", "test_a.py::test_first", "pkg/test_b.py::TestGroup",
                 "pkg/test_b.py::test_param[2]", "test_c.py", "test_a.py::test_missing"]
    run = run_tests(command(tmp_path), selection, timeout=60)
    assert list(run.outcomes) == [
        "pkg/test_b.py::test_last", "test_a.py::test_first", "pkg/test_b.py::TestGroup::test_one",
        "pkg/test_b.py::TestGroup::test_two", "pkg/test_b.py::test_param[2]", "test_c.py::test_c",
    ]
    assert set(run.outcomes.values()) == {"passed"}


def test_leaked_import_is_reported(tmp_path):
    user = tmp_path / "elsewhere"
    user.mkdir()
    (user / "leaky.py").write_text("X = 1\n")
    (tmp_path / "test_leak.py").write_text(
        f"import sys\nsys.path.insert(0, {str(user)!r})\nimport leaky\n\ndef test_x():\n    pass\n"
    )
    run = run_tests(command(tmp_path), ["test_leak.py"], timeout=60)
    assert run.leaked_modules and run.leaked_modules[0].startswith("leaky (")


def test_a_standby_process_runs_the_files_as_they_are_when_its_run_arrives(tmp_path):
    from pytest_selfheal.sandbox.runner import Standby

    (tmp_path / "calc.py").write_text("VALUE = 1\n")
    (tmp_path / "test_calc.py").write_text("from calc import VALUE\n\ndef test_value():\n    assert VALUE == 2\n")
    standby = Standby(command(tmp_path))
    time.sleep(1.0)  # long enough for it to have imported pytest
    (tmp_path / "calc.py").write_text("VALUE = 2\n")
    run = run_tests(command(tmp_path), ["test_calc.py"], timeout=60, standby=standby,
                    coverage_file=tmp_path / "cov.data")
    assert run.outcomes == {"test_calc.py::test_value": "passed"}
    assert standby.proc.returncode == 0
    assert (tmp_path / "cov.data").exists(), "the run's environment reached the waiting process"


def test_a_standby_process_imports_installed_plugins_early_and_the_projects_own_at_its_run(tmp_path):
    """A plugin module notes whether the run's environment had arrived when it was imported."""
    from pytest_selfheal.sandbox.runner import Standby

    site, project = tmp_path / "site", tmp_path / "project"
    (site / "notes-0.1.dist-info").mkdir(parents=True)
    project.mkdir()
    (site / "notes-0.1.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nName: notes\nVersion: 0.1\n")
    (site / "notes-0.1.dist-info" / "entry_points.txt").write_text(
        "[pytest11]\noutside = outside_plugin\ninside = inside_plugin\n")
    note = "import os\nNOTE = 'at the run' if os.environ.get('SELFHEAL_OBSERVE') else 'early'\n"
    (site / "outside_plugin.py").write_text(note)
    (project / "inside_plugin.py").write_text(note + "VERSION = 1\n")
    (project / "test_notes.py").write_text(
        "import inside_plugin, outside_plugin\n\n"
        "def test_notes():\n"
        "    assert (outside_plugin.NOTE, inside_plugin.NOTE) == ('early', 'at the run')\n"
        "    assert inside_plugin.VERSION == 2\n"
    )
    installed = PytestCommand(sandbox_root=project, user_root=tmp_path / "elsewhere", cwd=project,
                              scratch=project / ".scratch", import_roots=(project, site))
    standby = Standby(installed)
    time.sleep(1.5)  # long enough for it to have imported pytest and the plugins
    (project / "inside_plugin.py").write_text(note + "VERSION = 2\n")
    run = run_tests(installed, ["test_notes.py"], timeout=60, standby=standby)
    assert run.outcomes == {"test_notes.py::test_notes": "passed"}, run.failures


def test_a_standby_process_that_died_is_replaced_by_a_new_one(tmp_path):
    from pytest_selfheal.sandbox.runner import Standby

    (tmp_path / "test_a.py").write_text("def test_ok():\n    pass\n")
    standby = Standby(command(tmp_path))
    standby.discard()
    run = run_tests(command(tmp_path), ["test_a.py"], timeout=60, standby=standby)
    assert run.outcomes == {"test_a.py::test_ok": "passed"}


def test_a_standby_process_ends_as_python_would(tmp_path):
    """It skips freeing the heap at exit, and only that: the threads the tests left finish, the
    atexit handlers run, the output is complete and the status is pytest's."""
    from pytest_selfheal.sandbox.runner import Standby

    (tmp_path / "test_exit.py").write_text(
        "import atexit, pathlib, threading, time\n\n"
        "def later():\n"
        "    time.sleep(0.5)\n"
        "    pathlib.Path('thread.txt').write_text('done')\n\n"
        "def test_leaves_work_behind():\n"
        "    atexit.register(pathlib.Path('atexit.txt').write_text, 'done')\n"
        "    threading.Thread(target=later).start()\n\n"
        "def test_fails():\n"
        "    assert False\n"
    )
    standby = Standby(command(tmp_path))
    run = run_tests(command(tmp_path), ["test_exit.py"], timeout=60, standby=standby)
    assert run.outcomes == {"test_exit.py::test_leaves_work_behind": "passed",
                            "test_exit.py::test_fails": "failed"}
    assert run.exit_code == 1
    assert (tmp_path / "thread.txt").read_text() == "done"
    assert (tmp_path / "atexit.txt").read_text() == "done"
    assert "1 failed, 1 passed" in run.output_tail


HOARDING_TEST = ("import time\n"
                 "def test_light():\n    assert True\n"
                 "def test_hoards():\n    kept = [b'x' * (300 << 20)]\n    time.sleep(30)\n")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the bound reads /proc")
@pytest.mark.parametrize("workers", [0, 2])
def test_a_bounded_run_is_stopped_when_one_of_its_processes_holds_too_much(tmp_path, workers):
    """With `-n 2` the test that hoards runs in an xdist worker, a child of the pytest process:
    its memory is seen there too."""
    (tmp_path / "test_m.py").write_text(HOARDING_TEST)
    started = time.monotonic()
    run = run_tests(command(tmp_path), ["test_m.py"], timeout=60, workers=workers,
                    memory_bytes=200 << 20)
    assert time.monotonic() - started < 20, "stopped by the bound, not by the 30 s sleep"
    assert "past the bound of 200 MiB, and the run was stopped" in run.output_tail
    assert run.outcomes.get("test_m.py::test_hoards") != "passed"
    assert not run.timed_out
    unbounded = run_tests(command(tmp_path), ["test_m.py::test_light"], timeout=60, workers=workers,
                          memory_bytes=200 << 20)
    assert unbounded.outcomes == {"test_m.py::test_light": "passed"}


BLIND = '''\
import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    report.outcome = "passed"  # what a broken hook call of pytest's own code can come to
    return report
'''


@pytest.mark.parametrize("workers", [0, 2])
def test_a_project_pytest_imports_runs_with_a_canary_that_tells_a_blind_pytest(tmp_path, workers):
    """The project's code is pytest's own (pluggy): a patch to it can make pytest report every
    test passed. Each run includes a test that raises, which a working pytest reports failed;
    outside the rootdir, as the sandbox's scratch dir is, pytest gives it no path."""
    project = tmp_path / "worktree"
    project.mkdir()
    (project / "test_a.py").write_text("def test_ok():\n    pass\n\ndef test_bad():\n    assert 1 == 2\n")
    (project / "blind_plugin.py").write_text(BLIND)
    own = PytestCommand(sandbox_root=project, user_root=tmp_path / "elsewhere", cwd=project,
                        scratch=tmp_path / "scratch", pytest_imports=("pluggy",), import_roots=(project,))
    run = run_tests(own, ["test_a.py"], timeout=120, workers=workers)
    assert run.outcomes == {"test_a.py::test_ok": "passed", "test_a.py::test_bad": "failed"}
    assert run.canary == "failed"
    blind = replace(own, options=("-p", "blind_plugin"))
    run = run_tests(blind, ["test_a.py"], timeout=120, workers=workers)
    assert run.outcomes == {"test_a.py::test_ok": "passed", "test_a.py::test_bad": "passed"}
    assert run.canary == "passed"
    assert run_tests(command(project), ["test_a.py"], timeout=60).canary == ""  # no canary asked
