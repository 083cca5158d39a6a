"""An incident as the heal's target: picked from the runtime hook's file, reproduced at HEAD, and
handed to the heal as a failing test the sandbox holds (the checkout never does).

Used by `pytest --selfheal --selfheal-incident FILE` (and so by `pytest-selfheal heal FILE`):
the user's suite runs as usual, then the heal repairs the reproduction test with the whole suite
as the gate.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from ..errors import ConfigError, SelfHealError
from ..heal.request import AddedTest
from ..ids import named_by
from ..models import Failure, Frame
from ..redaction import Redactor
from ..runtime.incident import Incident
from . import read
from .reproduce import Reproduction, reproduce


def load_incident(source: Path, wanted: str | None) -> Incident:
    """The incident whose id starts with `wanted` (the newest one without), from what
    `incidents` reads: the hook's JSON lines with their rotations, a directory of them, or the
    Collector's OTLP JSON (our log records carry whole incidents; other tools' exceptions have no
    arguments to call again). A malformed line is skipped with a warning naming it; ConfigError
    says what to fix."""
    problems: list[read.Problem] = []
    try:
        # the same incident may come twice (a file and the Collector's copy of it): one per id
        found = {incident.id: incident for incident in read.incidents([str(source)], problems)}
    except SelfHealError as exc:
        raise ConfigError(str(exc)) from None
    for problem in problems:
        if not problem.line:
            raise ConfigError(f"{problem}: give incident files this user can read")
        print(f"pytest-selfheal: {problem.file}:{problem.line}: skipped, {problem.reason}",
              file=sys.stderr)
    if not found:
        raise ConfigError(f"{source} holds no incident the runtime hook recorded (JSON lines, or "
                          "OTLP log records with selfheal.incident)")
    if wanted is None:
        return max(found.values(), key=lambda incident: incident.time)
    matching = named_by(wanted, found)
    if len(matching) != 1:
        what = "no incident" if not matching else f"{len(matching)} incidents"
        raise ConfigError(f"{what} in {source} with an id starting {wanted!r}: pass a longer "
                          "prefix of an id `pytest-selfheal incidents` lists")
    return found[matching[0]]


@dataclass(frozen=True)
class Target:
    """The reproduction as a failing test of the heal, or (`added` None) why there is none."""

    reproduction: Reproduction
    added: AddedTest | None = None
    failure: Failure | None = None


def incident_target(incident: Incident, repo_root: Path, rootdir: Path, settings: Settings,
                    redactor: Redactor) -> Target:
    reproduction = reproduce(incident, repo_root, rootdir, settings, redactor)
    if reproduction.status != "reproduced":
        return Target(reproduction)
    raised = incident.exception
    in_repo = (repo_root / reproduction.test_path).resolve()
    nodeid = f"{in_repo.relative_to(rootdir.resolve()).as_posix()}::test_incident_{incident.id[:8]}"
    message = raised.message
    called = next(v for v in reproduction.frames if v.verdict == "reproduced")
    added = AddedTest(reproduction.test_path, reproduction.source, nodeid,
                      f"incident {incident.id[:8]} ({raised.type}: {message[:80]})", called.function)
    frames = incident.project_frames()
    start = next((i for i, f in enumerate(frames)
                  if (f.path, f.line, f.function) == (called.path, called.line, called.function)), 0)
    failure = Failure(nodeid=nodeid, phase="call", exc_type=raised.type, message=message,
                      frames=tuple(Frame(f.path, f.line, f.function) for f in frames[start:]),
                      output="")
    return Target(reproduction, added, failure)


def why_no_target(target: Target) -> tuple[str, str]:
    """(status, reason) of a heal that has no reproduction to repair."""
    reproduction = target.reproduction
    incident = reproduction.incident.id[:8]
    if reproduction.status == "fixed":
        return "skipped", f"incident {incident} is already fixed: {reproduction.reason}"
    frames = "; ".join(f"{v.function} ({v.path}:{v.line}): {v.verdict}, {v.detail}"
                       for v in reproduction.frames)
    return "not-healed", (f"incident {incident} did not reproduce at HEAD: {reproduction.reason}"
                          + (f". Frames: {frames}" if frames else ""))
