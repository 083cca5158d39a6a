"""Prove an incident's reproduction test in a sandbox: it must fail at HEAD with the incident's
exception. Frames are tried innermost first (reproduction.py); the first whose test fails that
way is the reproduction. When the tests pass at HEAD but fail at the incident's deployed version,
the bug is already fixed, and the commit that fixed it is found by bisection in the sandbox.

Runs in the console script's process; the user's checkout is only read (the sandbox is a
worktree of its own, as for a heal).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import Settings
from ..git import commit_of, git_output, run_git
from ..heal.prepare import Preparation, prepare
from ..models import TestRunResult
from ..redaction import Redactor
from ..runtime.incident import Incident
from ..sandbox.runner import run_tests
from .reproduction import Attempt, attempts, import_root

RUN_TIMEOUT = 60.0  # seconds for one reproduction test's process


@dataclass(frozen=True)
class FrameVerdict:
    """What one frame's reproduction test did: `reproduced`, `passes`, `different` (another
    exception or failure), `not-rebuildable` or `did-not-run`; `detail` says what happened."""

    path: str
    line: int
    function: str
    verdict: str
    detail: str


@dataclass(frozen=True)
class Reproduction:
    """`status`: `reproduced` (the test fails at HEAD as the incident did), `fixed` (it passes at
    HEAD and fails at the incident's version; `fixed_by` is the first commit where it passes),
    or `not-reproduced` (`frames` says why, per frame)."""

    incident: Incident
    status: str
    frames: tuple[FrameVerdict, ...]
    test_path: str = ""  # where the test belongs in the repository
    source: str = ""  # the reproduction test (reproduced or fixed)
    fixed_by: str = ""
    reason: str = ""


def reproduce(incident: Incident, repo_root: Path, rootdir: Path, settings: Settings,
              redactor: Redactor) -> Reproduction:
    planned = [_refuse_secrets(a, redactor) for a in attempts(incident, repo_root, rootdir)]
    verdicts = {id(a): _unbuilt(a) for a in planned if not a.source}
    runnable = [a for a in planned if a.source]
    if not runnable:
        return Reproduction(incident, "not-reproduced", tuple(verdicts.values()),
                            reason=_no_frame(incident))
    roots = tuple(dict.fromkeys(import_root(repo_root, a.frame.path) for a in runnable))
    preparation = prepare(repo_root, rootdir, settings, (*roots, repo_root), collect=())
    try:
        at_head: list[tuple[Attempt, FrameVerdict]] = []
        for attempt in runnable:
            verdict = _verdict(incident, attempt, _run(preparation, attempt))
            verdicts[id(attempt)] = verdict
            at_head.append((attempt, verdict))
            if verdict.verdict == "reproduced":
                return Reproduction(incident, "reproduced", _ordered(planned, verdicts),
                                    attempt.path, attempt.source)
        passing = [attempt for attempt, verdict in at_head if verdict.verdict == "passes"]
        return _already_fixed(incident, repo_root, preparation, passing, _ordered(planned, verdicts))
    finally:
        preparation.close()


def _already_fixed(incident: Incident, repo_root: Path, preparation: Preparation,
                   passing: Sequence[Attempt], frames: tuple[FrameVerdict, ...]) -> Reproduction:
    """Passing at HEAD means fixed only if the same test fails at the incident's version."""
    if not passing:
        return Reproduction(incident, "not-reproduced", frames,
                            reason="no frame's test fails at HEAD with the incident's exception")
    if not incident.version:
        return Reproduction(incident, "not-reproduced", frames, reason=(
            "the reproduction test passes at HEAD; the incident names no deployed version, so "
            "whether it was fixed since or the recorded arguments do not trigger it is unknown"))
    commit = commit_of(repo_root, incident.version)
    if commit is None:
        return Reproduction(incident, "not-reproduced", frames, reason=(
            f"the reproduction test passes at HEAD, and the incident's version {incident.version} "
            "is not a commit of this repository (fetch it to tell whether it was fixed since)"))
    worktree = preparation.sandbox.root
    for attempt in passing:
        if _fails_as_incident(incident, attempt, preparation, worktree, commit):
            fixed_by = _first_passing(incident, attempt, preparation, worktree, repo_root,
                                      commit)
            return Reproduction(incident, "fixed", frames, attempt.path, attempt.source, fixed_by,
                                reason=f"already fixed: the test fails at {incident.version[:12]} "
                                f"and passes from {fixed_by[:12]} on")
    return Reproduction(incident, "not-reproduced", frames, reason=(
        f"the reproduction tests pass at HEAD and at the incident's version {incident.version[:12]}: "
        "the arguments as recorded do not raise (the function may change them before it raises, "
        "or it depends on state that was not recorded)"))


def _first_passing(incident: Incident, attempt: Attempt, preparation: Preparation, worktree: Path,
                   repo_root: Path, broken: str) -> str:
    """Bisect the first-parent history from `broken` to HEAD for the first commit where the test
    passes (assuming it stays fixed once fixed)."""
    listed = git_output(repo_root, "rev-list", "--first-parent", "--reverse", f"{broken}..HEAD")
    commits = (listed or "").split()
    low, high = 0, len(commits) - 1  # commits[high] (HEAD) passes
    while low < high:
        middle = (low + high) // 2
        if _fails_as_incident(incident, attempt, preparation, worktree, commits[middle]):
            low = middle + 1
        else:
            high = middle
    return commits[high] if commits else broken


def _fails_as_incident(incident: Incident, attempt: Attempt, preparation: Preparation, worktree: Path,
                       commit: str) -> bool:
    checkout = run_git(worktree, "checkout", "--quiet", "--force", "--detach", commit)
    if checkout.returncode != 0:
        return False
    return _verdict(incident, attempt, _run(preparation, attempt)).verdict == "reproduced"


def _run(preparation: Preparation, attempt: Attempt) -> TestRunResult:
    preparation.sandbox.write(attempt.path, attempt.source)
    return run_tests(preparation.command, [attempt.nodeid], timeout=RUN_TIMEOUT)


def _verdict(incident: Incident, attempt: Attempt, run: TestRunResult) -> FrameVerdict:
    frame = attempt.frame
    outcome = run.outcomes.get(attempt.nodeid)
    failure = run.failures.get(attempt.nodeid, "")
    if outcome == "passed":
        return FrameVerdict(frame.path, frame.line, frame.function, "passes", "the call raises nothing")
    if outcome == "failed" and _same_exception(incident.exception.type, failure):
        return FrameVerdict(frame.path, frame.line, frame.function, "reproduced", failure.strip())
    if outcome == "failed":
        return FrameVerdict(frame.path, frame.line, frame.function, "different",
                            f"it fails differently: {failure.strip().splitlines()[0] if failure else '?'}")
    tail = run.output_tail.strip().splitlines()[-3:]
    return FrameVerdict(frame.path, frame.line, frame.function, "did-not-run",
                        "the test did not run: " + " / ".join(tail))


def _same_exception(expected: str, failure: str) -> bool:
    """pytest's crash line starts with the exception's name as the incident wrote it
    (module-qualified, builtins bare)."""
    first = failure.strip().split("\n", 1)[0]
    return first == expected or first.startswith(expected + ":")


def _refuse_secrets(attempt: Attempt, redactor: Redactor) -> Attempt:
    if attempt.source and redactor.holds_secret(attempt.source):
        return replace(attempt, source="", why_not="an argument holds a secret, and a test that "
                       "holds one is never written")
    return attempt


def _unbuilt(attempt: Attempt) -> FrameVerdict:
    frame = attempt.frame
    return FrameVerdict(frame.path, frame.line, frame.function, "not-rebuildable", attempt.why_not)


def _ordered(planned: Sequence[Attempt], verdicts: dict[int, FrameVerdict]) -> tuple[FrameVerdict, ...]:
    return tuple(verdicts[id(a)] for a in planned if id(a) in verdicts)


def _no_frame(incident: Incident) -> str:
    if not incident.project_frames():
        return "the incident has no frame in the project: nothing of the project's to call"
    return "no project frame's call can be rebuilt (see each frame)"
