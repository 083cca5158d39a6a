"""Templates that replace a value with one the module itself suggests: another of its string
literals (TBar's "mutate literal expression"), a separator with a character too many or too few,
a value assigned to the same target elsewhere or the parameter named like the target ("mutate
variable"), and a one-element tuple made by a stray comma back into its element (Python's own way
to get a wrong data type).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import cast

import libcst as cst

from .templates import Replacement, Scope, Template, code, is_none, retyped

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


MAX_SEPARATOR = 3  # characters: `", "`, `"//"`, `"::"`; longer punctuation is rarely a slip
SPACED = ",;:"  # a separator that prose writes with a space after it


def separator_literal(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`", "` -> `","`, `"//"` -> `"/"`, `"-"` -> `"--"`, `":"` -> `": "`: a separator or prefix
    of punctuation with a character too many or too few, which no other string of the module
    need hold (literal_replacement's source)."""
    if not isinstance(node, cst.SimpleString) or "\\" in node.value:
        return
    evaluated = node.evaluated_value
    value = evaluated.decode("latin-1") if isinstance(evaluated, bytes) else evaluated
    if not 0 < len(value) <= MAX_SEPARATOR or any(c.isalnum() or c in "'\"" for c in value):
        return
    shorter = [value[:i] + value[i + 1:] for i in range(len(value))] if len(value) > 1 else []
    longer = [value * 2] if len(value) == 1 else []
    spaced = [value + " "] if value[-1] in SPACED else []
    for other in dict.fromkeys([*shorter, *spaced, *longer]):
        literal = retyped(node, other)
        yield literal, f"`{node.value}` -> `{literal.value}`"


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
    """`self.key = None` -> `self.key = key` (the parameter or local named like the target),
    `t = v` -> `t = w` for another value the module assigns to the same target `t`, then the
    value of a neighbouring assignment of the same shape, said for this target (`analogous`),
    and for a None, the empty value of what the module does with the target (`empty_by_use`)
    and the opposite of a flag's other value (`opposites`)."""
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
    values += analogous(node, target, scope)
    if is_none(node.value):
        values += empty_by_use(target, scope)
        values += opposites(scope.assigned.get(code(target), ()))
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


MAX_NEIGHBOURS = 2

# What a method the module calls on a value says it is, when a None was assigned instead.
_EMPTY_BY_METHOD = (
    ("[]", frozenset({"append", "extend", "insert", "sort", "reverse", "index", "count"})),
    ("{}", frozenset({"items", "keys", "values", "get", "setdefault", "update"})),
    ("set()", frozenset({"add", "discard", "union", "intersection", "difference"})),
)


def empty_by_use(target: cst.BaseExpression, scope: Scope) -> list[cst.BaseExpression]:
    """`xs = None` -> `xs = []` where the module calls `xs.append(...)`: the empty value of the
    type its methods say (a list, a dict or a set), for a None that then fails on its first use."""
    used = frozenset(scope.attributes.get(code(target), ()))
    return [cst.parse_expression(empty) for empty, methods in _EMPTY_BY_METHOD if used & methods]


_OPPOSITE = {"0": "1", "1": "0", "True": "False", "False": "True"}


def opposites(values: Iterable[cst.BaseExpression]) -> list[cst.BaseExpression]:
    """`0` -> `1`, `True` -> `False`: where the module sets a flag or a sign one way (`else:
    sign = 0`), a None written for it elsewhere (`if expanded: sign = None`) stood for the other."""
    return [cst.parse_expression(_OPPOSITE[code(value)]) for value in values
            if isinstance(value, cst.Integer | cst.Name) and code(value) in _OPPOSITE]


def analogous(node: cst.Assign | cst.AnnAssign, target: cst.BaseExpression, scope: Scope
              ) -> list[cst.BaseExpression]:
    """What the nearest assignments of the function to targets of the same shape (`self._minor`
    beside `self._major`, `self.stack` beside `self.path`) would say here: a value that names
    its own target's word with this target's word instead (`self._minor =
    version_parts["minor"]` -> `version_parts["major"]`), or, in place of a None, a value that
    names nothing (`self.stack = []` -> `[]`). Rows of alike assignments are written together,
    and a slip in one of them is a copy gone wrong."""
    ours = _shape(target)
    if ours is None:
        return []
    lines = [line for line in scope.statements
             if any(isinstance(s, cst.Assign | cst.AnnAssign) for s in line.body)]
    here = next((i for i, line in enumerate(lines) if any(s is node for s in line.body)), None)
    if here is None:
        return []
    placeholder = is_none(node.value)
    found: list[cst.BaseExpression] = []
    for index in sorted(range(len(lines)), key=lambda i: abs(i - here))[1:]:
        sibling = lines[index].body[0]
        if len(lines[index].body) != 1 or not isinstance(sibling, cst.Assign | cst.AnnAssign):
            continue
        their_target = sibling.targets[0].target if isinstance(sibling, cst.Assign) else sibling.target
        theirs = _shape(their_target)
        if theirs is None or theirs[0] != ours[0] or sibling.value is None:
            continue
        words = _differing_word(ours[1], theirs[1])
        if words is None:
            continue
        renamed = cast(cst.BaseExpression, sibling.value.visit(_Renamed(words[1], words[0], scope)))
        if code(renamed) != code(sibling.value):
            found.append(renamed)
        elif placeholder and _names_nothing(sibling.value):
            found.append(sibling.value)
        if len(found) == MAX_NEIGHBOURS:
            break
    return found


def _shape(target: cst.BaseExpression) -> tuple[str, str] | None:
    """(what holds it, its name): ("self", "_major") for `self._major`, ("", "total") for `total`."""
    if isinstance(target, cst.Name):
        return "", target.value
    if isinstance(target, cst.Attribute):
        return code(target.value), target.attr.value
    return None


def _differing_word(ours: str, theirs: str) -> tuple[str, str] | None:
    """The one word (between underscores) in which two names differ: ("major", "minor")."""
    a, b = ours.split("_"), theirs.split("_")
    differ = [(x, y) for x, y in zip(a, b, strict=False) if x != y]
    return differ[0] if len(a) == len(b) and len(differ) == 1 and all(differ[0]) else None


def _names_nothing(value: cst.BaseExpression) -> bool:
    """An empty container, a number or string, or a call of a name without arguments (`set()`)."""
    if isinstance(value, cst.List | cst.Dict | cst.Tuple | cst.Set):
        return not value.elements
    if isinstance(value, cst.Call):
        return not value.args and isinstance(value.func, cst.Name)
    return isinstance(value, cst.Integer | cst.Float | cst.SimpleString)


class _Renamed(cst.CSTTransformer):
    """Every string, and every name and attribute the function could use, made of words
    (`"minor"`, `minor_version`) with one word said as another."""

    def __init__(self, word: str, instead: str, scope: Scope) -> None:
        self.word, self.instead = word, instead
        self.names = frozenset(scope.names)
        self.attributes = frozenset(a for names in scope.attributes.values() for a in names)

    def _said(self, text: str) -> str:
        return "_".join(self.instead if part == self.word else part for part in text.split("_"))

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        said = self._said(updated_node.value)
        return updated_node.with_changes(value=said) if said in self.names else updated_node

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute
                        ) -> cst.Attribute:
        said = self._said(original_node.attr.value)
        attr = said if said in self.attributes else original_node.attr.value
        return updated_node.with_changes(attr=cst.Name(attr))

    def leave_SimpleString(self, original_node: cst.SimpleString, updated_node: cst.SimpleString
                           ) -> cst.SimpleString:
        value = updated_node.evaluated_value
        if not isinstance(value, str) or not value.replace("_", "").isalnum():
            return updated_node
        said = self._said(value)
        return updated_node if said == value else updated_node.with_changes(
            value=updated_node.value.replace(value, said))


def stray_comma(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`x = a,` -> `x = a`: a trailing comma made a one-element tuple of a value."""
    if isinstance(node, cst.Tuple) and len(node.elements) == 1 and not node.lpar:
        element = node.elements[0]
        if not isinstance(element, cst.StarredElement):
            yield element.value, f"`{code(node)}` -> `{code(element.value)}`"


# Expression templates like TEMPLATES in templates.py, applied after them on equal scores.
LITERAL_TEMPLATES: tuple[tuple[str, Template], ...] = (
    ("literal-replacement", literal_replacement),
    ("separator-literal", separator_literal),
    ("assigned-value", assigned_value),
    ("stray-comma", stray_comma),
)
