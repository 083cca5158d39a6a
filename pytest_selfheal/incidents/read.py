"""Read incident files line by line, whatever each line is: our JSON line, an OTLP request, or
something broken, which is counted with its file and line number while the rest is read."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

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


def _read_source(name: str, project: ProjectFiles, ingest: Ingest) -> None:
    ingest.files.append(name)
    if name == STDIN:
        _read_file(sys.stdin.buffer, "<stdin>", project, ingest)
        return
    try:
        with open(name, "rb") as stream:
            _read_file(stream, name, project, ingest)
    except OSError as exc:  # unreadable, or gone since it was listed: the other files are read
        ingest.problems.append(Problem(name, 0, f"cannot be read: {exc.strerror or exc}"))


def _read_file(stream: BinaryIO, name: str, project: ProjectFiles, ingest: Ingest) -> None:
    found = ingest.occurrences
    number = 0
    for number, text in enumerate(stream, 1):
        seen = grouping_view(text)
        if seen is not None:
            found.append(seen)
        elif text.strip():
            for reason in read_line(text, f"{name}:{number}", project, ingest):
                ingest.problems.append(Problem(name, number, reason))
    ingest.lines += number


def read_line(text: bytes, origin: str, project: ProjectFiles, ingest: Ingest) -> Iterator[str]:
    """Add what one line holds to `ingest`; yield why (parts of) it could not be read."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        cut = "" if text.endswith(b"\n") else " (the last line, cut short?)"
        yield f"not JSON{cut}: {exc}"
        return
    if not isinstance(data, dict):
        yield f"a JSON {type(data).__name__}, not an incident or an OTLP request"
    elif otlp.is_otlp(data):
        batch = otlp.read_request(data, origin, project)
        ingest.occurrences.extend(batch.occurrences)
        ingest.skipped += batch.skipped
        yield from batch.problems
    elif "schema" in data:
        try:
            ingest.occurrences.append(from_incident(Incident.from_json(data)))
        except MalformedIncident as exc:
            yield f"not an incident of {SCHEMA}: {exc}"
    else:
        yield "neither an incident (no `schema`) nor an OTLP request (no resourceLogs/resourceSpans)"


def _rotation_of(path: Path) -> Path:
    """`incidents.jsonl` for `incidents.jsonl.3`."""
    return path.with_name(_ROTATED.sub("", path.name))


def _rotation_number(path: Path) -> int:
    match = _ROTATED.search(path.name)
    return int(match[1]) if match else 0


def _rotations(path: Path) -> list[Path]:
    rotated = [p for p in path.parent.glob(f"{path.name}.*") if _ROTATED.fullmatch(p.name[len(path.name):])]
    return sorted(rotated, key=_rotation_number)
