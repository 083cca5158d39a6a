"""The one place where the stages meet: probe -> triage -> localize -> agent <-> validate ->
regression test -> output, in the sandbox that `prepare` opened.

No pytest import: session.py hands over a HealRequest and renders the HealResult. `heal` owns
what surrounds the stages (the lock, the run directory, Ctrl-C, errors); `_stages` reads as the
stages in order, each a function that returns a value.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..agents.base import Agent, Anticipating, report_of
from ..errors import SandboxError, SelfHealError
from ..models import Candidate, Failure, Outcome, Spectrum, Suspect, TestRunResult
from ..output import report, rundir
from ..output.decisions import DecisionLog
from ..output.diffs import combined_diff
from ..sandbox.lock import LockBusy
from ..sandbox.paths import Sandbox
from ..sandbox.testruns import TestRuns, did_not_run, last_lines, stopped_before_tests
from ..sandbox.worktree import refresh_hypothesis_state, terminate_as_interrupt
from ..testfiles import TestFiles
from .changes import BaseRestoration, ChangedLines
from .collection_errors import is_collection_target
from .diagnosis import reordered_parameters, why_not_found
from .fix_modes import Fix, ModeAction, carry_out
from .formatting import configured_formatter, format_fix
from .localize import measure, project_frames
from .naturalness import ProjectNaturalness
from .policy import Policy, build_policy, failing_test_literals
from .prepare import Preparation, prepare
from .probe import probe_selection, start_probe
from .ranking import why_first
from .request import AddedTest, Alternative, HealRequest, HealResult
from .suspects import blend, rank_suspects
from .triage import Past, Triage, TriageInput, triage
from .workbench import (
    MIN_TARGET_TIMEOUT,
    TIMEOUT_FACTOR,
    RepairTask,
    SandboxWorkbench,
    SearchLimits,
    scaled_limits,
)

if TYPE_CHECKING:
    from .regression import Regression

# Files the agent reads ahead, while test processes run: a change to more source files than
# CHANGED_FILES_AHEAD does not say which to read first; after the probe, the files of the best
# suspects, read while triage reruns the failures.
CHANGED_FILES_AHEAD = 3
SUSPECT_FILES_AHEAD = 2
MIN_SUITE_TIMEOUT = 30.0
# A candidate's test process may hold this many times the user's peak resident memory: its few
# tests need less than the whole suite did, and a candidate that allocates without end meets the
# bound in a fraction of a second. A gate's process may also hold GATE_MEMORY_ROOM more than
# the user's peak: it is the first in the sandbox to run every test, and what a suite builds
# once and keeps among the files git ignores is built there (hypothesis's character map took
# attrs' suite from 93 to 194 MiB); the targets and the tests near them ran in the probe.
MEMORY_FACTOR = 2
GATE_MEMORY_ROOM = 256 << 20


def heal(request: HealRequest, prepared: Preparation | None = None) -> HealResult:
    """Try to heal the failures, in `prepared` if the session began it (this takes it over);
    never raises. Ctrl-C or SIGTERM while healing removes the sandbox and ends the heal as
    "interrupted": the test results stand."""
    started = request.started
    early = _why_skipped(request)
    if early is None:
        try:
            run_dir = rundir.new_run_dir(request.rootdir / request.settings.output, request.run_id)
        except SelfHealError as exc:
            early = HealResult("error", str(exc), request)
    if early is not None:
        if prepared is not None:
            prepared.close()
        return early
    request = request.hiding_secrets()
    plan = Plan.of(request)
    log = DecisionLog(run_dir, request.redactor, listener=request.progress)
    log.record("start", run_id=request.run_id, settings=request.settings.as_dict(),
               failures=[f.nodeid for f in request.failures], prepared=prepared is not None,
               pytest_options=list(request.pytest_options),
               suite_peak_mib=round(request.suite_peak_bytes / (1 << 20), 1))
    try:
        with terminate_as_interrupt():
            if prepared is None:
                assert request.repo_root is not None
                added = request.added_test
                prepared = prepare(request.repo_root, request.rootdir, request.settings,
                                   request.import_roots, plan.selection, keep=run_dir,
                                   options=request.pytest_options,
                                   added={added.path: added.source} if added else None,
                                   cases=request.cases)
            try:
                if any(prepared.cleaned.values()):
                    log.record("cleanup", **prepared.cleaned)
                result = _heal_in(prepared, request, plan, run_dir, log)
                leftovers = prepared.close_sandbox()
                if leftovers:
                    log.record("leftovers", killed=leftovers)
                result = _carry_out_mode(result, log)
            finally:
                prepared.close()
    except LockBusy as exc:
        result = HealResult("skipped", str(exc), request, run_dir=run_dir)
    except KeyboardInterrupt:
        result = HealResult("interrupted", "interrupted while healing; the sandbox was removed "
                            "and your checkout is unchanged", request, run_dir=run_dir)
    except SelfHealError as exc:
        result = HealResult("error", str(exc), request, run_dir=run_dir)
    except Exception as exc:  # an agent or stage bug must not change the user's test result
        result = HealResult(
            "error",
            f"internal error ({type(exc).__name__}: {exc}); the sandbox was removed and your "
            "checkout is unchanged. Please report this with report.json",
            request,
            run_dir=run_dir,
            details={"traceback": traceback.format_exc()},
        )
    if prepared is not None and result.status != "interrupted":
        result = _stopped_by_wall(result, prepared.command.wall.summary(), log)
    if result.seconds == 0.0:
        result = _with_seconds(result, started)
    if result.status in ("error", "interrupted"):
        log.record("error", error=result.reason, traceback=result.details.get("traceback", ""))
    log.record("result", status=result.status, reason=result.reason, seconds=result.seconds)
    report.write_run(result)
    return result


def _why_skipped(request: HealRequest) -> HealResult | None:
    if request.repo_root is None:
        return HealResult(
            "skipped",
            f"no git repository at {request.rootdir}: run `git init`, "
            "or run without --selfheal",
            request,
        )
    if not any(f.phase != "collect" or is_collection_target(f) for f in request.failures):
        return HealResult(
            "skipped",
            "only a conftest or plugin failed to load; fix the error pytest reported",
            request,
        )
    return None


def _stopped_by_wall(result: HealResult, wall: str | None, log: DecisionLog) -> HealResult:
    """A heal whose time budget killed what was still running says so: after a fix it is a
    note; otherwise it is the reason (a stage cut short tells nothing true of the tests)."""
    if wall is None:
        return result
    log.record("budget", reason=wall, stage_reason=result.reason)
    if result.status in ("healed", "partial"):
        return replace(result, reason=f"{result.reason}; {wall}")
    return replace(result, status="not-healed", reason=wall)


def _carry_out_mode(result: HealResult, log: DecisionLog) -> HealResult:
    """Apply or branch the fix (report mode does nothing); only a complete heal is acted on."""
    mode = result.request.settings.mode
    if mode == "report" or result.fix is None or result.run_dir is None:
        return result
    refusal = result.request.redactor.patch_refusal(result.diff)
    if refusal:
        action = ModeAction(mode, False, f"not acted on: {refusal}")
    elif result.status != "healed":
        action = ModeAction(mode, False, f"not acted on: the fix is {result.status}; "
                            f"review {result.run_dir / rundir.FIX_DIFF}")
    else:
        assert result.request.repo_root is not None
        fix = Fix(diff=result.diff, diff_file=result.run_dir / rundir.FIX_DIFF,
                  run_id=result.request.run_id,
                  message=result.request.redactor.clean(  # test ids may name a secret
                      f"selfheal: {result.fix.candidate.description}\n\n{result.reason}\n"
                      f"Fixes: {', '.join(result.fix.fixed)}\n"))
        action = carry_out(mode, result.request.repo_root, fix)
    log.record("mode", mode=action.mode, done=action.done, message=action.message,
               branch=action.branch, commit=action.commit)
    return replace(result, action=action)


@dataclass(frozen=True)
class Plan:
    """What the request decides before any stage runs: the tests, the clock and the time limits."""

    failing: tuple[str, ...]  # failed tests and project modules that failed to collect
    ran: tuple[str, ...]  # every test of the user's session
    selection: tuple[str, ...]  # what the probe runs: the failing tests and their modules
    deadline: float  # time.monotonic() at which the search must stop
    suite_timeout: float  # of one whole-suite run

    @classmethod
    def of(cls, request: HealRequest) -> Plan:
        failing, ran = _failing(request), tuple(request.outcomes)
        return cls(
            failing=failing, ran=ran, selection=tuple(probe_selection(failing, ran)),
            deadline=request.started + request.settings.time_budget,
            suite_timeout=max(MIN_SUITE_TIMEOUT, TIMEOUT_FACTOR * request.suite_seconds),
        )


@dataclass(frozen=True)
class Probed:
    """The coverage probe: which lines each test ran, and how the run went."""

    spectrum: Spectrum
    run: TestRunResult


def _heal_in(prepared: Preparation, request: HealRequest, plan: Plan, run_dir: Path,
             log: DecisionLog) -> HealResult:
    prepared.command.wall.set(plan.deadline, request.settings.time_budget)
    if prepared.warm is not None:
        prepared.warm.startup_timeout = plan.suite_timeout
    runs = TestRuns(prepared.command, prepared.warm, xdist_workers=request.settings.gate_workers or 0)
    if prepared.command.pytest_imports:
        log.record("sandbox", pytest_imports=list(prepared.command.pytest_imports),
                   note="pytest itself imports the project's code: every test process starts "
                        "after its files are written, without a warm worker")
    refresh_hypothesis_state(prepared.sandbox)
    try:
        return _stages(runs, prepared.sandbox, request, plan, run_dir, log)
    finally:
        runs.close()
        if prepared.warm is not None:
            log.record("warm", **prepared.warm.usage())


def _stages(runs: TestRuns, sandbox: Sandbox, request: HealRequest, plan: Plan, run_dir: Path,
            log: DecisionLog) -> HealResult:
    probing = _probe(runs, plan, request, log)
    # While the probe runs in the warm worker: the agent and the regression stage import LibCST
    # (a tenth of a second), the history and the change are read, and the agent starts on the
    # files the fault is likely in.
    from .behaviour import behaviour_changes
    from .regression import add_regression_test

    agent = request.make_agent(request.settings.resolved_agent)
    anticipating = agent if isinstance(agent, Anticipating) else None
    is_test_file = _test_file_predicate(request, plan)
    past = Past.read(sandbox, rundir.history_db(run_dir.parent.parent),
                     added=[request.added_test.path] if request.added_test else [])
    if anticipating is not None:
        anticipating.anticipate(sandbox.root, likely_files(request.failures, past.changed,
                                                           is_test_file, sandbox.root))
    probed = probing()
    blended = blend(measure(probed.spectrum, request.failures, root=sandbox.root,
                            is_test_file=is_test_file, changed=past.changed), root=sandbox.root)
    if anticipating is not None:  # while triage reruns the failures
        anticipating.anticipate(sandbox.root, suspect_files(blended))
    verdicts = _triage(runs, sandbox, request, plan, probed, is_test_file, run_dir, past)
    targets = _targets(plan, probed, verdicts, log)
    if not targets:
        return _nothing_to_repair(request, run_dir, verdicts)
    restoration = BaseRestoration(sandbox.root, verdicts.changed)
    policy = build_policy(
        request.settings, is_test_file, submodules=sandbox.submodules,
        test_literals=failing_test_literals(sandbox.map(request.rootdir), targets),
        base_text=restoration.base_text,
    )
    suspects = _editable(rank_suspects(blended, verdicts, request.failures, sandbox.root,
                                       sandbox.user_root, is_test_file), policy, log)
    log.suspects(suspects)
    bench = _workbench(runs, sandbox, request, plan, probed, policy, targets, verdicts, suspects,
                       run_dir, log, restoration)
    stop_reason = agent.repair(bench)
    log.record("agent", agent=agent.name, stop_reason=stop_reason,
               healed_at=round(bench.healed_at - log.started, 3) if bench.healed_at else None)
    bench.confirm_partial()
    weighing, plausible = time.monotonic(), bench.ranked()
    bench.behaviour = behaviour_changes(bench, plausible)
    if len(plausible) > 1:  # weighed, or tried to be: its time shows either way
        log.record("behaviour", seconds=round(time.monotonic() - weighing, 3), changed_calls={
            _numbered(bench, candidate): count for candidate, count in bench.behaviour.items()})
    found = bench.best
    best = found and _formatted(found, sandbox.root, log)
    regression: Regression | None = None
    if best is not None and request.added_test is not None:
        regression = _reproduction_as_regression(request.added_test, best)
        log.record("regression", path=regression.path, reproduces=request.added_test.reproduces)
    elif best is not None:
        regression = add_regression_test(bench, best, request.run_id,
                                         request.settings.regression_dir, request.redactor)
        log.record("regression", path=regression.path or None, seconds=regression.seconds)
    return _result(request, run_dir, bench, found, best, agent, stop_reason, verdicts, regression)


def _numbered(bench: SandboxWorkbench, candidate: Candidate) -> int:
    """The candidate's number in the decision log (the order it was tried, from 1)."""
    return next(i for i, o in enumerate(bench.outcomes, 1) if o.candidate is candidate)


def _reproduction_as_regression(added: AddedTest, fix: Outcome) -> Regression:
    """An incident's reproduction test is the fix's regression test: the probe saw it fail
    without the fix, and the gate saw it pass with it."""
    from .regression import Regression, patched_qualname

    return Regression(path=added.path, source=added.source,
                      function=patched_qualname(fix.candidate.edits),
                      tests=(added.nodeid,), calls=added.calls,
                      reason=f"reproduces {added.reproduces}; the test fails on the original code "
                      "and passes with the fix")


def _formatted(best: Outcome, root: Path, log: DecisionLog) -> Outcome:
    """The fix with its changed lines as the project's formatter writes them (same program)."""
    formatter, why_not = configured_formatter(root)
    if formatter is None:
        if why_not:
            log.record("format", note=why_not)
        return best
    candidate, note = format_fix(best.candidate, root, formatter)
    log.record("format", formatter=formatter.name, note=note or "nothing to change")
    return replace(best, candidate=candidate)


def _probe(runs: TestRuns, plan: Plan, request: HealRequest, log: DecisionLog
           ) -> Callable[[], Probed]:
    """Start the failing tests' modules under coverage; the call returned waits for them,
    refuses a sandbox that is not isolated, and ends the heal as an error when the probe ran
    none of the failing tests (nothing is known of them then, and the tests are not to blame)."""
    # A test process takes about as long to start as the probe and triage take to run; started
    # once the worker's start-up no longer needs the CPU, it waits ready for the first fix.
    waiting = time.monotonic()
    runs.warmed_up()
    waited = time.monotonic() - waiting
    runs.stand_by()
    running = start_probe(runs, plan.selection, failing=plan.failing,
                          timeout=min(plan.suite_timeout, request.settings.time_budget))

    def probed() -> Probed:
        spectrum, run = running()
        log.record("probe", tests=len(plan.selection), outcomes=dict(run.outcomes),
                   exit_code=run.exit_code, seconds=round(run.seconds, 3),
                   covered=len(spectrum.covered), waited_for_worker=round(waited, 3),
                   worker_startup=round(runs.warm.startup_seconds, 3) if runs.warm else None)
        if stopped_before_tests(run):
            raise did_not_run("probe", run)
        unrun = [n for n in plan.failing if not _reported(n, run)]
        if len(unrun) == len(plan.failing):
            raise SandboxError(_probe_out_of_time(run) if run.timed_out
                               else _not_run_by_probe(unrun, run))
        runs.startup = max(MIN_TARGET_TIMEOUT, TIMEOUT_FACTOR * max(
            run.seconds, runs.warm.startup_seconds if runs.warm else 0.0))
        if run.leaked_modules:
            raise SandboxError(
                "cannot isolate the sandbox: tests in the worktree imported code from your "
                f"checkout ({', '.join(run.leaked_modules[:3])}). This happens with editable "
                "installs that use an import hook; add the source directory to pytest's "
                "`pythonpath` ini option, or install the project non-editable"
            )
        return Probed(spectrum, run)

    return probed


def likely_files(failures: Sequence[Failure], changed: ChangedLines,
                 is_test_file: Callable[[str], bool], root: Path) -> list[str]:
    """Where the fault most likely is, known before the probe has run: the project's Python
    files the failing tests' tracebacks ran through (innermost first), then the files of a small
    change. Not tests."""
    frames = [f for failure in failures for f in project_frames(failure, is_test_file, root)]
    changed_files = sorted(path for path in changed.paths
                           if path.endswith(".py") and not is_test_file(path))
    if len(changed_files) > CHANGED_FILES_AHEAD:
        changed_files = []
    return list(dict.fromkeys([*(f.path for f in frames if f.path.endswith(".py")), *changed_files]))


def suspect_files(blended: Sequence[Suspect]) -> list[str]:
    """The files of the best suspects, best first: those the search reads first."""
    return list(dict.fromkeys(suspect.path for suspect in blended))[:SUSPECT_FILES_AHEAD]


def _test_file_predicate(request: HealRequest, plan: Plan) -> Callable[[str], bool]:
    """Test modules by the user's python_files, conftest.py, every file a test id names, and
    helpers in test directories; paths relative to the repository."""
    return TestFiles.of_suite(request.python_files, [*plan.ran, *plan.failing], request.rootdir_in_repo)


def _triage(runs: TestRuns, sandbox: Sandbox, request: HealRequest, plan: Plan, probed: Probed,
            is_test_file: Callable[[str], bool], run_dir: Path, past: Past) -> Triage:
    settings = request.settings
    return triage(TriageInput(
        sandbox=sandbox, runs=runs, failures=request.failures, outcomes=request.outcomes,
        spectrum=probed.spectrum, is_test_file=is_test_file, past=past,
        history_db=rundir.history_db(run_dir.parent.parent), run_id=request.run_id,
        reruns=settings.reruns, require_causal_link=settings.require_causal_link,
        rerun_limits=partial(_test_limits, probed.run), deadline=plan.deadline,
        added={request.added_test.nodeid: request.added_test.path} if request.added_test else {},
    ))


def _targets(plan: Plan, probed: Probed, verdicts: Triage, log: DecisionLog) -> tuple[str, ...]:
    """The failures to repair: reproduced in the sandbox and held repairable by triage."""
    reproduced = [n for n in plan.failing if probed.spectrum.outcomes.get(n) == "failed"]
    targets = tuple(n for n in reproduced if n in verdicts.repairable)
    log.record("triage", targets=list(targets),
               not_reproduced=[n for n in plan.failing if n not in reproduced],
               verdicts=verdicts.as_json())
    return targets


def _nothing_to_repair(request: HealRequest, run_dir: Path, verdicts: Triage) -> HealResult:
    """Why no failure is repaired: triage held them, or they ran in the sandbox and passed (a
    probe that ran none of them ended the heal before)."""
    held = verdicts.held_reason()
    return HealResult(
        "not-healed",
        f"nothing to repair: {held}" if held else
        "the failures did not reproduce in the sandbox: they ran there and passed (flaky, "
        "order-dependent, or depending on files git ignores); nothing to heal",
        request,
        run_dir=run_dir,
        triage=verdicts,
    )


def _reported(nodeid: str, run: TestRunResult) -> bool:
    """The run reported the test, or a test of the module a collection failure names."""
    return nodeid in run.outcomes or any(n.startswith(f"{nodeid}::") for n in run.outcomes)


def _not_run_by_probe(unrun: Sequence[str], run: TestRunResult) -> str:
    reordered = reordered_parameters(unrun, run.outcomes)
    if reordered:
        return f"the probe did not find {len(unrun)} of the failing tests in the sandbox: {reordered}"
    return (f"the probe ran in the sandbox but did not run {len(unrun)} of the failing tests "
            f"({unrun[0]}{', ...' if len(unrun) > 1 else ''}): they were not collected there, so "
            f"they were not checked and your tests are not to blame. Its last lines:\n{last_lines(run)}\n"
            "Check that the tests are collected in a fresh clone of your repository (files git "
            "ignores, absolute paths); otherwise please report this to pytest-selfheal with "
            "report.json")


def _probe_out_of_time(run: TestRunResult) -> str:
    return (f"the probe was stopped after {run.seconds:.0f}s in the sandbox before any failing test "
            "reported: a test hangs there, or the time budget is too short for the failing tests' "
            "modules (--selfheal-time-budget). To stop a hanging test before the budget, give it a "
            "time limit: pytest-timeout's `timeout = 10` in [tool.pytest.ini_options], or "
            "`--timeout=10`. Its last lines:\n"
            f"{last_lines(run)}")


def _editable(suspects: tuple[Suspect, ...], policy: Policy, log: DecisionLog) -> tuple[Suspect, ...]:
    """The suspects an agent may edit: a line the policy forbids (configuration, a submodule, a
    path the user forbade) would only spend the search on candidates it rejects."""
    refused = {s.path: why for s in suspects if (why := policy.refusal(s.path))}
    if refused:
        log.record("suspects-forbidden", files=refused)
    return tuple(s for s in suspects if s.path not in refused)


def _workbench(runs: TestRuns, sandbox: Sandbox, request: HealRequest, plan: Plan, probed: Probed,
               policy: Policy, targets: tuple[str, ...], verdicts: Triage,
               suspects: tuple[Suspect, ...], run_dir: Path, log: DecisionLog,
               restoration: BaseRestoration) -> SandboxWorkbench:
    settings = request.settings
    target_wall, target_cpu = _test_limits(probed.run, targets)
    peak = request.suite_peak_bytes
    return SandboxWorkbench(
        sandbox=sandbox,
        runs=runs,
        task=RepairTask(targets=targets, suite=plan.ran, previously_failed=frozenset(plan.failing),
                        failures=request.failures, suspects=suspects, spectrum=probed.spectrum,
                        representatives=verdicts.representatives(targets),
                        probe_seconds=probed.run.durations),
        limits=SearchLimits(deadline=plan.deadline, max_candidates=settings.max_candidates,
                            target_timeout=target_wall, suite_timeout=plan.suite_timeout,
                            target_cpu=target_cpu,
                            target_memory=MEMORY_FACTOR * peak or None,
                            gate_memory=max(MEMORY_FACTOR * peak, peak + GATE_MEMORY_ROOM) if peak else None,
                            started=request.started,
                            gate_seconds=request.suite_seconds,
                            target_seconds=_took(probed.run, targets)),
        policy=policy,
        is_test_file=policy.is_test_file,
        log=log,
        run_dir=run_dir,
        alternatives=settings.alternatives,
        naturalness=ProjectNaturalness(sandbox.root, deadline=plan.deadline),
        restoration=restoration,
    )


def _result(request: HealRequest, run_dir: Path, bench: SandboxWorkbench, found: Outcome | None,
            best: Outcome | None, agent: Agent, stop_reason: str, verdicts: Triage,
            regression: Regression | None) -> HealResult:
    """`found` is the best outcome as the search judged it; `best`, the same fix formatted."""
    targets = bench.task.targets
    if best is None:
        status = "not-healed"
        reason = "no plausible fix found: " + why_not_found(bench.suspects, bench.outcomes,
                                                            stop_reason, targets, agent.name)
    else:
        status = "healed" if set(best.fixed) >= set(targets) else "partial"
        reason = (f"plausible fix: {len(best.fixed)} of {len(targets)} failing tests pass "
                  "and no passing test broke")
        held = verdicts.held_reason()
        if held:  # the other failures of the user's run, which triage did not hand to repair
            reason += f"; not repaired: {held}"
        if request.added_test is not None:
            reason += (f"; the test of {request.added_test.reproduces} checks only that the "
                       "exception is gone, so review what the fix changes")
    started = request.started
    ranking = bench.judged()
    fix_evidence = next((e for o, e in ranking if o is found), None)
    alternatives = tuple(Alternative(o, e) for o, e in ranking if o is not found)
    runner_up = alternatives[0].evidence if alternatives else None
    return HealResult(
        status,
        reason,
        request,
        run_dir=run_dir,
        targets=targets,
        suspects=bench.suspects,
        outcomes=tuple(best if best and o is found else o for o in bench.outcomes),
        fix=best,
        alternatives=alternatives,
        fix_evidence=fix_evidence,
        why_first=why_first(fix_evidence, runner_up) if fix_evidence else "",
        diff=combined_diff(best.candidate) + regression.diff if best and regression else b"",
        seconds=round(time.monotonic() - started, 2),
        seconds_to_green=round(bench.healed_at - started, 2) if bench.healed_at else None,
        agent=agent.name,
        details={"stop_reason": stop_reason},
        agent_report=report_of(agent),
        triage=verdicts,
        regression=regression,
    )


def _test_limits(run: TestRunResult, nodeids: Sequence[str]) -> tuple[float, float]:
    """(wall, CPU) seconds a warm child may take to run `nodeids` (scaled_limits), from how long
    they took in the probe."""
    return scaled_limits(_took(run, nodeids))


def _took(run: TestRunResult, nodeids: Sequence[str]) -> float:
    """Seconds `nodeids` took together in the probe."""
    return sum(run.durations.get(n, 0.0) for n in nodeids)


def _with_seconds(result: HealResult, started: float) -> HealResult:
    return replace(result, seconds=round(time.monotonic() - started, 2))


def _failing(request: HealRequest) -> tuple[str, ...]:
    """The failures a heal works on: failed tests, and modules of project code that failed to
    collect."""
    return tuple(f.nodeid for f in request.failures
                 if f.phase != "collect" or is_collection_target(f))
