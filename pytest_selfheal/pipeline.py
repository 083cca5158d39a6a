"""The one place where the stages meet: sandbox -> probe -> localize -> agent <-> validate -> report.

No pytest import: capture.py hands over a HealRequest and renders the HealResult.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import report
from .agents.base import Agent
from .config import Settings
from .errors import SandboxError, SelfHealError
from .localize import localize, make_test_file_predicate
from .models import Failure, Outcome, Suspect
from .patch import combined_diff
from .probe import probe, probe_selection
from .runner import PytestCommand
from .sandbox import Sandbox, open_sandbox
from .validate import Bench, Limits

MIN_TARGET_TIMEOUT = 10.0
MIN_SUITE_TIMEOUT = 30.0
TIMEOUT_FACTOR = 5.0


@dataclass(frozen=True)
class HealRequest:
    """Everything the pytest side observed; paths are absolute."""

    repo_root: Path | None
    rootdir: Path
    failures: tuple[Failure, ...]
    outcomes: dict[str, str]  # every test that ran in the user's session
    settings: Settings
    make_agent: Callable[[str], Agent]
    run_id: str
    python_files: tuple[str, ...] = ("test_*.py", "*_test.py")
    import_roots: tuple[Path, ...] = ()  # sys.path entries inside the checkout
    suite_seconds: float = 0.0


@dataclass(frozen=True)
class HealResult:
    status: str  # "healed" | "partial" | "not-healed" | "skipped" | "error"
    reason: str
    request: HealRequest
    run_dir: Path | None = None
    targets: tuple[str, ...] = ()
    suspects: tuple[Suspect, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    fix: Outcome | None = None
    diff: str = ""
    seconds: float = 0.0
    agent: str = ""
    details: dict[str, str] = field(default_factory=dict)


def heal(request: HealRequest) -> HealResult:
    """Try to heal the failures; never raises except KeyboardInterrupt (after cleanup)."""
    started = time.monotonic()
    if request.repo_root is None:
        return HealResult(
            "skipped",
            f"no git repository at {request.rootdir}: run `git init` and commit, "
            "or run without --selfheal",
            request,
        )
    tests_failing = [f for f in request.failures if f.phase != "collect"]
    if not tests_failing:
        return HealResult(
            "skipped",
            "only collection errors failed; fix the import or syntax error pytest reported "
            "(healing collection errors is not supported yet)",
            request,
        )
    try:
        run_dir = report.new_run_dir(request.rootdir / request.settings.output, request.run_id)
    except SelfHealError as exc:
        return HealResult("error", str(exc), request)
    try:
        with open_sandbox(request.repo_root) as sandbox:
            result = _heal_in(sandbox, request, run_dir, started)
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
    if result.seconds == 0.0:
        result = _with_seconds(result, started)
    report.write_run(result)
    return result


def _with_seconds(result: HealResult, started: float) -> HealResult:
    return replace(result, seconds=round(time.monotonic() - started, 2))


def _heal_in(sandbox: Sandbox, request: HealRequest, run_dir: Path, started: float) -> HealResult:
    settings = request.settings
    deadline = started + settings.time_budget
    command = PytestCommand(
        sandbox_root=sandbox.root,
        user_root=sandbox.user_root,
        cwd=sandbox.map(request.rootdir),
        scratch=sandbox.tmp / "scratch",
        import_roots=tuple(sandbox.map(p) for p in request.import_roots),
    )
    failing = [f.nodeid for f in request.failures if f.phase != "collect"]
    ran = list(request.outcomes)
    suite_timeout = max(MIN_SUITE_TIMEOUT, TIMEOUT_FACTOR * request.suite_seconds)
    spectrum, probe_run = probe(
        command, probe_selection(failing, ran), timeout=min(suite_timeout, settings.time_budget)
    )
    if probe_run.leaked_modules:
        raise SandboxError(
            "cannot isolate the sandbox: tests in the worktree imported code from your checkout "
            f"({', '.join(probe_run.leaked_modules[:3])}). This happens with editable installs "
            "that use an import hook; add the source directory to pytest's `pythonpath` ini "
            "option, or install the project non-editable"
        )
    targets = tuple(n for n in failing if spectrum.outcomes.get(n) == "failed")
    if not targets:
        return HealResult(
            "not-healed",
            "the failures did not reproduce in the sandbox (flaky, order-dependent, or "
            "depending on files git ignores); nothing to heal",
            request,
            run_dir=run_dir,
        )
    nodeid_files = {n.split("::", 1)[0] for n in ran}
    rootdir_rel = request.rootdir.resolve().relative_to(sandbox.user_root)
    is_test_file = make_test_file_predicate(
        request.python_files,
        {(rootdir_rel / f).as_posix() for f in nodeid_files},
    )
    suspects = localize(
        spectrum, request.failures, root=sandbox.root, is_test_file=is_test_file
    )
    agent = request.make_agent(settings.resolved_agent)
    bench = Bench(
        sandbox=sandbox,
        command=command,
        targets=targets,
        suite=tuple(ran),
        previously_failed=frozenset(failing),
        failures=request.failures,
        suspects=suspects,
        spectrum=spectrum,
        limits=Limits(
            deadline=deadline,
            max_candidates=settings.max_candidates,
            target_timeout=max(MIN_TARGET_TIMEOUT, TIMEOUT_FACTOR * probe_run.seconds),
            suite_timeout=suite_timeout,
        ),
        alternatives_window=settings.alternatives_window,
    )
    stop_reason = agent.repair(bench)
    best = bench.best
    if best is None:
        status = "not-healed"
        reason = f"no plausible fix found ({stop_reason})"
    else:
        status = "healed" if set(best.fixed) >= set(targets) else "partial"
        reason = (
            f"plausible fix: {len(best.fixed)} of {len(targets)} failing tests pass "
            "and no passing test broke"
        )
    return HealResult(
        status,
        reason,
        request,
        run_dir=run_dir,
        targets=targets,
        suspects=suspects,
        outcomes=tuple(bench.outcomes),
        fix=best,
        diff=combined_diff(best.candidate.edits) if best else "",
        seconds=round(time.monotonic() - started, 2),
        agent=agent.name,
        details={"stop_reason": stop_reason},
    )
