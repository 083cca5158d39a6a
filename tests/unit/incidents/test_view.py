"""The grouping view of an incident line reads what grouping needs and leaves the rest."""

from __future__ import annotations

import json

from pytest_selfheal.incidents.occurrence import from_incident
from pytest_selfheal.incidents.view import grouping_view
from pytest_selfheal.runtime.incident import Incident, IncidentFrame, RaisedException

INCIDENT = Incident(
    "id-1", 1_700_000_000.5, "abc", "wsgi", {"pid": 7},
    (RaisedException("KeyError", "'sku-1'", "raised", (
        IncidentFrame("shop/api.py", 3, "handle", True, ({"name": "r", "kind": "positional",
                                                           "value": {"deep": [1, {"x": None}]}},)),
        IncidentFrame("shop/cart.py", 9, "Cart.total", True))),
     RaisedException("OSError", "disk", "context", ())))


def test_the_view_is_the_occurrence_the_full_record_gives() -> None:
    assert grouping_view(INCIDENT.to_line().encode()) == from_incident(INCIDENT)


def test_lines_the_view_cannot_vouch_for_are_left_to_the_full_reader() -> None:
    data = INCIDENT.to_json()
    wrong_schema = {**data, "schema": "pytest-selfheal/incident/2"}
    not_raised = {**data, "chain": [{**data["chain"][0], "relation": "cause"}]}
    empty = {**data, "chain": []}
    for record in (wrong_schema, not_raised, empty, {"resourceLogs": []}):
        assert grouping_view(json.dumps(record).encode()) is None
    assert grouping_view(b"{not json") is None
