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


def _with_body(block: cst.IndentedBlock, body: list[cst.BaseStatement]) -> cst.IndentedBlock:
    return block.with_changes(body=body)


def delete_statement(block: cst.IndentedBlock, index: int, scope: Scope) -> Iterator[BlockReplacement]:
    """Drop the statement; a block never becomes empty."""
    if len(block.body) < 2:
        return
    body = [s for i, s in enumerate(block.body) if i != index]
    yield _with_body(block, body), f"delete `{_first_line(block.body[index])}`"


def _dereferenced(statement: cst.BaseStatement, scope: Scope) -> list[str]:
    """In-scope names the statement reads an attribute, item or length of."""
    found: list[str] = []

    class Finder(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            if isinstance(node.value, cst.Name):
                found.append(node.value.value)

        def visit_Subscript(self, node: cst.Subscript) -> None:
            if isinstance(node.value, cst.Name):
                found.append(node.value.value)

        def visit_Call(self, node: cst.Call) -> None:
            if isinstance(node.func, cst.Name) and node.func.value in ("len", "iter", "sorted"):
                found.extend(a.value.value for a in node.args if isinstance(a.value, cst.Name))

    header = statement
    if isinstance(statement, cst.If | cst.While):
        header = cst.SimpleStatementLine([cst.Expr(statement.test)])
    elif isinstance(statement, cst.For):
        header = cst.SimpleStatementLine([cst.Expr(statement.iter)])
    elif not isinstance(statement, cst.SimpleStatementLine):
        return []
    header.visit(Finder())
    return [n for n in dict.fromkeys(found) if n in scope.names and n not in ("self", "cls")]


def none_guard(block: cst.IndentedBlock, index: int, scope: Scope) -> Iterator[BlockReplacement]:
    """`if x is None: return ...` before a statement that dereferences `x`."""
    values = ["None", *dict.fromkeys(code(v) for v in scope.returns if code(v) != "None")][:3]
    for name in _dereferenced(block.body[index], scope)[:3]:
        for value in values:
            for test in (f"{name} is None", f"not {name}"):
                guard = cst.parse_statement(f"if {test}:\n    return {value}\n")
                body = [*block.body[:index], guard, *block.body[index:]]
                yield _with_body(block, body), f"insert `if {test}: return {value}`"


def copy_statement(block: cst.IndentedBlock, index: int, scope: Scope) -> Iterator[BlockReplacement]:
    """Insert, after (then before) the statement, one copied from elsewhere in the function,
    e.g. a missing `seen.add(x)` or `prev = node`."""
    present = {code(s) for s in block.body}
    pool = [s for s in dict.fromkeys(scope.statements) if code(s) not in present]
    for statement in pool[:MAX_COPIED]:
        copied = statement.with_changes(leading_lines=())
        for offset, where in ((1, "after"), (0, "before")):
            body = [*block.body[: index + offset], copied, *block.body[index + offset:]]
            yield _with_body(block, body), (
                f"insert `{code(copied)}` {where} `{_first_line(block.body[index])}`"
            )


def _first_line(statement: cst.BaseStatement) -> str:
    return code(statement).splitlines()[0]


# Every statement template, like TEMPLATES in templates.py.
STATEMENT_TEMPLATES: tuple[tuple[str, StatementTemplate], ...] = (
    ("none-guard", none_guard),
    ("copy-statement", copy_statement),
    ("delete-statement", delete_statement),
)
