"""What a test run says of itself: whether its process got to run any test, and its last lines
quoted in the reason of a heal that could not go on; which runs go under pytest-xdist."""

import pytest

from pytest_selfheal.models import TestRunResult
from pytest_selfheal.sandbox import testruns
from pytest_selfheal.sandbox.runner import PytestCommand
from pytest_selfheal.sandbox.testruns import Job, TestRuns, did_not_run, last_lines, stopped_before_tests


@pytest.mark.parametrize("run, stopped", [
    (TestRunResult({}, 4, 0.1), True),  # a usage or configuration error
    (TestRunResult({}, 1, 0.1), True),  # an exception before pytest ran anything
    (TestRunResult({}, 5, 0.1), True),  # nothing collected
    (TestRunResult({}, 0, 0.1), True),  # no observation written
    (TestRunResult({"t.py::a": "failed"}, 2, 0.1), False),  # a module failed to collect: reported
    (TestRunResult({"t.py::a": "passed"}, 0, 0.1), False),
    (TestRunResult({}, -9, 5.0, timed_out=True), False),  # killed at its timeout
    (TestRunResult({}, -11, 0.1), False),  # a test crashed the interpreter
])
def test_a_run_stopped_before_tests_only_when_it_ended_by_itself_without_reporting_any(run, stopped):
    assert stopped_before_tests(run) is stopped


def test_the_last_lines_are_quoted_without_blank_ones():
    tail = "".join(f"line {n}\n\n" for n in range(20))
    assert last_lines(TestRunResult({}, 4, 0.1, output_tail=tail)).splitlines() == [
        f"    line {n}" for n in range(8, 20)]
    assert last_lines(TestRunResult({}, 4, 0.1)) == "    (no output was kept)"


def test_the_error_names_the_step_quotes_the_process_and_says_what_to_do():
    run = TestRunResult({}, 1, 0.3, output_tail="Traceback ...\n"
                        "pytest.PytestAssertRewriteWarning: Module already imported\n")
    reason = str(did_not_run("probe", run))
    assert reason.startswith("the probe could not run the tests in the sandbox: its pytest "
                             "process exited with code 1 before any test reported")
    assert "\n    pytest.PytestAssertRewriteWarning: Module already imported\n" in reason
    assert "your tests are not to blame" in reason and "fresh clone" in reason


HUNG = ("  File \"tests/test_x.py\", line 13, in test_hang\n    time.sleep(0.01)\n"
        + "+" * 35 + " Timeout " + "+" * 36 + "\n")


def test_a_process_pytest_timeouts_thread_method_ended_is_told_apart_and_the_fix_named():
    hung = TestRunResult({}, 1, 1.2, output_tail=HUNG)
    assert testruns.hung_under_thread_timeout(hung) and stopped_before_tests(hung)
    assert not testruns.hung_under_thread_timeout(TestRunResult({}, 1, 0.3, output_tail="Timeout\n"))
    assert not testruns.hung_under_thread_timeout(TestRunResult({"t.py::a": "failed"}, 1, 1.2, output_tail=HUNG))
    reason = str(did_not_run("probe", hung))
    assert reason.startswith("the probe could not finish in the sandbox: a test hung there and "
                             "pytest-timeout's thread method ended the whole pytest process")
    assert "    time.sleep(0.01)\n" in reason and reason.endswith("and the heal can judge it")
    assert "`timeout_method = signal`" in reason


def test_only_parallel_jobs_run_under_the_users_xdist_engine(monkeypatch, tmp_path):
    asked: list[tuple[tuple[str, ...], int]] = []

    def run_tests(command: object, nodeids: tuple[str, ...], **options: object) -> TestRunResult:
        asked.append((tuple(nodeids), int(options["workers"])))  # type: ignore[call-overload]
        return TestRunResult({n: "passed" for n in nodeids}, 0, 0.1)

    monkeypatch.setattr(testruns, "run_tests", run_tests)
    monkeypatch.setattr(TestRuns, "stand_by", lambda self: None)
    command = PytestCommand(sandbox_root=tmp_path, user_root=tmp_path, cwd=tmp_path, scratch=tmp_path)
    runs = TestRuns(command, xdist_workers=2)
    runs.run([Job(("t.py::a",), {}, timeout=1), Job(("t.py::b",), {}, timeout=1, parallel=True)])
    runs.fresh(["t.py::c"], timeout=1, parallel=True)
    runs.fresh(["t.py::d"], timeout=1)
    assert asked == [(("t.py::a",), 0), (("t.py::b",), 2), (("t.py::c",), 2), (("t.py::d",), 0)]
    serial = TestRuns(command)
    serial.fresh(["t.py::e"], timeout=1, parallel=True)
    assert asked[-1] == (("t.py::e",), 0)


def test_the_error_that_stopped_a_run_is_quoted_even_when_other_lines_follow_it():
    tail = ("INTERNALERROR> RuntimeError: this suite shares one database\n"
            + "".join(f"[gw1] node down: line {n}\n" for n in range(20)))
    quoted = last_lines(TestRunResult({}, 3, 1.0, output_tail=tail)).splitlines()
    assert quoted[0] == "    INTERNALERROR> RuntimeError: this suite shares one database"
    assert quoted[1] == "    ..." and quoted[-1] == "    [gw1] node down: line 19"
