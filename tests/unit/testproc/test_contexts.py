import importlib.util
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import coverage

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
