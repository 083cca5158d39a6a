"""One exception seen in production, whatever carried it: what grouping, the baseline and the
causal link need, and nothing more (an incident's arguments stay in its file). Structs the JSON
decoder builds directly, untracked by the garbage collector, as a million of them are built in
one read."""

from __future__ import annotations

import msgspec

from ..models import Failure, Frame
from ..runtime.incident import Incident

NO_PROJECT_FRAME = "<no project frame>"  # where a signature points when no frame is the project's


class RawFrame(msgspec.Struct, frozen=True, gc=False):
    """One traceback entry; `path` is the repository's (relative) when `in_project`."""

    path: str
    line: int
    function: str
    in_project: bool = False


class Occurrence(msgspec.Struct, frozen=True, gc=False):
    id: str
    time: float  # seconds since the epoch
    version: str  # the deployed commit, "" when unknown
    exc_type: str
    message: str
    frames: tuple[RawFrame, ...]  # the raised exception's, outermost first

    def failure(self) -> Failure:
        """The exception as triage reads a test's: the project's frames (paths relative to the
        project root), then the innermost frame when it is outside the project, so that a
        timeout raised in networking code reads as the network's."""
        kept = [Frame(f.path, f.line, f.function) for f in self.frames if f.in_project]
        last = self.frames[-1] if self.frames else None
        if last is not None and not last.in_project and last.path.startswith("/"):
            kept.append(Frame(last.path, last.line, last.function))
        return Failure(NO_PROJECT_FRAME, "call", self.exc_type, self.message, tuple(kept))

    def project_lines(self) -> frozenset[tuple[str, int]]:
        return frozenset((f.path, f.line) for f in self.frames if f.in_project)


def from_incident(incident: Incident) -> Occurrence:
    raised = incident.exception
    return Occurrence(incident.id, incident.time, incident.version, raised.type, raised.message,
                      tuple(RawFrame(f.path, f.line, f.function, f.in_project) for f in raised.frames))
