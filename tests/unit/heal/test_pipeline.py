"""The heal's stages in order, driven by fake test runs and the scripted agent: what each stage
hands the next, and every way the stages end before or after the search."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import coverage
import pytest

from pytest_selfheal.agents import create_agent
from pytest_selfheal.config import Settings
from pytest_selfheal.errors import SandboxError
from pytest_selfheal.heal import pipeline
from pytest_selfheal.heal.changes import ChangedLines
from pytest_selfheal.heal.request import HealRequest
from pytest_selfheal.models import Failure, Frame, TestRunResult
from pytest_selfheal.output.decisions import DecisionLog
from pytest_selfheal.output.rundir import DECISIONS
from pytest_selfheal.sandbox.paths import Sandbox
from pytest_selfheal.sandbox.runner import PytestCommand
from pytest_selfheal.sandbox.testruns import Job

BUGGY = "def add(a, b):\n    return a - b\n\n\ndef neg(a):\n    return -a\n"
TESTS = "from calc import add, neg\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\ndef test_neg():\n    assert neg(2) == -2\n"
ADD, NEG = "test_calc.py::test_add", "test_calc.py::test_neg"
COVERED = {ADD: [1, 2], NEG: [5, 6]}  # lines of calc.py each test runs


@pytest.fixture(autouse=True)
def no_git(monkeypatch):
    """The stages ask git for changed lines and HEAD; here there is no git, as on a machine
    without it, and every git question gets no answer."""
    def unavailable(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError("git")

    monkeypatch.setattr("pytest_selfheal.git.run_git", unavailable)


@dataclass
class FakeRuns:
    """Test runs decided by the text of calc.py: `add` passes once it adds, `neg` always passes
    unless `flaky` makes `add` alternate. The probe's coverage is written as coverage.py would."""

    command: PytestCommand
    flaky: bool = False
    neg_broken: bool = False  # test_neg fails too, while `neg` returns -a
    leaked: tuple[str, ...] = ()
    stops_after: int | None = None  # from this many jobs on, the process stops before any test
    uncollected: tuple[str, ...] = ()  # tests no run reports
    hangs: bool = False  # every run hangs until it is killed at its timeout
    warm: None = None
    startup: float = 10.0
    xdist_workers: int = 0
    jobs: list[Job] = field(default_factory=list)
    _flips: int = 0

    def outcomes(self, source: str, nodeids: Sequence[str]) -> TestRunResult:
        if self.stops_after is not None and len(self.jobs) > self.stops_after:
            return TestRunResult({}, 4, 0.01, output_tail="ImportError while loading conftest\n"
                                 "E   RuntimeError: not in a sandbox\n\n")
        if self.hangs:
            return TestRunResult({}, -9, 30.0, timed_out=True, output_tail="test_calc.py ..")
        outcomes = {n: "passed" for n in nodeids if n not in self.uncollected}
        if ADD in outcomes and "a + b" not in source:
            self._flips += 1
            outcomes[ADD] = "passed" if self.flaky and self._flips % 2 == 0 else "failed"
        if NEG in outcomes and self.neg_broken and "return -a" in source:
            outcomes[NEG] = "failed"
        failures = {n: "assert -1 == 5" for n, o in outcomes.items() if o == "failed"}
        return TestRunResult(outcomes, int(bool(failures)), 0.01, failures=failures,
                             leaked_modules=self.leaked, durations={n: 0.01 for n in nodeids})

    def source(self, job: Job | None = None) -> str:
        if job is not None and "calc.py" in job.files:
            return job.files["calc.py"][1]
        return (self.command.sandbox_root / "calc.py").read_text()

    def run(self, jobs: Sequence[Job], *, deadline: float | None = None) -> list[TestRunResult | None]:
        results: list[TestRunResult | None] = []
        for job in jobs:
            self.jobs.append(job)
            if job.coverage is not None:
                self._write_coverage(job.coverage, job.nodeids)
            results.append(self.outcomes(self.source(job), job.nodeids))
        return results

    def run_later(self, jobs: Sequence[Job], *, deadline: float | None = None
                  ) -> Callable[[], list[TestRunResult | None]]:
        results = self.run(jobs, deadline=deadline)
        return lambda: results

    def screen(self, jobs: Sequence[Job]) -> list[TestRunResult | None]:
        return [self.outcomes(self.source(job), job.nodeids) for job in jobs]

    def screen_later(self, jobs: Sequence[Job]) -> list[Callable[[], TestRunResult | None]]:
        return [lambda run=run: run for run in self.screen(jobs)]

    def subprocess(self, job: Job) -> TestRunResult:
        return self.outcomes(self.source(), job.nodeids)

    def fresh(self, nodeids: Sequence[str], *, timeout: float, stop_at_first_failure: bool = False,
              parallel: bool = False, memory_bytes: int | None = None) -> TestRunResult:
        return self.outcomes(self.source(), nodeids)

    def warmed_up(self) -> None:
        pass

    def stand_by(self) -> None:
        pass

    def close(self) -> None:
        pass

    def _write_coverage(self, data_file: Path, nodeids: Sequence[str]) -> None:
        data = coverage.CoverageData(basename=str(data_file))
        for nodeid in nodeids:
            data.set_context(nodeid)
            data.add_lines({str(self.command.sandbox_root / "calc.py"): COVERED.get(nodeid, [])})
        data.write()


@dataclass
class Heal:
    request: HealRequest
    runs: FakeRuns
    sandbox: Sandbox
    run_dir: Path

    def stages(self) -> pipeline.HealResult:
        return pipeline._stages(self.runs, self.sandbox, self.request,  # type: ignore[arg-type]
                                pipeline.Plan.of(self.request), self.run_dir,
                                DecisionLog(self.run_dir))

    def decisions(self) -> list[str]:
        lines = (self.run_dir / DECISIONS).read_text().splitlines()
        return [json.loads(line)["kind"] for line in lines]


def make_heal(tmp_path: Path, candidates: Sequence[tuple[str, str]] = (), *, outcomes=None,
              **runs_options: object) -> Heal:
    checkout, worktree = tmp_path / "checkout", tmp_path / "worktree"
    for root in (checkout, worktree):
        root.mkdir()
        (root / "calc.py").write_text(BUGGY)
        (root / "test_calc.py").write_text(TESTS)
    script = tmp_path / "agent.json"
    script.write_text(json.dumps({"candidates": [
        {"edits": [{"path": "calc.py", "find": find, "replace": replace}]}
        for find, replace in candidates]}))
    settings = Settings(agent=f"scripted:{script}", alternatives=0, regression_dir="")
    failure = Failure(ADD, "call", "AssertionError", "assert -1 == 5",
                      frames=(Frame("test_calc.py", 5, "test_add"), Frame("calc.py", 2, "add")))
    request = HealRequest(
        repo_root=checkout, rootdir=checkout, failures=(failure,),
        outcomes=outcomes or {ADD: "failed", NEG: "passed"}, settings=settings,
        make_agent=lambda spec: create_agent(spec, settings), run_id="run-1",
        python_files=("test_*.py",), suite_seconds=0.1,
    )
    sandbox = Sandbox(user_root=checkout.resolve(), root=worktree, tmp=tmp_path)
    command = PytestCommand(sandbox_root=worktree, user_root=checkout, cwd=worktree,
                            scratch=tmp_path / "scratch")
    command.scratch.mkdir()
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    return Heal(request, FakeRuns(command, **runs_options), sandbox, run_dir)  # type: ignore[arg-type]


def test_a_heal_runs_its_stages_in_order_and_keeps_the_fix_that_passes(tmp_path):
    heal = make_heal(tmp_path, [("a - b", "a * b"), ("a - b", "a + b")])
    result = heal.stages()
    assert (result.status, result.targets) == ("healed", (ADD,))
    assert result.fix is not None and result.fix.candidate.description == "scripted #2"
    assert b"-    return a - b\n+    return a + b\n" in result.diff
    assert [o.verdict.value for o in result.outcomes] == ["still-failing", "plausible"]
    # the lines only the failing test ran lead the suspects; the error's line says what it raised
    assert {(s.path, s.line) for s in result.suspects[:2]} == {("calc.py", 1), ("calc.py", 2)}
    line_2 = next(s for s in result.suspects if s.line == 2)
    assert "raises AssertionError: assert -1 == 5" in line_2.evidence
    # the fix's run of the tests near it, then its whole-suite run (the gate), are logged before
    # its candidate's verdict
    assert heal.decisions() == ["probe", "triage", "suspects", "candidate", "near", "gate",
                                "candidate", "agent", "regression"]
    # the probe ran the failing test with the tests of its module, under coverage
    assert heal.runs.jobs[0].nodeids == (ADD, NEG) and heal.runs.jobs[0].coverage is not None
    assert (heal.sandbox.root / "calc.py").read_text() == BUGGY  # the worktree is restored


def test_a_failure_that_passes_in_the_sandbox_is_not_healed_and_says_so(tmp_path):
    heal = make_heal(tmp_path, [("a - b", "a + b")])
    (heal.sandbox.root / "calc.py").write_text(BUGGY.replace("a - b", "a + b"))
    result = heal.stages()
    assert result.status == "not-healed"
    assert result.reason == "nothing to repair: 1 not-reproduced"
    assert result.outcomes == ()  # the agent never ran


def test_a_flaky_failure_is_classified_and_never_repaired(tmp_path):
    result = make_heal(tmp_path, [("a - b", "a + b")], flaky=True).stages()
    assert result.status == "not-healed"
    assert result.reason == "nothing to repair: 1 flaky"
    assert result.triage is not None and result.triage.failures[0].kind == "flaky"


def test_a_search_that_finds_nothing_reports_why_it_stopped(tmp_path):
    result = make_heal(tmp_path, [("a - b", "a * b")]).stages()
    assert (result.status, result.fix, result.diff) == ("not-healed", None, b"")
    assert result.reason.startswith("no plausible fix found: no candidate made a failing test pass "
                                    "(1 judged; script exhausted)")


def two_failures(heal: Heal) -> Heal:
    second = Failure(NEG, "call", "AssertionError", "assert 2 == -2",
                     frames=(Frame("test_calc.py", 9, "test_neg"),))
    heal.request = HealRequest(**{**heal.request.__dict__, "failures": (*heal.request.failures, second),
                                  "outcomes": {ADD: "failed", NEG: "failed"}})
    return heal


def test_only_failures_that_reproduce_in_the_sandbox_are_targets(tmp_path):
    result = two_failures(make_heal(tmp_path, [("a - b", "a + b")])).stages()
    assert result.targets == (ADD,)  # test_neg passes in the sandbox
    assert result.status == "healed"
    assert result.reason == ("plausible fix: 1 of 1 failing tests pass and no passing test broke; "
                             "not repaired: 1 not-reproduced")


def test_a_fix_for_some_of_the_targets_is_partial(tmp_path):
    result = two_failures(make_heal(tmp_path, [("a - b", "a + b")], neg_broken=True)).stages()
    assert result.targets == (ADD, NEG)
    assert result.status == "partial"
    assert result.reason == "plausible fix: 1 of 2 failing tests pass and no passing test broke"


def test_tests_that_import_the_checkout_instead_of_the_worktree_stop_the_heal(tmp_path):
    heal = make_heal(tmp_path, [("a - b", "a + b")], leaked=("calc",))
    with pytest.raises(SandboxError, match="cannot isolate the sandbox"):
        heal.stages()


@pytest.mark.parametrize("stops_after, step", [(0, "probe"), (1, "triage rerun")])
def test_a_test_process_that_cannot_configure_ends_the_heal_and_quotes_its_error(tmp_path, stops_after, step):
    heal = make_heal(tmp_path, [("a - b", "a + b")], stops_after=stops_after)
    with pytest.raises(SandboxError) as raised:
        heal.stages()
    reason = str(raised.value)
    assert reason.startswith(f"the {step} could not run the tests in the sandbox: its pytest "
                             "process exited with code 4 before any test reported")
    assert "\n    ImportError while loading conftest\n    E   RuntimeError: not in a sandbox\n" in reason
    assert "not to blame" in reason and "did not reproduce" not in reason
    assert heal.runs.jobs[-1].files == {}  # no candidate was tried


def test_failing_tests_the_probe_did_not_run_are_not_blamed(tmp_path):
    heal = make_heal(tmp_path, [("a - b", "a + b")], uncollected=(ADD,))
    with pytest.raises(SandboxError, match=r"the probe ran in the sandbox but did not run 1 of the "
                       r"failing tests \(test_calc.py::test_add\): they were not collected there"):
        heal.stages()


def test_a_probe_stopped_at_its_timeout_before_any_failing_test_says_a_test_hangs(tmp_path):
    heal = make_heal(tmp_path, [("a - b", "a + b")], hangs=True)
    with pytest.raises(SandboxError) as raised:
        heal.stages()
    reason = str(raised.value)
    assert reason.startswith("the probe was stopped after 30s in the sandbox before any failing "
                             "test reported: a test hangs there")
    assert "give it a time limit: pytest-timeout's `timeout = 10`" in reason
    assert reason.endswith("Its last lines:\n    test_calc.py ..")


def test_a_failing_test_the_probe_did_not_run_is_held_not_called_unreproduced(tmp_path):
    heal = two_failures(make_heal(tmp_path, [("a - b", "a + b")], uncollected=(ADD,)))
    result = heal.stages()
    assert (result.status, result.reason) == ("not-healed", "nothing to repair: 1 not-reproduced, 1 not-run")
    assert result.triage is not None
    kinds = {f.nodeid: (f.kind, dict(f.counts)) for f in result.triage.failures}
    assert kinds[ADD] == ("not-run", {})  # never rerun: the probe showed it is not collected
    assert kinds[NEG][0] == "not-reproduced"


def test_lines_the_policy_forbids_are_never_suspects(tmp_path):
    heal = make_heal(tmp_path, [("a - b", "a + b")])
    heal.request = HealRequest(**{**heal.request.__dict__,
                                  "settings": replace(heal.request.settings, forbidden_paths=("calc.py",))})
    result = heal.stages()
    assert result.suspects == ()
    logged = [json.loads(line) for line in (heal.run_dir / DECISIONS).read_text().splitlines()]
    forbidden = next(entry for entry in logged if entry["kind"] == "suspects-forbidden")
    assert forbidden["files"] == {"calc.py": "calc.py matches forbidden_paths"}


def test_the_files_read_ahead_are_the_tracebacks_then_a_small_changes_source_files(tmp_path):
    for path in ("tests/test_a.py", "pkg/api.py", "pkg/core.py", "pkg/data.json"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("")
    failures = [
        Failure("tests/test_a.py::test_one", "call", "ValueError", "",
                frames=(Frame("tests/test_a.py", 5, "test_one"), Frame("pkg/api.py", 9, "run"),
                        Frame("pkg/core.py", 2, "step"))),
        Failure("tests/test_a.py::test_two", "call", "ValueError", "",
                frames=(Frame("tests/test_a.py", 8, "test_two"), Frame("pkg/api.py", 9, "run"),
                        Frame("pkg/data.json", 1, "<module>"))),
    ]
    def in_tests(path: str) -> bool:
        return path.startswith("tests/")

    def changed(*paths: str) -> ChangedLines:
        return ChangedLines("HEAD", "HEAD", frozenset((path, 1) for path in paths))

    small = changed("tests/test_a.py", "pkg/util.py", "pkg/api.py", "README.md")
    assert pipeline.likely_files(failures, small, in_tests, tmp_path) == [
        "pkg/core.py", "pkg/api.py", "pkg/util.py"]
    large = changed(*(f"pkg/m{n}.py" for n in range(pipeline.CHANGED_FILES_AHEAD + 1)))
    assert pipeline.likely_files(failures, large, in_tests, tmp_path) == ["pkg/core.py", "pkg/api.py"]
    assert pipeline.likely_files([], small, in_tests, tmp_path) == ["pkg/api.py", "pkg/util.py"]
