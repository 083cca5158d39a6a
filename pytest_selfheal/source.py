"""Where a line sits in Python source: the function that holds it, named as a person would
(`Class.method`). Shared by the session (traceback frames), the stages and the agents; stdlib only.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path


def enclosing_function(path: Path, line: int) -> str:
    """Qualified name of the innermost def containing `line`, or `<module>`."""
    best = "<module>"
    for start, end, name in _definitions(path):
        if start <= line <= end:
            best = name  # definitions are listed outer before inner
    return best


def function_span(path: Path, line: int) -> tuple[int, int] | None:
    """First and last line of the innermost def containing `line`."""
    span = None
    for start, end, _ in _definitions(path):
        if start <= line <= end:
            span = (start, end)
    return span


@cache
def _definitions(path: Path) -> tuple[tuple[int, int, str], ...]:
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return ()
    found: list[tuple[int, int, str]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    found.append((child.lineno, child.end_lineno or child.lineno, name))
                walk(child, name + ".")
            else:
                walk(child, prefix)

    walk(tree, "")
    return tuple(found)
