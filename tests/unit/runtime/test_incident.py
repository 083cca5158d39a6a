"""The incident record survives its JSON line exactly, and a malformed line says what is wrong."""

from __future__ import annotations

import json

import pytest

from pytest_selfheal.runtime.incident import (
    SCHEMA,
    Incident,
    IncidentFrame,
    MalformedIncident,
    RaisedException,
)


def _incident() -> Incident:
    caller = IncidentFrame("shop/app.py", 12, "handle", True,
                           ({"name": "request", "kind": "positional", "unrenderable": "a socket",
                             "type": "socket.socket", "repr": "<socket>"},))
    raising = IncidentFrame("shop/cart.py", 40, "Cart.total", True,
                            ({"name": "discount", "kind": "positional",
                              "value": {"literal": "'50%'"}, "default": False},))
    library = IncidentFrame("/usr/lib/python3.11/decimal.py", 3, "Decimal.__new__", False)
    return Incident(
        id="a1b2", time=1733370000.5, version="0123abcd", source="wsgi",
        process={"pid": 41, "executable": "gunicorn"},
        chain=(RaisedException("ValueError", "bad discount '50%'", "raised", (caller, raising)),
               RaisedException("decimal.InvalidOperation", "[<class 'decimal.ConversionSyntax'>]",
                               "context", (raising, library))),
        dropped={"frames": 2},
    )


def test_a_line_reads_back_as_the_same_incident() -> None:
    incident = _incident()
    line = incident.to_line()

    assert "\n" not in line
    assert Incident.from_line(line) == incident
    assert incident.exception.type == "ValueError"
    assert [frame.function for frame in incident.project_frames()] == ["handle", "Cart.total"]


@pytest.mark.parametrize(("change", "reason"), [
    (lambda r: r.update(schema="other/1"), "schema is 'other/1'"),
    (lambda r: r.update(chain=[]), "chain is empty"),
    (lambda r: r["chain"][0].update(relation="cause"), "not the raised one"),
    (lambda r: r["chain"][1].update(relation="sibling"), "relation 'sibling' is not one of"),
    (lambda r: r["chain"][0]["frames"][0].update(line="12"), "line is '12', not a number"),
    (lambda r: r["chain"][0]["frames"][0].update(arguments={"a": 1}), "not a list of named"),
    (lambda r: r.update(time=True), "time is True, not a number"),
    (lambda r: r.pop("version"), "version is None, not a string"),
])
def test_a_malformed_record_names_what_is_wrong(change: object, reason: str) -> None:
    record = json.loads(_incident().to_line())
    change(record)  # type: ignore[operator]

    with pytest.raises(MalformedIncident, match=reason.replace("(", r"\(").replace("[", r"\[")):
        Incident.from_json(record)


def test_a_truncated_line_is_not_json() -> None:
    with pytest.raises(MalformedIncident, match="not JSON"):
        Incident.from_line(_incident().to_line()[:-20])


def test_the_schema_is_written() -> None:
    assert json.loads(_incident().to_line())["schema"] == SCHEMA


def test_the_context_is_optional_and_reads_back() -> None:
    record = json.loads(_incident().to_line())
    assert record["context"] == {}
    del record["context"]  # a line written before the context was recorded
    assert Incident.from_json(record) == _incident()

    record["context"] = {"job": "nightly"}
    assert Incident.from_json(record).context == {"job": "nightly"}
    record["context"] = ["job"]
    with pytest.raises(MalformedIncident, match="context is not a JSON object"):
        Incident.from_json(record)
