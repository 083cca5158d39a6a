"""One exception seen in production, whatever carried it: what grouping, the baseline and the
causal link need, and nothing more (an incident's arguments stay in its file). A plain tuple, as
a million of them are built in one read."""

from __future__ import annotations

from typing import NamedTuple

from ..models import Failure, Frame
from ..runtime.incident import Incident

NO_PROJECT_FRAME = "<no project frame>"  # where a signature points when no frame is the project's

RawFrame = tuple[str, int, str, bool]  # path, line, function, whether it is in the project


class Occurrence(NamedTuple):
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
        kept = [Frame(path, line, function) for path, line, function, mine in self.frames if mine]
        if self.frames and not self.frames[-1][3] and self.frames[-1][0].startswith("/"):
            kept.append(Frame(*self.frames[-1][:3]))
        return Failure(NO_PROJECT_FRAME, "call", self.exc_type, self.message, tuple(kept))

    def project_lines(self) -> frozenset[tuple[str, int]]:
        return frozenset((path, line) for path, line, _, mine in self.frames if mine)


def from_incident(incident: Incident) -> Occurrence:
    raised = incident.exception
    return Occurrence(incident.id, incident.time, incident.version, raised.type, raised.message,
                      tuple((f.path, f.line, f.function, f.in_project) for f in raised.frames))
