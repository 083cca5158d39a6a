"""The exceptions the failing tests expect: what `pytest.raises(E)`, `assertRaises(E)` and
`except E:` name in the test functions the failures ran. A test that expects one error and gets
another fails, and the error raised is then usually the fix's place: `raise Exception(msg)` where
the tests, and the developer, want `raise FileNotFoundError(msg)`."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable, Iterator
from pathlib import Path

import libcst as cst

from ...models import Failure
from .templates import Replacement, Scope, Template, code

_EXPECTING = frozenset({"raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp"})


def expected_exceptions(root: Path, failures: Iterable[Failure]) -> tuple[str, ...]:
    """The exception names (as written: `FileNotFoundError`, `errors.ParseError`) the test
    functions of `failures` expect or catch, first named first."""
    found: dict[str, None] = {}
    parsed: dict[str, ast.Module | None] = {}
    for failure in failures:
        if not failure.frames:
            continue
        test = failure.frames[0]  # the outermost frame the traceback kept: the test's own
        if test.path not in parsed:
            parsed[test.path] = _parsed(root / test.path)
        module = parsed[test.path]
        function = _enclosing_function(module, test.line) if module is not None else None
        if function is not None:
            found.update(dict.fromkeys(_named(function)))
    return tuple(found)


def _parsed(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return None


def _enclosing_function(module: ast.Module, line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The innermost function whose lines hold `line`."""
    holding = [node for node in ast.walk(module)
               if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
               and node.lineno <= line <= (node.end_lineno or node.lineno)]
    return max(holding, key=lambda node: node.lineno, default=None)


def _named(function: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and node.args and _callee(node.func) in _EXPECTING:
            names += _exception_names(node.args[0])
        elif isinstance(node, ast.ExceptHandler) and node.type is not None:
            names += _exception_names(node.type)
    return names


def _callee(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _exception_names(expr: ast.expr) -> list[str]:
    """`E`, `mod.E`, or each of a tuple of them, as written."""
    if isinstance(expr, ast.Tuple):
        return [name for element in expr.elts for name in _exception_names(element)]
    if isinstance(expr, ast.Name | ast.Attribute):
        return [ast.unparse(expr)]
    return []


def nameable(expected: Iterable[str], bound: frozenset[str]) -> tuple[str, ...]:
    """Of `expected`, what a module can name: a builtin exception, or a name (or the first part
    of a dotted one) it binds at its top level."""
    return tuple(name for name in expected if _builtin_exception(name) or name.split(".", 1)[0] in bound)


def _builtin_exception(name: str) -> bool:
    found = getattr(builtins, name, None)
    return isinstance(found, type) and issubclass(found, BaseException)


def module_bindings(module: cst.Module) -> frozenset[str]:
    """The names a module binds at its top level: classes, functions, imports, assignments."""
    names: set[str] = set()
    for statement in module.body:
        if isinstance(statement, cst.ClassDef | cst.FunctionDef):
            names.add(statement.name.value)
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.Import):
                names.update(code(alias.asname.name) if alias.asname else code(alias.name).split(".")[0]
                             for alias in small.names)
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                names.update(code(alias.asname.name) if alias.asname else code(alias.name)
                             for alias in small.names)
            elif isinstance(small, cst.Assign):
                names.update(t.target.value for t in small.targets if isinstance(t.target, cst.Name))
    return frozenset(names)


def exception_type(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`raise Exception(msg)` -> `raise FileNotFoundError(msg)`: the error raised made one the
    failing tests expect."""
    if not isinstance(node, cst.Raise) or node.exc is None or node.cause is not None:
        return
    raised = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
    if not isinstance(raised, cst.Name | cst.Attribute):
        return
    for name in scope.expected_errors:
        if name == code(raised):
            continue
        instead = cst.parse_expression(name)
        exc = node.exc.with_changes(func=instead) if isinstance(node.exc, cst.Call) else instead
        yield node.with_changes(exc=exc), f"`raise {code(raised)}` -> `raise {name}`"


EXPECTED_TEMPLATES: tuple[tuple[str, Template], ...] = (("exception-type", exception_type),)

