"""Why a search found nothing, told from its suspects and the verdict of every candidate."""

import pytest

from pytest_selfheal.heal.diagnosis import why_not_found
from pytest_selfheal.models import Candidate, Edit, Outcome, Suspect, Verdict

SUSPECTS = tuple(Suspect("calc.py", line, "add", 1.0 - line / 10) for line in (2, 3, 5))
TARGETS = ("test_calc.py::test_a", "test_calc.py::test_b")


def outcome(verdict: Verdict, line: int = 2, fixed: tuple[str, ...] = (), detail: str = "") -> Outcome:
    edit = Edit("calc.py", "a", "b", f"calc.py:{line}: `-` -> `+`", line=line)
    return Outcome(Candidate((edit,)), verdict, 0.1, fixed=fixed, detail=detail)


@pytest.mark.parametrize(("suspects", "outcomes", "stop", "says"), [
    ((), [], "no candidate left to try", "not localized"),
    (SUSPECTS, [], "no candidate left to try; could not search calc.py: bad",
     "no candidate reached the suspect lines (no candidate left to try; could not search calc.py: bad)"),
    (SUSPECTS, [outcome(Verdict.REJECTED, detail="policy: max-changed-lines: 12 > 10")] * 3,
     "no candidate left to try", 'all 3 candidates were rejected by the policy, most by "max-changed-lines" (3)'),
    (SUSPECTS, [outcome(Verdict.INVALID)], "no candidate left to try", "none of the 1 candidates compiled"),
    (SUSPECTS, [outcome(Verdict.STILL_FAILING), outcome(Verdict.STILL_FAILING, fixed=TARGETS[:1])],
     "no candidate left to try", "only partial fixes: the best made 1 of 2 failing tests pass"),
    (SUSPECTS, [outcome(Verdict.BREAKS_OTHERS, fixed=TARGETS)], "no candidate left to try",
     "1 candidate(s) made the failing tests pass but broke others"),
    (SUSPECTS, [outcome(Verdict.STILL_FAILING, line=3)], "time budget spent",
     "time budget spent after 1 judged candidate(s), the last edits at suspect rank 2 of 3; "
     "try a larger --selfheal-time-budget"),
    (SUSPECTS, [outcome(Verdict.STILL_FAILING, line=5)], "no candidate left to try",
     "no candidate at the 3 most suspect line(s) made a failing test pass"),
])
def test_each_way_a_search_ends_empty_is_told_apart(suspects, outcomes, stop, says):
    assert says in why_not_found(suspects, outcomes, stop, TARGETS, "builtin")


def test_it_suggests_another_agent_and_never_the_one_that_just_ran():
    builtin = why_not_found(SUSPECTS, [outcome(Verdict.STILL_FAILING)], "exhausted", TARGETS, "builtin")
    claude = why_not_found(SUSPECTS, [outcome(Verdict.STILL_FAILING)], "exhausted", TARGETS, "claude")
    assert builtin.endswith("try --selfheal-agent claude")
    assert "--selfheal-agent claude" not in claude and "--selfheal-time-budget" in claude


def test_tests_whose_parametrized_ids_moved_are_told_apart_from_tests_never_collected():
    from pytest_selfheal.heal.diagnosis import reordered_parameters

    seen = ["tests/test_date.py::test_parse[4-1985-expected6-%Y]", "tests/test_date.py::test_other"]

    moved = reordered_parameters(["tests/test_date.py::test_parse[4-1985-expected7-%Y]"], seen)

    assert moved.startswith("the parametrized ids of tests/test_date.py::test_parse[4-1985-expected7")
    assert "sorted(...)" in moved
    assert reordered_parameters(["tests/test_gone.py::test_parse[1]"], seen) == ""
    assert reordered_parameters(["tests/test_date.py::test_missing"], seen) == ""
