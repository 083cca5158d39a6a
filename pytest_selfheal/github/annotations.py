"""`::error file=...,line=...,title=...::message` lines: where GitHub shows a failure on the code.

Everything in a workflow command comes from test output, which is untrusted: the message and
every property are escaped exactly as GitHub's toolkit does (`%`, CR and LF in the message; also
`:` and `,` in properties), so a command is always one line and nothing in it starts another.
GitHub shows at most 10 annotations of a type per step: the most useful come first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..output.line_changes import line_changes
from ..output.sarif import is_project_path

MAX_ANNOTATIONS = 10


def escape_data(text: str) -> str:
    """A command's message as GitHub's toolkit escapes it (`escapeData`)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value as GitHub's toolkit escapes it (`escapeProperty`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass(frozen=True)
class Annotation:
    path: str
    line: int
    title: str
    message: str

    def command(self) -> str:
        properties = ",".join(f"{name}={escape_property(value)}" for name, value in
                              (("file", self.path), ("line", str(self.line)), ("title", self.title)))
        return f"::error {properties}::{escape_data(self.message)}"


def workflow_annotations(report: dict[str, Any], diff: str) -> list[Annotation]:
    """The fix's location first (where a reviewer acts), then the failures the fix fixes, then the
    others, each at its innermost project frame; one per place, MAX_ANNOTATIONS at most."""
    found: list[Annotation] = []
    fix = report.get("fix") or {}
    fixed = set(fix.get("fixed", ()))
    if fix.get("diff"):
        for change in line_changes(diff):
            found.append(Annotation(
                change.path, change.start, "pytest-selfheal: proposed fix",
                f"Changing {_lines(change.start, change.end)} makes {len(fixed)} failing test(s) "
                "pass and breaks no test that passed; see fix.diff in the job summary.\n"
                + "\n".join(f"+ {line}" for line in change.new)))
    failures = sorted(report.get("failures", ()), key=lambda f: f.get("nodeid") not in fixed)
    for failure in failures:
        frames = [f for f in failure.get("frames") or () if is_project_path(str(f.get("path", "")))]
        path, line = ((str(frames[-1]["path"]), int(frames[-1].get("line") or 1)) if frames
                      else (str(failure.get("nodeid", "")).split("::", 1)[0], 1))
        found.append(Annotation(path, line, f"{failure.get('nodeid')} failed",
                                f"{failure.get('exc_type')}: {failure.get('message', '')}"))
    unique = {(a.path, a.line): a for a in reversed(found)}  # the first at each place wins
    return sorted(unique.values(), key=found.index)[:MAX_ANNOTATIONS]


def _lines(start: int, end: int) -> str:
    return f"line {start}" if start == end else f"lines {start}-{end}"
