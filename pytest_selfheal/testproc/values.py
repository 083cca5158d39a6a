"""Values described as JSON trees from which regression_source.py writes them back as Python
source: literals, containers, references to classes, functions, modules and types, natural
constructions of standard-library values (`re.compile(...)`, `Path(...)`, `functools.partial`),
dataclasses by their fields, objects whose repr rebuilds them, and objects the running test made,
by how they were made (`made_by_test`, filled by carving.py). Imports only the standard library.
"""

from __future__ import annotations

import ast
import collections
import dataclasses
import enum
import functools
import inspect
import json
import pathlib
import re
import sys
import types
from collections.abc import Callable
from types import BuiltinFunctionType, FunctionType, ModuleType
from typing import Any, Protocol

MAX_DEPTH = 8
LITERAL_TYPES = (type(None), bool, int, float, complex, str, bytes)
Tree = dict[str, Any]


class Unrenderable(Exception):
    """A value that cannot be written back as Python source; the message says why."""


class Made(Protocol):
    """An object the running test made, and how to write the calls that made it."""

    obj: object  # held, so that its id names no other object while the test runs

    def tree(self) -> Tree:
        """The calls that made it, or Unrenderable saying why they cannot be written."""
        ...


# the objects the running test made, by id: filled by carving.Carver in a recording test process
made_by_test: dict[int, Made] = {}


def describe(value: object, depth: int = 0) -> Tree:
    """A JSON tree from which the value can be rebuilt as source (see regression_source.py)."""
    if depth > MAX_DEPTH:
        raise Unrenderable("the value is nested too deeply")
    kind = type(value)
    if kind in LITERAL_TYPES:
        return _literal(value)
    if kind in (list, tuple, set, frozenset):
        items = [describe(v, depth + 1) for v in value]  # type: ignore[attr-defined]
        if kind in (set, frozenset):
            items.sort(key=lambda tree: json.dumps(tree, sort_keys=True))
        return {"seq": kind.__name__, "items": items}
    if kind is dict:
        return {"dict": [[describe(k, depth + 1), describe(v, depth + 1)]
                         for k, v in value.items()]}  # type: ignore[attr-defined]
    if isinstance(value, enum.Flag) and value not in type(value).__members__.values():
        return _flags(value, depth)
    if isinstance(value, enum.Enum):
        return {"member": value.name, "ref": reference(kind)}
    if isinstance(value, type | FunctionType | ModuleType) or _is_builtin_function(value):
        return _object(value)
    if dataclasses.is_dataclass(value):
        try:
            return _dataclass(value, depth)
        except Unrenderable as exc:
            return _made(value, exc)
    if isinstance(value, tuple) and hasattr(kind, "_fields"):
        return {"call": reference(kind), "args": [describe(v, depth + 1) for v in value], "kwargs": []}
    natural = NATURAL.get(kind)
    if natural is not None:
        return natural(value, depth + 1)
    try:
        return _from_repr(value)
    except Unrenderable as exc:
        try:
            return _made(value, exc)
        except Unrenderable:
            constant = _module_constant(value)
            if constant is None:
                raise
            return constant


def _module_constant(value: object) -> Tree | None:
    """A reference to the public name its class's module binds `value` to (a sentinel such as
    `MISSING`, sqlparse's token types: `tokens.Keyword`), or to a public attribute of such a
    constant (`tokens.Number.Integer`), which a test imports as it is; None when there is none."""
    module = sys.modules.get(type(value).__module__)
    if module is None:
        return None
    constants = [(name, known) for name, known in vars(module).items() if not name.startswith("_")]
    name = next((name for name, known in constants if known is value), None) or next(
        (f"{name}.{attribute}" for name, known in constants
         if not isinstance(known, type | ModuleType | FunctionType)
         for attribute, held in getattr(known, "__dict__", {}).items()
         if held is value and not attribute.startswith("_")), None)
    if name is None:
        return None
    try:
        return {"object": reference_to(module.__name__, name)}
    except Unrenderable:
        return None


def _flags(value: enum.Flag, depth: int) -> Tree:
    """`Perm.R | Perm.W`; the flags of regular expressions as `re.IGNORECASE | re.DOTALL`."""
    members = list(value)
    if not members:
        return {"call": reference(type(value)), "args": [_literal(value.value)], "kwargs": []}
    if isinstance(value, re.RegexFlag):
        return {"flags": [{"object": {**RE_MODULE, "name": m.name}} for m in members]}
    return {"flags": [describe(m, depth + 1) for m in members]}


def _is_builtin_function(value: object) -> bool:
    """`len`, `math.floor`: builtin functions of a module, not methods bound to an object."""
    return isinstance(value, BuiltinFunctionType) and isinstance(value.__self__, ModuleType | None)


def _object(value: Any) -> Tree:
    """A class, function, module or type passed as a value: a reference to it, as a person writes
    it (`str`, `type(None)`, `pkg.mod.Class`, `types.FunctionType`)."""
    if isinstance(value, ModuleType):
        if sys.modules.get(value.__name__) is not value:
            raise Unrenderable(f"the module {value.__name__} is not importable by its name")
        return {"module_value": value.__name__}
    if value is type(None):
        return {"type_of": {"literal": "None"}}
    try:
        ref = reference(value)
        if _resolve(ref) is value:
            return {"object": ref}
    except (Unrenderable, AttributeError, KeyError):
        pass
    alias = next((name for name, known in vars(types).items() if known is value), None)
    if alias is None:
        raise Unrenderable(f"{getattr(value, '__qualname__', value)!s} is not importable by its name")
    return {"object": {"module": "types", "name": alias, "qualified": True}}


def _resolve(ref: Tree) -> object:
    found: object = sys.modules[ref["module"]]
    for part in str(ref["name"]).split("."):
        found = getattr(found, part)
    return found


def _pattern(value: re.Pattern[Any], depth: int) -> Tree:
    """`re.compile(pattern, re.IGNORECASE)`; the implicit re.UNICODE of a str pattern left out."""
    flags = value.flags & ~re.UNICODE if isinstance(value.pattern, str) else value.flags
    args = [describe(value.pattern, depth)]
    if flags:
        args.append(_flags(re.RegexFlag(flags), depth))
    return {"call": {**RE_MODULE, "name": "compile"}, "args": args, "kwargs": []}


def _match(value: re.Match[Any], depth: int) -> Tree:
    """The call that finds the same match again: `re.match(p, s)`, or the compiled pattern's
    `match`/`fullmatch` from the match's start; checked by rebuilding it."""
    pattern, string = value.re, value.string
    endpos = [] if value.endpos == len(string) else [value.endpos]
    tries: list[tuple[str, list[object]]] = [("match", [value.start(), *endpos]),
                                               ("fullmatch", [value.start(), value.end()])]
    for method, positions in tries:
        again = getattr(pattern, method)(string, *positions)
        if again is None or again.span() != value.span() or again.groups() != value.groups():
            continue
        on = _pattern(pattern, depth)
        if method == "match" and positions == [0]:
            return {"call": {**RE_MODULE, "name": "match"},
                    "args": [*on["args"][:1], describe(string, depth), *on["args"][1:]], "kwargs": []}
        return {"method": method, "on": on, "args": [describe(v, depth) for v in (string, *positions)],
                "kwargs": []}
    raise Unrenderable("a re.Match object that no match call finds again")


def _path(value: pathlib.PurePath, depth: int) -> Tree:
    kind = pathlib.Path if type(value) is type(pathlib.Path()) else type(value)
    return {"call": reference(kind), "args": [describe(str(value), depth)], "kwargs": []}


def _partial(value: functools.partial[Any], depth: int) -> Tree:
    return {"call": reference(functools.partial),
            "args": [describe(v, depth) for v in (value.func, *value.args)],
            "kwargs": [[k, describe(v, depth)] for k, v in value.keywords.items()]}


def _defaultdict(value: collections.defaultdict[Any, Any], depth: int) -> Tree:
    return {"call": reference(collections.defaultdict),
            "args": [describe(value.default_factory, depth), describe(dict(value), depth)], "kwargs": []}


RE_MODULE: Tree = {"module": "re", "qualified": True}  # `import re`, then `re.compile(...)`
NATURAL: dict[type, Callable[[Any, int], Tree]] = {
    re.Pattern: _pattern, re.Match: _match, functools.partial: _partial,
    collections.defaultdict: _defaultdict,
    **{kind: _path for kind in (pathlib.PosixPath, pathlib.WindowsPath, pathlib.PurePosixPath,
                                pathlib.PureWindowsPath)},
}


def describe_safely(value: object) -> Tree:
    """describe(), with user code that raises (a `__repr__`, an `__eq__`) reported as a reason:
    an exception escaping a trace function would surface inside the traced test."""
    try:
        return describe(value)
    except Unrenderable:
        raise
    except Exception as exc:
        raise Unrenderable(f"describing it raised {type(exc).__name__}: {exc}") from None


def _literal(value: object) -> Tree:
    text = repr(value)
    try:
        same = ast.literal_eval(text) == value
    except (ValueError, SyntaxError):
        same = False
    if not same:
        raise Unrenderable(f"{text} does not read back as the same value")
    return {"literal": text}


def _dataclass(value: Any, depth: int) -> Tree:
    kwargs = []
    for field in dataclasses.fields(value):
        current = getattr(value, field.name)
        if not field.init:
            raise Unrenderable(f"{type(value).__qualname__}.{field.name} is not a constructor argument")
        if _equals_default(field, current):
            continue
        kwargs.append([field.name, describe(current, depth + 1)])
    return {"call": reference(type(value)), "args": [], "kwargs": kwargs}


def _equals_default(field: dataclasses.Field[Any], current: object) -> bool:
    if field.default is not dataclasses.MISSING:
        default = field.default
    elif field.default_factory is not dataclasses.MISSING:
        default = field.default_factory()
    else:
        return False
    try:
        return type(default) is type(current) and bool(default == current)
    except Exception:
        return False


def _from_repr(value: object) -> Tree:
    """Objects whose repr is a constructor call that rebuilds an equal object, e.g. Decimal."""
    kind = type(value)
    text = repr(value)
    module = sys.modules.get(kind.__module__)
    namespaces: list[tuple[str, dict[str, Any], Tree]] = []
    if text.startswith(kind.__qualname__ + "("):
        ref = reference(kind)
        namespaces.append(("ref", {kind.__qualname__.split(".")[0]: _top(kind)}, ref))
    if module is not None and text.startswith(f"{kind.__module__}.{kind.__qualname__}("):
        top = kind.__module__.split(".")[0]
        namespaces.append(("module", {top: sys.modules[top]}, {"module": kind.__module__}))
    for key, namespace, ref in namespaces:
        try:
            rebuilt = eval(text, {"__builtins__": {}}, namespace)
            same = type(rebuilt) is kind and bool(rebuilt == value)
        except Exception:
            same = False
        if same:
            return {"repr": text, key: ref}
    raise Unrenderable(f"a {kind.__qualname__} object has no constructor call that rebuilds it")


def _top(kind: type) -> object:
    return getattr(sys.modules[kind.__module__], kind.__qualname__.split(".")[0])


def reference(obj: Any) -> Tree:
    """How to import a class or function: the shortest package that exports it, as tests do."""
    return reference_to(obj.__module__, obj.__qualname__)


def reference_to(defining: str, qualname: str) -> Tree:
    """How to import what the module `defining` holds as `qualname` (reference)."""
    if "<locals>" in qualname or defining == "__main__":
        raise Unrenderable(f"{qualname} is not importable")
    top = qualname.split(".")[0]
    module = defining
    parts = defining.split(".")
    for size in range(1, len(parts)):
        candidate = ".".join(parts[:size])
        if getattr(sys.modules.get(candidate), top, None) is getattr(sys.modules[defining], top):
            module = candidate
            break
    return {"module": module, "name": qualname}


def _made(value: object, why: Unrenderable) -> Tree:
    """An object the running test made (made_by_test), as the calls that made it; else `why`."""
    made = made_by_test.get(id(value))
    if made is None or made.obj is not value:
        raise why
    return made.tree()


_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "positional",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional",
    inspect.Parameter.KEYWORD_ONLY: "keyword",
    inspect.Parameter.VAR_POSITIONAL: "varargs",
    inspect.Parameter.VAR_KEYWORD: "varkw",
}


def argument_kind(param: inspect.Parameter) -> str:
    """How a call passes the parameter's argument, as `argument` names it: positional, keyword,
    varargs (`*args`), varkw (`**kwargs`)."""
    return _KINDS[param.kind]


def argument(param: inspect.Parameter, value: object) -> Tree:
    """One argument of a call: its parameter's name and kind, its value described, and whether it
    equals the parameter's default (then the written call leaves it out)."""
    kind = argument_kind(param)
    default = param.default is not inspect.Parameter.empty and _same(param.default, value)
    try:
        tree = describe_safely(value)
    except Unrenderable as exc:
        raise Unrenderable(f"argument {param.name}: {exc}") from None
    return {"name": param.name, "kind": kind, "value": tree, "default": default}


def _same(default: object, value: object) -> bool:
    try:
        return type(default) is type(value) and bool(default == value)
    except Exception:
        return False

