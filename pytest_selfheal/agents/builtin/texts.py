"""The texts the failing tests compared, and a template that edits a string literal the way their
difference says. A wrong word or separator in output a test compares (`"%d month"` for
`"%d months"`, `", "` for `","`) shows in the assertion's own diff: pytest's and unittest's
`- got` / `+ wanted` lines (difflib's ndiff). Which side the test wrote first is not known, so
both directions are tried.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Iterator

import libcst as cst

from ...models import Failure
from .templates import Replacement, Scope, Template

MAX_TEXTS = 8  # compared pairs kept, first failure first
MIN_SIMILARITY = 0.5  # of the two texts: below it they are different outputs, not one edited
_CONTEXT = 3  # characters of unchanged text either side that place an edit inside a literal


def compared_texts(failures: Iterable[Failure]) -> tuple[tuple[str, str], ...]:
    """(one side, the other) for each `- a` line that an ndiff in the failures' messages
    follows with a `+ b` line (after its `? ` guide lines), each pair once."""
    found: dict[tuple[str, str], None] = {}
    for failure in failures:
        removed: str | None = None
        for raw in failure.message.splitlines():
            line = raw.lstrip(" ")
            if line.startswith("- "):
                removed = line[2:]
            elif line.startswith("+ ") and removed is not None:
                added = line[2:]
                if removed != added and _similar(removed, added):
                    found[(removed, added)] = None
                removed = None
            elif not line.startswith("?"):
                removed = None
    return tuple(found)[:MAX_TEXTS]


def _similar(a: str, b: str) -> bool:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= MIN_SIMILARITY


def edited_like(literal: str, before: str, after: str) -> str | None:
    """`literal` with every change that turns `before` into `after` made in it, or None when
    one of them has no single place in it. A literal is often a template of the text (`"%s
    months"` for `"3 months"`): each change is placed by the unchanged characters beside it, or
    by the literal's start or end where the change is at the text's."""
    edited = literal
    # Last change first, so the places found for earlier ones stay where they were.
    for i1, i2, instead in reversed(_changes(before, after)):
        placed = _placed(edited, before, i1, i2, instead)
        if placed is None:
            return None
        edited = placed
    return edited


@functools.lru_cache(maxsize=2 * MAX_TEXTS)
def _changes(before: str, after: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, what replaces before[start:end]) for each change, computed once per pair
    however many literals a module has."""
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return tuple((i1, i2, after[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
                 if tag != "equal")


def _placed(literal: str, before: str, start: int, end: int, instead: str) -> str | None:
    removed = before[start:end]
    if start == 0 and end < len(before):
        # An insertion needs the text it goes before, or every literal would take it.
        if literal.startswith(removed or before[end]):
            return instead + literal[len(removed):]
        return None
    if end == len(before) and start > 0:
        if literal.endswith(removed or before[start - 1]):
            return literal[:len(literal) - len(removed)] + instead
        return None
    for width in range(_CONTEXT, 0, -1):
        left, right = before[max(0, start - width):start], before[end:end + width]
        # Both sides first; then one, since a template's field may stand beside the change.
        for pattern, offset in ((left + removed + right, len(left)), (removed + right, 0),
                                (left + removed, len(left))):
            if len(pattern) > len(removed) and literal.count(pattern) == 1:
                at = literal.index(pattern) + offset
                return literal[:at] + instead + literal[at + len(removed):]
    return None


def compared_text(node: cst.CSTNode, scope: Scope) -> Iterator[Replacement]:
    """`"XX%s(%d)XX"` -> `"%s(%d)"` where a failure compared `XXa(1)XX` with `a(1)`: a string
    literal edited as a compared text's difference says (TBar's "mutate literal expression",
    with the value the test wanted)."""
    if not isinstance(node, cst.SimpleString):
        return
    value = node.evaluated_value
    if not isinstance(value, str) or "\\" in node.value:
        return
    shown = {value}
    for one, other in scope.compared_texts:
        for before, after in ((one, other), (other, one)):
            edited = edited_like(value, before, after)
            if edited is None or edited in shown:
                continue
            shown.add(edited)
            quote = node.quote
            if quote in edited:
                continue
            replacement = node.with_changes(value=node.prefix + quote + edited + quote)
            yield replacement, f"`{node.value}` -> `{replacement.value}`"


TEXT_TEMPLATES: tuple[tuple[str, Template], ...] = (("compared-text", compared_text),)
