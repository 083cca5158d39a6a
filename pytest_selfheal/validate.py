"""The Workbench agents work against: try a candidate in the sandbox, judge it against the baseline.

A candidate is written into the worktree, the target tests run first, then the suite; the
worktree is restored afterwards whatever happens. A candidate is *plausible* when it makes at
least one target pass and no test that passed before fails; it never counts as correct.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .audit import DecisionLog
from .localize import make_test_file_predicate
from .models import Candidate, Failure, Outcome, RunResult, Spectrum, Suspect, Verdict
from .policy import Policy
from .runner import PytestCommand, run_tests
from .sandbox import Sandbox


@dataclass(frozen=True)
class Limits:
    deadline: float  # time.monotonic() value
    max_candidates: int
    target_timeout: float
    suite_timeout: float


@dataclass
class Bench:
    sandbox: Sandbox
    command: PytestCommand
    targets: tuple[str, ...]
    suite: tuple[str, ...]
    previously_failed: frozenset[str]
    failures: tuple[Failure, ...]
    suspects: tuple[Suspect, ...]
    spectrum: Spectrum
    limits: Limits
    outcomes: list[Outcome] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)
    _baseline: RunResult | None = None
    run_dir: Path | None = None
    is_test_file: Callable[[str], bool] = field(
        default=make_test_file_predicate(("test_*.py", "*_test.py"), ())
    )
    policy: Policy | None = None  # checked before any test runs
    log: DecisionLog = field(default_factory=lambda: DecisionLog(None))

    @property
    def root(self) -> Path:
        return self.sandbox.root

    @property
    def best(self) -> Outcome | None:
        """The plausible outcome fixing the most targets; the earliest wins ties."""
        plausible = [o for o in self.outcomes if o.verdict is Verdict.PLAUSIBLE]
        return max(plausible, key=lambda o: len(o.fixed), default=None)

    def stop_reason(self) -> str | None:
        best = self.best
        if best is not None and set(best.fixed) >= set(self.targets):
            return "healed"
        if time.monotonic() >= self.limits.deadline:
            return "time budget spent"
        if len(self.outcomes) >= self.limits.max_candidates:
            return "candidate budget spent"
        return None

    def run(self, nodeids: Sequence[str]) -> RunResult:
        """Run tests on the unpatched worktree, within the time budget; the suite by default."""
        return run_tests(self.command, tuple(nodeids) or self.suite,
                         timeout=self._remaining(self.limits.suite_timeout))

    def try_candidate(self, candidate: Candidate) -> Outcome:
        started = time.monotonic()
        digest = hashlib.sha1(
            "\0".join(f"{e.path}\0{e.after}" for e in candidate.edits).encode()
        ).hexdigest()
        if digest in self._seen:
            return Outcome(candidate, Verdict.DUPLICATE, 0.0, detail="already tried")
        self._seen.add(digest)
        rejected = self.policy.check(candidate) if self.policy else None
        invalid = _syntax_error(candidate)
        if rejected:
            outcome = Outcome(candidate, Verdict.REJECTED, 0.0, detail=f"policy: {rejected}")
        elif invalid:
            outcome = Outcome(candidate, Verdict.INVALID, 0.0, detail=invalid)
        else:
            originals = {e.path: self.sandbox.read(e.path) for e in reversed(candidate.edits)}
            try:
                for edit in candidate.edits:
                    self.sandbox.write(edit.path, edit.after)
                outcome = self._judge(candidate, started)
            finally:
                for path, text in originals.items():
                    self.sandbox.write(path, text)
            outcome = self._excuse_known_failures(outcome)
        self.outcomes.append(outcome)
        self.log.candidate(len(self.outcomes), outcome, rejected)
        return outcome

    def _remaining(self, timeout: float) -> float:
        return max(0.5, min(timeout, self.limits.deadline - time.monotonic() + 1.0))

    def _judge(self, candidate: Candidate, started: float) -> Outcome:
        def done(verdict: Verdict, **kw: object) -> Outcome:
            return Outcome(candidate, verdict, round(time.monotonic() - started, 3), **kw)  # type: ignore[arg-type]

        first = run_tests(
            self.command, self.targets, timeout=self._remaining(self.limits.target_timeout),
            stop_at_first_failure=len(self.targets) == 1,
        )
        if first.timed_out:
            return done(Verdict.TIMEOUT, detail="the target tests timed out")
        fixed = tuple(t for t in self.targets if _passed(first, t))
        if not fixed:
            return done(Verdict.STILL_FAILING, detail=_first_failure(first, self.targets))
        others = tuple(n for n in self.suite if n not in self.targets)
        if not others:
            return done(Verdict.PLAUSIBLE, fixed=fixed)
        suite = run_tests(self.command, others, timeout=self._remaining(self.limits.suite_timeout))
        if suite.timed_out:
            return done(Verdict.TIMEOUT, fixed=fixed, detail="the suite timed out")
        failing = {n for n in others if suite.outcomes.get(n, "failed") == "failed"}
        broken = tuple(sorted(failing - self.previously_failed))
        if broken:
            return done(Verdict.BREAKS_OTHERS, fixed=fixed, broken=broken,
                        detail=_first_failure(suite, broken))
        return done(Verdict.PLAUSIBLE, fixed=fixed)

    def _excuse_known_failures(self, outcome: Outcome) -> Outcome:
        """Drop "broken" tests that fail in the sandbox without the patch too (run once, lazily).

        Called with the worktree restored, so the baseline is the unpatched code.
        """
        if outcome.verdict is not Verdict.BREAKS_OTHERS:
            return outcome
        if self._baseline is None:
            self._baseline = run_tests(self.command, self.suite, timeout=self.limits.suite_timeout)
        baseline = self._baseline
        broken = tuple(n for n in outcome.broken if baseline.outcomes.get(n) == "passed")
        if broken:
            return replace(outcome, broken=broken)
        return replace(outcome, verdict=Verdict.PLAUSIBLE, broken=(), detail="")


def _passed(run: RunResult, nodeid: str) -> bool:
    """A test passed; a module that failed to collect passes once it collects and none of its tests fail."""
    if "::" in nodeid or nodeid in run.outcomes:
        return run.outcomes.get(nodeid) == "passed"
    inside = [o for n, o in run.outcomes.items() if n.startswith(nodeid.rstrip("/") + "::")]
    return bool(inside) and "failed" not in inside


def _syntax_error(candidate: Candidate) -> str:
    for edit in candidate.edits:
        try:
            compile(edit.after, edit.path, "exec")
        except (SyntaxError, ValueError) as exc:
            return f"{edit.path}: {exc}"
    return ""


def _first_failure(run: RunResult, nodeids: tuple[str, ...]) -> str:
    for nodeid in nodeids:
        if nodeid in run.failures:
            return f"{nodeid}: {run.failures[nodeid]}"[:500]
    return run.output_tail[-500:]
