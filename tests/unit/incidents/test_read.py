"""Reading incident files: every kind of line, rotations, and broken lines with their position."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_selfheal.errors import SelfHealError
from pytest_selfheal.incidents.occurrence import RawFrame
from pytest_selfheal.incidents.read import Ingest, Problem, _read_source, incidents, read, sources
from pytest_selfheal.incidents.stacktrace import ProjectFiles
from pytest_selfheal.runtime.incident import Incident, IncidentFrame, RaisedException

PROJECT = ProjectFiles.of(["shop/cart.py"])


def line(n: int, version: str = "v1", message: str = "boom") -> str:
    frames = (IncidentFrame("/usr/lib/python3.11/runpy.py", 86, "_run_code", False),
              IncidentFrame("shop/cart.py", 12, "Cart.total", True,
                            ({"name": "items", "kind": "positional", "value": [1, 2]},)))
    return Incident(f"id-{n}", 1_700_000_000.0 + n, version, "job", {"pid": 1},
                    (RaisedException("ValueError", message, "raised", frames),)).to_line()


def test_our_lines_are_read_with_what_grouping_needs(tmp_path: Path) -> None:
    path = tmp_path / "incidents.jsonl"
    path.write_text(line(1) + "\n" + line(2, "v2", "bad 7") + "\n")
    ingest = read([str(path)], PROJECT)
    assert not ingest.problems and ingest.lines == 2
    first, second = ingest.occurrences
    assert (first.id, first.time, first.version, first.exc_type, first.message) == (
        "id-1", 1_700_000_001.0, "v1", "ValueError", "boom")
    assert second.frames == (RawFrame("/usr/lib/python3.11/runpy.py", 86, "_run_code", False),
                             RawFrame("shop/cart.py", 12, "Cart.total", True))


def test_broken_lines_are_counted_with_file_and_line_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "incidents.jsonl"
    bad_frame = json.loads(line(3))
    bad_frame["chain"][0]["frames"][1]["line"] = "twelve"
    path.write_text("\n".join([line(1), "[1, 2]", "", json.dumps(bad_frame), '{"other": 1}',
                               line(2)]) + "\n" + line(4)[:40])
    ingest = read([str(path)], PROJECT)
    assert [o.id for o in ingest.occurrences] == ["id-1", "id-2"]
    assert [(p.line, p.reason.split(":")[0]) for p in ingest.problems] == [
        (2, "a JSON list, not an incident or an OTLP request"),
        (4, "not an incident of pytest-selfheal/incident/1"),
        (5, "neither an incident (no `schema`) nor an OTLP request (no resourceLogs/resourceSpans)"),
        (7, "not JSON (the last line, cut short?)"),
    ]
    assert "a frame's line is 'twelve', not a number" in ingest.problems[1].reason
    assert str(ingest.problems[0]) == f"{path}:2: a JSON list, not an incident or an OTLP request"


def test_bytes_that_are_not_utf8_are_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "incidents.jsonl"
    path.write_bytes(b'{"schema": "\xff\xfe"}\n' + line(1).encode() + b"\n")
    ingest = read([str(path)], PROJECT)
    assert len(ingest.occurrences) == 1
    assert ingest.problems[0].line == 1 and ingest.problems[0].reason.startswith("not JSON")


def test_a_file_is_read_with_its_rotations_oldest_last(tmp_path: Path) -> None:
    for name in ("incidents.jsonl", "incidents.jsonl.2", "incidents.jsonl.10", "incidents.jsonl.1",
                 "incidents.jsonl.old"):
        (tmp_path / name).write_text("")
    given = str(tmp_path / "incidents.jsonl")
    assert sources([given]) == [given, f"{given}.1", f"{given}.2", f"{given}.10"]


def test_a_directory_gives_its_incident_files_with_their_rotations(tmp_path: Path) -> None:
    for name in ("b.jsonl", "a.jsonl.1", "a.jsonl", "collector.json", "notes.txt"):
        (tmp_path / name).write_text("")
    assert [Path(p).name for p in sources([str(tmp_path)])] == [
        "a.jsonl", "a.jsonl.1", "b.jsonl", "collector.json"]


def test_a_missing_path_names_what_to_give(tmp_path: Path) -> None:
    with pytest.raises(SelfHealError, match=r"no incident file at .*nowhere: give the file"):
        sources([str(tmp_path / "nowhere")])


def test_a_line_nested_too_deep_and_an_unreadable_file_are_problems(tmp_path: Path) -> None:
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 100_000 + "]" * 100_000 + "\n" + line(1) + "\n")
    locked = tmp_path / "locked.jsonl"
    locked.mkdir()  # a directory where a file is expected: open() fails whoever runs the tests
    ingest = Ingest()
    for name in (str(deep), str(locked)):
        _read_source(name, PROJECT, ingest)
    assert [o.id for o in ingest.occurrences] == ["id-1"]
    assert ingest.problems[0].line == 1 and ingest.problems[0].reason.startswith("not JSON")
    assert str(ingest.problems[1]) == f"{locked}: cannot be read: Is a directory"


def otlp_line(*incident_lines: str) -> str:
    records = [{"timeUnixNano": "1", "attributes": [
        {"key": "selfheal.incident", "value": {"stringValue": text}}]} for text in incident_lines]
    return json.dumps({"resourceLogs": [{"scopeLogs": [{"logRecords": records}]}]})


def test_whole_incidents_are_read_from_our_lines_and_our_log_records(tmp_path: Path) -> None:
    path = tmp_path / "incidents.jsonl"
    path.write_text("\n".join([line(1), "not json", otlp_line(line(2), "{}"), '{"other": 1}']) + "\n")
    (tmp_path / "incidents.jsonl.1").write_text(line(3) + "\n")
    problems: list[Problem] = []
    found = list(incidents([str(path)], problems))
    assert [i.id for i in found] == ["id-1", "id-2", "id-3"]
    assert found[0].exception.frames[1].arguments == (
        {"name": "items", "kind": "positional", "value": [1, 2]},)
    assert [(p.line, p.reason.split(":")[0]) for p in problems] == [
        (2, "not JSON"), (3, "not an incident of pytest-selfheal/incident/1"),
        (4, "neither an incident (no `schema`) nor an OTLP request (no resourceLogs/resourceSpans)")]
