"""What a test run says of itself: whether its process got to run any test, and its last lines
quoted in the reason of a heal that could not go on."""

import pytest

from pytest_selfheal.models import TestRunResult
from pytest_selfheal.sandbox.testruns import did_not_run, last_lines, stopped_before_tests


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
