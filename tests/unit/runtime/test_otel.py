"""Incidents through the real OpenTelemetry SDK: one ERROR log record each, with the stable
exception and code attributes and the whole redacted incident under `selfheal.incident`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor

from pytest_selfheal import runtime
from pytest_selfheal.runtime.incident import SCHEMA, Incident
from pytest_selfheal.runtime.otel import opentelemetry_sink

SECRET = "sk-live-9f8e7d6c5b4a39281706"


def charge(card: str, amount: int) -> None:
    raise ValueError(f"card {card} declined for {amount}")


def pay(card: str) -> None:
    try:
        charge(card, 30)
    except ValueError as exc:
        raise RuntimeError("payment failed") from exc


def test_an_incident_is_one_log_record_with_the_semantic_conventions() -> None:
    exporter = InMemoryLogRecordExporter()  # type: ignore[no-untyped-call]
    provider = LoggerProvider()
    provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    sink = opentelemetry_sink(provider)

    with runtime.install(Path(__file__).parent, sinks=[sink], env={"CARD_TOKEN": SECRET}) as recorder:
        try:
            pay(SECRET)
        except RuntimeError as exc:
            recorded = recorder.record(exc)

    [log] = exporter.get_finished_logs()
    record = log.log_record
    attributes = dict(record.attributes or {})
    assert record.severity_text == "ERROR" and record.severity_number is not None
    assert record.severity_number.name == "ERROR"
    assert (attributes["exception.type"], attributes["exception.message"]) == ("RuntimeError", "payment failed")
    assert (attributes["code.function.name"], attributes["code.file.path"]) == ("pay", "test_otel.py")
    # the innermost project frame of the exception raised
    assert attributes["code.line.number"] == pay.__code__.co_firstlineno + 4
    stacktrace = str(attributes["exception.stacktrace"])
    assert stacktrace.startswith("Traceback (most recent call last):")
    assert "The above exception was the direct cause" in stacktrace
    assert stacktrace.endswith("RuntimeError: payment failed")
    assert attributes["selfheal.incident.version"] == SCHEMA
    assert Incident.from_line(str(attributes["selfheal.incident"])) == recorded
    assert SECRET not in repr(attributes) and SECRET not in str(record.body)


def test_without_the_extra_the_error_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "opentelemetry", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r"pip install 'pytest-selfheal\[otel\]'"):
        opentelemetry_sink()
