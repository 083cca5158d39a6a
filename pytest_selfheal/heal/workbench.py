"""The Workbench agents work against: try a candidate in the sandbox, judge it against the baseline.

A candidate is screened first in the warm worker (its functions swapped in place in a forked
child; several candidates at once with `try_batch`): the target tests, then the tests that cover
the patched function. A candidate that survives and makes every target pass is written into the
worktree and the whole suite runs once in a clean subprocess from the files on disk (the gate,
under pytest-xdist when the user's session ran so); only that run can make it plausible, so the
warm path changes speed, never what is accepted. A candidate that makes only some targets pass
stays `partial` without a gate: the gate costs a whole suite, and a complete fix usually follows;
when none does, the best partial ones are gated once the search stops (`confirm_partial`).
Candidates the worker cannot apply in place are screened in subprocesses instead. The worktree is
restored afterwards whatever happens. A candidate is *plausible* when it makes at least one target
pass and no test that passed before fails; it never counts as correct.

After the first complete fix the search goes on for `alternatives` more candidates, for at most
ALTERNATIVES_SHARE of the time the fix took (a candidate being judged then finishes, but none is
gated whose whole-suite run would end after it), and only while a candidate's targets could
still time out before the time kept for the regression test; the screening queued for candidates
it will not judge is cancelled.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path

from ..models import Candidate, Failure, Outcome, Spectrum, Suspect, TestRunResult, Verdict
from ..output.decisions import DecisionLog
from ..sandbox.paths import Sandbox
from ..sandbox.runner import PytestCommand
from ..sandbox.testruns import (
    Job,
    TestRuns,
    did_not_run,
    hung_under_thread_timeout,
    last_lines,
    stopped_before_tests,
)
from ..source import encode_source, function_span
from .changes import BaseRestoration
from .edited_scope import edited_pieces
from .policy import Policy
from .ranking import Evidence, Naturalness, judged

MIN_TARGET_TIMEOUT = 10.0
TIMEOUT_FACTOR = 5.0
MIN_TARGET_CPU = 0.5  # a test that fails at once may run longer fixed: a floor, well above 10x a fast test
CPU_FACTOR = 10.0
ALTERNATIVES_SHARE = 0.5  # of the time to the first complete fix: the longest the search goes on
# Kept for the regression test once a fix is found: a share of the budget, and a few recordings
# of the failing tests (traced on the fixed code, then a test run both ways)
REGRESSION_SHARE = 0.1
REGRESSION_RUNS = 4
PARTIAL_GATES = 3  # partial candidates gated, best first, when the search found no complete fix
PARTIAL_SHORTLIST = 4 * PARTIAL_GATES  # partial candidates ranked to choose them
# Kept, besides the gate, for ranking that shortlist: the evidence parses each candidate's
# files whole (twelve partial fixes of semver's 1,000-line module took 1.4 s under load)
PARTIAL_RANKING_SECONDS = 2.0
# Up to this many targets, taking up to this long together in the probe, every candidate runs
# them all: which of a few it fixes is worth knowing (a partial fix), and costs little; beyond,
# the representatives go first (_screen_targets). Slow targets are mostly tests that hang until
# the project's timeout stops them: a candidate under which they still hang costs one of them.
SCREEN_EVERY_TARGET_UP_TO = 10
SCREEN_EVERY_TARGET_WITHIN = 1.0
# A candidate that fixes every target goes straight to the gate when the tests that run the
# code it patches took this share of a gate's time or more in the probe: run first, they would
# cost about what the gate costs (traced in the probe, they run faster now, but without a new
# process's start), and the gate runs them again for a fix.
NEAR_SHARE_GATED = 0.5


class _SuiteDidNotStart(Exception):
    """The gate's pytest process ended before any test reported: told apart once restored."""

    def __init__(self, run: TestRunResult) -> None:
        super().__init__()
        self.run = run


def scaled_limits(took: float) -> tuple[float, float]:
    """(wall, CPU) seconds a warm child may take to run tests that took `took` seconds in the
    probe: a candidate that loops forever costs a second or two, not a suite timeout."""
    return max(MIN_TARGET_TIMEOUT, TIMEOUT_FACTOR * took), max(MIN_TARGET_CPU, CPU_FACTOR * took)


class _Unscreened:
    """Marks a candidate the batch did not screen (None means: screened, needs a subprocess)."""


_UNSCREENED = _Unscreened()


@dataclass(frozen=True)
class SearchLimits:
    deadline: float  # time.monotonic() value
    max_candidates: int
    target_timeout: float  # wall seconds of a run of a few tests in a warm child
    suite_timeout: float  # wall seconds of a whole-suite subprocess
    target_cpu: float | None = None  # CPU seconds a warm child may use (a candidate that loops)
    # resident bytes a candidate's test process may hold (one that hoards is stopped there), and
    # a gate's process
    target_memory: int | None = None
    gate_memory: int | None = None
    started: float | None = None  # time.monotonic() at the heal's start (time-to-green's zero)
    gate_seconds: float = 0.0  # what a gate is expected to take before one has run: the user's suite
    target_seconds: float = 0.0  # what the targets took together in the probe


@dataclass(frozen=True)
class RepairTask:
    """What every candidate is judged against, measured once before the search."""

    targets: tuple[str, ...]  # the failing tests a fix must make pass
    suite: tuple[str, ...]  # every test the user's session ran
    previously_failed: frozenset[str]  # failing in the user's session: never "broken" by a fix
    failures: tuple[Failure, ...]
    suspects: tuple[Suspect, ...]
    spectrum: Spectrum
    # a target of each group of failures alike: a candidate that fixes none of them is still
    # failing without running the other targets (empty: every target stands for itself)
    representatives: tuple[str, ...] = ()
    probe_seconds: Mapping[str, float] = field(default_factory=dict)  # what each test took in the probe

    @cached_property
    def in_suite(self) -> frozenset[str]:
        """The suite as a set: asked of every test the probe ran, for every candidate."""
        return frozenset(self.suite)


@dataclass
class SandboxWorkbench:
    """The agents' Workbench, backed by the sandbox and its test processes."""

    sandbox: Sandbox
    runs: TestRuns  # warm first, then subprocesses
    task: RepairTask
    limits: SearchLimits
    policy: Policy  # checked before any test runs
    is_test_file: Callable[[str], bool]  # test modules, conftest.py, files test ids name
    log: DecisionLog = field(default_factory=lambda: DecisionLog(None))
    run_dir: Path | None = None
    # Candidates to try after the first complete fix, so that plausible alternatives are ranked.
    alternatives: int = 20
    # how natural a patch reads in this project: ranks patches equal on every other count
    naturalness: Naturalness | None = None
    # candidate -> calls of the passing tests whose outcome it changes (behaviour.py), once weighed
    behaviour: Mapping[Candidate, int] = field(default_factory=dict)
    # the lines of the change since the base each candidate puts back: ranks patches ahead of priors
    restoration: BaseRestoration | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    _healed_at: float | None = None  # time.monotonic() of the first complete fix
    _healed_after: int = 0  # candidates judged up to and including it
    # Candidates whose tests ran: the candidate budget counts these, not the ones the policy
    # rejected or that did not compile, which cost nothing and must not end the search.
    _judged_count: int = 0
    _seen: set[str] = field(default_factory=set)
    _baseline: TestRunResult | None = None
    # digest -> the targets' run in the warm worker, waited for when the candidate is judged
    _screened: dict[str, Callable[[], TestRunResult | None]] = field(default_factory=dict)
    _checked: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # by try_batch
    _gate_took: float | None = None  # seconds of the longest gate so far
    _partial_found: bool = False  # a candidate made some targets pass and broke none

    @property
    def failures(self) -> tuple[Failure, ...]:
        return self.task.failures

    @property
    def suspects(self) -> tuple[Suspect, ...]:
        return self.task.suspects

    @property
    def spectrum(self) -> Spectrum:
        return self.task.spectrum

    @property
    def root(self) -> Path:
        return self.sandbox.root

    def base_text(self, path: str) -> str | None:
        return self.restoration.base_text(path) if self.restoration is not None else None

    @property
    def change_base(self) -> str:
        return self.restoration.changed.describe() if self.restoration is not None else ""

    @property
    def changed_paths(self) -> tuple[str, ...]:
        return tuple(sorted(self.restoration.changed.paths)) if self.restoration is not None else ()

    def change_diff(self) -> str:
        return self.restoration.diff() if self.restoration is not None else ""

    @property
    def command(self) -> PytestCommand:
        return self.runs.command

    @property
    def best(self) -> Outcome | None:
        """The best plausible outcome (see ranking.judged), or None."""
        return next(iter(self.ranked()), None)

    def judged(self, verdict: Verdict = Verdict.PLAUSIBLE, shortlist: int | None = None
               ) -> list[tuple[Outcome, Evidence]]:
        """The outcomes of `verdict`, best first, with what ranked them (ranking.judged)."""
        return judged(self.outcomes, verdict, self.naturalness, shortlist, self.behaviour,
                      self.restoration)

    def ranked(self, verdict: Verdict = Verdict.PLAUSIBLE, shortlist: int | None = None
               ) -> list[Outcome]:
        return [outcome for outcome, _ in self.judged(verdict, shortlist)]

    @property
    def healed_at(self) -> float | None:
        """time.monotonic() when the first plausible fix of every target was confirmed."""
        return self._healed_at

    @property
    def healed(self) -> bool:
        """A plausible candidate makes every target pass (the builtin search may still try
        `alternatives` more candidates to rank)."""
        return self._healed_at is not None

    def stop_reason(self) -> str | None:
        now = time.monotonic()
        spent = None
        if now >= self.search_deadline() - self._gate_reserve():
            spent = "time budget spent"
        elif self._judged_count >= self.limits.max_candidates:
            spent = "candidate budget spent"
        if self.healed and (spent or self._judged_count >= self._healed_after + self.alternatives
                            or now >= self._alternatives_end()
                            or now + self.limits.target_timeout >= self.search_deadline()):
            return "healed"  # (the last: its screening, queued earlier, may take that long)
        return spent

    def _alternatives_end(self) -> float:
        """When the search for alternatives stops: `alternatives_seconds` after the fix."""
        assert self._healed_at is not None
        return self._healed_at + self.alternatives_seconds()

    def alternatives_seconds(self) -> float:
        """How long the search for alternatives may go on: ALTERNATIVES_SHARE of the time to
        green (0 before a complete fix)."""
        if self._healed_at is None:
            return 0.0
        started = self.limits.started if self.limits.started is not None else self._healed_at
        return ALTERNATIVES_SHARE * (self._healed_at - started)

    def search_deadline(self) -> float:
        """The deadline, less what the regression test will need once a fix is found: the search
        for alternatives must not leave the fix without its regression test."""
        if not self.healed:
            return self.limits.deadline
        started = self.limits.started if self.limits.started is not None else self._healed_at
        assert started is not None
        budget = self.limits.deadline - started
        return self.limits.deadline - REGRESSION_SHARE * budget - REGRESSION_RUNS * self.limits.target_seconds

    def _gate_fits(self) -> bool:
        """A gate started now ends before the search for alternatives does, or no fix is found
        yet: an alternative is not worth a whole-suite run that outlasts the window
        (more-itertools' 29 s gates began 1.4 s after its first fix, in a window of 26 s)."""
        return not self.healed or time.monotonic() + self._expected_gate() <= self._alternatives_end()

    def _expected_gate(self) -> float:
        """Seconds the next gate should take: the longest so far, else the user's suite."""
        return self._gate_took if self._gate_took is not None else self.limits.gate_seconds

    def _costs_a_gate(self, nodeids: Sequence[str], like: TestRunResult) -> bool:
        """Whether running `nodeids` first would cost about what a gate costs (NEAR_SHARE_GATED):
        what they took in the probe, and what the run `like` (the targets', with the same
        candidate) cost beyond its tests. A candidate the warm worker cannot take (a module's
        constant changed) runs in a process started from disk, as the gate does."""
        overhead = max(0.0, like.seconds - sum(like.durations.values()))
        took = overhead + sum(self.task.probe_seconds.get(n, 0.0) for n in nodeids)
        gate = self._expected_gate()
        return gate > 0 and took >= NEAR_SHARE_GATED * gate

    def _gate_reserve(self) -> float:
        """Time kept before the deadline for choosing the best partial candidate and gating it,
        while one waits and no complete fix is known."""
        if self.healed or not self._partial_found:
            return 0.0
        return PARTIAL_RANKING_SECONDS + self._expected_gate()

    def run(self, nodeids: Sequence[str]) -> TestRunResult:
        """Run tests on the unpatched worktree, within the time budget; the suite by default."""
        return self.runs.fresh(tuple(nodeids) or self.task.suite, parallel=not nodeids,
                               timeout=self._remaining(self.limits.suite_timeout))

    def try_candidate(self, candidate: Candidate) -> Outcome:
        started = time.monotonic()
        digest = _digest(candidate)
        if digest in self._seen:
            return Outcome(candidate, Verdict.DUPLICATE, 0.0, detail="already tried")
        self._seen.add(digest)
        checked = self._checked.pop(digest, None)
        rejected, invalid = checked if checked is not None else self._check(candidate)
        if rejected:
            outcome = Outcome(candidate, Verdict.REJECTED, 0.0, detail=f"policy: {rejected}")
        elif invalid:
            outcome = Outcome(candidate, Verdict.INVALID, 0.0, detail=invalid)
        else:
            outcome = self._judged(candidate, started, digest)
            self._judged_count += 1
        self.outcomes.append(outcome)
        self._partial_found = self._partial_found or outcome.verdict is Verdict.PARTIAL
        if not self.healed and self._fixes_every_target(outcome):
            self._healed_at, self._healed_after = time.monotonic(), self._judged_count
        self.log.candidate(len(self.outcomes), outcome, rejected)
        return outcome

    def _judged(self, candidate: Candidate, started: float, digest: str) -> Outcome:
        """The verdict of a candidate that may run."""
        return self._in_worktree(candidate, started, lambda: self._judge(candidate, started, digest))

    def _in_worktree(self, candidate: Candidate, started: float, judge: Callable[[], Outcome]) -> Outcome:
        """`judge()` with the candidate written into the worktree, then, with the worktree
        restored, the verdict excused for what fails without it too (or the candidate's part in
        a suite that could not start)."""
        try:
            with self.sandbox.applied(candidate.edits):
                outcome = judge()
        except _SuiteDidNotStart as stopped:
            return self._did_not_start(candidate, stopped.run, started)
        return self._excuse_known_failures(outcome)

    def confirm_partial(self) -> Outcome | None:
        """Once the search has stopped without a complete fix: gate the partial candidates, best
        first (at most PARTIAL_GATES, within the deadline), until one is plausible; it is
        returned, and every gated one takes its verdict."""
        if self.healed or time.monotonic() >= self.limits.deadline:
            return None
        best = self.ranked(Verdict.PARTIAL, shortlist=PARTIAL_SHORTLIST)
        for outcome in best[:PARTIAL_GATES]:
            if time.monotonic() >= self.limits.deadline:
                break
            index = self.outcomes.index(outcome)
            gated = self._gated(outcome, index + 1)
            self.outcomes[index] = gated
            self.log.record("confirm", number=index + 1, verdict=gated.verdict.value,
                            fixed=list(gated.fixed), broken=list(gated.broken), detail=gated.detail,
                            seconds=gated.seconds)
            if gated.verdict is Verdict.PLAUSIBLE:
                return gated
        return None

    def _gated(self, partial: Outcome, number: int) -> Outcome:
        """A partial candidate's verdict from the whole suite; its seconds add the gate's."""
        started = time.monotonic() - partial.seconds
        return self._in_worktree(partial.candidate, started, lambda: self._gate_candidate(
            partial.candidate, partial.fixed, started, number))

    def _fixes_every_target(self, outcome: Outcome) -> bool:
        return outcome.verdict is Verdict.PLAUSIBLE and set(outcome.fixed) >= set(self.task.targets)

    def _check(self, candidate: Candidate) -> tuple[str | None, str]:
        """The policy rule a candidate breaks, and why it is no program: such a candidate never
        runs, not even screened."""
        return self.policy.check(candidate), _invalid(candidate)

    def _remaining(self, timeout: float) -> float:
        return max(0.5, min(timeout, self.search_deadline() - time.monotonic() + 1.0))

    def try_batch(self, candidates: Sequence[Candidate]) -> list[Outcome]:
        """Screen the candidates in parallel and judge them in order exactly as `try_candidate`
        would, each as soon as its screening is back (a candidate that loops until its CPU limit
        holds up only the ones after it); stops as soon as `stop_reason()` says so (the rest
        count as not tried)."""
        fresh = {_digest(c): c for c in candidates if _digest(c) not in self._seen}
        self._checked.update((d, self._check(c)) for d, c in fresh.items())
        fresh = {d: c for d, c in fresh.items()
                 if self._checked[d] == (None, "") and not self._gated_ahead(c)}
        runs = self._screen_targets(list(fresh.values()))
        self._screened.update(zip(fresh, runs, strict=True))
        outcomes = []
        for candidate in candidates:
            if self.stop_reason():
                self.runs.cancel_unclaimed()
                break
            outcomes.append(self.try_candidate(candidate))
        self._screened.clear()
        self._checked.clear()
        return outcomes

    def close(self) -> None:
        """Stop the warm worker, if there is one."""
        self.runs.close()

    def _job(self, candidate: Candidate, nodeids: Sequence[str]) -> Job:
        """The tests against the candidate, within the targets' limits or, for tests that took
        longer in the probe (those near the change), limits scaled from what they took; a patch
        that only puts back what the base had is not bounded so (a property test that failed at
        its first example runs all of them once fixed), only by the suite's timeout."""
        restores = self.restoration is not None and self.restoration.puts_back_only(candidate)
        took = sum(self.task.probe_seconds.get(n, 0.0) for n in nodeids)
        target_cpu = self.limits.target_cpu
        return Job(tuple(nodeids), candidate.file_changes,
                   timeout=self._remaining(self.limits.suite_timeout if restores else
                                           max(self.limits.target_timeout, TIMEOUT_FACTOR * took)),
                   stop_at_first_failure=len(nodeids) == 1,
                   cpu_seconds=(None if restores or target_cpu is None
                                else max(target_cpu, CPU_FACTOR * took)),
                   memory_bytes=self.limits.target_memory)

    def _screen(self, candidates: Sequence[Candidate], nodeids: Sequence[str]) -> list[TestRunResult | None]:
        """Run `nodeids` against each candidate in the warm worker; None where it could not."""
        return [result() for result in self._screen_later(candidates, nodeids)]

    def _screen_later(self, candidates: Sequence[Candidate], nodeids: Sequence[str]
                      ) -> list[Callable[[], TestRunResult | None]]:
        """`_screen` queued now, each result waited for when it is called."""
        if not nodeids:
            return [lambda: None] * len(candidates)
        return self.runs.screen_later([self._job(c, nodeids) for c in candidates])

    def _screen_targets(self, candidates: Sequence[Candidate]) -> list[Callable[[], TestRunResult | None]]:
        """The targets against each candidate in the warm worker, the representatives first: a
        candidate that makes none of them pass keeps that run (it is still failing), so the cost
        of a candidate that fixes nothing grows with the kinds of failure, not their number.
        Queued at once; each candidate's result is waited for when it is called."""
        targets, representatives = self.task.targets, self.task.representatives
        cheap = (len(targets) <= SCREEN_EVERY_TARGET_UP_TO
                 and self.limits.target_seconds <= SCREEN_EVERY_TARGET_WITHIN)
        if cheap or not representatives or len(representatives) == len(targets):
            return self._screen_later(candidates, targets)
        first = self._screen_later(candidates, representatives)

        def every_target(index: int) -> TestRunResult | None:
            run = first[index]()
            if run is None or run.timed_out or not any(_passed(run, t) for t in representatives):
                return run
            return self._screen([candidates[index]], targets)[0]

        return [partial(every_target, index) for index in range(len(candidates))]

    def _run(self, candidate: Candidate, nodeids: Sequence[str],
             screened: TestRunResult | _Unscreened | None = _UNSCREENED) -> TestRunResult:
        """`nodeids` against the candidate (written into the worktree): in the warm worker if it
        can, else in a subprocess from disk."""
        if isinstance(screened, _Unscreened):
            screened = self._screen([candidate], nodeids)[0]
        return screened if screened is not None else self.runs.subprocess(self._job(candidate, nodeids))

    def _judge(self, candidate: Candidate, started: float, digest: str) -> Outcome:
        """Targets first, then the tests covering the patched code, then, for a candidate that
        makes every target pass, the suite once from disk.

        Called with the candidate written into the worktree.
        """
        done = _verdict(candidate, started)
        if self._gated_ahead(candidate) and self._gate_fits():
            ahead = self._gate_ahead(candidate, started, len(self.outcomes) + 1)
            if ahead is not None:
                return ahead
        screened = (self._screened.pop(digest) if digest in self._screened else
                    self._screen_targets([candidate])[0])()
        first = self._run(candidate, self.task.targets, screened)
        if first.timed_out:
            return done(Verdict.TIMEOUT, detail="the target tests timed out")
        fixed = tuple(t for t in self.task.targets if _passed(first, t))
        if not fixed:
            return done(Verdict.STILL_FAILING, detail=_first_failure(first, self.task.targets))
        covering = tuple(n for n in _covering_tests(self.spectrum, candidate, self.root)
                         if n in self.task.in_suite and n not in self.task.targets)
        complete = set(fixed) >= set(self.task.targets)
        if covering and not (complete and self._costs_a_gate(covering, first)):
            near = self._run(candidate, covering)
            self.log.record("near", candidate=len(self.outcomes) + 1, tests=len(covering),
                            seconds=round(near.seconds, 3))
            # the probe ran these tests on the unpatched code: a test that failed there too is
            # not broken by the candidate
            broken = tuple(n for n in covering if near.outcomes.get(n) == "failed"
                           and n not in self.task.previously_failed
                           and self.spectrum.outcomes.get(n) == "passed")
            if near.timed_out:  # within limits scaled from what these tests took in the probe
                return done(Verdict.TIMEOUT, fixed=fixed, detail=(
                    f"{len(covering)} test(s) that run the changed code timed out"))
            if broken:
                return done(Verdict.BREAKS_OTHERS, fixed=fixed, broken=broken,
                            detail=_first_failure(near, broken))
        if not complete:
            return done(Verdict.PARTIAL, fixed=fixed, detail=(
                f"fixes {len(fixed)} of {len(self.task.targets)} failing tests in place and breaks "
                "none of the tests that run the changed code; the whole suite runs for a fix of "
                "every failing test, and for the best partial ones if none is found"))
        if not self._gate_fits():
            return done(Verdict.PARTIAL, fixed=fixed, detail=(
                "makes every failing test pass in place; not gated: the whole suite (about "
                f"{self._expected_gate():.0f}s) would run past the search for alternatives"))
        return self._gate_candidate(candidate, fixed, started, len(self.outcomes) + 1)

    def _gated_ahead(self, candidate: Candidate) -> bool:
        """Whether the candidate only puts back what the change's base had (`_gate_ahead`)."""
        return self.restoration is not None and self.restoration.puts_back_only(candidate)

    def _gate_ahead(self, candidate: Candidate, started: float, number: int) -> Outcome | None:
        """A patch that only puts back what the change's base had, the likeliest fix of a
        regression, is judged by the gate first, stopped at the first failing test (the targets
        run first): not screened, then run near, then gated (bidict's property tests, fixed, ran
        every example in the screening and again in the gate). The verdict where that run
        decides it: plausible when every test passed, still failing when the first target
        failed; None (judge it as any candidate) when it stopped at another test."""
        done = _verdict(candidate, started)
        ordered = self._gate_order()
        suite = self._gate(ordered, candidate=number, stop_at_first_failure=True)
        stopped = self._gate_stopped(suite, done, ())
        if stopped is not None:
            return stopped
        failed = [n for n in ordered if suite.outcomes.get(n) == "failed"]
        if not failed and all(n in suite.outcomes for n in ordered):
            return done(Verdict.PLAUSIBLE, fixed=self.task.targets)
        if failed and not any(_passed(suite, t) for t in self.task.targets):
            return done(Verdict.STILL_FAILING, detail="in a clean run, stopped at the first failing "
                        "test: " + _first_failure(suite, self.task.targets))
        return None

    def _gate_order(self) -> tuple[str, ...]:
        """The suite, the targets first."""
        return (*self.task.targets, *(n for n in self.task.suite if n not in self.task.targets))

    @staticmethod
    def _gate_stopped(suite: TestRunResult, done: Callable[..., Outcome], fixed: tuple[str, ...]
                      ) -> Outcome | None:
        """The verdict of a gate that did not run to its end, or whose outcomes cannot be
        trusted: a test hung, or the suite timed out, or pytest did not report its canary failed
        (the candidate broke pytest itself, whose code the project is: pytest_imports.py); a
        suite that reported no test raises _SuiteDidNotStart."""
        if suite.canary in ("passed", "missing"):
            return done(Verdict.BREAKS_OTHERS, detail=(
                "breaks pytest itself: with it, a test that raises was reported "
                f"{'passed' if suite.canary == 'passed' else 'not at all'}, so no outcome of the "
                "suite can be trusted"))
        if hung_under_thread_timeout(suite):
            return done(Verdict.TIMEOUT, fixed=fixed, detail="a test of the suite hung, and "
                        "pytest-timeout's thread method ended the suite's process")
        if stopped_before_tests(suite):
            raise _SuiteDidNotStart(suite)
        if suite.timed_out:
            return done(Verdict.TIMEOUT, fixed=fixed, detail="the suite timed out")
        return None

    def _gate_candidate(self, candidate: Candidate, fixed: tuple[str, ...], started: float,
                        number: int) -> Outcome:
        """The whole suite once from disk, with the candidate written into the worktree: only
        this run makes a candidate plausible."""
        done = _verdict(candidate, started)
        ordered = self._gate_order()
        suite = self._gate(ordered, candidate=number)
        stopped = self._gate_stopped(suite, done, fixed)
        if stopped is not None:
            return stopped
        fixed = tuple(t for t in self.task.targets if _passed(suite, t))
        if not fixed:
            return done(Verdict.STILL_FAILING, detail="passed in place but not in a clean run: "
                        + _first_failure(suite, self.task.targets))
        others = ordered[len(self.task.targets):]
        failing = {n for n in others if suite.outcomes.get(n, "failed") == "failed"}
        broken = tuple(sorted(failing - self.task.previously_failed))
        if broken:
            return done(Verdict.BREAKS_OTHERS, fixed=fixed, broken=broken,
                        detail=_first_failure(suite, broken))
        return done(Verdict.PLAUSIBLE, fixed=fixed)

    def _gate(self, nodeids: Sequence[str], *, candidate: int | None,
              stop_at_first_failure: bool = False) -> TestRunResult:
        """The whole suite in a fresh process from disk (under pytest-xdist as the user's session
        ran), logged with what it cost; `candidate` None: the unpatched code."""
        run = self.runs.fresh(nodeids, parallel=True, timeout=self._remaining(self.limits.suite_timeout),
                              memory_bytes=self.limits.gate_memory,
                              stop_at_first_failure=stop_at_first_failure)
        if not stop_at_first_failure or run.exit_code == 0:  # the whole suite ran
            self._gate_took = max(self._gate_took or 0.0, run.seconds)
        self.log.record("gate", candidate=candidate, tests=len(nodeids),
                        stopped_at_first_failure=stop_at_first_failure,
                        xdist_workers=self.runs.xdist_workers, seconds=round(run.seconds, 3),
                        exit_code=run.exit_code, timed_out=run.timed_out,
                        failed=sum(o == "failed" for o in run.outcomes.values()),
                        passed=sum(o == "passed" for o in run.outcomes.values()))
        return run

    def _unpatched_suite(self) -> TestRunResult:
        """The whole suite on the unpatched worktree, run once; a suite that cannot start even
        so ends the heal (SandboxError): the candidates are not to blame, nor the tests."""
        if self._baseline is None:
            self._baseline = self._gate(self.task.suite, candidate=None)
        if stopped_before_tests(self._baseline):
            raise did_not_run("gate", self._baseline)
        return self._baseline

    def _did_not_start(self, candidate: Candidate, run: TestRunResult, started: float) -> Outcome:
        """The gate stopped before any test with the candidate: the candidate's doing if the
        unpatched suite starts (it is invalid), the sandbox's if not (the heal ends)."""
        self._unpatched_suite()
        return Outcome(candidate, Verdict.INVALID, round(time.monotonic() - started, 3),
                       detail=f"the suite could not start with it: its pytest process exited with "
                       f"code {run.exit_code} before any test reported. Its last lines:\n"
                       f"{last_lines(run)}")

    def _excuse_known_failures(self, outcome: Outcome) -> Outcome:
        """Drop "broken" tests that fail in the sandbox without the patch too: the probe ran the
        failing tests' modules unpatched; the rest of the suite runs once, lazily, if needed.

        Called with the worktree restored, so the baseline is the unpatched code. A candidate
        that breaks pytest itself names no test: nothing is excused.
        """
        if outcome.verdict is not Verdict.BREAKS_OTHERS or not outcome.broken:
            return outcome
        baseline = dict(self.spectrum.outcomes)
        if any(n not in baseline for n in outcome.broken):
            baseline = {**self._unpatched_suite().outcomes, **baseline}
        broken = tuple(n for n in outcome.broken if baseline.get(n) == "passed")
        if broken:
            return replace(outcome, broken=broken)
        return replace(outcome, verdict=Verdict.PLAUSIBLE, broken=(), detail="")


def _verdict(candidate: Candidate, started: float) -> Callable[..., Outcome]:
    """`done(verdict, **fields)`: the candidate's Outcome, timed from `started`."""
    def done(verdict: Verdict, **fields: object) -> Outcome:
        return Outcome(candidate, verdict, round(time.monotonic() - started, 3), **fields)  # type: ignore[arg-type]

    return done


def _passed(run: TestRunResult, nodeid: str) -> bool:
    """A test passed; a module that failed to collect passes once it collects and none of its tests fail."""
    if "::" in nodeid or nodeid in run.outcomes:
        return run.outcomes.get(nodeid) == "passed"
    inside = [o for n, o in run.outcomes.items() if n.startswith(nodeid.rstrip("/") + "::")]
    return bool(inside) and "failed" not in inside


def _digest(candidate: Candidate) -> str:
    return hashlib.sha1(
        "\0".join(f"{e.path}\0{e.after}" for e in candidate.edits).encode()
    ).hexdigest()


def _covering_tests(spectrum: Spectrum, candidate: Candidate, root: Path) -> list[str]:
    """Tests that ran the patched functions (the whole file when the edit names no line)."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for edit in candidate.edits:
        span = function_span(root / edit.path, edit.line) if edit.line else None
        spans.setdefault(edit.path, []).append(span or (1, 1 << 30))
    return [nodeid for nodeid, lines in spectrum.covered.items()
            if any(lines.runs_any(path, start, end) for path, found in spans.items() for start, end in found)]


def _invalid(candidate: Candidate) -> str:
    """Why the candidate cannot be a program: an edit that does not compile, or that its file's
    encoding cannot hold (a character a latin-1 file has no byte for). The def or class the edit
    is in is compiled first; the whole module only when that piece alone does not compile."""
    for edit in candidate.edits:
        pieces = edited_pieces(edit.before, edit.after)
        try:
            encode_source(edit.change[2], edit.encoding)
            if pieces is None or not _compiles(pieces.after, edit.path):
                compile(edit.after, edit.path, "exec")
        except (SyntaxError, ValueError) as exc:
            return f"{edit.path}: {exc}"
    return ""


def _compiles(source: str, path: str) -> bool:
    try:
        compile(source, path, "exec")
    except (SyntaxError, ValueError):
        return False
    return True


def _first_failure(run: TestRunResult, nodeids: tuple[str, ...]) -> str:
    for nodeid in nodeids:
        if nodeid in run.failures:
            return f"{nodeid}: {run.failures[nodeid]}"[:500]
    if not run.output_tail and not any(n in run.outcomes for n in nodeids):
        # a warm child keeps no output: say at least that its process ended (a crash, os._exit,
        # or pytest-timeout's thread method stopping a test that hangs)
        return f"the test process ended with exit code {run.exit_code} before any of these tests reported"
    return run.output_tail[-500:]
