"""Incidents as OpenTelemetry log records, so that the OpenTelemetry Collector carries them.

One log record per incident, severity ERROR, with the stable semantic conventions of an
exception (`exception.type`, `exception.message`, `exception.stacktrace`) and of the innermost
project frame (`code.function.name`, `code.file.path` relative to the project root,
`code.line.number`), and the whole incident, its JSON line, under `selfheal.incident` (the
ingest side reads that key) with the record's schema under `selfheal.incident.version`. The
deployed version is the incident's own; the semantic conventions put it on the resource
(`service.version`), which the program's OpenTelemetry setup owns. Everything comes from the
redacted incident, never from the live exception.

OpenTelemetry is imported only by `opentelemetry_sink` (the `pytest-selfheal[otel]` extra).
"""

from __future__ import annotations

from typing import Any

from pytest_selfheal.runtime.incident import (
    OTEL_INCIDENT_ATTRIBUTE,
    OTEL_SCHEMA_ATTRIBUTE,
    SCHEMA,
    Incident,
)

LOGGER_NAME = "pytest_selfheal.runtime"


def opentelemetry_sink(logger_provider: Any = None) -> OpenTelemetrySink:
    """A sink on `logger_provider` (an SDK LoggerProvider), or on the global one the program's
    OpenTelemetry setup registered."""
    try:
        from opentelemetry import _logs
    except ImportError as exc:
        raise ImportError("the OpenTelemetry sink needs the OpenTelemetry SDK: "
                          "pip install 'pytest-selfheal[otel]'") from exc

    provider = logger_provider if logger_provider is not None else _logs.get_logger_provider()
    return OpenTelemetrySink(provider.get_logger(LOGGER_NAME), _logs.LogRecord,
                             _logs.SeverityNumber.ERROR)


class OpenTelemetrySink:
    def __init__(self, logger: Any, record_type: Any, severity: Any) -> None:
        self._logger = logger
        self._record_type = record_type
        self._severity = severity

    def write(self, incident: Incident, line: str) -> None:
        self._logger.emit(self._record_type(
            timestamp=int(incident.time * 1e9), severity_number=self._severity,
            severity_text="ERROR", body=f"{incident.exception.type}: {incident.exception.message}",
            attributes=attributes(incident, line)))

    def after_fork(self) -> None:
        """The SDK's processors handle forks themselves."""

    def close(self) -> None:
        """The program's OpenTelemetry setup owns the provider and flushes it."""


def attributes(incident: Incident, line: str) -> dict[str, str | int]:
    raised = incident.exception
    found: dict[str, str | int] = {
        "exception.type": raised.type, "exception.message": raised.message,
        "exception.stacktrace": stacktrace(incident),
        OTEL_INCIDENT_ATTRIBUTE: line, OTEL_SCHEMA_ATTRIBUTE: SCHEMA,
    }
    frames = incident.project_frames() or raised.frames
    if frames:
        found |= {"code.function.name": frames[-1].function, "code.file.path": frames[-1].path,
                  "code.line.number": frames[-1].line}
    return found


def stacktrace(incident: Incident) -> str:
    """The chain as Python prints it (the first cause first), from the incident's frames."""
    between = {"cause": "The above exception was the direct cause of the following exception:",
               "context": "During handling of the above exception, another exception occurred:"}
    parts: list[str] = []
    for raised in reversed(incident.chain):
        lines = ["Traceback (most recent call last):"]
        lines += [f'  File "{frame.path}", line {frame.line}, in {frame.function}'
                  for frame in raised.frames]
        lines.append(f"{raised.type}: {raised.message}" if raised.message else raised.type)
        parts.append("\n".join(lines))
        if raised.relation in between:
            parts.append(between[raised.relation])
    return "\n\n".join(parts)
