"""Rank plausible candidates: which one goes into fix.diff, and the alternatives after it.

Passing tests make a patch plausible, never correct, so the ranking weighs what else is known of
each patch, in this order:
1. the failing tests it fixes: every one first, then more of them (a plausible patch breaks no
   test that passed before, so this already prefers the patch with the most tests passing);
2. putting back lines of the change since the base (the last green commit, or HEAD under
   uncommitted work) as they were (changes.BaseRestoration), ahead of putting back none: a
   regression's likeliest fix undoes what caused it, and the base's text is what the suite last
   passed with. How many is not counted: putting back more of the change than the failure needs
   (another hunk of it, the user's work) is no better, and the smaller patch wins below;
3. no repair anti-pattern before one (antipatterns.py: a deleted return, a constant condition, a
   constant returned instead of a computation...), which tests cannot tell from a fix;
4. the fewest calls made by the passing tests whose outcome it changes, where that was measured
   (behaviour.py: a correct patch keeps what the passing tests do alike), measured ahead of any
   not measured;
5. the smallest change to the program's AST, then the one that leaves it smallest, then the
   fewest edits;
6. the highest score the agent gave it (for the builtin agent: line suspiciousness x template
   prior);
7. the changed lines that read most like the project's own code (naturalness.py), where the
   first one tried used to win. Ordering every single mutation at the faulty lines of the
   benchmark corpora, naturalness ahead of the score put the oracle in the top three for fewer
   bugs than behind it (own corpus 15 vs 21 of 102, mutants 9 vs 12 of 25), so it decides what
   the score leaves tied: two operators on one line, an agent that gives no score;
8. the one tried first.
Where a piece of evidence is silent (no base, no anti-pattern either way, no model), the next one
decides, so the order is the old one. `why_first` says which key put the best ahead.
"""

from __future__ import annotations

import ast
import functools
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol

from ..models import Candidate, Outcome, Verdict
from .antipatterns import antipatterns


class Naturalness(Protocol):
    """How surprising a candidate's changed lines are (naturalness.ProjectNaturalness)."""

    def bits_per_token(self, candidate: Candidate) -> float | None: ...


class Restoration(Protocol):
    """How many changed lines a candidate puts back as the base had them (changes.BaseRestoration)."""

    def lines_restored(self, candidate: Candidate) -> int: ...


@dataclass(frozen=True)
class Evidence:
    """What ranked an outcome, beyond its verdict."""

    fixed: int
    antipatterns: tuple[str, ...]
    ast_change: int
    bits_per_token: float | None  # None: no model, or no token changed
    edits: int
    score: float
    changed_calls: int | None = None  # None: not measured
    restored: int = 0  # lines of the change since the base it puts back as they were
    ast_growth: int = 0  # AST subtrees it adds less those it removes

    def as_json(self) -> dict[str, Any]:
        return {"restored": self.restored, "antipatterns": list(self.antipatterns),
                "ast_change": self.ast_change, "ast_growth": self.ast_growth,
                "bits_per_token": self.bits_per_token,
                "changed_calls": self.changed_calls}

    def key(self) -> tuple[int, int, bool, float, int, int, int, float, float]:
        surprise = math.inf if self.bits_per_token is None else self.bits_per_token
        changed = math.inf if self.changed_calls is None else self.changed_calls
        return (-self.fixed, not self.restored, bool(self.antipatterns), changed, self.ast_change,
                self.ast_growth,
                self.edits, -self.score, surprise)


def ast_change(candidate: Candidate) -> tuple[int, int]:
    """(size, growth) of the change to the AST. Size: how many subtrees differ between the files
    before and after the whole candidate, the more of those it removes or those it adds, so that
    a node replaced counts as one, as one wrapped or taken out does (`age > max_age` for `age <
    max_age` is no bigger a change than `not age < max_age`; counted both ways, it was). Growth:
    the subtrees it adds less those it removes: of two changes as small, the one that leaves the
    program smaller (`age > max_age`, not `not age < max_age`; `ranked[:n]`, not
    `ranked[:n - 0]`)."""
    size = growth = 0
    for before_text, after_text in candidate.file_changes.values():
        before, after = _subtrees(before_text), _subtrees(after_text)
        removed, added = sum((before - after).values()), sum((after - before).values())
        size, growth = size + max(removed, added), growth + added - removed
    return size, growth


@functools.lru_cache(maxsize=16)  # the "before" side is the same file for every candidate
def _subtrees(source: str) -> Counter[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return Counter()
    return Counter(ast.dump(node) for node in ast.walk(tree)
                   if isinstance(node, ast.expr | ast.stmt))


def evidence(outcome: Outcome, naturalness: Naturalness | None = None,
             behaviour: Mapping[Candidate, int] = MappingProxyType({}),
             restoration: Restoration | None = None) -> Evidence:
    candidate = outcome.candidate
    size, growth = ast_change(candidate)
    return Evidence(
        fixed=len(outcome.fixed), antipatterns=antipatterns(candidate),
        ast_change=size, ast_growth=growth,
        bits_per_token=naturalness.bits_per_token(candidate) if naturalness else None,
        edits=len(candidate.edits), score=candidate.score,
        changed_calls=behaviour.get(candidate),
        restored=restoration.lines_restored(candidate) if restoration else 0,
    )


def judged(outcomes: Sequence[Outcome], verdict: Verdict = Verdict.PLAUSIBLE,
           naturalness: Naturalness | None = None, shortlist: int | None = None,
           behaviour: Mapping[Candidate, int] = MappingProxyType({}),
           restoration: Restoration | None = None) -> list[tuple[Outcome, Evidence]]:
    """The outcomes of `verdict` (plausible, or the partial ones), best first, with their
    evidence (`behaviour`: the calls each changes, behaviour.py, where measured; `restoration`:
    the lines of the recent change each puts back); the model
    is asked only when there is a choice to make. With `shortlist`, only
    that many are weighed, those fixing the most failing tests, in the order tried: the
    evidence parses each candidate's files whole, which for a hundred partial fixes of a large
    module took longer than the time budget had left."""
    chosen = [o for o in outcomes if o.verdict is verdict]
    if shortlist is not None:
        chosen = sorted(chosen, key=lambda o: -len(o.fixed))[:shortlist]
    model = naturalness if len(chosen) > 1 else None
    scored = [(i, o, evidence(o, model, behaviour, restoration)) for i, o in enumerate(chosen)]
    scored.sort(key=lambda item: (*item[2].key(), item[0]))
    return [(o, e) for _, o, e in scored]


def ranked(outcomes: Sequence[Outcome], verdict: Verdict = Verdict.PLAUSIBLE,
           naturalness: Naturalness | None = None, shortlist: int | None = None,
           behaviour: Mapping[Candidate, int] = MappingProxyType({}),
           restoration: Restoration | None = None) -> list[Outcome]:
    """The outcomes of `verdict`, best first (see `judged`)."""
    return [o for o, _ in judged(outcomes, verdict, naturalness, shortlist, behaviour, restoration)]


def why_first(best: Evidence, runner_up: Evidence | None) -> str:
    """Why `best` ranks ahead of `runner_up`, in words: the first key on which they differ."""
    caveat = f" (it {_and(best.antipatterns)}: review it)" if best.antipatterns else ""
    if runner_up is None:
        return "the only plausible patch" + caveat
    if best.fixed != runner_up.fixed:
        why = f"it fixes {best.fixed} failing test(s), the runner-up {runner_up.fixed}"
    elif bool(best.restored) != bool(runner_up.restored):
        why = (f"it puts back {best.restored} changed line(s) as they were before the change, the "
               f"runner-up {runner_up.restored}")
    elif best.antipatterns != runner_up.antipatterns and not best.antipatterns:
        why = f"no repair anti-pattern; the runner-up {_and(runner_up.antipatterns)}"
    elif best.changed_calls != runner_up.changed_calls and best.changed_calls is not None:
        other = "was not measured" if runner_up.changed_calls is None else f"{runner_up.changed_calls}"
        why = (f"it changes the outcome of fewer calls the passing tests make ({best.changed_calls}; "
               f"the runner-up {other})")
    elif best.ast_change != runner_up.ast_change:
        why = (f"the smaller change ({best.ast_change} AST subtrees changed, the runner-up "
               f"{runner_up.ast_change})")
    elif best.ast_growth != runner_up.ast_growth:
        why = (f"as small a change that leaves the program smaller ({best.ast_growth:+d} AST "
               f"subtrees, the runner-up {runner_up.ast_growth:+d})")
    elif best.edits != runner_up.edits:
        why = f"fewer edits ({best.edits}, the runner-up {runner_up.edits})"
    elif best.score != runner_up.score:
        why = f"the agent scored it higher ({best.score:.3g}, the runner-up {runner_up.score:.3g})"
    elif best.bits_per_token != runner_up.bits_per_token and best.bits_per_token is not None:
        other = ("no line left to score" if runner_up.bits_per_token is None
                 else f"{runner_up.bits_per_token:.2f}")
        why = (f"the changed lines read more like the project's code ({best.bits_per_token:.2f} "
               f"bits per token, the runner-up {other})")
    else:
        why = "tried first, all else equal"
    return why + caveat


def _and(phrases: Sequence[str]) -> str:
    return " and ".join(phrases)
