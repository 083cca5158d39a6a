import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import coverage

from pytest_selfheal.sandbox.protocol import TESTMAP_ENV
from pytest_selfheal.testproc import contexts
from pytest_selfheal.testproc.contexts import PerTestContexts

PROJECT = '''\
def busy(seconds):
    end = __import__("time").thread_time() + seconds
    total = 0
    while __import__("time").thread_time() < end:
        total += 1
    return total


def late():
    return "reached"
'''


def _module(tmp_path: Path):
    (tmp_path / "proj.py").write_text(PROJECT, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("selfheal_contexts_proj", tmp_path / "proj.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _lines(data_file: Path, context: str) -> set[int]:
    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    found: set[int] = set()
    for path in data.measured_files():
        found |= {line for line, names in data.contexts_by_lineno(path).items() if context in names}
    return found


def _one_test(tmp_path: Path, whole, body) -> set[int]:
    data_file = tmp_path / "probe.coverage"
    recorder = PerTestContexts(str(data_file), str(tmp_path), whole=whole)
    try:
        recorder.pytest_runtest_setup(SimpleNamespace(nodeid="t.py::test_long"))
        body()
        recorder.pytest_runtest_logfinish("t.py::test_long")
    finally:
        recorder.save()
    return _lines(data_file, "t.py::test_long")


def test_a_test_not_traced_whole_keeps_only_the_lines_of_its_first_moments(tmp_path):
    proj = _module(tmp_path)

    def body():
        proj.busy(3 * contexts.TRACE_CPU_SECONDS)
        time.sleep(0.05)  # the watchdog stops coverage by now
        proj.late()

    lines = _one_test(tmp_path, (), body)
    assert {2, 3, 4, 5} <= lines  # busy() ran traced at first
    assert 10 not in lines  # late() ran after the cap


def test_a_failing_test_is_traced_whole(tmp_path):
    proj = _module(tmp_path)

    def body():
        proj.busy(3 * contexts.TRACE_CPU_SECONDS)
        proj.late()

    assert {2, 3, 4, 5, 10} <= _one_test(tmp_path, ("t.py::test_long",), body)


def test_the_next_test_is_traced_again_after_a_capped_one(tmp_path):
    proj = _module(tmp_path)
    data_file = tmp_path / "probe.coverage"
    recorder = PerTestContexts(str(data_file), str(tmp_path), whole=())
    try:
        recorder.pytest_runtest_setup(SimpleNamespace(nodeid="t.py::test_long"))
        proj.busy(3 * contexts.TRACE_CPU_SECONDS)
        time.sleep(0.05)
        recorder.pytest_runtest_logfinish("t.py::test_long")
        recorder.pytest_runtest_setup(SimpleNamespace(nodeid="t.py::test_short"))
        proj.late()
        recorder.pytest_runtest_logfinish("t.py::test_short")
    finally:
        recorder.save()
    assert _lines(data_file, "t.py::test_short") == {10}
    assert 10 not in _lines(data_file, "t.py::test_long")


MONEY = '''\
class Money:
    def __init__(self, cents):
        self.cents = cents

    def __eq__(self, other):
        return self.cents == other.cents

    def __repr__(self):
        whole, cents = divmod(self.cents, 100)
        return f"Money({whole}.{cents:02d})"


def with_tax(price):
    return Money(price.cents * 110 // 10)
'''

MONEY_TESTS = '''\
from money import Money, with_tax


def test_with_tax():
    price = Money(1000)
    assert with_tax(price) == Money(1100)


def test_with_tax_of_nothing():
    assert with_tax(Money(0)) == Money(0)
'''


def _money_testmap_run(tmp_path: Path, *options: str, env: dict[str, str] | None = None
                       ) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The money project's tests run by a real pytest with the test map's per-test coverage:
    the process, and its data file (which must exist)."""
    (tmp_path / "money.py").write_text(MONEY, encoding="utf-8")
    (tmp_path / "test_money.py").write_text(MONEY_TESTS, encoding="utf-8")
    data_file = tmp_path / "map.coverage"
    full_env = {**os.environ, TESTMAP_ENV: str(data_file), "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    full_env.pop("PYTEST_ADDOPTS", None)
    ran = subprocess.run([sys.executable, "-m", "pytest", "-p", "pytest_selfheal.testproc.testmap",
                          "-p", "no:cacheprovider", *options, "-q", "test_money.py"],
                         cwd=tmp_path, env=full_env, capture_output=True, text=True, timeout=120)
    assert data_file.is_file(), ran.stdout + ran.stderr
    return ran, data_file


def test_what_pytest_runs_to_describe_a_failure_is_no_tests(tmp_path):
    """A failed assert shows the reprs of what it compared, and --showlocals the repr of every
    local: only failing tests run those __repr__ lines, which are not where the fault is."""
    ran, data_file = _money_testmap_run(tmp_path, "--showlocals")
    assert "Money(110.00) == Money(11.00)" in ran.stdout  # pytest's description is whole
    assert "price      = Money(10.00)" in ran.stdout
    failing = _lines(data_file, "test_money.py::test_with_tax")
    passing = _lines(data_file, "test_money.py::test_with_tax_of_nothing")
    assert {3, 6, 14} <= failing and {3, 6, 14} <= passing
    assert not failing & {9, 10}, "the __repr__ ran to describe the failure"


def test_each_test_keeps_its_lines_whatever_core_the_environment_asks_for(tmp_path, monkeypatch):
    """sys.monitoring (Python 3.14's default, or COVERAGE_CORE=sysmon from 3.12) reports a line
    once per process, and warns at a switch of context: per-test lines need the C tracer."""
    monkeypatch.setenv("COVERAGE_CORE", "sysmon")
    recorder = PerTestContexts(str(tmp_path / "probe.coverage"), str(tmp_path))
    try:
        assert recorder.coverage.get_option("run:core") == "ctrace"
    finally:
        recorder.save()
    _, data_file = _money_testmap_run(tmp_path, "-W", "error::coverage.exceptions.CoverageWarning",
                                      env={"COVERAGE_CORE": "sysmon"})
    first = _lines(data_file, "test_money.py::test_with_tax")
    second = _lines(data_file, "test_money.py::test_with_tax_of_nothing")
    assert {3, 6, 14} <= first and {3, 6, 14} <= second


def test_a_phase_that_raised_nothing_switches_no_context(tmp_path):
    """Each switch costs coverage a query of its database: a passing test's three phases have
    nothing to describe aside, a failing phase has."""
    recorder = PerTestContexts(str(tmp_path / "probe.coverage"), str(tmp_path), whole=())
    switched: list[str] = []
    recorder.coverage.switch_context = switched.append  # type: ignore[method-assign]
    try:
        recorder.pytest_runtest_setup(SimpleNamespace(nodeid="t.py::test_one"))
        for excinfo in (None, None, object()):
            wrapper = recorder.pytest_runtest_makereport(call=SimpleNamespace(excinfo=excinfo))
            next(wrapper)
            for _ in wrapper:
                pass
        recorder.pytest_runtest_logfinish("t.py::test_one")
    finally:
        del recorder.coverage.switch_context
        recorder.save()
    assert switched == ["t.py::test_one", "", "t.py::test_one", ""]
