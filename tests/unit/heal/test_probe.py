"""The probe's spectrum: per-test lines from the coverage data the test processes wrote, one
file per pytest-xdist worker when the probe ran under xdist."""

from pathlib import Path

import coverage

from pytest_selfheal.heal.probe import probe_selection, read_contexts


def write(data_file: Path, lines: dict[str, dict[str, list[int]]]) -> None:
    data = coverage.CoverageData(basename=str(data_file))
    for context, files in lines.items():
        data.set_context(context)
        data.add_lines(files)
    data.write()


def test_the_files_of_every_xdist_worker_are_read_together(tmp_path):
    root = tmp_path / "worktree"
    source = str(root / "pkg" / "mod.py")
    data_file = tmp_path / "probe.coverage"
    write(data_file, {"": {source: [1]}})  # the controller runs no test
    write(tmp_path / "probe.coverage.gw0", {"t.py::a": {source: [1, 2]}})
    write(tmp_path / "probe.coverage.gw1", {"t.py::b": {source: [1, 3], "/usr/lib/x.py": [7]}})
    write(tmp_path / "other.coverage", {"t.py::c": {source: [9]}})
    assert read_contexts(data_file, root) == {
        "t.py::a": frozenset({("pkg/mod.py", 1), ("pkg/mod.py", 2)}),
        "t.py::b": frozenset({("pkg/mod.py", 1), ("pkg/mod.py", 3)}),
    }


def test_no_data_file_is_an_empty_spectrum(tmp_path):
    assert read_contexts(tmp_path / "probe.coverage", tmp_path) == {}


def test_the_probe_runs_the_failing_tests_first_then_the_rest_of_their_modules():
    ran = ["a.py::x", "a.py::y", "b.py::z", "c.py::w"]
    assert probe_selection(["a.py::y", "c.py::w"], ran) == ["a.py::y", "c.py::w", "a.py::x"]
