"""Rank plausible candidates: which one goes into fix.diff, and the alternatives after it.

Passing tests make a patch plausible, never correct. Among plausible patches, those that fix
every failing test come first (then those that fix more of them), then the smallest change to
the program's AST, then the fewest edits combined, then the highest score the agent gave it
(for the builtin agent: line suspiciousness x template prior), then the one tried first. A
plausible patch breaks no test that passed before, so the tests passing differ only by the
failing tests it fixes: the first key already prefers the patch with the most tests passing.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Sequence

from ..models import Candidate, Outcome, Verdict


def ast_change_size(candidate: Candidate) -> int:
    """How many AST subtrees differ between the files before and after the whole candidate."""
    size = 0
    for before_text, after_text in candidate.file_changes.values():
        before, after = _subtrees(before_text), _subtrees(after_text)
        size += sum(((before - after) + (after - before)).values())
    return size


def _subtrees(source: str) -> Counter[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return Counter()
    return Counter(ast.dump(node) for node in ast.walk(tree)
                   if isinstance(node, ast.expr | ast.stmt))


def ranked(outcomes: Sequence[Outcome], verdict: Verdict = Verdict.PLAUSIBLE) -> list[Outcome]:
    """The plausible outcomes (or those of another verdict: the partial ones), best first."""
    plausible = [(i, o) for i, o in enumerate(outcomes) if o.verdict is verdict]
    plausible.sort(key=lambda item: (
        -len(item[1].fixed), ast_change_size(item[1].candidate), len(item[1].candidate.edits),
        -item[1].candidate.score, item[0],
    ))
    return [o for _, o in plausible]
