"""Which plausible patch goes into fix.diff: most fixed, no anti-pattern, smallest AST change,
fewest edits, highest score, most natural, first found; and the words that say why."""

from pytest_selfheal.heal.ranking import Evidence, ast_change, judged, ranked, why_first
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
    assert 0 < ast_change(operator_only)[0] < ast_change(guarded)[0]
    assert ast_change(outcome("def f(n):\n    return (n > 2)\n").candidate)[0] == 0


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


def test_an_operator_replaced_is_no_bigger_a_change_than_the_comparison_wrapped_in_not():
    """itsdangerous' `if age < max_age:` (the bug) took `not age < max_age` over the released
    `age > max_age`, tried first and scored higher, for one subtree fewer. As small a change,
    the flip leaves the program smaller."""
    flipped = outcome("def f(n):\n    return n < 2\n", score=0.4)
    wrapped = outcome("def f(n):\n    return not n > 2\n", score=0.6)
    assert ast_change(flipped.candidate)[0] == ast_change(wrapped.candidate)[0]
    best_first = judged([wrapped, flipped])
    assert [o for o, _ in best_first] == [flipped, wrapped]
    assert why_first(best_first[0][1], best_first[1][1]) == (
        "as small a change that leaves the program smaller (+0 AST subtrees, the runner-up +1)")


def test_a_term_dropped_leaves_the_program_smaller_than_a_constant_made_neutral():
    """`ranked[: n - 1]` -> `ranked[: n]`, not `ranked[: n - 0]`, whatever the scores."""
    before = "def top(xs, n):\n    return xs[: n - 1]\n"

    def patched(after: str, score: float) -> Outcome:
        edit = Edit(path="m.py", before=before, after=after, description=after)
        return Outcome(Candidate(edits=(edit,), score=score), Verdict.PLAUSIBLE, 0.1, fixed=("t",))

    dropped = patched("def top(xs, n):\n    return xs[: n]\n", score=0.285)
    neutral = patched("def top(xs, n):\n    return xs[: n - 0]\n", score=0.291)
    assert ast_change(dropped.candidate)[0] == ast_change(neutral.candidate)[0]
    assert ranked([neutral, dropped]) == [dropped, neutral]


def test_partial_candidates_rank_among_themselves_the_same_way():
    more = outcome("def f(n):\n    return n + 0 >= 2\n", verdict=Verdict.PARTIAL, fixed=2)
    smaller = outcome("def f(n):\n    return n >= 2\n", verdict=Verdict.PARTIAL)
    plausible = outcome("def f(n):\n    return n > 1\n")
    assert ranked([smaller, plausible, more], Verdict.PARTIAL) == [more, smaller]
    assert ranked([smaller, plausible, more]) == [plausible]


class Bits:
    """A naturalness model that knows each patch's bits per token by its description."""

    def __init__(self, bits: dict[str, float]) -> None:
        self.bits = bits
        self.asked: list[str] = []

    def bits_per_token(self, candidate: Candidate) -> float | None:
        self.asked.append(candidate.description)
        return self.bits.get(candidate.description)


def test_an_anti_pattern_ranks_below_a_bigger_change_that_matches_none():
    constant = outcome("def f(n):\n    return True\n")  # a computation returned as a constant
    bigger = outcome("def f(n):\n    return n * 1 + 0 >= 2\n")
    assert ast_change(constant.candidate)[0] < ast_change(bigger.candidate)[0]
    best_first = judged([constant, bigger])
    assert [o for o, _ in best_first] == [bigger, constant]
    assert best_first[1][1].antipatterns == ("returns a constant instead of a computation",)
    assert why_first(best_first[0][1], best_first[1][1]) == (
        "no repair anti-pattern; the runner-up returns a constant instead of a computation")


def test_fixing_more_failing_tests_still_comes_before_any_anti_pattern():
    constant = outcome("def f(n):\n    return True\n", fixed=2)
    clean = outcome("def f(n):\n    return n >= 2\n")
    assert ranked([clean, constant]) == [constant, clean]


class PutBack:
    """A base that the patches with these descriptions restore one line of."""

    def __init__(self, *descriptions: str) -> None:
        self.descriptions = descriptions

    def lines_restored(self, candidate: Candidate) -> int:
        return int(candidate.description in self.descriptions)


def test_putting_back_the_changed_line_comes_after_the_tests_and_before_any_prior():
    restores = outcome("def f(n):\n    return True\n")  # an anti-pattern, were it not the base's
    smaller = outcome("def f(n):\n    return n >= 2\n", score=0.9)
    more = outcome("def f(n):\n    return n + 0 >= 2\n", fixed=2)
    best_first = judged([smaller, restores, more], restoration=PutBack("True\n"))
    assert [o for o, _ in best_first] == [more, restores, smaller]
    assert [e.restored for _, e in best_first] == [0, 1, 0]
    assert why_first(best_first[1][1], best_first[2][1]) == (
        "it puts back 1 changed line(s) as they were before the change, the runner-up 0 (it "
        "returns a constant instead of a computation: review it)")
    assert ranked([smaller, restores]) == [smaller, restores]  # no base: the priors decide


def test_naturalness_decides_what_size_and_score_leave_tied():
    usual = outcome("def f(n):\n    return n >= 2\n", score=0.5)
    odd = outcome("def f(n):\n    return n != 2\n", score=0.5)
    likelier = outcome("def f(n):\n    return n < 2\n", score=0.9)
    bigger = outcome("def f(n):\n    return n + 0 >= 2\n", score=0.9)
    model = Bits({"n >= 2\n": 1.5, "n != 2\n": 3.0, "n < 2\n": 4.0, "n + 0 >= 2\n": 0.1})
    best_first = judged([odd, bigger, usual, likelier], naturalness=model)
    assert [o for o, _ in best_first] == [likelier, usual, odd, bigger]
    assert why_first(best_first[1][1], best_first[2][1]) == (
        "the changed lines read more like the project's code (1.50 bits per token, the "
        "runner-up 3.00)")


def test_the_model_is_not_asked_when_there_is_no_choice():
    model = Bits({})
    only = outcome("def f(n):\n    return n >= 2\n")
    assert ranked([only, outcome("def f(n):\n    return n < 2\n", Verdict.STILL_FAILING)],
                  naturalness=model) == [only]
    assert model.asked == []


def test_a_shortlist_weighs_only_the_partial_fixes_that_fix_most_in_the_order_tried():
    tried = [outcome(f"def f(n):\n    return n > {k}\n", Verdict.PARTIAL, score=k / 10)
             for k in range(3, 9)]
    most = outcome("def f(n):\n    return n + 0 > 2\n", Verdict.PARTIAL, fixed=2)
    model = Bits({})
    best = ranked([*tried, most], Verdict.PARTIAL, model, shortlist=3)
    assert best == [most, tried[1], tried[0]]  # of the shortlist, by score
    assert len(model.asked) == 3


def test_why_first_names_the_first_key_that_differs():
    base = Evidence(fixed=2, antipatterns=(), ast_change=6, bits_per_token=2.0, edits=1, score=0.5)
    assert why_first(base, None) == "the only plausible patch"
    assert why_first(base, Evidence(1, (), 2, 1.0, 1, 0.9)) == (
        "it fixes 2 failing test(s), the runner-up 1")
    assert why_first(base, Evidence(2, (), 8, 1.0, 1, 0.9)) == (
        "the smaller change (6 AST subtrees changed, the runner-up 8)")
    assert why_first(base, Evidence(2, (), 6, 2.0, 2, 0.9)) == "fewer edits (1, the runner-up 2)"
    assert why_first(base, Evidence(2, (), 6, 1.0, 1, 0.25)) == (
        "the agent scored it higher (0.5, the runner-up 0.25)")
    assert why_first(base, base) == "tried first, all else equal"
    flagged = Evidence(2, ("deletes a return",), 6, 2.0, 1, 0.5)
    assert why_first(flagged, Evidence(2, ("deletes a raise",), 9, 2.0, 1, 0.5)) == (
        "the smaller change (6 AST subtrees changed, the runner-up 9) (it deletes a return: "
        "review it)")


def test_fewer_changed_calls_on_the_passing_tests_beat_a_smaller_change_and_are_said():
    small = outcome("def f(n):\n    return n >= 2\n")
    bigger = outcome("def f(n):\n    return n + 0 >= 2\n")
    unmeasured = outcome("def f(n):\n    return n != 2\n")
    antipattern_free_first = ranked([small, bigger, unmeasured],
                                    behaviour={small.candidate: 4, bigger.candidate: 1})
    assert antipattern_free_first == [bigger, small, unmeasured]
    assert ranked([small, bigger, unmeasured]) == [small, unmeasured, bigger]  # unmeasured: as before
    [(_, best), (_, runner_up), _] = judged([small, bigger, unmeasured],
                                            behaviour={small.candidate: 4, bigger.candidate: 1})
    assert why_first(best, runner_up) == ("it changes the outcome of fewer calls the passing "
                                          "tests make (1; the runner-up 4)")
    assert best.as_json()["changed_calls"] == 1


class PutBackLines:
    """A base that each patch puts back `lines[its text]` lines of."""

    def __init__(self, lines: dict[str, int]) -> None:
        self.lines = lines

    def lines_restored(self, candidate: Candidate) -> int:
        return self.lines.get(candidate.edits[-1].after, 0)


def test_putting_back_more_of_the_change_than_the_failure_needs_is_no_better():
    """Another hunk of the same change is the user's work: the smaller patch that puts back
    what the failure needs wins (a GitHub review suggested the module's docstring put back too)."""
    one = outcome("def f(n):\n    return n >= 2\n")
    both = outcome('"""Docs as they were."""\n\n\ndef f(n):\n    return n >= 2\n')
    best_first = judged([both, one], restoration=PutBackLines({
        one.candidate.edits[-1].after: 1, both.candidate.edits[-1].after: 2}))
    assert [o for o, _ in best_first] == [one, both]
    assert why_first(best_first[0][1], best_first[1][1]).startswith("the smaller change")
