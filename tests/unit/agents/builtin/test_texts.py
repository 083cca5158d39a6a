from pathlib import Path

import libcst as cst
import pytest

from pytest_selfheal.agents.builtin.agent import Analyses, RankedMutations
from pytest_selfheal.agents.builtin.clues import Clues
from pytest_selfheal.agents.builtin.priors import PRIORS
from pytest_selfheal.agents.builtin.sites import mutations
from pytest_selfheal.agents.builtin.texts import compared_texts, edited_like
from pytest_selfheal.models import Failure, Suspect

# What pytest 8 says for `assert "isodate.Duration(10, months=10)" == repr(d)`, first line cut.
PYTEST = ("assert 'isodate.Dur...months=10)' == 'XXisodate.D...months=10)XX'\n  \n"
          "  - XXisodate.Duration(10, months=10)XX\n  ? --                              --\n"
          "  + isodate.Duration(10, months=10)")
# What unittest's assertEqual says for two one-line strings.
UNITTEST = "'1 month, 0:00:00' != '1 months, 0:00:00'\n- 1 month, 0:00:00\n+ 1 months, 0:00:00\n?        +\n"


def failed(message: str) -> Failure:
    return Failure("tests/test_m.py::test_it", "call", "AssertionError", message)


def test_the_compared_texts_are_read_from_pytest_and_unittest_diffs():
    assert compared_texts([failed(PYTEST), failed(UNITTEST)]) == (
        ("XXisodate.Duration(10, months=10)XX", "isodate.Duration(10, months=10)"),
        ("1 month, 0:00:00", "1 months, 0:00:00"))


def test_unlike_texts_and_lines_without_a_partner_are_not_compared():
    assert compared_texts([failed("- abcdef\n+ uvwxyz\n")]) == ()
    assert compared_texts([failed("- abcdef\n  context\n+ abcdeg\n")]) == ()
    assert compared_texts([failed("assert 3 == 4")]) == ()


@pytest.mark.parametrize(("literal", "before", "after", "edited"), [
    ("XX%s(%d)XX", "XXa(1)XX", "a(1)", "%s(%d)"),  # at both ends of a template of the text
    ("%d month", "3 month", "3 months", "%d months"),  # an insertion at the end
    ("a, b", "a, b", "a,b", "a,b"),  # the literal is the text
    ("%s; %s", "x; y", "x: y", "%s: %s"),  # placed by the unchanged text beside it
    ("%s-%s", "x; y", "x: y", None),  # the literal does not hold what changed
    ("%s(%d)", "a(1)", "Xa(1)", None),  # an insertion before text the literal does not start with
])
def test_a_literal_is_edited_as_the_texts_differ(literal: str, before: str, after: str,
                                                  edited: str | None):
    assert edited_like(literal, before, after) == edited


SOURCE = '''def describe(months):
    fmt = "%d month"
    return fmt % months
'''


def test_the_template_edits_a_literal_off_the_suspect_lines_either_way_round():
    """Only line 3 is suspect: the literal holding the compared text is found on line 2."""
    module = cst.parse_module(SOURCE)
    for pair in (("2 month", "2 months"), ("2 months", "2 month")):
        clues = Clues(compared_texts=(pair,))
        found = [(m.line, m.suspect_line, m.description)
                 for m in mutations(module, frozenset({3}), clues) if m.template == "compared-text"]
        assert found == [(2, None, '`"%d month"` -> `"%d months"`')]
    assert not [m for m in mutations(module, frozenset({3})) if m.template == "compared-text"]


def test_an_edit_the_failures_place_takes_the_file_s_best_suspect_score(tmp_path: Path):
    (tmp_path / "m.py").write_text(SOURCE + "\n\ndef unused():\n    return 'x'\n")
    suspects = (Suspect("m.py", 3, "describe", 0.9), Suspect("m.py", 7, "unused", 0.1))
    clues = Clues(compared_texts=(("2 month", "2 months"),))
    ranked = RankedMutations(tmp_path, suspects, PRIORS, Analyses(), clues=clues)
    edit = next(item for item in ranked if item.mutation.template == "compared-text")
    assert edit.score == pytest.approx(0.9 * PRIORS["compared-text"])
    assert (edit.mutation.line, edit.function) == (2, "describe")
