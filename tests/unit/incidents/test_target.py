"""Picking the incident a heal or a reproduction starts from."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_selfheal.errors import ConfigError
from pytest_selfheal.incidents.target import load_incident
from pytest_selfheal.runtime.incident import Incident, IncidentFrame, RaisedException


def incident(incident_id: str, time: float) -> Incident:
    frames = (IncidentFrame("shop/cart.py", 12, "Cart.total", True, ()),)
    return Incident(incident_id, time, "v1", "job", {}, (RaisedException("ValueError", "boom", "raised", frames),))


@pytest.fixture
def incidents_file(tmp_path: Path) -> Path:
    path = tmp_path / "incidents.jsonl"
    path.write_text("\n".join(incident(i, t).to_line() for i, t in
                              (("ab12", 3.0), ("ab34", 2.0), ("cd56", 1.0))) + "\n{broken\n")
    return path


def test_the_newest_without_an_id_and_the_one_a_prefix_names(incidents_file: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert load_incident(incidents_file, None).id == "ab12"
    assert load_incident(incidents_file, "ab3").id == "ab34"
    assert load_incident(incidents_file, "cd56").id == "cd56"
    assert f"{incidents_file}:4: skipped, not JSON" in capsys.readouterr().err


def test_an_ambiguous_or_unknown_prefix_and_a_missing_file_say_what_to_pass(incidents_file: Path) -> None:
    with pytest.raises(ConfigError, match=r"2 incidents in .* with an id starting 'ab': pass a longer prefix"):
        load_incident(incidents_file, "ab")
    with pytest.raises(ConfigError, match=r"no incident in .* with an id starting 'ef'"):
        load_incident(incidents_file, "ef")
    with pytest.raises(ConfigError, match=r"no incident file at .*nowhere.jsonl: give the file"):
        load_incident(incidents_file.parent / "nowhere.jsonl", None)

