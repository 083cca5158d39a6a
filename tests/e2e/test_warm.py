"""The warm worker: code swapped in place in forked children, fallbacks, timeouts, parallelism."""

import os
import time
from pathlib import Path

import pytest
from helpers import gone_within

from pytest_selfheal.models import TestRunResult
from pytest_selfheal.sandbox.runner import PytestCommand
from pytest_selfheal.sandbox.testruns import Job
from pytest_selfheal.sandbox.warm import WarmWorker
from pytest_selfheal.testproc.swap import changed_functions

SOURCE = """\
import functools

LIMIT = 3


def double(x):
    return x + x


def triple(x):
    return 3 * x


TABLE = [triple(n) for n in range(LIMIT)]


class Box:
    size = 2

    @property
    def area(self):
        return self.size * self.size

    @area.setter
    def area(self, value):
        self.size = value


@functools.cache
def cached(x):
    return x + 1
"""

TESTS = """\
import time
from calc import Box, double, cached

def test_double():
    assert double(2) == 5

def test_box():
    assert Box().area == 4

def test_cached():
    assert cached(1) == 3

def test_slow_a():
    _stamp("a")

def test_slow_b():
    _stamp("b")

def test_wait():
    _stamp(f"wait-{__import__('os').getpid()}", seconds=0.5)

def _stamp(name, seconds=1.0):
    start = time.monotonic()
    time.sleep(seconds)
    with open(f"stamp-{name}.txt", "w") as out:
        out.write(f"{start} {time.monotonic()} {__import__('os').getpid()}")
"""


def test_body_changes_are_swappable_and_named():
    changed = changed_functions("calc.py", SOURCE, SOURCE.replace("x + x", "x * 3"))
    assert not isinstance(changed, str)
    assert [c.qualname for c in changed] == ["double"]


def test_only_the_edited_one_of_two_same_named_defs_changes():
    changed = changed_functions("calc.py", SOURCE, SOURCE.replace("self.size = value", "self.size = -value"))
    assert not isinstance(changed, str)
    assert [c.qualname for c in changed] == ["Box.area"]
    assert changed[0].new_code.co_argcount == 2  # the setter, not the getter


@pytest.mark.parametrize("before, after", [
    ("LIMIT = 3", "LIMIT = 4"),  # a module constant
    ("size = 2", "size = 3"),  # a class attribute
    ("@functools.cache\n", ""),  # a decorator
    ("def double(x):", "def double(x=1):"),  # a default
])
def test_import_time_changes_are_refused(before, after):
    reason = changed_functions("calc.py", SOURCE, SOURCE.replace(before, after))
    assert isinstance(reason, str) and "import time" in reason


def test_moving_lines_changes_nothing():
    assert changed_functions("calc.py", SOURCE, SOURCE.replace("import functools\n", "import functools\n\n")) == ()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "calc.py").write_text(SOURCE)
    (root / "test_calc.py").write_text(TESTS)
    return root


def started(project: Path, jobs: int = 2) -> WarmWorker:
    """A warm worker on `project`, collecting test_calc.py."""
    command = PytestCommand(sandbox_root=project, user_root=project / "elsewhere", cwd=project,
                            scratch=project.parent / "scratch", import_roots=(project,))
    warm = WarmWorker(command, jobs=jobs, startup_timeout=120)
    warm.collect(["test_calc.py"])
    return warm


def warm_runs(project: Path, jobs: list[Job], workers: int = 2) -> list[TestRunResult | None]:
    """`jobs` run by a warm worker started for them on `project`, then stopped."""
    warm = started(project, workers)
    try:
        return warm.run(jobs)
    finally:
        warm.close()


@pytest.fixture
def worker(project: Path):
    warm = started(project)
    yield warm
    warm.close()


def job(after: str, *nodeids: str, timeout: float = 60) -> Job:
    return Job(nodeids or ("test_calc.py::test_double",), {"calc.py": (SOURCE, after)}, timeout=timeout)


def test_swapped_code_is_what_the_tests_run(worker, project):
    fixed = SOURCE.replace("return x + x", "return x + x + 1")
    wrong = SOURCE.replace("return x + x", "return x - x")
    runs = worker.run([job(fixed), job(wrong), job(SOURCE)])
    outcomes = [run.outcomes if run else None for run in runs]
    assert outcomes == [{"test_calc.py::test_double": "passed"},
                        {"test_calc.py::test_double": "failed"},
                        {"test_calc.py::test_double": "failed"}]
    assert "assert 0 == 5" in runs[1].failures["test_calc.py::test_double"]
    assert (project / "calc.py").read_text() == SOURCE, "the worker never writes the candidate"


def test_every_reference_sees_the_swap(worker):
    """A decorated function, a property setter: the function objects themselves change."""
    runs = worker.run([
        job(SOURCE.replace("return x + 1", "return x + 2"), "test_calc.py::test_cached"),
        job(SOURCE.replace("return self.size * self.size", "return 4"), "test_calc.py::test_box"),
    ])
    assert [r.outcomes if r else None for r in runs] == [
        {"test_calc.py::test_cached": "passed"}, {"test_calc.py::test_box": "passed"}]


def test_import_time_state_falls_back_to_a_subprocess(worker):
    """triple() ran at import time to build TABLE, so swapping it would leave TABLE stale."""
    runs = worker.run([
        job(SOURCE.replace("return 3 * x", "return 4 * x")),
        job(SOURCE.replace("LIMIT = 3", "LIMIT = 4")),
        job(SOURCE, "test_calc.py::test_not_collected"),
        job(SOURCE.replace("return x + x", "return x + x + 1")),
    ])
    assert runs[:3] == [None, None, None]
    assert runs[3] is not None and runs[3].outcomes == {"test_calc.py::test_double": "passed"}


CHECKED = """\
import functools


def checked(function):
    label = function.__name__

    @functools.wraps(function)
    def wrapper(x):
        if x < 0:
            raise ValueError(f"{label}: {x}")
        return function(x)
    return wrapper


@checked
def root(x):
    return x ** 0.5
"""


def test_the_wrapper_a_decorator_made_at_import_time_is_swapped_in_place(project):
    """checked() ran at import time, but an edit inside the wrapper it returned changes nothing
    it did then: the wrapper takes the new code, in place. An edit to checked's own code still
    falls back, as its import-time result would be stale."""
    (project / "calc.py").write_text(CHECKED)
    (project / "test_calc.py").write_text("from calc import root\n\n"
                                          "def test_root():\n    assert root(4) == 2\n")
    edited = [CHECKED.replace("return function(x)", "return function(x) + 1"),
              CHECKED.replace("label = function.__name__", "label = function.__qualname__")]
    runs = warm_runs(project, [Job(("test_calc.py::test_root",), {"calc.py": (CHECKED, after)}, timeout=60)
                               for after in edited])
    assert runs[0] is not None and runs[0].outcomes == {"test_calc.py::test_root": "failed"}
    assert "assert 3.0 == 2" in runs[0].failures["test_calc.py::test_root"]
    assert runs[1] is None


MONEY = """\
class Money:
    def __init__(self, cents):
        self.cents = cents * 1


def scale(x):
    return 2 * x


FACTOR = scale(3)
"""

MONEY_TESTS = """\
import pytest
from calc import FACTOR, Money

CASES = [Money(5), Money(7)]


@pytest.mark.parametrize("money", CASES)
def test_cents(money):
    assert money.cents in (50, 70)


def test_factor():
    assert FACTOR == 6
"""


def test_a_function_only_the_tests_collection_ran_is_swapped_and_the_tests_collected_again(project):
    """Money() built the parametrize values while the tests were collected: with its new code
    swapped in, the child collects test_calc.py again, so the values are what a fresh process
    would build. scale() ran when calc.py was imported: its result is the project's own
    (FACTOR), so an edit to it still falls back."""
    (project / "calc.py").write_text(MONEY)
    (project / "test_calc.py").write_text(MONEY_TESTS)
    cases = ("test_calc.py::test_cents[money0]", "test_calc.py::test_cents[money1]")
    runs = warm_runs(project, [
        Job(cases, {"calc.py": (MONEY, MONEY.replace("cents * 1", "cents * 10"))}, timeout=60),
        Job(cases, {"calc.py": (MONEY, MONEY)}, timeout=60),
        Job(("test_calc.py::test_factor",), {"calc.py": (MONEY, MONEY.replace("2 * x", "3 * x"))},
            timeout=60),
        Job(cases, {"calc.py": (MONEY, MONEY.replace("cents * 1", "int('x') + cents"))}, timeout=60),
    ])
    assert runs[0] is not None and runs[0].outcomes == dict.fromkeys(cases, "passed")
    assert runs[1] is not None and runs[1].outcomes == dict.fromkeys(cases, "failed")
    assert runs[2] is None
    # an edit that breaks the module's collection: failed, as a fresh process reports it
    assert runs[3] is not None and runs[3].outcomes == {"test_calc.py": "failed"}


def test_a_module_that_failed_to_collect_is_collected_again_with_the_swap(project):
    """Money() raised while test_calc.py was collected, so the warm session has none of its
    tests; a fix of Money() runs the module's tests in place all the same."""
    broken = MONEY.replace("cents * 1", "int('x') + cents")
    (project / "calc.py").write_text(broken)
    (project / "test_calc.py").write_text(MONEY_TESTS)
    runs = warm_runs(project, [Job(("test_calc.py",), {"calc.py": (broken, after)}, timeout=60)
                               for after in (MONEY.replace("cents * 1", "cents * 10"),
                                             broken.replace("'x'", "'y'"), broken)], workers=1)
    assert runs[0] is not None and runs[0].outcomes == {
        "test_calc.py::test_cents[money0]": "passed", "test_calc.py::test_cents[money1]": "passed",
        "test_calc.py::test_factor": "passed"}
    # still failing to collect: said by the child, with the error, not left to a fresh process
    assert runs[1] is not None and runs[1].outcomes == {"test_calc.py": "failed"}
    assert "invalid literal for int() with base 10: 'y'" in runs[1].failures["test_calc.py"]
    assert runs[2] is None  # unchanged, nothing to collect again: the module is not in the session


def test_candidates_run_in_parallel_children(worker, project):
    runs = worker.run([job(SOURCE, "test_calc.py::test_slow_a"), job(SOURCE, "test_calc.py::test_slow_b")])
    assert all(run and not run.timed_out for run in runs)
    (start_a, end_a, pid_a), (start_b, end_b, pid_b) = (
        [float(v) for v in (project / f"stamp-{n}.txt").read_text().split()] for n in "ab")
    assert pid_a != pid_b != os.getpid()
    assert start_a < end_b and start_b < end_a, "the two children did not overlap"


def test_children_that_wait_run_more_at_once_than_there_are_jobs(worker, project):
    """Two jobs at a time while the children use their cores; they sleep, so more join them."""
    runs = worker.run([job(SOURCE, "test_calc.py::test_wait") for _ in range(10)])
    assert all(run is not None and run.outcomes == {"test_calc.py::test_wait": "passed"} for run in runs)
    spans = [tuple(float(v) for v in stamp.read_text().split()[:2])
             for stamp in project.glob("stamp-wait-*.txt")]
    assert len(spans) == 10
    most = max(sum(start <= moment < end for start, end in spans) for moment, _ in spans)
    assert most > 2, f"at most {most} children ran at once"


def test_a_hanging_candidate_times_out_and_the_worker_keeps_serving(worker, project):
    hang = SOURCE.replace("return x + x", "__import__('time').sleep(600)")
    started = time.monotonic()
    slow, fixed = worker.run([job(hang, timeout=2), job(SOURCE.replace("x + x", "x + x + 1"))])
    assert slow is not None and slow.timed_out and slow.outcomes == {}
    assert time.monotonic() - started < 60
    assert fixed is not None and fixed.outcomes == {"test_calc.py::test_double": "passed"}
    later = worker.run([job(SOURCE)])
    assert later[0] is not None and later[0].outcomes == {"test_calc.py::test_double": "failed"}


def test_cancelled_jobs_stop_running_and_hold_up_none_after_them(worker):
    """Two hanging candidates running and three queued, none of them wanted any more: the next
    job is answered at once, not after their timeouts."""
    hang = SOURCE.replace("return x + x", "__import__('time').sleep(600)")
    tickets = worker.submit([job(hang, timeout=120) for _ in range(5)])
    time.sleep(2)  # the first two are running
    started = time.monotonic()
    worker.cancel_unclaimed()
    (later,) = worker.run([job(SOURCE)])
    assert later is not None and later.outcomes == {"test_calc.py::test_double": "failed"}
    assert time.monotonic() - started < 30
    assert [worker.result(ticket) for ticket in tickets] == [None] * 5
    assert worker.usage()["fell_back"] == {} and worker.usage()["ran"] == 1


def test_a_broken_project_makes_every_job_fall_back(project):
    (project / "conftest.py").write_text("raise SystemExit(3)\n")
    command = PytestCommand(sandbox_root=project, user_root=project / "elsewhere", cwd=project,
                            scratch=project.parent / "scratch")
    warm = WarmWorker(command, jobs=2, startup_timeout=60)
    warm.collect(["test_calc.py"])
    try:
        assert warm.run([job(SOURCE)]) == [None]
        assert warm.proc is None
    finally:
        warm.close()


def test_a_timed_out_child_takes_its_own_children_with_it(worker, project, tmp_path):
    pidfile = tmp_path / "grandchild.pid"
    spawn = SOURCE.replace(
        "return x + x",
        "import subprocess, sys, time\n"
        "    child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"    open({str(pidfile)!r}, 'w').write(str(child.pid))\n"
        "    time.sleep(600)",
    )
    (run,) = worker.run([job(spawn, timeout=3)])
    assert run is not None and run.timed_out
    grandchild = int(pidfile.read_text())
    assert gone_within(grandchild, 10), "a process started by the candidate outlived its timeout"



def test_a_probe_job_records_which_lines_each_test_ran(worker, project):
    from pytest_selfheal.heal.probe import read_contexts

    data = project.parent / "probe.coverage"
    (run,) = worker.run([Job(("test_calc.py::test_double", "test_calc.py::test_box"), {}, timeout=60,
                             coverage=data)])
    assert run is not None and run.outcomes == {"test_calc.py::test_double": "failed",
                                                "test_calc.py::test_box": "passed"}
    covered = read_contexts(data, project)
    source = SOURCE.splitlines()
    ran = {nodeid: {source[line - 1].strip() for path, line in lines if path == "calc.py"}
           for nodeid, lines in covered.items()}
    assert ran == {"test_calc.py::test_double": {"return x + x"},
                   "test_calc.py::test_box": {"return self.size * self.size"}}
    assert run.leaked_modules == ()
    assert set(run.durations) == {"test_calc.py::test_double", "test_calc.py::test_box"}


@pytest.mark.parametrize(("loop", "cpu_seconds", "stopped_within"), [
    ("while True:\n        pass", 1, 1.9),
    # to the millisecond: a whole second per looping candidate was what most heals lost to them
    ("while True:\n        pass", 0.2, 0.9),
    # a test that takes SIGPROF for itself still meets the whole-second limit
    ("import signal\n    signal.signal(signal.SIGPROF, signal.SIG_IGN)\n    while True:\n        pass",
     0.2, 2.9),
])
def test_a_looping_candidate_is_stopped_by_its_cpu_limit(worker, loop, cpu_seconds, stopped_within):
    spin = SOURCE.replace("return x + x", loop)
    started = time.monotonic()
    (run,) = worker.run([Job(("test_calc.py::test_double",), {"calc.py": (SOURCE, spin)}, timeout=120,
                             cpu_seconds=cpu_seconds)])
    assert run is not None and run.timed_out and run.outcomes == {}
    assert run.seconds < stopped_within, run.seconds
    assert time.monotonic() - started < 30, "the wall-clock timeout, not the CPU limit, stopped it"


def test_a_thousand_jobs_in_one_call_neither_block_nor_get_lost(worker):
    """Replies fill their pipe long before the requests are all written: both must flow at once."""
    jobs = [job(SOURCE, "test_calc.py::test_not_collected_" + "x" * 200) for _ in range(1500)]
    started = time.monotonic()
    runs = worker.run(jobs)
    assert runs == [None] * len(jobs)
    assert worker.proc is not None, "the worker is still serving"
    assert time.monotonic() - started < 60
    (last,) = worker.run([job(SOURCE)])
    assert last is not None and last.outcomes == {"test_calc.py::test_double": "failed"}


@pytest.mark.parametrize("raw", ["-1", "two", "1.5"])
def test_workers_option_names_the_fix(raw):
    from pytest_selfheal.config import resolve
    from pytest_selfheal.errors import ConfigError

    with pytest.raises(ConfigError, match=r"--selfheal-workers \(from command line\): expected 0"):
        resolve(cli={"workers": raw}, ini={}, pyproject={}, env={})


def test_workers_zero_means_no_warm_worker(tmp_path):
    from pytest_selfheal.config import resolve
    from pytest_selfheal.sandbox.warm import start_warm_worker

    settings = resolve(cli={}, ini={}, pyproject={"workers": 0}, env={})
    command = PytestCommand(sandbox_root=tmp_path, user_root=tmp_path, cwd=tmp_path, scratch=tmp_path / "s")
    assert settings.workers == 0
    assert start_warm_worker(command, settings.workers, startup_timeout=1) is None


def test_a_worker_started_before_its_worktree_exists_runs_it_as_if_started_there(tmp_path):
    """It imports pytest while the worktree is built: then the rootdir (first on sys.path, as
    with `python -m pytest` run there) and an import root that did not exist yet both work."""
    project = tmp_path / "worktree"
    command = PytestCommand(sandbox_root=project, user_root=tmp_path / "elsewhere", cwd=project,
                            scratch=tmp_path / "scratch", import_roots=(project / "src",))
    warm = WarmWorker(command, jobs=1, startup_timeout=120)
    try:
        time.sleep(1.5)  # it has imported pytest and waits for its start line
        (project / "src").mkdir(parents=True)
        (project / "tests").mkdir()
        (project / "calc.py").write_text(SOURCE)
        (project / "src" / "shapes.py").write_text("def sides():\n    return 3\n")
        (project / "tests" / "test_both.py").write_text(
            "from calc import double\nfrom shapes import sides\n\n"
            "def test_double():\n    assert double(2) == 5\n\n"
            "def test_sides():\n    assert sides() == 4\n"
        )
        warm.collect(["tests"])
        fixed = {"calc.py": (SOURCE, SOURCE.replace("return x + x", "return x + x + 1")),
                 "src/shapes.py": ("def sides():\n    return 3\n", "def sides():\n    return 4\n")}
        nodeids = ("tests/test_both.py::test_double", "tests/test_both.py::test_sides")
        before, after = warm.run([Job(nodeids, {}, timeout=60), Job(nodeids, fixed, timeout=60)])
        assert before is not None and after is not None
        assert before.outcomes == dict.fromkeys(nodeids, "failed")
        assert after.outcomes == dict.fromkeys(nodeids, "passed")
    finally:
        warm.close()
