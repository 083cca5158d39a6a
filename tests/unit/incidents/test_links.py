"""Linking a signature's frames to the changed lines (the parts that need no git)."""

from __future__ import annotations

from pathlib import Path

from pytest_selfheal.incidents.links import Changes
from pytest_selfheal.incidents.occurrence import Occurrence, RawFrame

FRAMES = (RawFrame("/usr/lib/python3.11/wsgiref/handlers.py", 137, "run", False),
          RawFrame("shop/api.py", 3, "handle", True), RawFrame("shop/cart.py", 9, "total", True))


def on(version: str) -> Occurrence:
    return Occurrence("id", 0.0, version, "KeyError", "'sku'", FRAMES)


def test_a_frame_on_a_changed_line_is_a_causal_link_with_high_confidence() -> None:
    changes = Changes(Path("."), "old", "new",
                      lines=frozenset({("shop/api.py", 3), ("shop/other.py", 1)}))
    link, note = changes.link(on("new"))
    assert (link.causal_link, link.is_runtime_change, link.confidence) == (True, True, "high")
    assert link.evidence == ("shop/api.py:3",) and note == "a frame is on a line the deploy changed"


def test_an_incident_of_another_version_is_not_linked() -> None:
    changes = Changes(Path("."), "old", "new", lines=frozenset({("shop/api.py", 3)}))
    link, note = changes.link(on("old"))
    assert not link.causal_link and note == "no incident of this signature on new"


def test_a_problem_with_the_versions_is_the_note() -> None:
    problem = "version abc is not a commit of this repository: fetch it"
    link, note = Changes(Path("."), "abc", "new", problem=problem).link(on("new"))
    assert not link.causal_link and note == problem
