"""Test carving: how each object of the project's classes that a test makes was made, so that one
reaching the traced function is written in the regression test as the calls that built it (its
class's constructor call, then the calls of its methods that changed its state), as a person
would write it. The Carver is called by recorder.py's trace function; what it follows lands in
values.made_by_test, where describe() finds it. Imports only the standard library.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import inspect
import types
from collections.abc import Callable
from types import CodeType, FrameType
from typing import Any

from .files import real_file
from .values import Tree, Unrenderable, argument, made_by_test, reference

MAX_CARVED = 200
MAX_STEPS = 20


@dataclasses.dataclass
class Carving:
    """How an object of the project was made while the test ran: its class's constructor call
    (arguments described when it started) and the calls on it that changed its state since."""

    obj: object  # held for the test, so that its id names no other object meanwhile
    number: int
    init: list[Tree]
    steps: list[Tree]
    error: str = ""

    def tree(self) -> Tree:
        if self.error:
            raise Unrenderable(f"a {type(self.obj).__qualname__} object {self.error}")
        return {"carved": {"call": reference(type(self.obj)), "args": self.init, "id": self.number},
                "steps": list(self.steps)}


class Carver:
    """Follows the objects of the project's classes that a test creates: each `__init__` call
    (not one a subclass's `__init__` makes) and each later call of one of its methods from outside
    it, kept when what the object holds differs after it (_state). Bounded: MAX_CARVED objects
    per test, MAX_STEPS calls per object."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._methods: dict[CodeType, bool] = {}
        self._signatures: dict[CodeType, inspect.Signature | None] = {}

    def reset(self) -> None:
        made_by_test.clear()

    def is_method(self, code: CodeType) -> bool:
        found = self._methods.get(code)
        if found is None:
            file = real_file(code.co_filename)
            found = (file is not None and file.startswith(self.root) and "site-packages" not in file
                     and code.co_argcount > 0 and code.co_varnames[0] == "self"
                     and not code.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE
                                              | inspect.CO_ASYNC_GENERATOR))
            self._methods[code] = found
        return found

    def call(self, frame: FrameType) -> Callable[..., Any] | None:
        code = frame.f_code
        constructs = code.co_name == "__init__"
        # reading a frame's locals is the cost: only when the call can matter
        if not self.is_method(code) or (len(made_by_test) >= MAX_CARVED if constructs else not made_by_test):
            return None
        obj = frame.f_locals.get("self")
        carving = made_by_test.get(id(obj))  # its object is held, so the id is still its own
        if constructs:
            if carving is None:
                self._construct(frame, obj)
            return None
        if not isinstance(carving, Carving) or carving.error or self._from_inside(frame, obj):
            return None  # an object that cannot be written already is not followed further
        return self._step(frame, obj, carving)

    def _construct(self, frame: FrameType, obj: object) -> None:
        carving = Carving(obj, len(made_by_test) + 1, [], [])
        try:
            carving.init = self._arguments(type(obj), "__init__", frame)
        except Unrenderable as exc:
            carving.error = f"was made by a constructor call that cannot be written: {exc}"
        made_by_test[id(obj)] = carving

    def _from_inside(self, frame: FrameType, obj: object) -> bool:
        caller = frame.f_back
        return (caller is not None and self.is_method(caller.f_code)
                and caller.f_locals.get("self") is obj)

    def _step(self, frame: FrameType, obj: object, carving: Carving) -> Callable[..., Any]:
        name = frame.f_code.co_name
        try:
            step: Tree | None = {"name": name, "args": self._arguments(type(obj), name, frame)}
        except Unrenderable as exc:
            step, problem = None, f"changed by a call of {name} that cannot be written: {exc}"
        before = _state(obj)

        def finished(raised: type[BaseException] | None, value: object) -> None:
            if before is not None and _state(obj) == before:
                return
            if carving.error:
                return
            if step is None:
                carving.error = problem
            elif raised is not None:
                carving.error = f"was changed by a call of {name} that raised"
            elif len(carving.steps) >= MAX_STEPS:
                carving.error = f"was changed by more than {MAX_STEPS} calls"
            else:
                carving.steps.append(step)

        return outcome_tracer(finished)

    def _arguments(self, kind: type, name: str, frame: FrameType) -> list[Tree]:
        """The call's arguments after `self`, described now, before the body can change them."""
        code = frame.f_code
        signature = self._signatures.get(code, _UNSEEN)
        if signature is _UNSEEN:
            function = inspect.getattr_static(kind, name, None)
            signature = (inspect.signature(function)
                         if getattr(function, "__code__", None) is code else None)
            self._signatures[code] = signature
        if signature is None:
            raise Unrenderable(f"{kind.__qualname__}.{name} is not found on its class by that name")
        values = frame.f_locals
        return [argument(p, values[p.name]) for p in list(signature.parameters.values())[1:]]


_UNSEEN: Any = object()


def _state(obj: object) -> object:
    """A cheap fingerprint of what the object holds: the identity of every value it reaches through
    its attributes, the items of its containers and the attributes of the objects in them (a call
    that adds an edge to an inner dict, or a node deep in a tree, changes it). None when it keeps
    its attributes elsewhere (slots), holds more than FINGERPRINT_VALUES values or cannot be read:
    such a call is kept as if it changed it."""
    attributes = getattr(obj, "__dict__", None)
    if not isinstance(attributes, dict):
        return None
    try:
        return _held(attributes, {id(obj)}, [FINGERPRINT_VALUES])
    except Exception:  # too much to fingerprint, or a container changed size while read
        return None


def _held(value: object, seen: set[int], budget: list[int]) -> object:
    budget[0] -= 1
    if budget[0] < 0:
        raise OverflowError("more values than a fingerprint reads")
    if id(value) in seen:
        return id(value)
    if isinstance(value, dict):
        seen.add(id(value))
        return id(value), tuple((id(k), _held(v, seen, budget)) for k, v in value.items())
    if isinstance(value, bytearray):
        return id(value), bytes(value)
    if isinstance(value, CONTAINERS):
        seen.add(id(value))
        return id(value), tuple(_held(v, seen, budget) for v in value)
    attributes = getattr(value, "__dict__", None) if not isinstance(value, OPAQUE) else None
    if isinstance(attributes, dict):
        seen.add(id(value))
        return id(value), _held(attributes, seen, budget)
    return id(value)


FINGERPRINT_VALUES = 1000
CONTAINERS = (list, tuple, set, frozenset, collections.deque)
OPAQUE = (type, types.ModuleType, types.FunctionType, types.MethodType)  # held, not part of the state


def outcome_tracer(done: Callable[[type[BaseException] | None, object], None]) -> Callable[..., Any]:
    """Local tracer that tells `done` how the call ended: the exception that escaped it (an
    exception followed by `return` without another line), or None and the value returned.
    Guarded: an exception escaping a tracer would surface in the traced test."""
    pending: list[type[BaseException]] = []

    def local(frame: FrameType, event: str, arg: Any) -> Callable[..., Any]:
        if event == "exception":
            pending[:] = [arg[0]]
        elif event == "line":
            pending.clear()
        elif event == "return":
            with contextlib.suppress(Exception):
                done(pending[0] if pending else None, arg)
        return local

    return local

