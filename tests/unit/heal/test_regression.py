"""Where a fix's regression test comes from: the function the fix changed, and the path the new
test module gets."""

from contextlib import nullcontext
from types import SimpleNamespace

import pytest

from pytest_selfheal.heal.regression import (
    NoRegression,
    PatchedFunction,
    _project_newline,
    changed_calls,
    choose_witnesses,
    patched_function,
    record_calls,
    regression_test_path,
)
from pytest_selfheal.models import Edit
from pytest_selfheal.redaction import Redactor


def _edit(before, after):
    return Edit(path="pkg/mod.py", before=before, after=after, description="d")


def test_patched_function_finds_the_changed_method_and_whether_self_is_used():
    before = "class A:\n    def f(self, x):\n        return x > 1\n\n    def g(self):\n        return self\n"
    found = patched_function([_edit(before, before.replace("x > 1", "x >= 1"))])
    assert (found.path, found.qualname, found.self_unused) == ("pkg/mod.py", "A.f", True)
    found = patched_function([_edit(before, before.replace("return self", "return self or 1"))])
    assert (found.qualname, found.self_unused) == ("A.g", False)


def test_a_fix_outside_any_function_has_no_regression_test():
    with pytest.raises(NoRegression, match="changes no existing function"):
        patched_function([_edit("LIMIT = 1\n", "LIMIT = 2\n")])


def test_test_path_is_next_to_the_failing_test_or_in_the_configured_dir(tmp_path):
    (tmp_path / "pkg" / "tests").mkdir(parents=True)
    rootdir = tmp_path / "pkg"
    assert regression_test_path(tmp_path, rootdir, "tests/test_a.py::t", "Cart.total", "") == \
        "pkg/tests/test_regression_total.py"
    (rootdir / "tests" / "test_regression_total.py").write_text("")
    assert regression_test_path(tmp_path, rootdir, "tests/test_a.py::t", "total", "") == \
        "pkg/tests/test_regression_total_2.py"
    assert regression_test_path(tmp_path, rootdir, "tests/test_a.py::t", "_total", "checks") == \
        "pkg/checks/test_regression_total.py"
    with pytest.raises(NoRegression, match="outside the rootdir; pass --selfheal-regression-dir"):
        regression_test_path(tmp_path, rootdir, "tests/test_a.py::t", "total", "../elsewhere")


def test_the_test_file_is_named_so_that_the_projects_python_files_collect_it(tmp_path):
    (tmp_path / "tests").mkdir()
    assert regression_test_path(tmp_path, tmp_path, "tests/check_a.py::t", "total", "",
                                ("check_*.py",)) == "tests/check_regression_total.py"
    assert regression_test_path(tmp_path, tmp_path, "tests/a_test.py::t", "total", "",
                                ("*_test.py", "test_*.py")) == "tests/test_regression_total.py"
    assert regression_test_path(tmp_path, tmp_path, "tests/a_spec.py::t", "total", "",
                                ("*_spec.py",)) == "tests/regression_total_spec.py"


def test_a_regression_test_ends_its_lines_as_the_files_beside_it_or_else_as_the_fixed_file(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    crlf_fix = [_edit("def f():\r\n    return 1\r\n", "def f():\r\n    return 2\r\n")]
    assert _project_newline(tests / "test_regression_f.py", crlf_fix) == "\r\n"
    (tests / "test_a.py").write_bytes(b"def test_a():\n    pass\n")
    (tests / "test_b.py").write_bytes(b"x = 1\r\n")
    assert _project_newline(tests / "test_regression_f.py", crlf_fix) == "\n"


def test_a_call_on_an_object_carved_with_a_secret_is_no_witness():
    secret = "s3cr3t-token-value"
    target = {"ref": {"module": "pkg", "name": "Client"}, "binding": "method", "name": "url"}

    def call(token, returns):
        step = {"name": "login", "args": [{"name": "token", "kind": "positional",
                                           "value": {"literal": repr(token)}, "default": False}]}
        receiver = {"carved": {"call": {"module": "pkg", "name": "Client"}, "args": [], "id": 1},
                    "steps": [step]}
        return {"test": "t", "callers": [], "receiver": receiver, "args": [],
                "outcome": {"returns": {"literal": repr(returns)}}}

    fixed = {"target": target, "calls": [call(secret, "a"), call("plain-value", "a")]}
    original = {"target": target, "calls": [call(secret, "b"), call("plain-value", "b")]}
    [witness] = choose_witnesses(fixed, original, "Client.url", Redactor((secret,)))
    assert "plain-value" in str(witness.receiver) and secret not in str(witness.receiver)


def _account_call(amount, balance, returns="None"):
    receiver = {"call": {"module": "bank", "name": "Account"}, "kwargs": [],
                "args": [{"literal": "10"}]}
    return {"test": "t", "callers": [], "receiver": receiver,
            "args": [{"name": "amount", "kind": "positional", "value": {"literal": repr(amount)},
                      "default": False}],
            "outcome": {"returns": {"literal": returns}},
            "state": {"self.balance": {"literal": repr(balance)}, "self.owner": {"literal": "'ann'"}}}


def test_a_method_that_changes_no_result_is_witnessed_by_what_it_left_in_its_object():
    target = {"ref": {"module": "bank", "name": "Account"}, "binding": "method", "name": "withdraw"}
    fixed = {"target": target, "calls": [_account_call(3, 7), _account_call(0, 10)]}
    original = {"target": target, "calls": [_account_call(3, 13), _account_call(0, 10)]}
    [witness] = choose_witnesses(fixed, original, "Account.withdraw", Redactor(()))
    assert witness.args[0]["value"] == {"literal": "3"}
    assert witness.effects == (("self.balance", {"literal": "7"}),)  # owner is the same both ways


def test_a_changed_result_is_preferred_to_a_changed_object():
    target = {"ref": {"module": "bank", "name": "Account"}, "binding": "method", "name": "withdraw"}
    fixed = {"target": target, "calls": [_account_call(3, 7), _account_call(5, 5, "True")]}
    original = {"target": target, "calls": [_account_call(3, 13), _account_call(5, 5, "False")]}
    first, second = choose_witnesses(fixed, original, "Account.withdraw", Redactor(()))
    assert (first.outcome, first.effects) == ({"returns": {"literal": "True"}}, ())
    assert second.effects == (("self.balance", {"literal": "7"}),)


def test_calls_that_would_be_written_alike_are_one_witness():
    """Two objects built alike are told apart in the recording (each carved as itself), not in
    the test: one test is written for them."""
    target = {"ref": {"module": "bank", "name": "Account"}, "binding": "method", "name": "withdraw"}

    def call(number, amount, returns):
        built = {"carved": {"call": {"module": "bank", "name": "Account"}, "args": [], "id": number},
                 "steps": []}
        return {**_account_call(amount, 0, returns), "receiver": built, "state": {}}

    fixed = {"target": target, "calls": [call(1, 3, "True"), call(2, 3, "True"), call(3, 4, "True")]}
    original = {"target": target, "calls": [call(1, 3, "False"), call(2, 3, "False"),
                                            call(3, 4, "False")]}
    first, second = choose_witnesses(fixed, original, "Account.withdraw", Redactor(()))
    assert [w.args[0]["value"] for w in (first, second)] == [{"literal": "3"}, {"literal": "4"}]


def test_no_witness_when_neither_result_nor_object_differs():
    target = {"ref": {"module": "bank", "name": "Account"}, "binding": "method", "name": "withdraw"}
    calls = {"target": target, "calls": [_account_call(3, 7)]}
    with pytest.raises(NoRegression, match="returned, raised or left its object differently"):
        choose_witnesses(calls, calls, "Account.withdraw", Redactor(()))


def test_no_witness_when_no_call_was_made_alike_without_the_fix_says_so():
    """tomlkit's `Integer.__sub__`: the return value differed (37 against 33), but no call of one
    recording matched one of the other, and the reason said the results were alike."""
    target = {"ref": {"module": "bank", "name": "Account"}, "binding": "method", "name": "withdraw"}
    fixed = {"target": target, "calls": [_account_call(3, 7)]}
    original = {"target": target, "calls": [_account_call(4, 7)]}
    with pytest.raises(NoRegression, match=r"no recorded call of Account\.withdraw with the fix was "
                                            r"made alike without it"):
        choose_witnesses(fixed, original, "Account.withdraw", Redactor(()))


def test_changed_calls_counts_each_input_whose_result_object_or_presence_differs():
    target = {"ref": {"module": "bank", "name": "Account"}, "binding": "method", "name": "withdraw"}
    fixed = {"target": target, "calls": [_account_call(3, 7), _account_call(5, 5, "True"),
                                         _account_call(0, 10), _account_call(0, 10)]}
    original = {"target": target, "calls": [_account_call(3, 13), _account_call(5, 5, "False"),
                                            _account_call(0, 10), _account_call(9, 1)]}
    # 3: the object differs; 5: the result; 0: alike (twice); 9: made without the fix only
    assert changed_calls(fixed, original) == 3
    assert changed_calls(fixed, fixed) == 0


def test_recordings_in_subprocesses_end_by_their_deadline_together(tmp_path, monkeypatch):
    """pyparsing, whose fix the warm worker could not take: the two recordings (with the fix and
    without) ran one after the other, each given the whole time left, and together ran 100 s
    into the time kept for the regression test."""
    clock = [100.0]
    monkeypatch.setattr("pytest_selfheal.heal.regression.time.monotonic", lambda: clock[0])

    class Runs:
        startup = 2.0

        def __init__(self):
            self.timeouts: list[float] = []

        def screen(self, jobs):
            return [None] * len(jobs)  # the warm worker cannot take the fix

        def subprocess(self, job):
            self.timeouts.append(job.timeout)
            clock[0] += job.timeout + self.startup  # each run takes all it is given

    runs = Runs()
    bench = SimpleNamespace(command=SimpleNamespace(scratch=tmp_path), runs=runs,
                            sandbox=SimpleNamespace(root=tmp_path, applied=lambda edits: nullcontext()),
                            limits=SimpleNamespace(suite_timeout=30.0))
    patched = PatchedFunction("pkg/mod.py", "f", self_unused=False)
    with pytest.raises(NoRegression, match="ran out of time"):
        record_calls(bench, [_edit("x = 1\n", "x = 2\n")], patched, ["tests/test_mod.py::test_f"],
                     until=110.0)
    assert runs.timeouts == [8.0], "10 s were left, less the first process's start-up"
    assert clock[0] == 110.0
