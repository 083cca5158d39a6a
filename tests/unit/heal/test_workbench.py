"""SandboxWorkbench judges candidates against fake test runs: every exit of `_judge` and of
`try_candidate`, and what the warm screening may and may not decide."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pytest_selfheal.config import Settings
from pytest_selfheal.heal.policy import build_policy
from pytest_selfheal.heal.workbench import RepairTask, SandboxWorkbench, SearchLimits
from pytest_selfheal.models import Candidate, Edit, Spectrum, TestRunResult, Verdict
from pytest_selfheal.sandbox.paths import Sandbox
from pytest_selfheal.sandbox.testruns import Job
from pytest_selfheal.testfiles import TestFiles

BUGGY = "def add(a, b):\n    return a - b\n\n\ndef neg(a):\n    return -a\n"
TARGET = "test_calc.py::test_add"
NEAR = "test_calc.py::test_neg"  # covers the patched function's file
FAR = "test_other.py::test_far"  # the rest of the suite
SUITE = (TARGET, NEAR, FAR)

Behaviour = Callable[[str, tuple[str, ...]], TestRunResult]


def ran(outcomes: Mapping[str, str], *, timed_out: bool = False) -> TestRunResult:
    failures = {n: "AssertionError" for n, o in outcomes.items() if o == "failed"}
    return TestRunResult(dict(outcomes), int(bool(failures)), 0.01, timed_out=timed_out,
                         failures=failures)


@dataclass
class FakeRuns:
    """Test runs decided by `behaviour(source of calc.py, nodeids)`; records where each ran.

    Screening sees the candidate's text through the job, a fresh run sees the file on disk, as
    the warm worker and a subprocess do."""

    sandbox: Sandbox
    behaviour: Behaviour
    warm: bool = True
    xdist_workers: int = 0
    calls: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def screen(self, jobs: Sequence[Job]) -> list[TestRunResult | None]:
        if not self.warm:
            return [None] * len(jobs)
        results: list[TestRunResult | None] = []
        for job in jobs:
            source = job.files.get("calc.py", (None, self.sandbox.read("calc.py").text))[1]
            self.calls.append(("warm", job.nodeids))
            results.append(self.behaviour(source, job.nodeids))
        return results

    def subprocess(self, job: Job) -> TestRunResult:
        self.calls.append(("subprocess", job.nodeids))
        return self.behaviour(self.sandbox.read("calc.py").text, job.nodeids)

    def fresh(self, nodeids: Sequence[str], *, timeout: float, stop_at_first_failure: bool = False,
              parallel: bool = False) -> TestRunResult:
        self.calls.append(("fresh", tuple(nodeids)))
        return self.behaviour(self.sandbox.read("calc.py").text, tuple(nodeids))

    def close(self) -> None:
        pass


def fixed_by(good: str, *, breaks: Mapping[str, str] = {}) -> Behaviour:
    """The target passes when calc.py holds `good`; sources in `breaks` also fail that test."""

    def behaviour(source: str, nodeids: tuple[str, ...]) -> TestRunResult:
        outcomes = {n: "passed" for n in nodeids}
        if good not in source:
            outcomes[TARGET] = "failed"
        for marker, broken in breaks.items():
            if marker in source and broken in outcomes:
                outcomes[broken] = "failed"
        return ran({n: o for n, o in outcomes.items() if n in nodeids})

    return behaviour


def make_bench(tmp_path: Path, behaviour: Behaviour, *, warm: bool = True,
               previously_failed: Sequence[str] = (TARGET,), probe_outcomes: Mapping[str, str] | None = None,
               max_candidates: int = 100, alternatives: int = 0) -> tuple[SandboxWorkbench, FakeRuns]:
    root = tmp_path / "worktree"
    root.mkdir()
    sandbox = Sandbox(user_root=tmp_path / "checkout", root=root, tmp=tmp_path)
    sandbox.write("calc.py", BUGGY)
    sandbox.write("test_calc.py", "from calc import add\n")
    runs = FakeRuns(sandbox, behaviour, warm=warm)
    is_test_file = TestFiles(("test_*.py",))
    spectrum = Spectrum(
        covered={TARGET: frozenset({("calc.py", 2)}), NEAR: frozenset({("calc.py", 2), ("calc.py", 6)}),
                 FAR: frozenset()},
        outcomes=dict(probe_outcomes or {TARGET: "failed", NEAR: "passed", FAR: "passed"}),
    )
    bench = SandboxWorkbench(
        sandbox=sandbox,
        runs=runs,  # type: ignore[arg-type]  # duck-typed TestRuns
        task=RepairTask(targets=(TARGET,), suite=SUITE, previously_failed=frozenset(previously_failed),
                        failures=(), suspects=(), spectrum=spectrum),
        limits=SearchLimits(deadline=time.monotonic() + 60, max_candidates=max_candidates,
                            target_timeout=5, suite_timeout=30),
        policy=build_policy(Settings(), is_test_file, submodules=(),
                            test_literals=frozenset()),
        is_test_file=is_test_file,
        alternatives=alternatives,
    )
    return bench, runs


def edit(after: str, path: str = "calc.py", before: str = BUGGY) -> Candidate:
    return Candidate((Edit(path, before, after, f"edit {path}", line=2),))


def plus(extra: str = "") -> Candidate:
    return edit(BUGGY.replace("a - b", "a + b" + extra))


def test_a_fix_that_passes_in_place_and_in_a_clean_run_is_plausible(tmp_path):
    bench, runs = make_bench(tmp_path, fixed_by("a + b"))
    outcome = bench.try_candidate(plus())
    assert outcome.verdict is Verdict.PLAUSIBLE
    assert outcome.fixed == (TARGET,)
    assert bench.healed and bench.best is outcome
    # the target screened warm, then the covering test, then the whole suite once from disk
    assert runs.calls == [("warm", (TARGET,)), ("warm", (NEAR,)), ("fresh", SUITE)]
    assert bench.sandbox.read("calc.py").text == BUGGY  # restored


def test_a_candidate_whose_targets_time_out_is_a_timeout(tmp_path):
    def behaviour(source: str, nodeids: tuple[str, ...]) -> TestRunResult:
        return ran({n: "failed" for n in nodeids}, timed_out="a + b" in source)

    bench, _ = make_bench(tmp_path, behaviour)
    outcome = bench.try_candidate(plus())
    assert (outcome.verdict, outcome.detail) == (Verdict.TIMEOUT, "the target tests timed out")


def test_a_candidate_that_fixes_no_target_is_still_failing_and_never_reaches_the_suite(tmp_path):
    bench, runs = make_bench(tmp_path, fixed_by("a + b"))
    outcome = bench.try_candidate(edit(BUGGY.replace("a - b", "a * b")))
    assert outcome.verdict is Verdict.STILL_FAILING
    assert outcome.detail.startswith(TARGET)
    assert all(kind != "fresh" for kind, _ in runs.calls)


def test_a_candidate_that_breaks_a_covering_test_is_caught_before_the_suite(tmp_path):
    bench, runs = make_bench(tmp_path, fixed_by("a + b", breaks={"a + b": NEAR}))
    outcome = bench.try_candidate(plus())
    assert (outcome.verdict, outcome.fixed, outcome.broken) == (Verdict.BREAKS_OTHERS, (TARGET,), (NEAR,))
    assert all(kind != "fresh" for kind, _ in runs.calls)


def test_a_suite_that_times_out_is_a_timeout_with_what_the_targets_showed(tmp_path):
    good = fixed_by("a + b")

    def behaviour(source: str, nodeids: tuple[str, ...]) -> TestRunResult:
        result = good(source, nodeids)
        return ran(result.outcomes, timed_out=nodeids == SUITE)

    bench, _ = make_bench(tmp_path, behaviour)
    outcome = bench.try_candidate(plus())
    assert (outcome.verdict, outcome.fixed, outcome.detail) == (Verdict.TIMEOUT, (TARGET,), "the suite timed out")


def test_a_fix_that_passes_only_in_place_is_still_failing(tmp_path):
    good = fixed_by("a + b")

    def behaviour(source: str, nodeids: tuple[str, ...]) -> TestRunResult:
        result = good(source, nodeids)
        return ran({**result.outcomes, TARGET: "failed"}) if nodeids == SUITE else result

    bench, _ = make_bench(tmp_path, behaviour)
    outcome = bench.try_candidate(plus())
    assert outcome.verdict is Verdict.STILL_FAILING
    assert outcome.detail.startswith("passed in place but not in a clean run")


def test_a_fix_that_breaks_a_far_test_in_the_suite_breaks_others(tmp_path):
    bench, _ = make_bench(tmp_path, fixed_by("a + b", breaks={"a + b": FAR}))
    outcome = bench.try_candidate(plus())
    assert (outcome.verdict, outcome.broken) == (Verdict.BREAKS_OTHERS, (FAR,))


def test_a_test_that_fails_without_the_patch_too_is_not_counted_as_broken(tmp_path):
    # FAR fails on the unpatched code as well: the lazy baseline run excuses it
    bench, runs = make_bench(tmp_path, fixed_by("a + b", breaks={"a": FAR}),
                             probe_outcomes={TARGET: "failed", NEAR: "passed"})
    outcome = bench.try_candidate(plus())
    assert (outcome.verdict, outcome.broken) == (Verdict.PLAUSIBLE, ())
    assert runs.calls[-1] == ("fresh", SUITE)  # the baseline, on the restored worktree


def test_a_previously_failing_test_never_counts_as_broken(tmp_path):
    bench, _ = make_bench(tmp_path, fixed_by("a + b", breaks={"a + b": FAR}),
                          previously_failed=(TARGET, FAR))
    assert bench.try_candidate(plus()).verdict is Verdict.PLAUSIBLE


def test_duplicates_syntax_errors_and_policy_rejections_never_run(tmp_path):
    bench, runs = make_bench(tmp_path, fixed_by("a + b"))
    assert bench.try_candidate(edit(BUGGY.replace("a - b", "a -"))).verdict is Verdict.INVALID
    rejected = bench.try_candidate(edit("x = 1\n", path="test_calc.py", before="from calc import add\n"))
    assert rejected.verdict is Verdict.REJECTED
    assert "test file" in rejected.detail
    bench.try_candidate(plus())
    assert bench.try_candidate(plus()).verdict is Verdict.DUPLICATE
    assert len(runs.calls) == 3  # only the one real candidate ran


def test_without_a_warm_worker_every_run_is_a_subprocess_from_disk(tmp_path):
    bench, runs = make_bench(tmp_path, fixed_by("a + b"), warm=False)
    assert bench.try_candidate(plus()).verdict is Verdict.PLAUSIBLE
    assert [kind for kind, _ in runs.calls] == ["subprocess", "subprocess", "fresh"]


def test_a_batch_is_screened_at_once_then_judged_in_order(tmp_path):
    bench, runs = make_bench(tmp_path, fixed_by("a + b"), alternatives=0)
    outcomes = bench.try_batch([edit(BUGGY.replace("a - b", "a * b")), plus(), plus(" + 0")])
    assert [o.verdict for o in outcomes] == [Verdict.STILL_FAILING, Verdict.PLAUSIBLE]
    assert bench.stop_reason() == "healed"  # the third was never judged
    screened = [call for call in runs.calls if call == ("warm", (TARGET,))]
    assert len(screened) == 3  # all three screened together, before any judgement


@pytest.mark.parametrize(("limits", "reason"), [
    ({"max_candidates": 1}, "candidate budget spent"),
    ({"deadline": 0.0}, "time budget spent"),
])
def test_the_search_stops_at_its_budget(tmp_path, limits, reason):
    bench, _ = make_bench(tmp_path, fixed_by("a + b"))
    bench.limits = SearchLimits(**{"deadline": time.monotonic() + 60, "max_candidates": 100,
                                   "target_timeout": 5, "suite_timeout": 30, **limits})
    bench.try_candidate(edit(BUGGY.replace("a - b", "a * b")))
    assert bench.stop_reason() == reason


def test_an_edit_its_files_encoding_cannot_hold_is_invalid_and_never_runs(tmp_path):
    bench, runs = make_bench(tmp_path, fixed_by("a + b"))
    euro = Edit("calc.py", BUGGY, BUGGY.replace("a - b", "a + b  # €"), "euro", line=2,
                encoding="iso-8859-1")
    outcome = bench.try_candidate(Candidate((euro,)))
    assert outcome.verdict is Verdict.INVALID
    assert "calc.py: 'latin-1' codec can't encode character '\\u20ac'" in outcome.detail
    assert runs.calls == []


def test_the_worktree_file_gets_its_original_bytes_back_after_a_candidate(tmp_path):
    bench, _ = make_bench(tmp_path, fixed_by("a + b"))
    crlf = BUGGY.replace("\n", "\r\n")
    bench.sandbox.write_bytes("calc.py", crlf.encode())
    assert bench.try_candidate(edit(crlf.replace("a - b", "a + b"), before=crlf)).verdict is Verdict.PLAUSIBLE
    assert (bench.root / "calc.py").read_bytes() == crlf.encode()
