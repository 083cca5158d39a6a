"""The probe's spectrum: per-test lines from the coverage data the test processes wrote, one
file per process when the probe ran in several (after a session under pytest-xdist)."""

import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import coverage
import pytest

from pytest_selfheal.heal.probe import module_shares, probe_selection, read_contexts, start_probe
from pytest_selfheal.models import TestRunResult
from pytest_selfheal.sandbox.runner import PytestCommand
from pytest_selfheal.sandbox.testruns import Job


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


SPREAD = {  # lines past 64 and 1,000 cross numbits' byte and word boundaries; cases share sets
    f"t.py::test_{case}[{n}]": [1, 8, 9, 64, 65, 1000 + case] if case else [2, 3]
    for case in range(4) for n in range(3)
}


def spread(root: Path) -> dict[str, dict[str, list[int]]]:
    return {context: {str(root / "pkg" / "mod.py"): lines} for context, lines in SPREAD.items()}


def test_the_data_file_read_as_stored_is_what_coverage_reads(tmp_path):
    root = tmp_path / "worktree"
    data_file = tmp_path / "probe.coverage"
    write(data_file, spread(root))
    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    by_coverage: dict[str, set[tuple[str, int]]] = {}
    for lineno, contexts in data.contexts_by_lineno(str(root / "pkg" / "mod.py")).items():
        for context in contexts:
            by_coverage.setdefault(context, set()).add(("pkg/mod.py", lineno))
    assert read_contexts(data_file, root) == {k: frozenset(v) for k, v in by_coverage.items()}
    assert ("pkg/mod.py", 1001) in read_contexts(data_file, root)["t.py::test_1[2]"]


def test_a_data_file_of_another_schema_is_read_through_coverage(tmp_path, monkeypatch):
    from pytest_selfheal.heal import probe as probe_module

    root = tmp_path / "worktree"
    data_file = tmp_path / "probe.coverage"
    write(data_file, spread(root))
    expected = read_contexts(data_file, root)
    monkeypatch.setattr(probe_module, "COVERAGE_SCHEMA", probe_module.COVERAGE_SCHEMA + 1)
    through_api = []
    real = probe_module._read_through_api
    monkeypatch.setattr(probe_module, "_read_through_api",
                        lambda *args: through_api.append(1) or real(*args))
    assert read_contexts(data_file, root) == expected
    assert through_api == [1]


def test_no_data_file_is_an_empty_spectrum(tmp_path):
    assert read_contexts(tmp_path / "probe.coverage", tmp_path) == {}


def test_the_probe_runs_the_failing_tests_and_the_rest_of_their_modules_in_the_users_order():
    """A failing test moved ahead of the others would be counted for the work the process does
    once (a lazily built singleton), which its first test did in the user's run."""
    ran = ["a.py::x", "a.py::y", "b.py::z", "c.py::w"]
    assert probe_selection(["a.py::y", "c.py::w"], ran) == ["a.py::x", "a.py::y", "c.py::w"]


def test_a_failing_test_the_run_did_not_list_is_probed_first():
    assert probe_selection(["a.py::y", "d.py::v"], ["a.py::x", "a.py::y"]) == ["d.py::v", "a.py::x", "a.py::y"]


def test_a_huge_module_is_probed_on_an_even_spread_of_its_other_tests(monkeypatch):
    monkeypatch.setattr("pytest_selfheal.heal.probe.PROBE_MODULE_SAMPLE", 5)
    cases = [f"gen.py::test_case[{i}]" for i in range(42)]
    ran = ["small.py::a", *cases, "small.py::b", "other.py::c"]
    chosen = probe_selection(["gen.py::test_case[41]", "small.py::b"], ran)
    assert chosen == ["small.py::a", *(f"gen.py::test_case[{i}]" for i in (0, 10, 20, 30, 40, 41)),
                      "small.py::b"]


def test_shares_keep_whole_modules_in_the_order_given_and_balance_the_tests():
    nodeids = ["a.py::f1", "b.py::f2", "a.py::x", "a.py::y", "b.py::z", "c.py::w", "d.py::v"]
    assert module_shares(nodeids, 1) == [nodeids]
    # biggest module first, each to the share with fewest tests: a (3), b (2), c (1), d (1)
    assert module_shares(nodeids, 2) == [["a.py::f1", "a.py::x", "a.py::y", "d.py::v"],
                                         ["b.py::f2", "b.py::z", "c.py::w"]]
    assert module_shares(["a.py::x"], 4) == [["a.py::x"]]


@dataclass
class SplitRuns:
    """Warm children that record which lines each test ran as coverage.py would."""

    command: PytestCommand
    xdist_workers: int
    warm: object | None = field(default_factory=object)
    jobs: list[Job] = field(default_factory=list)

    def run(self, jobs: Sequence[Job], *, deadline: float | None = None) -> list[TestRunResult | None]:
        results: list[TestRunResult | None] = []
        for job in jobs:
            self.jobs.append(job)
            assert job.coverage is not None
            write(job.coverage, {n: {str(self.command.sandbox_root / "m.py"): [len(n)]}
                                 for n in job.nodeids})
            results.append(TestRunResult({n: "failed" if "bad" in n else "passed" for n in job.nodeids},
                                         int(any("bad" in n for n in job.nodeids)), 0.1 * len(jobs),
                                         durations={n: 0.01 for n in job.nodeids},
                                         output_tail=f"{len(job.nodeids)} ran\n"))
        return results

    def run_later(self, jobs: Sequence[Job], *, deadline: float | None = None
                  ) -> Callable[[], list[TestRunResult | None]]:
        results = self.run(jobs, deadline=deadline)
        return lambda: results


def split_runs(tmp_path: Path, workers: int, *, warm: bool = True) -> SplitRuns:
    (tmp_path / "scratch").mkdir()
    command = PytestCommand(sandbox_root=tmp_path, user_root=tmp_path, cwd=tmp_path,
                            scratch=tmp_path / "scratch")
    return SplitRuns(command, workers, warm=object() if warm else None)


SELECTION = ["a.py::bad", "b.py::ok", "a.py::ok2", "b.py::ok33"]


def test_after_an_xdist_session_the_probe_runs_in_as_many_warm_children_and_merges_them(tmp_path):
    runs = split_runs(tmp_path, 2)
    spectrum, run = start_probe(runs, SELECTION, timeout=10)()  # type: ignore[arg-type]
    assert [job.nodeids for job in runs.jobs] == [("a.py::bad", "a.py::ok2"), ("b.py::ok", "b.py::ok33")]
    assert len({job.coverage for job in runs.jobs}) == 2
    assert spectrum.outcomes == {"a.py::bad": "failed", "a.py::ok2": "passed", "b.py::ok": "passed",
                                 "b.py::ok33": "passed"}
    assert spectrum.covered["b.py::ok33"] == frozenset({("m.py", len("b.py::ok33"))})
    assert (run.exit_code, run.seconds, set(run.durations)) == (1, 0.2, set(SELECTION))
    assert run.output_tail == "2 ran\n\n2 ran\n"


@pytest.mark.parametrize(("workers", "warm"), [(0, True), (2, False)])
def test_after_a_serial_session_or_without_warm_children_the_probe_is_one_run(tmp_path, workers, warm):
    runs = split_runs(tmp_path, workers, warm=warm)
    spectrum, _ = start_probe(runs, SELECTION, timeout=10)()  # type: ignore[arg-type]
    assert [job.nodeids for job in runs.jobs] == [tuple(SELECTION)]
    assert runs.jobs[0].parallel  # a subprocess runs it under xdist when the session did
    assert set(spectrum.covered) == set(SELECTION)


def test_the_heals_process_reads_the_probe_without_importing_coverage():
    """coverage.py is 8 MiB of the heal's memory; the probe's data file is read with sqlite3."""
    stages = ("pytest_selfheal.heal.pipeline", "pytest_selfheal.heal.regression",
              "pytest_selfheal.heal.behaviour", "pytest_selfheal.agents.builtin.agent")
    code = f"import sys\nfor name in {stages!r}:\n    __import__(name)\nprint('coverage' in sys.modules)"
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert ran.stdout.strip() == "False"
