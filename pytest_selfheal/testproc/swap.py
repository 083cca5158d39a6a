"""Which live code objects a candidate replaces, or why it cannot be applied in place.

An edit that only changes function bodies can be tried in an already-imported process by giving
each live function the new code object (every reference to the function sees it). An edit that
changes what runs at import time (module or class bodies, decorators, defaults, module-level
lambdas and comprehensions) cannot: those candidates need a fresh interpreter.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Iterator
from dataclasses import dataclass

_NEW_LOCALS = 0x2  # CO_NEWLOCALS: set for functions, lambdas and comprehensions, not class bodies

Fingerprint = tuple[object, ...]


@dataclass(frozen=True)
class ChangedFunction:
    """A definition whose code differs; `old` identifies the live code object it replaces.
    `inner` holds the changed functions defined inside it when only they changed and its own
    code did not (an edit in the wrapper a decorator returns); None when its own code changed."""

    qualname: str
    old: Fingerprint
    new_code: types.CodeType
    inner: tuple[ChangedFunction, ...] | None = None


def _is_function(code: types.CodeType) -> bool:
    return bool(code.co_flags & _NEW_LOCALS) and not code.co_name.startswith("<")


def _is_class_body(code: types.CodeType) -> bool:
    return not code.co_flags & _NEW_LOCALS


def fingerprint(code: types.CodeType, *, skip_functions: bool = False) -> Fingerprint:
    """What the code does, ignoring line numbers; functions become a name when `skip_functions`."""
    consts: list[object] = []
    for const in code.co_consts:
        if not isinstance(const, types.CodeType):
            consts.append((type(const).__name__, repr(const)))
        elif skip_functions and _is_function(const):
            consts.append(("def", const.co_qualname, const.co_freevars))
        else:
            consts.append(fingerprint(const, skip_functions=skip_functions and _is_class_body(const)))
    return (code.co_code, code.co_names, code.co_varnames, code.co_freevars, code.co_cellvars,
            code.co_flags, code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount,
            code.co_exceptiontable, tuple(consts))


def definitions(code: types.CodeType) -> Iterator[types.CodeType]:
    """Functions defined at import time: in the module body and (recursively) class bodies."""
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            if _is_function(const):
                yield const
            elif _is_class_body(const):
                yield from definitions(const)


def changed_functions(path: str, before: str, after: str) -> tuple[ChangedFunction, ...] | str:
    """The definitions whose code changed, or the reason the change is not swappable."""
    import_time, old = _original(path, before)
    new = compile(after, path, "exec", dont_inherit=True)
    if import_time != fingerprint(new, skip_functions=True):
        return f"{path}: the change runs at import time"
    # Same import-time code, so the same definitions in the same order (with the same closures).
    return _changed(old, tuple(definitions(new)))


def _changed(old: tuple[tuple[Fingerprint, types.CodeType], ...],
             new: tuple[types.CodeType, ...]) -> tuple[ChangedFunction, ...]:
    changed = []
    for (before_print, before), code in zip(old, new, strict=True):
        if before_print != fingerprint(code):
            inner = None
            if fingerprint(before, skip_functions=True) == fingerprint(code, skip_functions=True):
                inner = _changed(_printed(definitions(before)), tuple(definitions(code)))
            changed.append(ChangedFunction(code.co_qualname, before_print, code, inner))
    return tuple(changed)


def _printed(codes: Iterator[types.CodeType]) -> tuple[tuple[Fingerprint, types.CodeType], ...]:
    return tuple((fingerprint(code), code) for code in codes)


@functools.lru_cache(maxsize=16)
def _original(path: str, before: str) -> tuple[Fingerprint, tuple[tuple[Fingerprint, types.CodeType], ...]]:
    """Import-time fingerprint and the definitions, with their fingerprints, of the unpatched
    file: the same for every candidate that edits it, so compiled once."""
    old = compile(before, path, "exec", dont_inherit=True)
    return fingerprint(old, skip_functions=True), _printed(definitions(old))
