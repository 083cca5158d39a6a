from types import SimpleNamespace

from pytest_selfheal.testproc.observer import Observations

NODE = "tests/test_paths.py::test_windows_paths"


def report(outcome: str, when: str = "call", *, subtest: bool = False) -> SimpleNamespace:
    fields = dict(nodeid=NODE, when=when, duration=0.01, passed=outcome == "passed",
                  failed=outcome == "failed", skipped=outcome == "skipped",
                  longrepr=SimpleNamespace(reprcrash=SimpleNamespace(message="assert 1 == 2")))
    if subtest:
        fields["context"] = SimpleNamespace(msg="posix", kwargs={})
    return SimpleNamespace(**fields)


def test_a_skipped_subtest_leaves_a_passing_test_passed():
    observed = Observations()
    for each in (report("passed", subtest=True), report("skipped", subtest=True),
                 report("passed", "setup"), report("passed"), report("passed", "teardown")):
        observed.record(each)
    assert observed.outcomes == {NODE: "passed"}


def test_a_failing_subtest_fails_the_test():
    observed = Observations()
    for each in (report("failed", subtest=True), report("skipped", subtest=True), report("passed")):
        observed.record(each)
    assert observed.outcomes == {NODE: "failed"}
    assert observed.failures == {NODE: "assert 1 == 2"}


def test_a_test_skipped_itself_is_skipped():
    observed = Observations()
    observed.record(report("skipped", "setup"))
    assert observed.outcomes == {NODE: "skipped"}
