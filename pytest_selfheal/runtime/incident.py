"""One incident: an exception a running program raised, its chain, and the project's frames with
the arguments they were called with, as one JSON object per line.

The format is shared by both sides: the runtime hook writes it in the user's program, and the
`pytest-selfheal incidents | reproduce | heal` commands read it back. `from_json` never trusts its
input (lines come from files other tools may write): a malformed record raises MalformedIncident
naming what is wrong. Imports only the standard library.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SCHEMA = "pytest-selfheal/incident/1"
# an incident as an OpenTelemetry log record: its JSON line, and the version of the schema it
# follows (SCHEMA; never the deployed version, which the incident holds as `version`)
OTEL_INCIDENT_ATTRIBUTE = "selfheal.incident"
OTEL_SCHEMA_ATTRIBUTE = "selfheal.incident.version"
RELATIONS = ("raised", "cause", "context")  # how an exception joins the chain, outermost first

# An argument as the regression recorder describes it (testproc/values.argument: name, kind,
# value, default), or, when its value cannot be rebuilt, name, kind, `unrenderable` (why),
# `type` (the value's qualified type) and a bounded `repr`.
Argument = dict[str, Any]


def json_line(value: object) -> str:
    """`value` as an incident line writes it: compact, characters as they are (no newline
    inside: JSON escapes the newlines of strings)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class MalformedIncident(ValueError):
    """A record that is not an incident of this schema; the message says what is wrong."""


@dataclass(frozen=True)
class IncidentFrame:
    """One traceback entry, outermost first. `path` is relative to the project root (POSIX) when
    `in_project`, else the interpreter's file name; `arguments` are recorded for project frames
    only (None: not recorded)."""

    path: str
    line: int
    function: str  # qualified name, e.g. `Cart.total`
    in_project: bool
    arguments: tuple[Argument, ...] | None = None


@dataclass(frozen=True)
class RaisedException:
    """One exception of the chain. `type` is module-qualified (`decimal.InvalidOperation`;
    builtins are bare: `ZeroDivisionError`)."""

    type: str
    message: str
    relation: str  # one of RELATIONS: the first exception is "raised"
    frames: tuple[IncidentFrame, ...]


@dataclass(frozen=True)
class Incident:
    """What one failure in production left. `chain[0]` is the exception that reached the hook;
    the rest are its `__cause__`/`__context__`, in the order Python prints them (innermost
    cause last). `version` is the deployed commit ("" when unknown); `source` names the hook
    that caught it (excepthook, thread, logging, wsgi, asgi, job). `dropped` counts what the
    size bounds left out (frames, arguments, characters), so a reader knows the record is partial.
    `context` says where it happened, by source: `job` (the job's name), `method` and `path`
    (wsgi, asgi: the request, without its query), `logger` (logging), `thread` (thread)."""

    id: str
    time: float  # seconds since the epoch, UTC
    version: str
    source: str
    process: Mapping[str, Any]  # pid, executable name, host: nothing from the environment
    chain: tuple[RaisedException, ...]
    dropped: Mapping[str, int] = field(default_factory=dict)
    context: Mapping[str, str] = field(default_factory=dict)

    @property
    def exception(self) -> RaisedException:
        return self.chain[0]

    def project_frames(self) -> tuple[IncidentFrame, ...]:
        """The raised exception's frames in the project, innermost last."""
        return tuple(frame for frame in self.exception.frames if frame.in_project)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "id": self.id,
            "time": self.time,
            "version": self.version,
            "source": self.source,
            "process": dict(self.process),
            "chain": [_exception_json(raised) for raised in self.chain],
            "dropped": dict(self.dropped),
            "context": dict(self.context),
        }

    def to_line(self) -> str:
        """One JSON line (no newline inside; the caller adds the line end)."""
        return json_line(self.to_json())

    @classmethod
    def from_json(cls, data: object) -> Incident:
        record = _mapping(data, "the record")
        if record.get("schema") != SCHEMA:
            raise MalformedIncident(f"schema is {record.get('schema')!r}, not {SCHEMA!r}")
        chain = tuple(_exception(item) for item in _list(record, "chain"))
        if not chain:
            raise MalformedIncident("chain is empty: an incident has at least the raised exception")
        if chain[0].relation != "raised":
            raise MalformedIncident("the first exception of the chain is not the raised one")
        dropped = _mapping(record.get("dropped", {}), "dropped")
        context = _mapping(record.get("context", {}), "context")
        return cls(
            id=_text(record, "id"),
            time=_number(record, "time"),
            version=_text(record, "version"),
            source=_text(record, "source"),
            process=dict(_mapping(record.get("process", {}), "process")),
            chain=chain,
            dropped={str(key): int(value) for key, value in dropped.items()
                     if isinstance(value, int) and not isinstance(value, bool)},
            context={str(key): str(value) for key, value in context.items()},
        )

    @classmethod
    def from_line(cls, line: str) -> Incident:
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise MalformedIncident(f"not JSON: {exc}") from None
        return cls.from_json(data)


def _exception_json(raised: RaisedException) -> dict[str, Any]:
    return {
        "type": raised.type,
        "message": raised.message,
        "relation": raised.relation,
        "frames": [
            {"path": frame.path, "line": frame.line, "function": frame.function,
             "in_project": frame.in_project,
             "arguments": None if frame.arguments is None else list(frame.arguments)}
            for frame in raised.frames
        ],
    }


def _exception(data: object) -> RaisedException:
    record = _mapping(data, "an exception of the chain")
    relation = _text(record, "relation")
    if relation not in RELATIONS:
        raise MalformedIncident(f"relation {relation!r} is not one of {', '.join(RELATIONS)}")
    return RaisedException(
        type=_text(record, "type"),
        message=_text(record, "message"),
        relation=relation,
        frames=tuple(_frame(item) for item in _list(record, "frames")),
    )


def _frame(data: object) -> IncidentFrame:
    record = _mapping(data, "a frame")
    arguments = record.get("arguments")
    if arguments is not None and not (
        isinstance(arguments, list) and all(isinstance(a, dict) and isinstance(a.get("name"), str)
                                            for a in arguments)
    ):
        raise MalformedIncident("a frame's arguments are not a list of named arguments")
    line = record.get("line")
    if not isinstance(line, int) or isinstance(line, bool):
        raise MalformedIncident(f"a frame's line is {line!r}, not a number")
    return IncidentFrame(
        path=_text(record, "path"),
        line=line,
        function=_text(record, "function"),
        in_project=record.get("in_project") is True,
        arguments=None if arguments is None else tuple(arguments),
    )


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise MalformedIncident(f"{what} is not a JSON object")
    return value


def _list(record: Mapping[str, Any], key: str) -> list[Any]:
    value = record.get(key)
    if not isinstance(value, list):
        raise MalformedIncident(f"{key} is not a list")
    return value


def _text(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    if not isinstance(value, str):
        raise MalformedIncident(f"{key} is {value!r}, not a string")
    return value


def _number(record: Mapping[str, Any], key: str) -> float:
    value = record.get(key)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise MalformedIncident(f"{key} is {value!r}, not a number")
    return float(value)
