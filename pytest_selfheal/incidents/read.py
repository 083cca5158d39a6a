"""Read incident files line by line, whatever each line is: our JSON line, an OTLP request, or
something broken, which is counted with its file and line number while the rest is read."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SelfHealError
from ..runtime.incident import SCHEMA, Incident, MalformedIncident
from . import otlp
from .bulk import collector_paused
from .occurrence import Occurrence, from_incident
from .stacktrace import ProjectFiles
from .view import grouping_view

STDIN = "-"
_ROTATED = re.compile(r"\.(\d+)$")


@dataclass(frozen=True)
class Problem:
    """A line that could not be read, and why."""

    file: str
    line: int  # 0: the whole file
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}" if self.line else f"{self.file}: {self.reason}"


@dataclass
class Ingest:
    occurrences: list[Occurrence] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0  # OTLP records and spans without an exception (other tools' telemetry)
    lines: int = 0
    files: list[str] = field(default_factory=list)


def sources(paths: Iterable[str]) -> list[str]:
    """The files to read: each path given, then its rotations (`incidents.jsonl.1`, ...; the
    oldest last); a directory gives its `*.jsonl` and `*.json` files with theirs; `-` is stdin."""
    found: list[str] = []
    for given in paths:
        if given == STDIN:
            if sys.stdin is None or sys.stdin.isatty():
                raise SelfHealError("no incidents given: name the incident files, or pipe them in "
                                    "(`cat incidents.jsonl | pytest-selfheal incidents -`)")
            found.append(STDIN)
            continue
        path = Path(given)
        if path.is_dir():
            files = [p for p in path.iterdir()
                     if p.is_file() and _rotation_of(p).suffix in (".jsonl", ".json")]
            files.sort(key=lambda p: (_rotation_of(p).name, _rotation_number(p)))
            found.extend(str(p) for p in files)
        elif path.is_file():
            found.append(str(path))
            found.extend(str(p) for p in _rotations(path))
        else:
            raise SelfHealError(f"no incident file at {given}: give the file the runtime hook "
                                "writes (incidents.jsonl), a directory of them, or - for stdin")
    return list(dict.fromkeys(found))


def read(paths: Iterable[str], project: ProjectFiles) -> Ingest:
    """Every line of every source."""
    ingest = Ingest()
    names = sources(paths)
    with collector_paused():
        for name in names:
            _read_source(name, project, ingest)
    return ingest


def incidents(paths: Iterable[str], problems: list[Problem]) -> Iterator[Incident]:
    """Every whole incident the sources hold, arguments and all: our JSON lines, and our log
    records in OTLP requests (other tools' exceptions have no arguments to call again). What
    could not be read is added to `problems`, the rest is read."""
    for name in sources(paths):
        for number, text in _lines(name, problems):
            if not text.strip():
                continue
            found: list[Incident] = []
            for reason in _whole_incidents(text, found):
                problems.append(Problem(_shown(name), number, reason))
            yield from found


def _whole_incidents(text: bytes, found: list[Incident]) -> Iterator[str]:
    """Add the incidents one line holds to `found`; yield why (parts of) it could not be read."""
    try:
        data = _decoded(text)
    except MalformedIncident as exc:
        yield str(exc)
        return
    # our log records carry the incident as its JSON line; a line of our own is already decoded
    records: list[str | dict[str, Any]] = list(otlp.incident_lines(data)) if otlp.is_otlp(data) else [data]
    for record in records:
        try:
            found.append(Incident.from_line(record) if isinstance(record, str)
                         else Incident.from_json(record))
        except MalformedIncident as exc:
            yield f"not an incident of {SCHEMA}: {exc}"


def _read_source(name: str, project: ProjectFiles, ingest: Ingest) -> None:
    ingest.files.append(name)
    found = ingest.occurrences
    number = 0
    for number, text in _lines(name, ingest.problems):
        seen = grouping_view(text)
        if seen is not None:
            found.append(seen)
        elif text.strip():
            for reason in read_line(text, f"{_shown(name)}:{number}", project, ingest):
                ingest.problems.append(Problem(_shown(name), number, reason))
    ingest.lines += number


def _lines(name: str, problems: list[Problem]) -> Iterator[tuple[int, bytes]]:
    """The numbered lines of one source; one that cannot be read is a problem, and the other
    sources are read."""
    if name == STDIN:
        yield from enumerate(sys.stdin.buffer, 1)
        return
    try:
        with open(name, "rb") as stream:
            yield from enumerate(stream, 1)
    except OSError as exc:  # unreadable, or gone since it was listed
        problems.append(Problem(name, 0, f"cannot be read: {exc.strerror or exc}"))


def _shown(name: str) -> str:
    return "<stdin>" if name == STDIN else name


def read_line(text: bytes, origin: str, project: ProjectFiles, ingest: Ingest) -> Iterator[str]:
    """Add what one line holds to `ingest`; yield why (parts of) it could not be read."""
    try:
        data = _decoded(text)
    except MalformedIncident as exc:
        yield str(exc)
        return
    if otlp.is_otlp(data):
        batch = otlp.read_request(data, origin, project)
        ingest.occurrences.extend(batch.occurrences)
        ingest.skipped += batch.skipped
        yield from batch.problems
    else:
        try:
            ingest.occurrences.append(from_incident(Incident.from_json(data)))
        except MalformedIncident as exc:
            yield f"not an incident of {SCHEMA}: {exc}"


def _decoded(text: bytes) -> dict[str, Any]:
    """The JSON object of a line that is an incident (it has a `schema`) or an OTLP request;
    MalformedIncident says what else the line is."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        cut = "" if text.endswith(b"\n") else " (the last line, cut short?)"
        raise MalformedIncident(f"not JSON{cut}: {exc}") from None
    if not isinstance(data, dict):
        raise MalformedIncident(f"a JSON {type(data).__name__}, not an incident or an OTLP request")
    if not otlp.is_otlp(data) and "schema" not in data:
        raise MalformedIncident("neither an incident (no `schema`) nor an OTLP request (no "
                                "resourceLogs/resourceSpans)")
    return data


def _rotation_of(path: Path) -> Path:
    """`incidents.jsonl` for `incidents.jsonl.3`."""
    return path.with_name(_ROTATED.sub("", path.name))


def _rotation_number(path: Path) -> int:
    match = _ROTATED.search(path.name)
    return int(match[1]) if match else 0


def _rotations(path: Path) -> list[Path]:
    rotated = [p for p in path.parent.glob(f"{path.name}.*") if _ROTATED.fullmatch(p.name[len(path.name):])]
    return sorted(rotated, key=_rotation_number)
