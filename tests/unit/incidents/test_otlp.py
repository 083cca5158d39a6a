"""OTLP requests: our log records, other instrumentation's exception events, and the rest."""

from __future__ import annotations

from typing import Any

from pytest_selfheal.incidents.occurrence import RawFrame
from pytest_selfheal.incidents.otlp import read_request, value
from pytest_selfheal.incidents.stacktrace import ProjectFiles
from pytest_selfheal.runtime.incident import SCHEMA, Incident, IncidentFrame, RaisedException

PROJECT = ProjectFiles.of(["shop/cart.py"])
STACK = ('Traceback (most recent call last):\n  File "/srv/shop/cart.py", line 9, in total\n'
         "    raise KeyError(sku)\nKeyError: 'sku-1'\n")


def attributes(**values: Any) -> list[dict[str, Any]]:
    def wrap(v: Any) -> dict[str, Any]:
        return {"intValue": str(v)} if isinstance(v, int) else {"stringValue": v}
    return [{"key": k.replace("_", "."), "value": wrap(v)} for k, v in values.items()]


def logs(*records: dict[str, Any], version: str = "v2") -> dict[str, Any]:
    return {"resourceLogs": [{"resource": {"attributes": attributes(service_version=version)},
                              "scopeLogs": [{"logRecords": list(records)}]}]}


def test_our_log_record_carries_the_whole_incident() -> None:
    ours = Incident("id-9", 1_700_000_000.0, "v2", "wsgi", {}, (RaisedException(
        "KeyError", "'sku-1'", "raised", (IncidentFrame("shop/cart.py", 9, "Cart.total", True),)),))
    record = {"timeUnixNano": "1", "attributes": [
        {"key": "selfheal.incident", "value": {"stringValue": ours.to_line()}}]}
    batch = read_request(logs(record), "f:1", PROJECT)
    assert [(o.id, o.version, o.frames) for o in batch.occurrences] == [
        ("id-9", "v2", (RawFrame("shop/cart.py", 9, "Cart.total", True),))]


def test_exception_events_of_spans_are_read_with_the_resources_version() -> None:
    event = {"name": "exception", "timeUnixNano": "1700000000500000000",
             "attributes": attributes(exception_type="KeyError", exception_message="'sku-1'",
                                      exception_stacktrace=STACK)}
    request = {"resourceSpans": [{
        "resource": {"attributes": attributes(service_version="abc123")},
        "scopeSpans": [{"spans": [{"name": "GET /", "events": [event, {"name": "log"}]},
                                  {"name": "GET /health"}]}]}]}
    batch = read_request(request, "collector.json:3", PROJECT)
    assert batch.skipped == 1  # the span without an exception event
    (found,) = batch.occurrences
    assert found.id == "collector.json:3#1" and found.version == "abc123"
    assert found.time == 1_700_000_000.5
    assert (found.exc_type, found.message) == ("KeyError", "'sku-1'")
    assert found.frames == (RawFrame("shop/cart.py", 9, "total", True),)


def test_records_without_an_exception_are_skipped_and_broken_ones_said() -> None:
    batch = read_request(logs(
        {"timeUnixNano": "1", "attributes": attributes(http_route="/health")},
        {"timeUnixNano": "1", "attributes": [{"key": "selfheal.incident",
                                              "value": {"stringValue": "{}"}}]},
        {"timeUnixNano": "soon", "attributes": attributes(exception_type="OSError")},
    ), "f:1", PROJECT)
    assert batch.skipped == 1 and not batch.occurrences
    assert batch.problems == ["selfheal.incident is not an incident: schema is None, not "
                              "'pytest-selfheal/incident/1'",
                              "timeUnixNano is 'soon', not a number of nanoseconds"]


def test_the_deployed_version_is_the_resources_not_our_schema_attribute() -> None:
    record = {"observedTimeUnixNano": "2000000000",
              "attributes": attributes(exception_type="OSError", selfheal_incident_version=SCHEMA)}
    (found,) = read_request(logs(record, version="v2"), "f:1", PROJECT).occurrences
    assert found.version == "v2" and found.time == 2.0 and found.frames == ()
    (unknown,) = read_request({"resourceLogs": [{"scopeLogs": [{"logRecords": [record]}]}]}, "f:1",
                              PROJECT).occurrences
    assert unknown.version == ""


def test_any_values_read_as_json_reads_them() -> None:
    assert value({"intValue": "9007199254740993"}) == 9007199254740993
    assert value({"arrayValue": {"values": [{"boolValue": True}, {"doubleValue": 1.5}]}}) == [True, 1.5]
    assert value({"kvlistValue": {"values": [{"key": "a", "value": {"stringValue": "b"}}]}}) == {"a": "b"}
    assert value({"intValue": "x"}) is None and value("text") is None


def test_a_request_whose_lists_are_not_lists_is_said() -> None:
    batch = read_request({"resourceSpans": {"spans": []}}, "f:1", PROJECT)
    assert batch.problems == ["resourceSpans is not a list: not an OTLP request the Collector writes"]


def test_without_a_stacktrace_the_code_attributes_name_the_frame() -> None:
    record = {"timeUnixNano": "1", "attributes": attributes(
        exception_type="ValueError", code_file_path="/srv/shop/cart.py", code_line_number=9,
        code_function_name="Cart.total")}
    (found,) = read_request(logs(record), "f:1", PROJECT).occurrences
    assert found.frames == (RawFrame("shop/cart.py", 9, "Cart.total", True),)
