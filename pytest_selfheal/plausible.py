"""Rank plausible candidates: which one goes into fix.diff, and the alternatives after it.

Passing tests make a patch plausible, never correct; among plausible patches the one that fixes
the most failing tests wins, then the smallest change to the program's AST, then the one that
combines the fewest edits, then the one tried first.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Sequence

from .models import Candidate, Outcome, Verdict


def ast_change_size(candidate: Candidate) -> int:
    """How many AST subtrees differ between the files before and after the whole candidate."""
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    for edit in candidate.edits:
        first.setdefault(edit.path, edit.before)
        last[edit.path] = edit.after
    size = 0
    for path, before_text in first.items():
        before, after = _subtrees(before_text), _subtrees(last[path])
        size += sum(((before - after) + (after - before)).values())
    return size


def _subtrees(source: str) -> Counter[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return Counter()
    return Counter(ast.dump(node) for node in ast.walk(tree)
                   if isinstance(node, ast.expr | ast.stmt))


def ranked(outcomes: Sequence[Outcome]) -> list[Outcome]:
    """The plausible outcomes, best first."""
    plausible = [(i, o) for i, o in enumerate(outcomes) if o.verdict is Verdict.PLAUSIBLE]
    plausible.sort(key=lambda item: (
        -len(item[1].fixed), ast_change_size(item[1].candidate), len(item[1].candidate.edits),
        item[0],
    ))
    return [o for _, o in plausible]
