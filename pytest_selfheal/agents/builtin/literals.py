"""Templates that replace a value with one the module itself suggests: another of its string
literals (TBar's "mutate literal expression"), a value assigned to the same target elsewhere or
the parameter named like the target ("mutate variable"), and a one-element tuple made by a stray
comma back into its element (Python's own way to get a wrong data type).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

import libcst as cst

from .templates import Replacement, Scope, Template, code

MAX_LITERALS = 3
MIN_SIMILARITY = 0.5  # of two strings' values; below it a replacement is a guess, not a slip
MAX_VALUES = 4


def _prefix(literal: str) -> str:
    """The string prefix (`b`, `rb`, ...) in lower case: only same-kind literals stand in."""
    return literal[: min(literal.find(q) for q in "'\"" if q in literal)].lower()


def _value(literal: str) -> str:
    return str(cst.SimpleString(literal).evaluated_value)


def literal_replacement(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`"XmajorX"` -> `"major"`: a string literal replaced by one of the module's other string
    literals of the same kind whose value is most like it (a misspelt key, a wrong separator)."""
    if not isinstance(node, cst.SimpleString):
        return
    kind, value = _prefix(node.value), _value(node.value)
    similarity = {other: difflib.SequenceMatcher(None, value, _value(other)).ratio()
                  for other in scope.strings
                  if _prefix(other) == kind and _value(other) != value}
    ranked = sorted((s for s in similarity if similarity[s] >= MIN_SIMILARITY),
                    key=lambda s: -similarity[s])
    for other in ranked[:MAX_LITERALS]:
        yield cst.SimpleString(other), f"`{node.value}` -> `{other}`"


def _target_name(target: cst.BaseExpression) -> str | None:
    """The name a value stored in `target` is for: `x` in `self.x` or `d["x"]`."""
    if isinstance(target, cst.Attribute):
        return target.attr.value
    if isinstance(target, cst.Subscript) and len(target.slice) == 1:
        index = target.slice[0].slice
        if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
            name = _value(index.value.value)
            return name if name.isidentifier() else None
    return None


def assigned_value(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`self.key = None` -> `self.key = key` (the parameter or local named like the target), then
    `t = v` -> `t = w` for another value the module assigns to the same target `t`."""
    if isinstance(node, cst.Assign) and len(node.targets) == 1:
        target = node.targets[0].target
    elif isinstance(node, cst.AnnAssign) and node.value is not None:
        target = node.target
    else:
        return
    assert node.value is not None
    current = code(node.value)
    name = _target_name(target)
    values: list[cst.BaseExpression] = [cst.Name(name)] if name in scope.names else []
    values += scope.assigned.get(code(target), ())
    shown = {current}
    for value in values:
        text = code(value)
        if text in shown:
            continue
        shown.add(text)
        replacement = node.with_changes(value=value)
        yield replacement, f"`{code(node)}` -> `{code(replacement)}`"
        if len(shown) > MAX_VALUES:
            return


def stray_comma(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`x = a,` -> `x = a`: a trailing comma made a one-element tuple of a value."""
    if isinstance(node, cst.Tuple) and len(node.elements) == 1 and not node.lpar:
        element = node.elements[0]
        if not isinstance(element, cst.StarredElement):
            yield element.value, f"`{code(node)}` -> `{code(element.value)}`"


# Expression templates like TEMPLATES in templates.py, applied after them on equal scores.
LITERAL_TEMPLATES: tuple[tuple[str, Template], ...] = (
    ("literal-replacement", literal_replacement),
    ("assigned-value", assigned_value),
    ("stray-comma", stray_comma),
)
