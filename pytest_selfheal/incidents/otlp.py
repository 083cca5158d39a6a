"""OTLP JSON as the OpenTelemetry Collector's file exporter writes it: one
ExportLogsServiceRequest or ExportTraceServiceRequest per line. Our log records carry the whole
incident under `selfheal.incident`; other instrumentation's exceptions are span events (or log
records) with the semantic conventions' `exception.*` attributes and no arguments."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..runtime.incident import OTEL_INCIDENT_ATTRIBUTE, Incident, MalformedIncident
from .occurrence import Occurrence, RawFrame, from_incident
from .stacktrace import ProjectFiles, frames_of

NANOSECONDS = 1e9
# The deployed version of what other instrumentation reports: the semantic conventions' resource
# attribute (our own records carry theirs in the incident).
DEPLOYED_VERSION = "service.version"


@dataclass
class Batch:
    """What one OTLP request held: the exceptions, the records and spans without one, and why
    some records could not be read."""

    occurrences: list[Occurrence] = field(default_factory=list)
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def is_otlp(data: Mapping[str, Any]) -> bool:
    return "resourceLogs" in data or "resourceSpans" in data


def read_request(data: Mapping[str, Any], origin: str, project: ProjectFiles) -> Batch:
    """The exceptions of one request; `origin` ("file:line") names those that carry no id."""
    batch = Batch()
    for key in ("resourceLogs", "resourceSpans"):
        if key in data and not isinstance(data[key], list):
            batch.problems.append(f"{key} is not a list: not an OTLP request the Collector writes")
    for resource, record in _items(data, "resourceLogs", "scopeLogs", "logRecords"):
        attributes = _attributes(record)
        _read_one(batch, attributes, resource, record, "timeUnixNano", origin, project)
    for resource, span in _items(data, "resourceSpans", "scopeSpans", "spans"):
        events = [e for e in _list(span, "events") if isinstance(e, dict) and e.get("name") == "exception"]
        if not events:
            batch.skipped += 1
        for event in events:
            _read_one(batch, _attributes(event), resource, event, "timeUnixNano", origin, project)
    return batch


def incident_lines(data: Mapping[str, Any]) -> Iterator[str]:
    """The whole incidents (their JSON lines) our log records in one request carry."""
    for _, record in _items(data, "resourceLogs", "scopeLogs", "logRecords"):
        line = _attributes(record).get(OTEL_INCIDENT_ATTRIBUTE)
        if isinstance(line, str):
            yield line


def _read_one(batch: Batch, attributes: dict[str, Any], resource: Mapping[str, Any],
              record: Mapping[str, Any], time_key: str, origin: str, project: ProjectFiles) -> None:
    line = attributes.get(OTEL_INCIDENT_ATTRIBUTE)
    if isinstance(line, str):
        try:
            batch.occurrences.append(from_incident(Incident.from_line(line)))
        except MalformedIncident as exc:
            batch.problems.append(f"{OTEL_INCIDENT_ATTRIBUTE} is not an incident: {exc}")
        return
    exc_type = attributes.get("exception.type")
    if not isinstance(exc_type, str):
        batch.skipped += 1
        return
    version = resource.get(DEPLOYED_VERSION) or ""
    nanos = record.get(time_key) or record.get("observedTimeUnixNano") or 0
    try:
        seconds = int(nanos) / NANOSECONDS
    except (TypeError, ValueError):
        batch.problems.append(f"{time_key} is {nanos!r}, not a number of nanoseconds")
        return
    stacktrace = attributes.get("exception.stacktrace")
    frames = frames_of(stacktrace, project) if isinstance(stacktrace, str) else ()
    batch.occurrences.append(Occurrence(
        f"{origin}#{len(batch.occurrences) + 1}", seconds, str(version), exc_type,
        str(attributes.get("exception.message", "")), frames or _code_frame(attributes, project)))


def _code_frame(attributes: dict[str, Any], project: ProjectFiles) -> tuple[RawFrame, ...]:
    """The one frame the `code.*` attributes name (where a record was emitted), when no
    stacktrace says more."""
    path, line = attributes.get("code.file.path"), attributes.get("code.line.number")
    function = attributes.get("code.function.name")
    if not (isinstance(path, str) and isinstance(line, int) and isinstance(function, str)):
        return ()
    rel = project.relative(path)
    return (RawFrame(rel or path, line, function, rel is not None),)


def _items(data: Mapping[str, Any], outer: str, middle: str, inner: str
           ) -> Iterator[tuple[dict[str, Any], Mapping[str, Any]]]:
    """(the resource's attributes, each record) of a request."""
    for resource in _list(data, outer):
        if not isinstance(resource, dict):
            continue
        described = _attributes(resource.get("resource") or {})
        for scope in _list(resource, middle):
            if isinstance(scope, dict):
                yield from ((described, item) for item in _list(scope, inner) if isinstance(item, dict))


def _attributes(holder: object) -> dict[str, Any]:
    """An OTLP `attributes` list as a dict of plain values."""
    found: dict[str, Any] = {}
    if isinstance(holder, dict):
        for pair in _list(holder, "attributes"):
            if isinstance(pair, dict) and isinstance(pair.get("key"), str):
                found[pair["key"]] = value(pair.get("value"))
    return found


def value(any_value: object) -> Any:
    """An OTLP AnyValue as JSON reads it (int64 values arrive as strings)."""
    if not isinstance(any_value, dict):
        return None
    if "stringValue" in any_value:
        return any_value["stringValue"]
    if "intValue" in any_value:
        try:
            return int(any_value["intValue"])
        except (TypeError, ValueError):
            return None
    if "arrayValue" in any_value:
        return [value(item) for item in _list(any_value["arrayValue"], "values")]
    if "kvlistValue" in any_value:
        return _attributes({"attributes": _list(any_value["kvlistValue"], "values")})
    for key in ("boolValue", "doubleValue", "bytesValue"):
        if key in any_value:
            return any_value[key]
    return None


def _list(holder: object, key: str) -> list[Any]:
    found = holder.get(key) if isinstance(holder, dict) else None
    return found if isinstance(found, list) else []
