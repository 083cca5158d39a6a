"""The build-time layer: a test module that fails to import (SyntaxError, ImportError, NameError at
import time in project source) is localized from the error itself, since no test ran to probe.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..models import Failure, Suspect
from ..source import enclosing_function

_ERROR_LINE = re.compile(r"^E\s+(?P<type>[A-Za-z_][\w.]*(?:Error|Exception|Exit))(?::\s*(?P<message>.*))?$",
                         re.MULTILINE)
_FILE_LINE = re.compile(r'File "(?P<path>[^"]+)", line (?P<line>\d+)')


@dataclass(frozen=True)
class BuildError:
    """What broke the import, and where in the project's source."""

    exc_type: str
    message: str
    path: str | None  # relative to the repository root
    line: int


def is_collection_target(failure: Failure) -> bool:
    """A module (or directory) nodeid that can be collected again to check a fix."""
    return failure.phase == "collect" and failure.nodeid != "<collection>"


def build_error(failure: Failure, user_root: Path, is_test_file: Callable[[str], bool]) -> BuildError:
    """The exception and its innermost location in non-test project source, when there is one."""
    exc_type, message = failure.exc_type, failure.message
    errors = list(_ERROR_LINE.finditer(failure.message))
    if errors:  # pytest gave the whole import traceback as text ("ImportError while importing ...")
        exc_type, message = errors[-1]["type"], (errors[-1]["message"] or "").strip()
    for frame in reversed(failure.frames):
        if not frame.path.startswith("/") and not is_test_file(frame.path):
            return BuildError(exc_type, message, frame.path, frame.line)
    for match in reversed(list(_FILE_LINE.finditer(failure.message))):
        path = Path(match["path"])
        if path.is_absolute() and path.resolve().is_relative_to(user_root):
            rel = path.resolve().relative_to(user_root).as_posix()
            if not is_test_file(rel):
                return BuildError(exc_type, message, rel, int(match["line"]))
    return BuildError(exc_type, message, None, 0)


def suspect(error: BuildError, nodeid: str, root: Path, evidence: str) -> Suspect | None:
    """The error's own line as the top suspect; None when the error is outside project source."""
    if error.path is None or not (root / error.path).is_file():
        return None
    return Suspect(
        path=error.path,
        line=error.line,
        function=enclosing_function(root / error.path, error.line),
        score=1.0,
        evidence=(evidence, f"stops collection of {nodeid}"),
    )
