"""SandboxWorkbench judges candidates against fake test runs: every exit of `_judge` and of
`try_candidate`, and what the warm screening may and may not decide."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from pytest_selfheal.config import Settings
from pytest_selfheal.errors import SandboxError
from pytest_selfheal.heal.policy import build_policy
from pytest_selfheal.heal.workbench import (
    PARTIAL_RANKING_SECONDS,
    RepairTask,
    SandboxWorkbench,
    SearchLimits,
)
from pytest_selfheal.models import Candidate, Edit, Spectrum, TestRunResult, Verdict
from pytest_selfheal.output.decisions import DecisionLog
from pytest_selfheal.output.rundir import DECISIONS
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
    waited: list[str] = field(default_factory=list)  # screening results taken, and fresh runs
    jobs: list[Job] = field(default_factory=list)  # every job screened
    cancelled: int = 0  # times the screening left unjudged was cancelled

    def cancel_unclaimed(self) -> None:
        self.cancelled += 1

    def screen(self, jobs: Sequence[Job]) -> list[TestRunResult | None]:
        self.jobs.extend(jobs)
        if not self.warm:
            return [None] * len(jobs)
        results: list[TestRunResult | None] = []
        for job in jobs:
            source = job.files.get("calc.py", (None, self.sandbox.read("calc.py").text))[1]
            self.calls.append(("warm", job.nodeids))
            results.append(self.behaviour(source, job.nodeids))
        return results

    def screen_later(self, jobs: Sequence[Job]) -> list[Callable[[], TestRunResult | None]]:
        """As the worker does: every job queued now, each result taken when it is asked for."""
        def taken(index: int, run: TestRunResult | None) -> Callable[[], TestRunResult | None]:
            def result() -> TestRunResult | None:
                self.waited.append(f"screened {index}")
                return run
            return result

        return [taken(index, run) for index, run in enumerate(self.screen(jobs))]

    def subprocess(self, job: Job) -> TestRunResult:
        self.calls.append(("subprocess", job.nodeids))
        return self.behaviour(self.sandbox.read("calc.py").text, job.nodeids)

    def fresh(self, nodeids: Sequence[str], *, timeout: float, stop_at_first_failure: bool = False,
              parallel: bool = False, memory_bytes: int | None = None) -> TestRunResult:
        """A run stopped at its first failure (`-x`) reports the tests up to it, in order."""
        kind = ("fresh" if parallel else "serial") + (" -x" if stop_at_first_failure else "")
        self.calls.append((kind, tuple(nodeids)))
        self.waited.append("fresh")
        run = self.behaviour(self.sandbox.read("calc.py").text, tuple(nodeids))
        if stop_at_first_failure and "failed" in run.outcomes.values():
            upto = [n for n in nodeids if n in run.outcomes]
            first = next(i for i, n in enumerate(upto) if run.outcomes[n] == "failed")
            run = replace(run, outcomes={n: run.outcomes[n] for n in upto[:first + 1]})
        return run

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
               max_candidates: int = 100, alternatives: int = 0, targets: tuple[str, ...] = (TARGET,),
               log: DecisionLog | None = None, representatives: tuple[str, ...] = (),
               target_seconds: float = 0.0, far_covers: bool = False,
               probe_seconds: Mapping[str, float] = {}) -> tuple[SandboxWorkbench, FakeRuns]:
    """`far_covers`: FAR runs the patched line too. The user's suite took a second; the tests
    took `probe_seconds` in the probe."""
    root = tmp_path / "worktree"
    root.mkdir()
    sandbox = Sandbox(user_root=tmp_path / "checkout", root=root, tmp=tmp_path)
    sandbox.write("calc.py", BUGGY)
    sandbox.write("test_calc.py", "from calc import add\n")
    runs = FakeRuns(sandbox, behaviour, warm=warm)
    is_test_file = TestFiles(("test_*.py",))
    spectrum = Spectrum(
        covered={TARGET: frozenset({("calc.py", 2)}), NEAR: frozenset({("calc.py", 2), ("calc.py", 6)}),
                 FAR: frozenset({("calc.py", 2)} if far_covers else ())},
        outcomes=dict(probe_outcomes or {TARGET: "failed", NEAR: "passed", FAR: "passed"}),
    )
    bench = SandboxWorkbench(
        sandbox=sandbox,
        runs=runs,  # type: ignore[arg-type]  # duck-typed TestRuns
        task=RepairTask(targets=targets, suite=SUITE, previously_failed=frozenset(previously_failed),
                        failures=(), suspects=(), spectrum=spectrum, representatives=representatives,
                        probe_seconds=probe_seconds),
        limits=SearchLimits(deadline=time.monotonic() + 60, max_candidates=max_candidates,
                            target_timeout=5, suite_timeout=30, target_seconds=target_seconds,
                            gate_seconds=1.0),
        policy=build_policy(Settings(), is_test_file, submodules=(),
                            test_literals=frozenset()),
        is_test_file=is_test_file,
        alternatives=alternatives,
        log=log or DecisionLog(None),
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


class PutsBack:
    """The base of the change had `a + b`: a candidate that writes it puts back, and only that."""

    def puts_back_only(self, candidate: Candidate) -> bool:
        return "a + b" in candidate.edits[-1].after

    def lines_restored(self, candidate: Candidate) -> int:
        return int(self.puts_back_only(candidate))


def test_a_patch_that_only_puts_back_the_base_goes_to_the_gate_first_and_nothing_else_runs(tmp_path):
    """bidict's property tests, fixed, ran every example in the screening and again in the gate."""
    log = DecisionLog(tmp_path)
    bench, runs = make_bench(tmp_path, fixed_by("a + b"), log=log)
    bench.restoration = PutsBack()  # type: ignore[assignment]
    [outcome] = bench.try_batch([plus()])
    assert (outcome.verdict, outcome.fixed) == (Verdict.PLAUSIBLE, (TARGET,))
    assert runs.calls == [("fresh -x", SUITE)] and runs.jobs == []
    [gate] = [r for line in (tmp_path / "decisions.jsonl").read_text().splitlines()
              if (r := json.loads(line))["kind"] == "gate"]
    assert gate["stopped_at_first_failure"] is True


def test_a_put_back_patch_that_fixes_no_target_is_still_failing_from_the_gate_stopped_at_it(tmp_path):
    bench, runs = make_bench(tmp_path, fixed_by("a + b"))
    bench.restoration = PutsBack()  # type: ignore[assignment]
    bench.restoration.puts_back_only = lambda candidate: True  # type: ignore[method-assign]
    outcome = bench.try_candidate(edit(BUGGY.replace("a - b", "a * b")))
    assert outcome.verdict is Verdict.STILL_FAILING and "stopped at the first failing" in outcome.detail
    assert runs.calls == [("fresh -x", SUITE)]


def test_a_put_back_patch_whose_gate_stops_past_the_targets_is_judged_as_any_candidate(tmp_path):
    """Stopped at another test, the run says nothing of the tests after it."""
    bench, runs = make_bench(tmp_path, fixed_by("a + b", breaks={"a + b": NEAR}))
    bench.restoration = PutsBack()  # type: ignore[assignment]
    outcome = bench.try_candidate(plus())
    assert (outcome.verdict, outcome.broken) == (Verdict.BREAKS_OTHERS, (NEAR,))
    assert runs.calls == [("fresh -x", SUITE), ("warm", (TARGET,)), ("warm", (NEAR,))]


def test_a_patch_that_only_puts_back_the_base_is_bounded_by_the_suite_not_the_failing_run(tmp_path):
    """A property test that failed at its first example runs all of them once fixed; screened
    when the gate stopped at another test than a target."""
    bench, runs = make_bench(tmp_path, fixed_by("a + b", breaks={"a + b": NEAR}))
    bench.restoration = PutsBack()  # type: ignore[assignment]
    bench.limits = replace(bench.limits, target_cpu=0.5)
    bench.try_batch([edit(BUGGY.replace("a - b", "a * b")), plus()])
    other, restoring = (next(j for j in runs.jobs if j.files["calc.py"][1] == c.edits[-1].after)
                        for c in (edit(BUGGY.replace("a - b", "a * b")), plus()))
    assert (other.timeout, other.cpu_seconds) == (pytest.approx(5, abs=0.5), 0.5)
    assert (restoring.timeout, restoring.cpu_seconds) == (pytest.approx(30, abs=0.5), None)


def test_tests_near_the_change_are_bounded_by_what_they_took_in_the_probe_not_by_the_targets(tmp_path):
    """Ninety covering tests take longer than the one target; a bound scaled from the target
    alone would stop them (sqlparse: 0.5 s of CPU for 90 tests), so their run had no verdict."""
    bench, runs = make_bench(tmp_path, fixed_by("a + b"), probe_seconds={TARGET: 0.01, NEAR: 3.0})
    bench.limits = replace(bench.limits, target_cpu=0.5, gate_seconds=60.0)
    bench.try_candidate(plus())
    target, near = runs.jobs
    assert (target.timeout, target.cpu_seconds) == (pytest.approx(5, abs=0.5), 0.5)
    assert (near.nodeids, near.timeout, near.cpu_seconds) == ((NEAR,), pytest.approx(15, abs=0.5), 30)


def test_a_fix_under_which_the_tests_near_the_change_time_out_is_judged_without_the_suite(tmp_path):
    """sqlparse: a candidate that fixed both targets made its neighbours loop; before, each such
    candidate went on to a whole-suite run that the suite's 30 s timeout ended."""
    def near_hangs(source: str, nodeids: tuple[str, ...]) -> TestRunResult:
        run = fixed_by("a + b")(source, nodeids)
        return replace(run, outcomes={}, timed_out=True) if NEAR in nodeids else run

    bench, runs = make_bench(tmp_path, near_hangs)
    outcome = bench.try_candidate(plus())
    assert (outcome.verdict, outcome.fixed, outcome.detail) == (
        Verdict.TIMEOUT, (TARGET,), "1 test(s) that run the changed code timed out")
    assert runs.calls == [("warm", (TARGET,)), ("warm", (NEAR,))]


def test_a_candidate_that_fixes_no_target_is_still_failing_and_never_reaches_the_suite(tmp_path):
    bench, runs = make_bench(tmp_path, fixed_by("a + b"))
    outcome = bench.try_candidate(edit(BUGGY.replace("a - b", "a * b")))
    assert outcome.verdict is Verdict.STILL_FAILING
    assert outcome.detail.startswith(TARGET)
    assert all(kind != "fresh" for kind, _ in runs.calls)


def test_a_candidate_whose_test_process_ends_before_reporting_says_so(tmp_path):
    """pytest-timeout's thread method ends the process of a test that still hangs."""
    def behaviour(source: str, nodeids: tuple[str, ...]) -> TestRunResult:
        return TestRunResult({}, 1, 1.0) if "while" in source else ran({n: "failed" for n in nodeids})

    bench, _ = make_bench(tmp_path, behaviour)
    outcome = bench.try_candidate(plus("\n    while True: pass"))
    assert (outcome.verdict, outcome.detail) == (
        Verdict.STILL_FAILING, "the test process ended with exit code 1 before any of these tests reported")


def test_a_fix_of_every_target_whose_covering_tests_cost_half_a_gate_goes_straight_to_the_gate(tmp_path):
    """Run first, the covering tests would cost about what the gate costs, which runs them again:
    the gate alone judges the candidate, and catches what it breaks."""
    log = DecisionLog(tmp_path)
    bench, runs = make_bench(tmp_path, fixed_by("a + b", breaks={"a + b": FAR}), far_covers=True,
                             log=log, probe_seconds={NEAR: 0.2, FAR: 0.3, TARGET: 5.0})
    outcome = bench.try_candidate(plus())
    assert (outcome.verdict, outcome.fixed, outcome.broken) == (Verdict.BREAKS_OTHERS, (TARGET,), (FAR,))
    assert runs.calls == [("warm", (TARGET,)), ("fresh", SUITE)]
    kinds = [json.loads(line)["kind"] for line in (tmp_path / "decisions.jsonl").read_text().splitlines()]
    assert "near" not in kinds


def test_a_fix_of_every_target_whose_covering_tests_are_quick_runs_them_before_the_gate(tmp_path):
    """However many they are (here all but the target), quick covering tests catch a break
    without a new process."""
    bench, runs = make_bench(tmp_path, fixed_by("a + b", breaks={"a + b": FAR}), far_covers=True,
                             probe_seconds={NEAR: 0.2, FAR: 0.2})
    outcome = bench.try_candidate(plus())
    assert (outcome.verdict, outcome.broken) == (Verdict.BREAKS_OTHERS, (FAR,))
    assert runs.calls == [("warm", (TARGET,)), ("warm", (NEAR, FAR))]


def test_a_fix_the_worker_cannot_take_goes_straight_to_the_gate_when_a_new_process_costs_half_of_it(
        tmp_path):
    """A changed module constant falls back to a process started from disk: its covering tests,
    however quick, would cost the start-up the gate costs again (six's int2byte: 0.86 s for
    them, then 0.88 s for the gate)."""
    def slow_start(source: str, nodeids: tuple[str, ...]) -> TestRunResult:
        run = fixed_by("a + b")(source, nodeids)
        return replace(run, seconds=0.7, durations={n: 0.01 for n in nodeids})

    bench, runs = make_bench(tmp_path, slow_start, warm=False, probe_seconds={NEAR: 0.01})
    assert bench.try_candidate(plus()).verdict is Verdict.PLAUSIBLE
    assert runs.calls == [("subprocess", (TARGET,)), ("fresh", SUITE)]


def test_a_partial_fix_runs_its_covering_tests_however_long_and_logs_what_they_cost(tmp_path):
    log = DecisionLog(tmp_path)
    bench, runs = make_bench(tmp_path, two_targets, targets=(TARGET, SECOND),
                             previously_failed=(TARGET, SECOND), far_covers=True, log=log,
                             probe_seconds={NEAR: 0.2, FAR: 0.3})
    assert bench.try_candidate(partial()).verdict is Verdict.PARTIAL
    assert runs.calls[1] == ("warm", (NEAR, FAR))
    (near,) = [r for line in (tmp_path / "decisions.jsonl").read_text().splitlines()
               if (r := json.loads(line))["kind"] == "near"]
    assert (near["candidate"], near["tests"]) == (1, 2) and near["seconds"] >= 0


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


def test_a_suite_that_pytest_timeouts_thread_method_ended_is_a_timeout_not_a_suite_that_cannot_start(tmp_path):
    good = fixed_by("a + b")

    def behaviour(source: str, nodeids: tuple[str, ...]) -> TestRunResult:
        if nodeids == SUITE:
            return TestRunResult({}, 1, 1.5, output_tail="+++++ Timeout +++++\n")
        return good(source, nodeids)

    bench, runs = make_bench(tmp_path, behaviour)
    outcome = bench.try_candidate(plus())
    assert (outcome.verdict, outcome.fixed) == (Verdict.TIMEOUT, (TARGET,))
    assert outcome.detail == "a test of the suite hung, and pytest-timeout's thread method ended the suite's process"
    assert [nodeids for kind, nodeids in runs.calls if kind == "fresh"] == [SUITE]  # no unpatched suite


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
    assert len(screened) == 3  # all three queued together, before any judgement
    assert runs.cancelled == 1  # and its screening was cancelled


def test_a_batch_is_judged_as_its_screening_comes_back_not_once_all_of_it_has(tmp_path):
    """The fix, second, goes to the whole suite before the third candidate's screening (which
    could be a loop running to its CPU limit) is waited for."""
    bench, runs = make_bench(tmp_path, fixed_by("a + b"), alternatives=0)
    bench.try_batch([edit(BUGGY.replace("a - b", "a * b")), plus(), plus(" + 0")])
    assert [nodeids for kind, nodeids in runs.calls if kind == "warm"][:3] == [(TARGET,)] * 3
    assert runs.waited[:2] == ["screened 0", "screened 1"]
    assert "screened 2" not in runs.waited[:runs.waited.index("fresh")]


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


def test_rejected_and_invalid_candidates_do_not_spend_the_candidate_budget(tmp_path):
    bench, _ = make_bench(tmp_path, fixed_by("a + b"), max_candidates=1)
    for n in range(5):
        bench.try_candidate(edit(f"x = {n}\n", path="test_calc.py", before="from calc import add\n"))
        bench.try_candidate(edit(BUGGY.replace("a - b", f"a - b -{' -' * n}")))
    assert bench.stop_reason() is None
    assert bench.try_candidate(plus()).verdict is Verdict.PLAUSIBLE


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


SECOND = "test_calc.py::test_add_again"  # a second target, fixed by "a + b" or by "b + a"


def two_targets(source: str, nodeids: tuple[str, ...]) -> TestRunResult:
    """TARGET passes with "a + b"; SECOND with "a + b" or "a+b" (a partial fix of one target:
    "a+b  # partial" fixes SECOND alone); "a * b" breaks FAR in the whole suite."""
    outcomes = {n: "passed" for n in nodeids}
    if "a + b" not in source:
        outcomes[TARGET] = "failed"
    if "a + b" not in source and "a+b" not in source:
        outcomes[SECOND] = "failed"
    return ran({n: o for n, o in outcomes.items() if n in nodeids})


def partial(note: str = "") -> Candidate:
    return edit(BUGGY.replace("a - b", "a+b" + note))


def test_a_partial_candidate_is_not_gated_by_the_whole_suite_while_the_search_goes_on(tmp_path):
    bench, runs = make_bench(tmp_path, two_targets, targets=(TARGET, SECOND),
                             previously_failed=(TARGET, SECOND))
    outcome = bench.try_candidate(partial())
    assert (outcome.verdict, outcome.fixed) == (Verdict.PARTIAL, (SECOND,))
    assert outcome.detail.startswith("fixes 1 of 2 failing tests in place and breaks none")
    assert [kind for kind, _ in runs.calls] == ["warm", "warm"]  # targets, then the covering test
    assert bench.best is None and not bench.healed
    # a complete fix is gated at once, and the partial one never is
    assert bench.try_candidate(plus()).verdict is Verdict.PLAUSIBLE
    assert [kind for kind, _ in runs.calls].count("fresh") == 1
    assert bench.confirm_partial() is None
    assert [o.verdict for o in bench.outcomes] == [Verdict.PARTIAL, Verdict.PLAUSIBLE]


def test_without_a_complete_fix_the_best_partial_candidates_are_gated_once_at_the_end(tmp_path):
    bench, runs = make_bench(tmp_path, fixed_by_two_breaking_far(), targets=(TARGET, SECOND),
                             previously_failed=(TARGET, SECOND), log=DecisionLog(tmp_path))
    breaks_far = edit(BUGGY.replace("a - b", "a+b  # far"))  # partial in place, breaks FAR on disk
    for candidate in (breaks_far, partial(), edit(BUGGY.replace("a - b", "a+b or 0"))):
        assert bench.try_candidate(candidate).verdict is Verdict.PARTIAL
    assert [kind for kind, _ in runs.calls].count("fresh") == 0
    # equal changes rank in the order tried: the first breaks a far test in the suite, so the
    # next is gated; the third, a bigger change, is not needed
    confirmed = bench.confirm_partial()
    assert confirmed is not None and confirmed.candidate == partial()
    assert [o.verdict for o in bench.outcomes] == [Verdict.BREAKS_OTHERS, Verdict.PLAUSIBLE,
                                                   Verdict.PARTIAL]
    assert bench.best is confirmed and not bench.healed  # a partial fix: the heal is "partial"
    records = [json.loads(line) for line in (tmp_path / DECISIONS).read_text().splitlines()]
    assert [r["candidate"] for r in records if r["kind"] == "gate"] == [1, 2]
    assert [(r["number"], r["verdict"]) for r in records if r["kind"] == "confirm"] == [
        (1, "breaks-others"), (2, "plausible")]


def fixed_by_two_breaking_far() -> Behaviour:
    def behaviour(source: str, nodeids: tuple[str, ...]) -> TestRunResult:
        result = two_targets(source, nodeids)
        if "# far" in source and FAR in nodeids:
            return ran({**result.outcomes, FAR: "failed"})
        return result

    return behaviour


def test_a_partial_candidate_keeps_time_for_its_gate_before_the_deadline(tmp_path):
    bench, _ = make_bench(tmp_path, two_targets, targets=(TARGET, SECOND),
                          previously_failed=(TARGET, SECOND))
    bench.limits = SearchLimits(deadline=time.monotonic() + 20, max_candidates=100,
                                target_timeout=5, suite_timeout=30, gate_seconds=30)
    assert bench.stop_reason() is None
    bench.try_candidate(partial())
    assert bench.stop_reason() == "time budget spent"  # 20 s left, a gate takes 30


def test_a_partial_candidate_keeps_time_to_be_chosen_among_others_too(tmp_path):
    bench, _ = make_bench(tmp_path, two_targets, targets=(TARGET, SECOND),
                          previously_failed=(TARGET, SECOND))
    gate = 10.0
    bench.limits = SearchLimits(deadline=time.monotonic() + gate + PARTIAL_RANKING_SECONDS / 2,
                                max_candidates=100, target_timeout=5, suite_timeout=30,
                                gate_seconds=gate)
    bench.try_candidate(partial())
    assert bench.stop_reason() == "time budget spent"  # the gate fits, its ranking does not


def test_the_alternatives_window_closes_after_half_the_time_to_green(tmp_path, monkeypatch):
    bench, _ = make_bench(tmp_path, fixed_by("a + b"), alternatives=50)
    now = time.monotonic()
    bench.limits = SearchLimits(deadline=now + 600, max_candidates=100, target_timeout=5,
                                suite_timeout=30, started=now - 10)
    clock = [now]
    monkeypatch.setattr("pytest_selfheal.heal.workbench.time.monotonic", lambda: clock[0])
    bench.try_candidate(plus())  # green 10 s after the heal began
    assert bench.healed and bench.stop_reason() is None
    clock[0] = now + 4.9
    assert bench.stop_reason() is None
    clock[0] = now + 5.0
    assert bench.stop_reason() == "healed"  # 50 candidates were allowed, 5 s were not


def test_no_alternative_is_gated_whose_whole_suite_run_would_outlast_the_window(tmp_path, monkeypatch):
    """more-itertools: its first fix 52 s into the heal, a window of 26 s, and a 29 s gate begun
    for an alternative 1.4 s after the fix."""
    def slow_suite(source: str, nodeids: tuple[str, ...]) -> TestRunResult:
        run = fixed_by("a + b")(source, nodeids)
        return replace(run, seconds=8.0 if set(nodeids) == set(SUITE) else 0.01)

    bench, runs = make_bench(tmp_path, slow_suite, alternatives=50)
    now = time.monotonic()
    bench.limits = SearchLimits(deadline=now + 600, max_candidates=100, target_timeout=5,
                                suite_timeout=30, started=now - 10, gate_seconds=8.0)
    clock = [now]
    monkeypatch.setattr("pytest_selfheal.heal.workbench.time.monotonic", lambda: clock[0])
    first = bench.try_candidate(plus())  # green 10 s after the heal began: a window of 5 s
    assert first.verdict is Verdict.PLAUSIBLE and bench.stop_reason() is None
    gates = sum(kind.startswith("fresh") for kind, _ in runs.calls)
    alternative = bench.try_candidate(plus(" + 0"))
    assert alternative.verdict is Verdict.PARTIAL and alternative.fixed == (TARGET,)
    assert "not gated: the whole suite (about 8s) would run past the search" in alternative.detail
    assert sum(kind.startswith("fresh") for kind, _ in runs.calls) == gates
    # a gate that fits the window still judges an alternative
    bench._gate_took = 4.0
    assert bench.try_candidate(plus(" + 0 * 1")).verdict is Verdict.PLAUSIBLE


def test_a_fix_with_which_pytest_reports_its_canary_passed_breaks_pytest_itself(tmp_path):
    """pluggy: `teardown.throw(exception)` -> `.send(exception)` in its hook calls made pytest
    report every test passed, a failing one too, and was taken for the only plausible fix."""
    def blinding(source: str, nodeids: tuple[str, ...]) -> TestRunResult:
        run = fixed_by("a + b")(source, nodeids)
        if "send" not in source:
            return replace(run, canary="failed")
        return replace(run, outcomes={n: "passed" for n in nodeids}, canary="passed")

    bench, _ = make_bench(tmp_path, blinding)
    outcome = bench.try_candidate(edit(BUGGY.replace("a - b", "send(a - b)")))
    assert outcome.verdict is Verdict.BREAKS_OTHERS and outcome.fixed == ()
    assert outcome.detail.startswith("breaks pytest itself: with it, a test that raises was reported "
                                     "passed")
    assert bench.try_candidate(plus()).verdict is Verdict.PLAUSIBLE


def test_the_alternatives_leave_the_regression_test_its_time_before_the_deadline(tmp_path, monkeypatch):
    bench, _ = make_bench(tmp_path, fixed_by("a + b"), alternatives=50)
    now = time.monotonic()
    # a 120 s budget: green after 80 s, the window would run to 120; 12 s + 4 x 2 s are kept
    bench.limits = SearchLimits(deadline=now + 40, max_candidates=100, target_timeout=5,
                                suite_timeout=30, started=now - 80, target_seconds=2)
    clock = [now]
    monkeypatch.setattr("pytest_selfheal.heal.workbench.time.monotonic", lambda: clock[0])
    assert bench.stop_reason() is None and bench._remaining(60) == 41  # searching for a fix: all of it
    bench.try_candidate(plus())
    assert bench.healed and bench.stop_reason() is None
    assert bench._remaining(60) == 21  # an alternative's run ends before the reserve
    # and none starts whose targets, screened ahead with up to 5 s, could still run into it
    clock[0] = now + 14.9
    assert bench.stop_reason() is None
    clock[0] = now + 15.0
    assert bench.stop_reason() == "healed"


def test_the_gate_runs_the_whole_suite_under_the_users_engine_and_is_logged(tmp_path):
    bench, runs = make_bench(tmp_path, fixed_by("a + b"), log=DecisionLog(tmp_path))
    runs.xdist_workers = 2
    bench.try_candidate(plus())
    assert runs.calls[-1] == ("fresh", SUITE)  # parallel=True: the runs decide the engine
    (gate,) = [json.loads(line) for line in (tmp_path / DECISIONS).read_text().splitlines()
               if json.loads(line)["kind"] == "gate"]
    assert {k: gate[k] for k in ("candidate", "tests", "xdist_workers", "passed", "failed")} == {
        "candidate": 1, "tests": 3, "xdist_workers": 2, "passed": 3, "failed": 0}


def stops_before_tests(when: Callable[[str], bool]) -> Behaviour:
    """The whole suite's process ends before any test reports when `when(source)`."""
    good = fixed_by("a + b")

    def behaviour(source: str, nodeids: tuple[str, ...]) -> TestRunResult:
        if nodeids in (SUITE, (TARGET, NEAR, FAR)) and when(source):
            return TestRunResult({}, 4, 0.1, output_tail="ImportError while loading conftest\n"
                                 "E   ModuleNotFoundError: No module named 'settings_local'\n")
        return good(source, nodeids)

    return behaviour


def test_a_candidate_the_suite_cannot_start_with_is_invalid_when_it_starts_without_it(tmp_path):
    bench, runs = make_bench(tmp_path, stops_before_tests(lambda source: "a + b" in source))
    outcome = bench.try_candidate(plus())
    assert outcome.verdict is Verdict.INVALID
    assert outcome.detail.startswith("the suite could not start with it: its pytest process "
                                     "exited with code 4 before any test reported")
    assert "No module named 'settings_local'" in outcome.detail
    assert runs.calls[-1] == ("fresh", SUITE)  # the unpatched suite, on the restored worktree
    assert bench.sandbox.read("calc.py").text == BUGGY


def test_a_suite_that_cannot_start_without_the_candidate_either_ends_the_heal(tmp_path):
    bench, _ = make_bench(tmp_path, stops_before_tests(lambda source: True))
    with pytest.raises(SandboxError) as raised:
        bench.try_candidate(plus())
    reason = str(raised.value)
    assert reason.startswith("the gate could not run the tests in the sandbox: its pytest process "
                             "exited with code 4 before any test reported")
    assert "    E   ModuleNotFoundError: No module named 'settings_local'" in reason
    assert "your tests are not to blame" in reason
    assert bench.sandbox.read("calc.py").text == BUGGY


@pytest.fixture
def many_targets(monkeypatch):
    """Two targets count as many: the representatives go first."""
    monkeypatch.setattr("pytest_selfheal.heal.workbench.SCREEN_EVERY_TARGET_UP_TO", 1)


@pytest.mark.usefixtures("many_targets")
def test_a_candidate_that_fixes_no_representative_never_runs_the_other_targets(tmp_path):
    bench, runs = make_bench(tmp_path, two_targets, targets=(TARGET, SECOND),
                             previously_failed=(TARGET, SECOND), representatives=(TARGET,))
    wrong, fix = edit(BUGGY.replace("a - b", "a * b")), plus()
    outcomes = bench.try_batch([wrong, fix])
    assert [o.verdict for o in outcomes] == [Verdict.STILL_FAILING, Verdict.PLAUSIBLE]
    assert outcomes[0].detail.startswith(TARGET)
    screened = [nodeids for kind, nodeids in runs.calls if kind == "warm" and TARGET in nodeids]
    # both on the representative, then only the fix on every target
    assert screened == [(TARGET,), (TARGET,), (TARGET, SECOND)]
    assert outcomes[1].fixed == (TARGET, SECOND)


@pytest.mark.usefixtures("many_targets")
def test_a_candidate_tried_alone_is_screened_on_the_representatives_first_too(tmp_path):
    bench, runs = make_bench(tmp_path, two_targets, targets=(TARGET, SECOND),
                             previously_failed=(TARGET, SECOND), representatives=(SECOND,))
    # fixes SECOND, the representative, but not TARGET: partial, seen on every target
    assert bench.try_candidate(partial()).verdict is Verdict.PARTIAL
    assert runs.calls[:2] == [("warm", (SECOND,)), ("warm", (TARGET, SECOND))]


def test_few_targets_that_were_slow_in_the_probe_are_screened_on_the_representatives_first(tmp_path):
    """Two tests that hang until the project's 2 s timeout: a candidate under which they still
    hang costs one of them, not both."""
    bench, runs = make_bench(tmp_path, two_targets, targets=(TARGET, SECOND), target_seconds=4.0,
                             previously_failed=(TARGET, SECOND), representatives=(TARGET,))
    assert bench.try_candidate(edit(BUGGY.replace("a - b", "a * b"))).verdict is Verdict.STILL_FAILING
    assert runs.calls == [("warm", (TARGET,))]


def test_targets_that_each_stand_for_themselves_are_screened_once(tmp_path):
    bench, runs = make_bench(tmp_path, two_targets, targets=(TARGET, SECOND), target_seconds=4.0,
                             previously_failed=(TARGET, SECOND), representatives=(TARGET, SECOND))
    assert bench.try_candidate(partial()).verdict is Verdict.PARTIAL
    assert [c for c in runs.calls if TARGET in c[1]] == [("warm", (TARGET, SECOND))]


def test_with_few_targets_every_candidate_runs_them_all_and_shows_a_partial_fix(tmp_path):
    bench, runs = make_bench(tmp_path, two_targets, targets=(TARGET, SECOND),
                             previously_failed=(TARGET, SECOND), representatives=(TARGET,))
    # fixes SECOND alone: with the representative first it would be still failing
    assert bench.try_candidate(partial()).verdict is Verdict.PARTIAL
    assert runs.calls[0] == ("warm", (TARGET, SECOND))
