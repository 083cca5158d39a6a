"""An exception, as the incident record it leaves: its chain, its frames, the arguments of the
project's frames described as the regression recorder describes them, redacted and bounded.

The arguments are read from each frame's locals when the exception is captured: a parameter the
function reassigned before raising shows its last value, not the one it was called with. What
the describer cannot write back as source is kept as its type and a bounded repr. Every text
(messages, reprs, argument values, paths) passes through the project's Redactor before it is
returned; an argument that held a secret is kept only as its type and redacted repr, so the
reproduction side never rebuilds a masked value as if it were the real one.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import reprlib
import socket
import sys
import sysconfig
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

from pytest_selfheal.redaction import Redactor
from pytest_selfheal.runtime.incident import Argument, Incident, IncidentFrame, RaisedException, json_line
from pytest_selfheal.testproc import values

TRUNCATED = "... (truncated)"  # how many characters were cut is in `dropped`


@dataclass(frozen=True)
class Limits:
    """How much one incident may hold; what is left out is counted in `Incident.dropped`."""

    exceptions: int = 5  # of the chain
    frames: int = 50  # per exception, the innermost kept
    argument_frames: int = 10  # project frames whose arguments are recorded, innermost first
    arguments: int = 20  # per frame
    characters: int = 1000  # per message and per repr
    argument_characters: int = 2000  # the JSON of one argument's value tree
    items: int = 1000  # elements of a value walked before it is called too large to describe
    line_bytes: int = 64 * 1024  # the whole JSON line; arguments go first, outermost first


@dataclass(frozen=True)
class Project:
    """Which files are the project's: under `root`, and not the interpreter's or an installed
    package's (a virtual environment inside the project is not the project)."""

    root: Path
    outside: tuple[str, ...]
    # file name -> relative path or None; a program runs a bounded set of files
    _known: dict[str, str | None] = dataclasses.field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def at(cls, root: Path) -> Project:
        paths = sysconfig.get_paths()
        outside = {os.path.abspath(paths[key]) + os.sep
                   for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
        return cls(Path(os.path.abspath(root)), tuple(sorted(outside)))

    def relative(self, filename: str) -> str | None:
        """The file's path relative to the root (POSIX), or None when it is not the project's."""
        if filename not in self._known:
            if len(self._known) > 10_000:
                self._known.clear()
            self._known[filename] = self._relative(filename)
        return self._known[filename]

    def _relative(self, filename: str) -> str | None:
        if not os.path.isabs(filename):
            return None  # `<string>`, `<frozen ...>`: code without a file
        path = os.path.abspath(filename)
        parts = path.split(os.sep)
        if "site-packages" in parts or "dist-packages" in parts or path.startswith(self.outside):
            return None
        root = str(self.root).rstrip(os.sep) + os.sep
        if not path.startswith(root):
            return None
        return path[len(root):].replace(os.sep, "/")


def find_root(start: Path) -> Path:
    """The nearest directory from `start` up holding `.git` or `pyproject.toml`; else `start`."""
    start = Path(os.path.abspath(start))
    for folder in (start, *start.parents):
        if (folder / ".git").exists() or (folder / "pyproject.toml").is_file():
            return folder
    return start


def type_name(kind: type) -> str:
    """`decimal.InvalidOperation`; builtins bare (`ValueError`)."""
    module = getattr(kind, "__module__", "") or ""
    qualname = getattr(kind, "__qualname__", kind.__name__)
    return qualname if module == "builtins" else f"{module}.{qualname}"


def process() -> dict[str, Any]:
    """Which process: its pid, the interpreter's and the program's file names, the host. Never
    the environment or the command line's arguments (either may hold secrets)."""
    return {"pid": os.getpid(), "executable": os.path.basename(sys.executable),
            "program": os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "",
            "host": socket.gethostname()}


class _Counter:
    """What the bounds left out, and how many project frames may still have their arguments."""

    def __init__(self, limits: Limits) -> None:
        self.dropped: dict[str, int] = {}
        self.argument_frames = limits.argument_frames

    def add(self, what: str, count: int = 1) -> None:
        if count > 0:
            self.dropped[what] = self.dropped.get(what, 0) + count


# (exception, frame, argument) positions in the chain -> the value described there
Held = dict[tuple[int, int, int], object]


def capture(exc: BaseException, *, source: str, project: Project, version: str,
            redactor: Redactor, limits: Limits = Limits(),
            context: Mapping[str, str] | None = None) -> Incident:
    """The incident `exc` leaves, redacted by `redactor` and within `limits`."""
    counter = _Counter(limits)
    held: Held = {}
    chain = tuple(_raised(index, relation, raised, project, limits, counter, held)
                  for index, (relation, raised) in enumerate(_chain(exc, limits, counter)))
    record = Incident(id=os.urandom(8).hex(), time=time.time(), version=version, source=source,
                      process=process(), chain=chain, context=dict(context or {})).to_json()
    record = _redacted(record, redactor, held, limits, counter)
    _truncate(record, limits, counter)
    _fit(record, limits, counter)
    record["dropped"] = counter.dropped
    return Incident.from_json(record)


def _raised(index: int, relation: str, raised: BaseException, project: Project, limits: Limits,
            counter: _Counter, held: Held) -> RaisedException:
    """One exception of the chain: its innermost frames, the arguments of the innermost project
    frames while the budget lasts (the values kept in `held` for redaction)."""
    entries = list(traceback.walk_tb(raised.__traceback__))
    counter.add("frames", len(entries) - limits.frames)
    entries = entries[-limits.frames:] if limits.frames else []
    described: dict[int, tuple[Argument, ...]] = {}
    for position in reversed(range(len(entries))):
        frame = entries[position][0]
        if project.relative(frame.f_code.co_filename) is None:
            continue
        if counter.argument_frames <= 0:
            counter.add("arguments", _parameter_count(frame.f_code))
            continue
        counter.argument_frames -= 1
        arguments = []
        for number, (param, value) in enumerate(_bound(frame, limits, counter)):
            arguments.append(_argument(param, value, limits, counter))
            held[(index, position, number)] = value
        described[position] = tuple(arguments)
    frames = []
    for position, (frame, line) in enumerate(entries):
        path = project.relative(frame.f_code.co_filename)
        frames.append(IncidentFrame(path if path is not None else frame.f_code.co_filename, line,
                                    frame.f_code.co_qualname, path is not None,
                                    described.get(position)))
    return RaisedException(type_name(type(raised)), _message(raised, limits, counter), relation,
                           tuple(frames))


def _chain(exc: BaseException, limits: Limits,
           counter: _Counter) -> list[tuple[str, BaseException]]:
    """The exception and its causes/contexts as Python prints them (honouring
    `__suppress_context__`), the raised one first; a cycle ends it."""
    chain: list[tuple[str, BaseException]] = [("raised", exc)]
    seen = {id(exc)}
    current = exc
    while True:
        if current.__cause__ is not None:
            relation, current = "cause", current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            relation, current = "context", current.__context__
        else:
            break
        if id(current) in seen:
            break
        seen.add(id(current))
        chain.append((relation, current))
    counter.add("exceptions", len(chain) - limits.exceptions)
    return chain[:max(limits.exceptions, 1)]


def _message(exc: BaseException, limits: Limits, counter: _Counter) -> str:
    try:
        text = str(exc)
    except Exception as error:
        text = f"<str() of the exception raised {type_name(type(error))}>"
    return _precut(text, limits, counter)


def _precut(text: str, limits: Limits, counter: _Counter) -> str:
    """Cut long before redaction (a secret across the final cut is still whole here), so that a
    huge text costs no huge scan; `_truncate` makes the final cut after redaction."""
    slack = limits.characters + 4096
    counter.add("characters", len(text) - slack)
    return text[:slack]


def _parameter_count(code: CodeType) -> int:
    return code.co_argcount + code.co_kwonlyargcount + bool(code.co_flags & inspect.CO_VARARGS) \
        + bool(code.co_flags & inspect.CO_VARKEYWORDS)


def _bound(frame: FrameType, limits: Limits,
           counter: _Counter) -> list[tuple[inspect.Parameter, object]]:
    """The function's parameters with their values in the frame's locals now."""
    parameters = _parameters(frame)
    counter.add("arguments", len(parameters) - limits.arguments)
    local = frame.f_locals
    return [(param, local.get(param.name, _DELETED)) for param in parameters[:limits.arguments]]


class _Deleted:
    def __repr__(self) -> str:
        return "<deleted before the exception>"


_DELETED = _Deleted()


def _parameters(frame: FrameType) -> list[inspect.Parameter]:
    """From `inspect.signature` of the function when it can be found from the frame's globals
    (the defaults then say which arguments are the default), else from its code object."""
    function = _function(frame)
    if function is not None:
        try:
            return list(inspect.signature(function, follow_wrapped=False).parameters.values())
        except (TypeError, ValueError):
            pass
    code = frame.f_code
    names = code.co_varnames
    kinds = [inspect.Parameter.POSITIONAL_ONLY] * code.co_posonlyargcount + \
        [inspect.Parameter.POSITIONAL_OR_KEYWORD] * (code.co_argcount - code.co_posonlyargcount) + \
        [inspect.Parameter.KEYWORD_ONLY] * code.co_kwonlyargcount
    found = [inspect.Parameter(name, kind) for name, kind in zip(names, kinds, strict=False)]
    at = len(kinds)
    if code.co_flags & inspect.CO_VARARGS:
        found.insert(code.co_argcount, inspect.Parameter(names[at], inspect.Parameter.VAR_POSITIONAL))
        at += 1
    if code.co_flags & inspect.CO_VARKEYWORDS:
        found.append(inspect.Parameter(names[at], inspect.Parameter.VAR_KEYWORD))
    return found


def _function(frame: FrameType) -> Callable[..., Any] | None:
    """The function whose code the frame runs, found by its qualified name from the module's
    globals without running descriptors (properties, `__getattr__`); decorated ones through
    `__wrapped__`. None for local functions and lambdas."""
    code = frame.f_code
    if "<" in code.co_qualname:
        return None
    found: object = frame.f_globals
    for part in code.co_qualname.split("."):
        try:
            found = found[part] if isinstance(found, dict) else inspect.getattr_static(found, part)
        except (KeyError, AttributeError):
            return None
        if isinstance(found, staticmethod | classmethod):
            found = found.__func__
        elif isinstance(found, property) and found.fget is not None:
            found = found.fget
    for _ in range(10):
        if getattr(found, "__code__", None) is code:
            return found  # type: ignore[return-value]
        found = getattr(found, "__wrapped__", None)
    return None


def _argument(param: inspect.Parameter, value: object, limits: Limits,
              counter: _Counter) -> Argument:
    """The regression recorder's description of one argument, or its type and a bounded repr."""
    if value is _DELETED:
        return _unrenderable(param, value, "the name was deleted before the exception", limits, counter)
    if _too_large(value, limits.items):
        return _unrenderable(param, value, f"more than {limits.items} elements to describe", limits, counter)
    try:
        described = values.argument(param, value)
    except values.Unrenderable as exc:
        return _unrenderable(param, value, str(exc), limits, counter)
    except Exception as exc:  # the describer met user code it did not expect to raise
        return _unrenderable(param, value, f"describing it raised {type_name(type(exc))}", limits, counter)
    if len(json.dumps(described["value"])) > limits.argument_characters:
        why = f"its description is longer than {limits.argument_characters} characters"
        return _unrenderable(param, value, why, limits, counter)
    return described


def _unrenderable(param: inspect.Parameter, value: object, why: str, limits: Limits,
                  counter: _Counter) -> Argument:
    return {"name": param.name, "kind": values.argument_kind(param), "unrenderable": why,
            "type": type_name(type(value)), "repr": bounded_repr(value, limits, counter)}


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 400
_REPR.maxlevel = 3


def bounded_repr(value: object, limits: Limits, counter: _Counter | None = None) -> str:
    """A repr of bounded size; one that raises says so instead."""
    try:
        text = _REPR.repr(value)
    except Exception as exc:
        text = f"<{type_name(type(value))} object; its repr raised {type_name(type(exc))}>"
    return _precut(text, limits, counter or _Counter(limits))


def _too_large(value: object, budget: int) -> bool:
    """Whether describing `value` would walk more than `budget` elements (a string counts one per
    64 characters). Only builtin containers and dataclass fields are walked: nothing user-defined
    runs here."""
    stack = [value]
    while stack:
        item = stack.pop()
        builtin = type(item) in (str, bytes, list, tuple, set, frozenset, dict)
        if builtin and isinstance(item, str | bytes):
            budget -= 1 + len(item) // 64
        elif builtin and isinstance(item, list | tuple | set | frozenset):
            budget -= 1 + len(item)
            if budget >= 0:
                stack.extend(item)
        elif builtin and isinstance(item, dict):
            budget -= 1 + 2 * len(item)
            if budget >= 0:
                stack.extend(item.keys())
                stack.extend(item.values())
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            budget -= 1
            stack.extend(vars(item).values() if hasattr(item, "__dict__") else ())
        else:
            budget -= 1
        if budget < 0:
            return True
    return False


def _redacted(record: dict[str, Any], redactor: Redactor, held: Held,
              limits: Limits, counter: _Counter) -> dict[str, Any]:
    """The record with every secret masked. An argument whose description held one becomes its
    type and masked repr: a value with MASK in it is not the value it was called with."""
    hidden: dict[str, Any] = redactor.hide_tree(record)
    for (index, position, number), value in held.items():
        original = record["chain"][index]["frames"][position]["arguments"][number]
        masked = hidden["chain"][index]["frames"][position]["arguments"][number]
        if masked != original and "unrenderable" not in original:
            masked = {"name": masked["name"], "kind": masked["kind"],
                      "unrenderable": "it holds a secret, redacted",
                      "type": type_name(type(value)),
                      "repr": redactor.hide(bounded_repr(value, limits, counter))}
            hidden["chain"][index]["frames"][position]["arguments"][number] = masked
    return hidden


def _truncate(record: dict[str, Any], limits: Limits, counter: _Counter) -> None:
    """Messages and reprs cut at `limits.characters` (after redaction: no half secret left)."""
    def cut(text: str) -> str:
        over = len(text) - limits.characters
        if over <= 0:
            return text
        counter.add("characters", over)
        return text[:limits.characters] + TRUNCATED

    for raised in record["chain"]:
        raised["message"] = cut(raised["message"])
        for frame in raised["frames"]:
            for argument in frame["arguments"] or ():
                if "repr" in argument and isinstance(argument["repr"], str) and "unrenderable" in argument:
                    argument["repr"] = cut(argument["repr"])


# what the counts of `dropped`, written after the fitting, may add to the line at the most
_DROPPED_ROOM = len(json_line(dict.fromkeys(("exceptions", "frames", "arguments", "characters"),
                                            2**63))) - len("{}")


def _fit(record: dict[str, Any], limits: Limits, counter: _Counter) -> None:
    """Arguments left out, from the last exception of the chain and its outermost frame in, until
    the line fits `limits.line_bytes`; then frames, outermost first. The line is serialized once:
    each part left out takes its own bytes away (and a comma, between frames)."""
    budget = limits.line_bytes - _DROPPED_ROOM
    size = _size(record)
    if size <= budget:
        return
    for raised in reversed(record["chain"]):
        for frame in raised["frames"]:
            if frame["arguments"]:
                counter.add("arguments", len(frame["arguments"]))
                size -= _size(frame["arguments"]) - _size(None)
                frame["arguments"] = None
                if size <= budget:
                    return
    for raised in reversed(record["chain"]):
        frames = raised["frames"]
        while frames and size > budget:
            size -= _size(frames.pop(0)) + (len(",") if frames else 0)
            counter.add("frames")


def _size(value: object) -> int:
    """Bytes of `value` in the line."""
    return len(json_line(value).encode("utf-8"))

