"""An incident's reproduction tests, one per project frame, innermost first: a pytest test that
calls the frame's function with the arguments it was called with in production, and fails while
the exception it raised there still happens.

Nothing runs here: reproduce.py proves which of these fails at HEAD the way the incident did.
A frame gets no test, with the reason, when its function cannot be imported by a test (nested in
another function, a module outside any package the tests can import) or an argument it was called
with could not be recorded as a value a test can rebuild. The arguments are what the frame's
variables held when the exception passed through it: a function that reassigns a parameter before
raising is called with the reassigned value, and such a test may not reproduce (reproduce.py
says so).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..heal.regression_source import Witness, module_source
from ..runtime.incident import Incident, IncidentFrame

MESSAGE_SHOWN = 200  # characters of the incident's message quoted in the test's docstring
TEST_DIRECTORIES = ("tests", "test", "testing")


@dataclass(frozen=True)
class Attempt:
    """One frame's reproduction test, or why there is none (`source` is then empty)."""

    frame: IncidentFrame
    path: str  # repository-relative path of the test file
    test_name: str
    source: str = ""
    why_not: str = ""

    @property
    def nodeid(self) -> str:
        return f"{self.path}::{self.test_name}"


def attempts(incident: Incident, repo_root: Path, rootdir: Path) -> list[Attempt]:
    """A reproduction test (or the reason there is none) for each project frame of the raised
    exception, innermost first."""
    short = incident.id[:8]
    test_name = f"test_incident_{short}"
    path = (_test_directory(rootdir) / f"{test_name}.py").resolve().relative_to(repo_root.resolve())
    found = []
    for frame in reversed(incident.project_frames()):
        attempt = Attempt(frame, path.as_posix(), test_name)
        try:
            target, witness = _call(frame, repo_root)
        except NotReproducible as exc:
            found.append(Attempt(frame, attempt.path, test_name, why_not=str(exc)))
            continue
        source = module_source(target, [witness], _docstring(incident, frame), test_name=test_name)
        found.append(Attempt(frame, attempt.path, test_name, source=source))
    return found


class NotReproducible(Exception):
    """A frame no test can call as production did; the message says why."""


def _call(frame: IncidentFrame, repo_root: Path) -> tuple[dict[str, Any], Witness]:
    """The regression writer's target and witness for calling the frame's function again."""
    if "<locals>" in frame.function or "<" in frame.function:
        raise NotReproducible(f"{frame.function} is defined inside another function: a test "
                              "cannot import it")
    if frame.arguments is None:
        raise NotReproducible("its arguments were not recorded")
    owner, _, name = frame.function.rpartition(".")
    args = list(frame.arguments)
    first = args[0]["name"] if owner and args else ""
    if first == "cls":  # a classmethod is called through its class, whatever `cls` recorded
        args = args[1:]
    for argument in args:
        if "unrenderable" in argument:
            raise NotReproducible(f"argument {argument['name']} ({argument.get('type', '?')}) "
                                  f"cannot be rebuilt: {argument['unrenderable']}")
    module = module_name(repo_root, frame.path)
    if not owner:
        target = {"ref": {"module": module, "name": name}, "binding": "function", "name": name}
        return target, Witness(None, tuple(args), {"completes": True})
    target = {"ref": {"module": module, "name": owner}, "name": name,
              "binding": "method" if first == "self" else "class"}
    if first == "self":
        return target, Witness(args[0]["value"], tuple(args[1:]), {"completes": True})
    return target, Witness(None, tuple(args), {"completes": True})


def module_name(repo_root: Path, path: str) -> str:
    """The dotted module a project file is imported as: its packages (directories with an
    `__init__.py`) up to the first directory that is not one, which is on sys.path (the
    repository root, `src/`, ...)."""
    file = repo_root / path
    parts = [file.stem] if file.stem != "__init__" else []
    directory = file.parent
    while (directory / "__init__.py").is_file() and directory != repo_root.parent:
        parts.insert(0, directory.name)
        directory = directory.parent
    if not parts:
        raise NotReproducible(f"{path} is a package's __init__ outside any importable package")
    return ".".join(parts)


def import_root(repo_root: Path, path: str) -> Path:
    """The directory a project file's module is imported from (see module_name)."""
    directory = (repo_root / path).parent
    while (directory / "__init__.py").is_file():
        directory = directory.parent
    return directory


def _test_directory(rootdir: Path) -> Path:
    return next((rootdir / name for name in TEST_DIRECTORIES if (rootdir / name).is_dir()), rootdir)


def _docstring(incident: Incident, frame: IncidentFrame) -> str:
    raised = incident.exception
    message = raised.message if len(raised.message) <= MESSAGE_SHOWN else (
        raised.message[:MESSAGE_SHOWN] + "...")
    when = datetime.datetime.fromtimestamp(incident.time, datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    version = f"version {incident.version[:12]}, " if incident.version else ""
    innermost = next((f for f in reversed(raised.frames) if f.in_project), frame)
    return (
        f"Reproduces incident {incident.id} ({version}{when}, {incident.source}):\n"
        f"{raised.type}: {message}\n"
        f"raised in {innermost.function} ({innermost.path}:{innermost.line}).\n\n"
        f"Calls {frame.function} with the arguments production called it with. It fails while "
        "that call\nraises; the only oracle is that the exception is gone, so review the fix "
        "that makes it pass.\n"
    )
