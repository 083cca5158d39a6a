"""Which plausible patch goes into fix.diff: most fixed, smallest AST change, fewest edits,
highest score, first found."""

from pytest_selfheal.heal.ranking import ast_change_size, ranked
from pytest_selfheal.models import Candidate, Edit, Outcome, Verdict

BEFORE = "def f(n):\n    return n > 2\n"


def outcome(after: str, verdict: Verdict = Verdict.PLAUSIBLE, fixed: int = 1,
            edits: int = 1, score: float = 0.0) -> Outcome:
    edit = Edit(path="m.py", before=BEFORE, after=after, description=after.split("return ")[1])
    return Outcome(Candidate(edits=(edit,) * edits, score=score), verdict, 0.1,
                   fixed=tuple(f"t{i}" for i in range(fixed)))


def test_ast_change_size_counts_changed_subtrees():
    operator_only = outcome("def f(n):\n    return n >= 2\n").candidate
    guarded = outcome("def f(n):\n    if n is None:\n        return None\n    return n > 2\n").candidate
    assert 0 < ast_change_size(operator_only) < ast_change_size(guarded)
    assert ast_change_size(outcome("def f(n):\n    return (n > 2)\n").candidate) == 0


def test_ranked_prefers_most_fixed_then_smallest_change_then_fewest_edits_then_first():
    bigger = outcome("def f(n):\n    return n + 0 >= 2\n")
    smaller = outcome("def f(n):\n    return n >= 2\n")
    two_edits = outcome("def f(n):\n    return n >= 2\n", edits=2)
    fixes_less = outcome("def f(n):\n    return n > 1\n", fixed=0)
    failing = outcome("def f(n):\n    return n < 2\n", verdict=Verdict.STILL_FAILING, fixed=3)
    tie = outcome("def f(n):\n    return n != 2\n")
    best_first = ranked([failing, bigger, two_edits, fixes_less, smaller, tie])
    assert best_first == [smaller, tie, two_edits, bigger, fixes_less]


def test_on_equal_changes_the_higher_score_wins_over_the_first_found():
    first = outcome("def f(n):\n    return n != 2\n", score=0.3)
    likelier = outcome("def f(n):\n    return n >= 2\n", score=0.6)
    partial = outcome("def f(n):\n    return n >= 3\n", score=0.9, fixed=0)
    assert ranked([first, partial, likelier]) == [likelier, first, partial]


def test_partial_candidates_rank_among_themselves_the_same_way():
    more = outcome("def f(n):\n    return n + 0 >= 2\n", verdict=Verdict.PARTIAL, fixed=2)
    smaller = outcome("def f(n):\n    return n >= 2\n", verdict=Verdict.PARTIAL)
    plausible = outcome("def f(n):\n    return n > 1\n")
    assert ranked([smaller, plausible, more], Verdict.PARTIAL) == [more, smaller]
    assert ranked([smaller, plausible, more]) == [plausible]
