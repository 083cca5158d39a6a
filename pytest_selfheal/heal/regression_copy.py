"""The last resort for a regression test: a minimal copy of the failing tests themselves.

When no call of the patched function (or of a caller) can be written as source, the tests the fix
repaired already fail before it and pass after it. The copy keeps, from their module, the tests
(a test class keeps only those of its tests), the imports, helpers, constants and fixtures they
use by name (transitively) and every autouse fixture or `pytestmark`; fixtures from conftest.py
stay fixtures, since the copy lives beside the original. Nothing else: it reads as the test did.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Sequence

import libcst as cst

from ..cst_parse import Statement, parse_module

KEPT_ALWAYS = ("pytestmark",)


def copied_tests(source: str, tests: Sequence[str], docstring: str, newline: str = "\n") -> str:
    """The module of `source` reduced to `tests` (`name` or `Class::name`, parameters dropped) and
    what they use, under `docstring`; lines end with `newline`."""
    module = parse_module(source)
    wanted: dict[str, set[str]] = {}
    for test in tests:
        *owner, name = test.split("[", 1)[0].split("::")
        wanted.setdefault(owner[0] if owner else name, set()).add(name)
    body = [_reduced(statement, wanted) for statement in module.body]
    kept = [
        index for index, statement in enumerate(body)
        if _binds(statement) & (wanted.keys() | set(KEPT_ALWAYS))
        or _autouse(statement) or _is_future(statement)
    ]
    needed = set().union(*(_uses(body[index]) for index in kept)) if kept else set()
    changed = True
    while changed:
        changed = False
        for index, statement in enumerate(body):
            if index not in kept and _binds(statement) & needed:
                kept.append(index)
                needed |= _uses(statement)
                changed = True
    reduced = [_imports_used(body[index], needed) for index in sorted(kept)]
    statements = [s for s in reduced if s is not None and not _is_docstring(s)]
    if statements and not statements[0].leading_lines:
        statements[0] = statements[0].with_changes(leading_lines=[cst.EmptyLine()])
    text = docstring.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    doc = cst.SimpleStatementLine([cst.Expr(cst.SimpleString('"""' + text + '"""'))])
    return module.with_changes(body=[doc, *statements], header=[]).code.replace("\n", newline)


def defined_tests(source: str, tests: Sequence[str]) -> list[str]:
    """Those of `tests` (`name` or `Class::name`, parameters allowed) whose function the module
    itself defines: a test a class inherits from another module cannot be copied alone."""
    module = ast.parse(source)
    return [test for test in tests if _defines(module.body, test.split("[", 1)[0].split("::"))]


def _defines(body: list[ast.stmt], path: list[str]) -> bool:
    """Whether `body` defines the test at `path` (its classes, then its name), also inside an
    `if`, `try` or `with` block (six defines tests under `if six.PY3:`)."""
    head, *rest = path
    for statement in body:
        if rest and isinstance(statement, ast.ClassDef) and statement.name == head:
            return _defines(statement.body, rest)
        if not rest and isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) \
                and statement.name == head:
            return True
        if any(_defines(block, path) for block in _blocks(statement)):
            return True
    return False


def _blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists an `if`, `try` or `with` statement runs at its own level."""
    if isinstance(statement, ast.If):
        return [statement.body, statement.orelse]
    if isinstance(statement, ast.Try | ast.TryStar):
        return [statement.body, *(h.body for h in statement.handlers), statement.orelse,
                statement.finalbody]
    if isinstance(statement, ast.With | ast.AsyncWith):
        return [statement.body]
    return []


def _reduced(statement: Statement, wanted: dict[str, set[str]]) -> Statement:
    """A wanted test class with only its wanted tests (other methods and attributes stay)."""
    if not isinstance(statement, cst.ClassDef) or statement.name.value not in wanted:
        return statement
    names = wanted[statement.name.value]
    members = [m for m in statement.body.body
               if not (isinstance(m, cst.FunctionDef) and m.name.value.startswith("test")
                       and m.name.value not in names)]
    return statement.with_changes(body=statement.body.with_changes(body=members))


def _binds(statement: cst.CSTNode) -> set[str]:
    """The module-level names a statement defines."""
    if isinstance(statement, cst.FunctionDef | cst.ClassDef):
        return {statement.name.value}
    found: set[str] = set()

    class Binder(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
            found.update(_names(node.target))
            return False

        def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
            found.update(_names(node.target))
            return False

        def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
            found.add(_bound_name(node))
            return False

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            found.add(node.name.value)
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            found.add(node.name.value)
            return False

    statement.visit(Binder())
    return found


def _names(target: cst.BaseExpression) -> Iterable[str]:
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, cst.Tuple | cst.List):
        for element in target.elements:
            yield from _names(element.value)


def _bound_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None:
        return str(cst.ensure_type(alias.asname.name, cst.Name).value)
    name = alias.name
    while isinstance(name, cst.Attribute):
        name = name.value  # type: ignore[assignment]
    return str(cst.ensure_type(name, cst.Name).value)


def _uses(statement: cst.CSTNode) -> set[str]:
    """Every name a statement mentions, parameters too (a parameter names a fixture); an import
    mentions only what it binds."""
    found: set[str] = set()
    if isinstance(statement, cst.SimpleStatementLine) and all(
            isinstance(small, cst.Import | cst.ImportFrom) for small in statement.body):
        return found

    class User(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> bool:
            found.add(node.value)
            return False

    statement.visit(User())
    return found


def _autouse(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.FunctionDef) and any(
        "autouse" in cst.Module([]).code_for_node(d.decorator) for d in statement.decorators
    )


def _imports_used(statement: Statement, needed: set[str]) -> Statement | None:
    """An import statement without the names nothing kept uses (None when that is all of them)."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return statement
    small = statement.body[0]
    if _is_future(statement):
        return statement
    if not isinstance(small, cst.Import | cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
        return statement
    aliases = [a for a in small.names if _bound_name(a) in needed]
    if not aliases:
        return None
    aliases[-1] = aliases[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    changes: dict[str, object] = {"names": aliases}
    if isinstance(small, cst.ImportFrom) and len(aliases) == 1:
        changes.update(lpar=None, rpar=None)
    return statement.with_changes(body=[small.with_changes(**changes)])


def _is_future(statement: cst.CSTNode) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine)
            and isinstance(statement.body[0], cst.ImportFrom)
            and isinstance(statement.body[0].module, cst.Name)
            and statement.body[0].module.value == "__future__")


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString))
