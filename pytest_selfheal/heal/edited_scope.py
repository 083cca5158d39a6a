"""The smallest def or class around a change, before and after it, as texts that parse alone.

Checking a candidate (the policy's facts, whether it compiles) read the whole module twice per
candidate: 3 s of a pyflakes heal went to its 79 kB checker.py. Outside the def or class that
holds the change the two texts are the same, so what differs between them is in these pieces.
"""

from __future__ import annotations

import ast
import functools
from typing import NamedTuple

from ..linediff import differing_lines
from ..source import decorated_start

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class Pieces(NamedTuple):
    before: str
    after: str


def edited_pieces(before: str, after: str) -> Pieces | None:
    """The innermost def or class (decorators included) that holds every changed line, and what
    it became; None when the change is outside every def and class, when `before` does not
    parse, or when a lone carriage return ends a line (line numbers would not agree)."""
    if "\r" in before.replace("\r\n", "") or "\r" in after.replace("\r\n", ""):
        return None
    old, new = before.split("\n"), after.split("\n")
    start, old_end, new_end = differing_lines(old, new)
    inside = [(first, last) for first, last in _scopes(before)
              if (first - 1 <= start if start < old_end else first - 1 < start)
              and old_end <= last and start <= last - 1]
    if not inside:
        return None
    first, last = min(inside, key=lambda span: span[1] - span[0])
    return Pieces(_standalone(old[first - 1:last]), _standalone(new[first - 1:last + new_end - old_end]))


@functools.lru_cache(maxsize=8)  # the same file before many candidates
def _scopes(source: str) -> tuple[tuple[int, int], ...]:
    """(first line, last line), 1-based, of every def and class in `source`."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return ()
    return tuple((decorated_start(node), node.end_lineno or node.lineno)
                 for node in ast.walk(tree) if isinstance(node, _SCOPES))


def _standalone(lines: list[str]) -> str:
    """An indented def or class made a module's own code: under an `if 1:` that keeps its
    indentation (its strings and line breaks as they were)."""
    text = "\n".join(lines)
    return f"if 1:\n{text}" if lines and lines[0][:1].isspace() else text
