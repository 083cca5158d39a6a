"""Statement templates: insert or delete whole statements in the block holding a suspect line.

Each takes the indented block and the index of the suspect statement in it, and yields the new
block with a description, so a mutation stays one `Module.deep_replace(block, new_block)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import libcst as cst

from .templates import Scope, code

BlockReplacement = tuple[cst.IndentedBlock, str]
StatementTemplate = Callable[[cst.IndentedBlock, int, Scope], Iterator[BlockReplacement]]

MAX_COPIED = 10
MAX_GUARDS = 3
_AFTER_FIRST = ((1, "after"), (0, "before"))
_BEFORE_FIRST = ((0, "before"), (1, "after"))


def _with_body(block: cst.IndentedBlock, body: list[cst.BaseStatement]) -> cst.IndentedBlock:
    return block.with_changes(body=body)


def delete_statement(block: cst.IndentedBlock, index: int, scope: Scope) -> Iterator[BlockReplacement]:
    """Drop the statement; a block never becomes empty."""
    if len(block.body) < 2:
        return
    body = [s for i, s in enumerate(block.body) if i != index]
    yield _with_body(block, body), f"delete `{_first_line(block.body[index])}`"


_FAILS_ON_NONE_OR_EMPTY = frozenset({"len", "iter", "next", "sorted", "max", "min", "sum"})


def _reference(expr: cst.BaseExpression, scope: Scope) -> str | None:
    """`x` or `x.a.b` for an in-scope `x` (or `self.a`), as text; None for anything else."""
    root = expr
    while isinstance(root, cst.Attribute):
        root = root.value
    if not isinstance(root, cst.Name) or (expr is root and root.value in ("self", "cls")):
        return None
    return code(expr) if root.value in scope.names or root.value in ("self", "cls") else None


def _dereferenced(statement: cst.BaseStatement, scope: Scope) -> list[str]:
    """What the statement reads an attribute or item of, passes to a builtin that fails on None
    or on an empty value (`len`, `max`, ...), or divides by: the subjects a guard could test."""
    found: list[str | None] = []

    class Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            found.append(_reference(node.value, scope))

        def visit_Subscript(self, node: cst.Subscript) -> None:
            found.append(_reference(node.value, scope))

        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Name) and node.func.value in _FAILS_ON_NONE_OR_EMPTY:
                found.extend(_reference(a.value, scope) for a in node.args[:1])

        def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
            if isinstance(node.operator, cst.Divide | cst.FloorDivide | cst.Modulo):
                found.append(_reference(node.right, scope))

    header = statement
    if isinstance(statement, cst.If | cst.While):
        header = cst.SimpleStatementLine([cst.Expr(statement.test)])
    elif isinstance(statement, cst.For):
        header = cst.SimpleStatementLine([cst.Expr(statement.iter)])
        found.append(_reference(statement.iter, scope))
    elif not isinstance(statement, cst.SimpleStatementLine):
        return []
    header.visit(Finder())
    return [subject for subject in dict.fromkeys(found) if subject is not None]


MAX_RAISED = 2


def none_guard(block: cst.IndentedBlock, index: int, scope: Scope) -> Iterator[BlockReplacement]:
    """`if x is None: return ...` (or `if not x:`) before a statement that dereferences `x`,
    returning the empty value of the declared return type, None, or a value returned elsewhere
    (not the one the guarded statement returns: that would dereference `x` all the same); then
    raising what the function raises elsewhere (an empty input is the caller's error)."""
    guarded = block.body[index]
    small = guarded.body if isinstance(guarded, cst.SimpleStatementLine) else ()
    own = {code(s.value) for s in small if isinstance(s, cst.Return) and s.value}
    returned = (code(v) for v in scope.returns if code(v) not in own)
    values = list(dict.fromkeys(v for v in (scope.empty, "None", *returned) if v is not None))[:3]
    exits = [f"return {value}" for value in values]
    present = {code(s) for s in small}
    exits += [raised for raised in map(code, scope.raises)
              if "\n" not in raised and raised not in present][:MAX_RAISED]
    for name in _dereferenced(guarded, scope)[:3]:
        for exit_ in exits:
            for test in (f"{name} is None", f"not {name}"):
                guard = cst.parse_statement(f"if {test}:\n    {exit_}\n")
                body = [*block.body[:index], guard, *block.body[index:]]
                yield _with_body(block, body), f"insert `if {test}: {exit_}`"


def copy_statement(block: cst.IndentedBlock, index: int, scope: Scope) -> Iterator[BlockReplacement]:
    """Insert, after (then before) the statement, one copied from elsewhere in the function,
    e.g. a missing `seen.add(x)` or `prev = node`; then, before (then after) it, one of the
    function's guards (`if not valid(label): raise ...`): a check made on one path but missed
    on another."""
    present = {code(s) for s in block.body}
    simple = [s for s in dict.fromkeys(scope.statements) if code(s) not in present][:MAX_COPIED]
    guards = [s for s in scope.guards if code(s) not in present][:MAX_GUARDS]
    for statement, places in [*((s, _AFTER_FIRST) for s in simple), *((s, _BEFORE_FIRST) for s in guards)]:
        copied = statement.with_changes(leading_lines=())
        for offset, where in places:
            body = [*block.body[: index + offset], copied, *block.body[index + offset:]]
            yield _with_body(block, body), (
                f"insert `{_one_line(copied)}` {where} `{_first_line(block.body[index])}`"
            )


def move_statement(block: cst.IndentedBlock, index: int, scope: Scope) -> Iterator[BlockReplacement]:
    """Swap the statement with the one after it, then with the one before: a step done in the
    wrong order (an update before its use, a check after the work it guards)."""
    for other, where in ((index + 1, "after"), (index - 1, "before")):
        if 0 <= other < len(block.body):
            body = list(block.body)
            body[index], body[other] = body[other], body[index]
            yield _with_body(block, body), (
                f"move `{_first_line(block.body[index])}` {where} `{_first_line(block.body[other])}`")


def _nested_block(statement: cst.BaseStatement) -> cst.IndentedBlock | None:
    """The indented body of a loop, an `if` without `else` or a `with`; None for others."""
    if isinstance(statement, cst.For | cst.While | cst.If | cst.With) and getattr(
            statement, "orelse", None) is None and isinstance(statement.body, cst.IndentedBlock):
        return statement.body
    return None


def indent_statement(block: cst.IndentedBlock, index: int, scope: Scope) -> Iterator[BlockReplacement]:
    """A statement at the wrong depth, Python's own slip: the last statement of a loop's (or an
    `if`'s, a `with`'s) body moved out after it (`return found` inside the loop), then the
    statement after one moved in as the last of its body (a step the loop should repeat)."""
    statement = block.body[index]
    inner = _nested_block(statement)
    if inner is not None and len(inner.body) >= 2:
        last = inner.body[-1].with_changes(leading_lines=())
        shorter = statement.with_changes(body=inner.with_changes(body=inner.body[:-1]))
        body = [*block.body[:index], shorter, last, *block.body[index + 1:]]
        yield _with_body(block, body), f"move `{_first_line(last)}` out of `{_first_line(statement)}`"
    outer = block.body[index - 1] if index >= 1 else None
    around = _nested_block(outer) if outer is not None else None
    if outer is not None and around is not None:
        moved = statement.with_changes(leading_lines=())
        longer = outer.with_changes(body=around.with_changes(body=[*around.body, moved]))
        body = [*block.body[:index - 1], longer, *block.body[index + 1:]]
        yield _with_body(block, body), f"move `{_first_line(statement)}` into `{_first_line(outer)}`"


def _first_line(statement: cst.BaseStatement) -> str:
    return code(statement).splitlines()[0]


def _one_line(statement: cst.BaseStatement) -> str:
    """The statement's lines joined, for a description: `if not ok(x): raise E(x)`."""
    return " ".join(line.strip() for line in code(statement).splitlines())


# Every statement template, like TEMPLATES in templates.py.
STATEMENT_TEMPLATES: tuple[tuple[str, StatementTemplate], ...] = (
    ("none-guard", none_guard),
    ("copy-statement", copy_statement),
    ("delete-statement", delete_statement),
    ("move-statement", move_statement),
    ("indent-statement", indent_statement),
)
