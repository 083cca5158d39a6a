"""Loaded into sandbox test subprocesses (via PYTEST_PLUGINS) to record calls of one function;
a warm worker's child registers `RecordCalls` itself.

SELFHEAL_RECORD names a JSON spec: the source file and qualified name of the function, and the
output directory (one file per pytest process, so xdist workers do not overwrite each other).
While each test's setup and call phases run, a trace function snapshots the arguments of every
call of that function as it starts and its return value or exception as it ends, each described
as a JSON tree that regression_source.py turns back into Python source. Values are described at
call time, before the body can mutate them (values.py). Objects of the project's classes that the
test makes are followed meanwhile (carving.py), so that one reaching the function is described by
the calls that built it. It never imports pytest and does nothing without SELFHEAL_RECORD.
"""

from __future__ import annotations

import collections
import dis
import functools
import inspect
import json
import os
import re
import sys
from collections.abc import Callable, Generator
from pathlib import Path
from types import CodeType, FrameType, ModuleType
from typing import Any

import pluggy

from ..sandbox.protocol import RECORD_ENV, SANDBOX_ENV
from .carving import OPAQUE, Carver, outcome_tracer
from .files import real_file
from .values import Tree, Unrenderable, argument, describe_safely, reference, reference_to

hookimpl = pluggy.HookimplMarker("pytest")

MAX_CALLS = 200
MAX_CALLERS = 6
MAX_STATE_ITEMS = 100  # an attribute holding more is left out of the state after a call
LARGE = (str, bytes, list, tuple, dict, set, frozenset, collections.deque)
MUTABLE = (list, dict, set, bytearray, collections.deque)
POSITIONAL_OR_KEYWORD = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                         inspect.Parameter.KEYWORD_ONLY)


def _guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """Tracing must never break the traced test: an internal error stops recording, quietly."""

    def guarded(self: Recorder, frame: FrameType, event: str, arg: object) -> Any:
        try:
            return method(self, frame, event, arg)
        except Exception:
            return None

    return guarded


class Recorder:
    """Traces one function by source file and qualified name; collects one record per call."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.file = os.path.realpath(spec["file"])
        self.qualname: str = spec["qualname"]
        self.self_unused: bool = spec.get("self_unused", False)
        self.output = Path(spec["output"]) / f"calls-{os.getpid()}.json"
        self.calls: list[dict[str, Any]] = []
        self.target: Tree | None = None
        self.nodeid = ""
        self._matches: dict[CodeType, bool] = {}
        self._generators: dict[FrameType, _Yields] = {}  # the function's generators, by frame
        self._unused_receiver: bool | None = None  # a method not using self, on `Cls()`
        self.carver = Carver(os.path.realpath(os.environ.get(SANDBOX_ENV, "/nonexistent")) + os.sep)

    def _is_target(self, code: CodeType) -> bool:
        found = self._matches.get(code)
        if found is None:
            found = code.co_qualname == self.qualname and os.path.realpath(code.co_filename) == self.file
            self._matches[code] = found
        return found

    @_guarded
    def trace(self, frame: FrameType, event: str, arg: object) -> Callable[..., Any] | None:
        if event != "call":
            return None
        resumed = self._generators.get(frame)
        if resumed is not None:  # a generator of the function, run on by its consumer
            return resumed.trace if not resumed.done else None
        if len(self.calls) >= MAX_CALLS:
            return None  # with every record taken, how objects were made no longer matters
        if not self._is_target(frame.f_code):
            return self.carver.call(frame)
        record, changeable = self._enter(frame)
        self.calls.append(record)
        if frame.f_code.co_flags & inspect.CO_GENERATOR:
            yields = self._generators[frame] = _Yields(
                record, changeable, forget=lambda: self._generators.pop(frame, None))
            recording = yields.trace
        else:
            recording = outcome_tracer(_outcome(record, changeable))
        # the call also changes its object: a later call on it is replayed after this one
        carving = self.carver.call(frame)
        return recording if carving is None else _both(recording, carving)

    def _enter(self, frame: FrameType) -> tuple[dict[str, Any], dict[str, object]]:
        """The call's record, and what the call may change that the test rebuilds, by the name a
        test reads it by: the object a method was called on (`self`, unless any object will do)
        and the arguments that are containers or objects with attributes."""
        record: dict[str, Any] = {"test": self.nodeid, "callers": _callers(frame)}
        changeable: dict[str, object] = {}
        try:
            owner, function, binding = self._resolve(frame)
            params = list(inspect.signature(_traced(function, frame.f_code)).parameters.values())
            values = frame.f_locals
            if binding in ("method", "classmethod", "property"):
                record["receiver"] = self._receiver(owner, values[params[0].name], binding)
                if binding != "classmethod" and not self._unused_receiver:
                    changeable["self"] = values[params[0].name]
                params = params[1:]
            record["args"] = [argument(p, values[p.name]) for p in params]
            changeable |= {p.name: values[p.name] for p in params
                           if p.kind in POSITIONAL_OR_KEYWORD and _changeable(values[p.name])}
        except Unrenderable as exc:
            record["error"] = str(exc)
        return record, changeable

    def _resolve(self, frame: FrameType) -> tuple[Any, Any, str]:
        module: ModuleType = sys.modules[frame.f_globals["__name__"]]
        names = self.qualname.split(".")
        owner: Any = module
        for name in names[:-1]:
            owner = getattr(owner, name)
        raw = inspect.getattr_static(owner, names[-1])
        if isinstance(raw, staticmethod):
            binding, function = "staticmethod", raw.__func__
        elif isinstance(raw, classmethod):
            binding, function = "classmethod", raw.__func__
        elif isinstance(raw, property) and raw.fget is not None:
            if frame.f_code in (getattr(f, "__code__", None) for f in (raw.fset, raw.fdel)):
                raise Unrenderable(f"{self.qualname} is a property's setter or deleter, which no "
                                   "test reads a value from")
            binding, function = "property", raw.fget  # read as `obj.name`, not called
        elif isinstance(raw, functools.cached_property):
            binding, function = "property", raw.func
        else:
            binding, function = ("method" if inspect.isclass(owner) else "function"), raw
        if self.target is None:  # a test calls it by the name its module gives it
            self.target = {"ref": reference(owner) if inspect.isclass(owner)
                           else reference_to(module.__name__, self.qualname),
                           "binding": binding, "name": names[-1]}
        return owner, function, binding

    def _receiver(self, owner: type, value: object, binding: str) -> Tree:
        if binding == "classmethod":
            return {"class": True}
        if self.self_unused and self._unused_receiver is None:
            self._unused_receiver = _builds_without_arguments(owner)
        if self._unused_receiver:  # any object will do: the simplest one, `Cls()`
            return {"call": reference(owner), "args": [], "kwargs": []}
        try:
            return describe_safely(value)
        except Unrenderable as exc:
            raise Unrenderable(f"self cannot be rebuilt: {exc}") from None

    def write(self) -> None:
        payload = {"target": self.target, "calls": self.calls}
        self.output.write_text(json.dumps(payload), encoding="utf-8")


def _traced(function: Any, code: CodeType) -> Any:
    """The function whose code is `code`: `function`, or one a decorator's wrapper holds (by
    functools.wraps's `__wrapped__`, or in its closure: sqlparse's `@recurse` keeps no
    `__wrapped__`), whose parameters are what the traced frame's locals are named by; else
    `function`. A test calls the wrapper, by the name the module gives it, with those arguments."""
    found: list[Any] = [function]
    for candidate in found:
        if getattr(candidate, "__code__", None) is code:
            return candidate
        held = [getattr(candidate, "__wrapped__", None),
                *(_contents(cell) for cell in getattr(candidate, "__closure__", None) or ())]
        found.extend(f for f in held if inspect.isfunction(f) and all(f is not g for g in found))
    return function


def _contents(cell: Any) -> object:
    try:
        return cell.cell_contents
    except ValueError:  # a cell not yet filled
        return None


def _both(first: Callable[..., Any], second: Callable[..., Any]) -> Callable[..., Any]:
    """One local tracer that hands every event to two."""

    def local(frame: FrameType, event: str, arg: object) -> Callable[..., Any]:
        first(frame, event, arg)
        second(frame, event, arg)
        return local

    return local


def _callers(frame: FrameType) -> list[dict[str, str]]:
    """The calling frames inside the sandbox, nearest first: where to replay from instead."""
    root = os.path.realpath(os.environ.get(SANDBOX_ENV, "/nonexistent")) + os.sep
    chain: list[dict[str, str]] = []
    caller = frame.f_back
    while caller is not None and len(chain) < MAX_CALLERS:
        file = real_file(caller.f_code.co_filename)
        if file is None or not file.startswith(root):
            break
        chain.append({"path": file[len(root):], "qualname": caller.f_code.co_qualname})
        caller = caller.f_back
    return chain


def _builds_without_arguments(owner: type) -> bool:
    try:
        owner()
    except Exception:
        return False
    return True


def _outcome(record: dict[str, Any],
             changeable: dict[str, object]) -> Callable[[type[BaseException] | None, object], None]:
    def done(raised: type[BaseException] | None, value: object) -> None:
        record["outcome"] = _raised(raised) if raised else _returned(value)
        if changeable:
            record["state"] = _state_after(changeable)

    return done


_YIELD_VALUE = dis.opmap["YIELD_VALUE"]
MAX_YIELDS = 100  # values of one generator recorded at most: a test asserts them whole


class _Yields:
    """A local tracer of one generator of the traced function, across its resumptions: what it
    yields, then `{"yields": [...]}` as its outcome once it ends (`list(f(...))` in the test),
    with `"raises"` when an exception ended it. While it is not finished (its consumer took a few
    values of an endless one, and closed it or left it), the outcome is the values taken so far,
    `{"yields": [...], "taken": n}` (`list(islice(f(...), n))`)."""

    def __init__(self, record: dict[str, Any], changeable: dict[str, object],
                 forget: Callable[[], object]) -> None:
        self.record, self.changeable, self.forget = record, changeable, forget
        self.record["outcome"] = {"error": "the generator yielded nothing"}
        self.values: list[Tree] = []
        self.done = False
        self._frame: FrameType | None = None
        self._local = outcome_tracer(self._returned)  # each yield returns from the frame too

    def trace(self, frame: FrameType, event: str, arg: object) -> Callable[..., Any] | None:
        if self.done:
            return None
        self._frame = frame
        self._local(frame, event, arg)
        return self.trace

    def _returned(self, raised: type[BaseException] | None, value: object) -> None:
        """The frame returned: a yield, its consumer closing it (GeneratorExit), or its end."""
        if raised is GeneratorExit:
            self.done = True  # what it took stays the outcome
            self.forget()
        elif raised is None and self._frame is not None and \
                self._frame.f_code.co_code[self._frame.f_lasti] == _YIELD_VALUE:
            self._yielded(value)
        else:
            self._end(raised)

    def _yielded(self, value: object) -> None:
        described = _returned(value)
        if "returns" not in described or len(self.values) >= MAX_YIELDS:
            self.done = True
            self.record["outcome"] = ({"error": f"a yielded value: {described['error']}"}
                                      if "error" in described else
                                      {"error": f"the generator yielded more than {MAX_YIELDS} values"})
            return
        self.values.append(described["returns"])
        self.record["outcome"] = {"yields": list(self.values), "taken": len(self.values)}

    def _end(self, raised: type[BaseException] | None) -> None:
        self.done = True
        self.forget()
        self.record["outcome"] = ({"yields": self.values, **_raised(raised)} if raised
                                  else {"yields": self.values})
        if self.changeable:
            self.record["state"] = _state_after(self.changeable)


def _state_after(changeable: dict[str, object]) -> dict[str, Tree]:
    """What the call left in its object and its arguments, by the expression a test reads it by
    (`self.balance`, `found`, `source.balance`), those that can be written and compared by value:
    where a fix that changes no result shows, for the test to assert (`assert found == [3]`)."""
    found: dict[str, Tree] = {}
    for name, value in changeable.items():
        attributes = getattr(value, "__dict__", None)
        parts = list(attributes.items()) if isinstance(attributes, dict) else [("", value)]
        for attribute, held in parts:
            if isinstance(held, LARGE) and len(held) > MAX_STATE_ITEMS:
                continue  # described after every call it would cost, and no one asserts it whole
            described = _returned(held)
            if "returns" in described:
                found[f"{name}.{attribute}" if attribute else name] = described["returns"]
    return found


def _changeable(value: object) -> bool:
    """A container or an object with attributes of its own, which a call can change in place."""
    return isinstance(value, MUTABLE) or (
        isinstance(getattr(value, "__dict__", None), dict) and not isinstance(value, OPAQUE))


def _raised(kind: type[BaseException]) -> Tree:
    try:
        return {"raises": reference(kind)}
    except Unrenderable as exc:
        return {"error": str(exc)}


def _returned(value: object) -> Tree:
    try:
        tree = describe_safely(value)
    except Unrenderable as exc:
        return {"error": f"the result: {exc}"}
    if ("carved" in tree or type(value) in (re.Match, functools.partial)) \
            and type(value).__eq__ is object.__eq__:
        # a test would compare it by identity, and fail with the fix as well
        return {"error": f"the result: a {type(value).__qualname__} object does not compare by value"}
    return {"returns": tree}


class RecordCalls:
    """The pytest plugin: traces each test's setup (where fixtures make the objects it passes)
    and call phases; `write` saves what it saw."""

    def __init__(self, spec_file: str) -> None:
        self.recorder = Recorder(json.loads(Path(spec_file).read_text(encoding="utf-8")))

    @hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: Any) -> Generator[None, object, object]:
        self.recorder.nodeid = item.nodeid
        self.recorder.carver.reset()
        return (yield from self._traced())

    @hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: Any) -> Generator[None, object, object]:
        self.recorder.nodeid = item.nodeid
        return (yield from self._traced())

    @hookimpl(wrapper=True)
    def pytest_runtest_teardown(self, item: Any) -> Generator[None, object, object]:
        try:
            return (yield)
        finally:
            self.recorder.carver.reset()  # the test's objects may go now

    def _traced(self) -> Generator[None, object, object]:
        previous = sys.gettrace()
        sys.settrace(self.recorder.trace)
        try:
            return (yield)
        finally:
            sys.settrace(previous)

    def write(self) -> None:
        self.recorder.write()


def _load() -> RecordCalls | None:
    spec_file = os.environ.get(RECORD_ENV)
    return RecordCalls(spec_file) if spec_file else None


_plugin = _load()


def pytest_configure(config: Any) -> None:
    if _plugin is not None:
        config.pluginmanager.register(_plugin, "selfheal-recorder")


@hookimpl(trylast=True)
def pytest_sessionfinish(session: Any) -> None:
    if _plugin is not None:
        _plugin.write()

