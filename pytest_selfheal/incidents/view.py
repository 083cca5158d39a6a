"""The part of an incident line that grouping reads, decoded without the rest.

An incident's arguments are most of its line and grouping never looks at them: msgspec decodes
the fields named here into typed structs and skips every other value without building it, which
is what lets a million lines be read in seconds. A line this view rejects is read again in full
by `Incident.from_line`, whose error names what is wrong (the arguments are checked there too,
when `reproduce` reads the incident)."""

from __future__ import annotations

import msgspec

from ..runtime.incident import SCHEMA
from .occurrence import Occurrence, RawFrame


class _Raised(msgspec.Struct, frozen=True, gc=False):
    type: str
    message: str
    relation: str
    frames: tuple[RawFrame, ...]


class _Record(msgspec.Struct, frozen=True, gc=False):
    schema: str
    id: str
    time: float
    version: str
    chain: list[_Raised]


_DECODER = msgspec.json.Decoder(_Record)


def grouping_view(line: bytes) -> Occurrence | None:
    """The occurrence an incident line stands for; None when the line is not one this view can
    read (another kind of line, or a broken one: `Incident.from_line` says which)."""
    try:
        record = _DECODER.decode(line)
    except msgspec.DecodeError:
        return None
    if record.schema != SCHEMA or not record.chain or record.chain[0].relation != "raised":
        return None
    raised = record.chain[0]
    return Occurrence(record.id, record.time, record.version, raised.type, raised.message,
                      raised.frames)
