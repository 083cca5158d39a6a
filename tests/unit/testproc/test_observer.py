import sys
from types import SimpleNamespace

from helpers import ParametrizedItem

from pytest_selfheal.sandbox.protocol import CASES_ENV, encode_cases, movable_cases
from pytest_selfheal.testproc.observer import Observations, take_user_ids

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


PARSE = "tests/test_date.py::test_parse"
TEXTS = ["1985-04-12", "19850412", "1985-102", "1985102"]


def parse_cases(order: list[str]) -> list[ParametrizedItem]:
    """test_parse's cases as a process whose set iterates in `order` numbers them."""
    return [ParametrizedItem(PARSE, f"expected{index}", expected=text) for index, text in enumerate(order)]


def user_cases(tmp_path, monkeypatch, items) -> dict[str, str]:
    cases = movable_cases(items)
    (tmp_path / "cases.json").write_text(encode_cases(cases))
    monkeypatch.setenv(CASES_ENV, str(tmp_path / "cases.json"))
    return {nodeid: item.callspec.params["expected"] for nodeid, item in
            zip(cases, items, strict=True)}


def test_each_case_numbered_otherwise_here_takes_the_users_id(tmp_path, monkeypatch):
    users = user_cases(tmp_path, monkeypatch, parse_cases(TEXTS))
    here = parse_cases(list(reversed(TEXTS)))
    assert {item.nodeid: item.callspec.params["expected"] for item in here} != users

    take_user_ids(here)

    assert {item.nodeid: item.callspec.params["expected"] for item in here} == users


def test_a_case_the_user_did_not_know_gives_up_an_id_another_case_takes(tmp_path, monkeypatch):
    users = user_cases(tmp_path, monkeypatch, parse_cases(TEXTS))
    here = parse_cases(["1985102", "1985-04-12", "19850412", "1985-102"])
    unknown = ParametrizedItem(PARSE, "expected3", expected=object())
    here[3] = unknown  # 1985-102, whose repr now holds an address: the user's expected2

    take_user_ids(here)

    assert {item.nodeid: item.callspec.params["expected"] for item in here[:3]} == {
        nodeid: text for nodeid, text in users.items() if text != "1985-102"}
    assert unknown.nodeid == f"{PARSE}[sandbox-expected3]"


def test_without_the_users_cases_no_id_changes(monkeypatch):
    monkeypatch.delenv(CASES_ENV, raising=False)
    here = parse_cases(TEXTS)

    take_user_ids(here)

    assert [item.nodeid for item in here] == [f"{PARSE}[expected{index}]" for index in range(4)]


def test_a_case_whose_repr_changed_here_does_not_pass_for_the_users_test_of_its_id(tmp_path, monkeypatch):
    user_cases(tmp_path, monkeypatch, parse_cases(TEXTS))
    here = parse_cases(TEXTS)
    changed = ParametrizedItem(PARSE, "expected2", expected=frozenset({"1985", "102"}))
    here[2] = changed  # as a set in a parameter prints in another order in another process

    take_user_ids(here)

    assert changed.nodeid == f"{PARSE}[sandbox-expected2]"
    assert [item.nodeid for item in here[:2]] == [f"{PARSE}[expected0]", f"{PARSE}[expected1]"]


REAL_CASES = """
import datetime
import pytest

DAYS = {days}

@pytest.mark.parametrize("expected", DAYS)
def test_day(expected):
    pass
"""
DAYS = ["datetime.date(1985, 4, 12)", "datetime.date(1999, 12, 31)", "datetime.date(2000, 1, 1)"]


def test_real_pytest_items_take_the_users_ids(pytester, tmp_path, monkeypatch):
    """pytest's own items, whichever way this pytest stores a node id: the user's from a set,
    here in the opposite order. No installed plugin loads: only pytest's own items count."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    users = pytester.getitems(REAL_CASES.format(days="{" + ", ".join(DAYS) + "}"))
    ids = {item.nodeid: item.callspec.params["expected"] for item in users}
    cases = movable_cases(users)
    assert len(cases) == 3
    (tmp_path / "cases.json").write_text(encode_cases(cases))
    monkeypatch.setenv(CASES_ENV, str(tmp_path / "cases.json"))
    sys.modules.pop(users[0].module.__name__)  # collected again, as another process would
    reversed_order = [f"datetime.date{v.timetuple()[:3]}" for v in reversed(ids.values())]
    here = pytester.getitems(REAL_CASES.format(days="[" + ", ".join(reversed_order) + "]"))
    assert {item.nodeid: item.callspec.params["expected"] for item in here} != ids

    take_user_ids(here)

    assert {item.nodeid: item.callspec.params["expected"] for item in here} == ids
