"""Suspect scores, in one place: the blend of what localize measured with the changed lines, each
failure's error location, and the lift for changed lines a failing test ran."""

from pathlib import Path

from helpers import SAMPLE_SOURCE, sample_spectrum, under_tests

from pytest_selfheal.heal.changes import ChangedLines
from pytest_selfheal.heal.localize import Signals, measure, ochiai, ranked_functions
from pytest_selfheal.heal.signature import Signature
from pytest_selfheal.heal.suspects import CHANGE_BOOST, Weights, blend, rank_suspects
from pytest_selfheal.heal.triage import CausalLink, FailureTriage, Triage
from pytest_selfheal.models import Failure, Frame, Spectrum

NOTHING_CHANGED = ChangedLines("HEAD~1", "HEAD~1", frozenset())
DEFAULT = Weights()


def suspects(root, failures=(), *, spectrum=None, changed=NOTHING_CHANGED, weights=DEFAULT):
    signals = measure(spectrum or sample_spectrum(), failures, root=root, is_test_file=under_tests,
                      changed=changed)
    return blend(signals, root=root, weights=weights)


def triage_of(failures, changed=NOTHING_CHANGED, linked=frozenset()):
    verdicts = tuple(
        FailureTriage(f.nodeid, "deterministic", {}, Signature("k", "t"), "no baseline", None, "",
                      CausalLink(False, False, "high", ()), True, "")
        for f in failures)
    return Triage(failures=verdicts, changed=changed, history_runs=0, linked=frozenset(linked))


def test_the_uniquely_failing_line_ranks_first(tmp_path: Path):
    (tmp_path / "m.py").write_text(SAMPLE_SOURCE)
    ranked = suspects(tmp_path)
    assert (ranked[0].path, ranked[0].line, ranked[0].function) == ("m.py", 8, "inner")
    assert all(not s.path.startswith("tests/") for s in ranked)
    assert "run by 1 failing and 0 passing tests" in ranked[0].evidence[0]


def test_traceback_frames_lift_lines(tmp_path: Path):
    """Given a weight (the fitted default gives the traceback none: on the corpus it only
    repeated what the spectrum said)."""
    (tmp_path / "m.py").write_text(SAMPLE_SOURCE)
    failure = Failure("tests/test_m.py::test_fail", "call", "ValueError", "boom",
                      frames=(Frame("tests/test_m.py", 5, "test_fail"), Frame("m.py", 3, "outer"),
                              Frame("m.py", 2, "outer")))
    ranked = [s.line for s in suspects(tmp_path, [failure], weights=Weights(traceback=0.25))]
    assert ranked.index(2) < ranked.index(3) < ranked.index(7)


def test_frames_order_lines_and_functions_that_tie_even_with_no_weight(tmp_path: Path):
    """No coverage (the failure came during import): every score is 0, the frames decide."""
    (tmp_path / "m.py").write_text(SAMPLE_SOURCE)
    failure = Failure("tests/test_m.py", "collect", "NameError", "boom",
                      frames=(Frame("tests/test_m.py", 1, "<module>"), Frame("m.py", 8, "inner"),
                              Frame("m.py", 2, "outer"), Frame("m.py", 3, "outer")))
    ranked = suspects(tmp_path, [failure], spectrum=Spectrum(covered={}, outcomes={}))
    assert [(s.function, s.line) for s in ranked] == [("outer", 3), ("outer", 2), ("inner", 8)]
    assert {s.score for s in ranked} == {0.0}


def test_functions_rank_before_lines(tmp_path: Path):
    """Every line of the best function comes before any line of the next one."""
    (tmp_path / "m.py").write_text(SAMPLE_SOURCE)
    ranked = suspects(tmp_path)
    functions = [s.function for s in ranked]
    assert functions == sorted(functions, key=functions.index)  # grouped
    assert ranked_functions(ranked)[0] == ("m.py", "inner")


LONG_AND_SHORT = """\
def long(x):
    a = x
    b = a
    c = b
    return c


def short(x):
    return -x
"""


def test_the_lines_kept_are_the_best_scored_not_the_first_functions_lines(tmp_path: Path):
    """A faulty line that many passing tests also run (a comparison helper everything calls)
    scores below the best line of a long function but above its other lines: a limit must
    keep it, and drop the long function's weaker lines instead."""
    (tmp_path / "m.py").write_text(LONG_AND_SHORT)
    spectrum = {("m.py", 2): (0.6, 2, 1), ("m.py", 3): (0.2, 1, 20), ("m.py", 4): (0.2, 1, 20),
                ("m.py", 5): (0.2, 1, 20), ("m.py", 9): (0.4, 2, 23)}
    signals = Signals(spectrum, {}, NOTHING_CHANGED)
    kept = blend(signals, root=tmp_path, limit=3)
    assert [(s.function, s.line) for s in kept] == [("long", 2), ("long", 3), ("short", 9)]


def test_changed_lines_lift_a_line_and_name_their_base(tmp_path: Path):
    (tmp_path / "m.py").write_text(SAMPLE_SOURCE)
    without = {s.line: s.score for s in suspects(tmp_path)}
    changed = ChangedLines("0123456789abcdef", "the last green commit", frozenset({("m.py", 2)}))
    line2 = next(s for s in suspects(tmp_path, changed=changed) if s.line == 2)
    assert line2.score > without[2]
    assert "changed since the last green commit 0123456789ab" in line2.evidence


def test_weights_decide_what_the_blend_trusts(tmp_path: Path):
    """With the spectrum silenced, the traceback alone orders the lines."""
    (tmp_path / "m.py").write_text(SAMPLE_SOURCE)
    failure = Failure("tests/test_m.py::test_fail", "call", "ValueError", "boom",
                      frames=(Frame("m.py", 3, "outer"), Frame("m.py", 9, "inner")))
    default = suspects(tmp_path, [failure])
    frames_only = suspects(tmp_path, [failure], weights=Weights(
        spectrum=0.0, traceback=1.0, changed=0.0, function_share=0.0))
    assert default[0].line == 8
    scores = {s.line: s.score for s in frames_only}
    assert frames_only[0].line == 9
    assert scores[9] == 1.0 and scores[3] == 0.5 and scores[8] == 0.0


def test_blend_is_pure_on_signals_measured_once(tmp_path: Path):
    (tmp_path / "m.py").write_text(SAMPLE_SOURCE)
    signals = Signals(ochiai(sample_spectrum(), under_tests), {},
                      ChangedLines("HEAD", "HEAD", frozenset({("m.py", 2)})))
    lifted = blend(signals, root=tmp_path, weights=Weights(changed=1.0))
    assert lifted[0].line == 2 and "changed since HEAD" in lifted[0].evidence
    assert blend(signals, root=tmp_path, weights=Weights(changed=0.0))[0].line == 8


def test_a_changed_line_a_failing_test_ran_is_lifted_once_more(tmp_path: Path):
    (tmp_path / "m.py").write_text(SAMPLE_SOURCE)
    changed = ChangedLines("HEAD", "HEAD", frozenset({("m.py", 7)}))
    signals = measure(sample_spectrum(), [], root=tmp_path, is_test_file=under_tests, changed=changed)
    blended = blend(signals, root=tmp_path)
    plain = {s.line: s for s in rank_suspects(blended, triage_of([]), [], tmp_path, tmp_path, under_tests)}
    linked = {s.line: s for s in rank_suspects(blended, triage_of([], changed, {("m.py", 7)}), [],
                                               tmp_path, tmp_path, under_tests)}
    assert linked[7].score == round(plain[7].score + CHANGE_BOOST, 4)
    assert "a failing test ran this changed line" in linked[7].evidence
    assert linked[8].score == plain[8].score


def test_a_repaired_failure_adds_its_error_location_with_the_error_as_evidence(tmp_path: Path):
    (tmp_path / "m.py").write_text(SAMPLE_SOURCE)
    failure = Failure("tests/test_m.py::test_fail", "call", "ZeroDivisionError", "division by zero",
                      frames=(Frame("tests/test_m.py", 5, "test_fail"), Frame("m.py", 14, "Box.size")))
    signals = measure(sample_spectrum(), [failure], root=tmp_path, is_test_file=under_tests,
                      changed=NOTHING_CHANGED)
    blended = blend(signals, root=tmp_path)
    ranked = rank_suspects(blended, triage_of([failure]), [failure], tmp_path, tmp_path, under_tests)
    located = next(s for s in ranked if s.line == 14)
    assert located.function == "Box.size"
    assert located.evidence == ("traceback frame #1 from the innermost",
                                "raises ZeroDivisionError: division by zero")
    held = rank_suspects(blended, triage_of([]), [failure], tmp_path, tmp_path, under_tests)
    held_14 = next(s for s in held if s.line == 14)  # a failure triage did not repair adds nothing
    assert held_14.evidence == ("traceback frame #1 from the innermost",)


def test_a_collection_error_outside_the_spectrum_becomes_a_top_suspect(tmp_path: Path):
    (tmp_path / "m.py").write_text(SAMPLE_SOURCE)
    failure = Failure("tests/test_m.py", "collect", "NameError", "name 'x' is not defined",
                      frames=(Frame("tests/test_m.py", 1, "<module>"), Frame("m.py", 11, "<module>")))
    signals = measure(Spectrum(covered={}, outcomes={}), [], root=tmp_path, is_test_file=under_tests,
                      changed=NOTHING_CHANGED)
    ranked = rank_suspects(blend(signals, root=tmp_path), triage_of([failure]), [failure], tmp_path,
                           tmp_path, under_tests)
    assert (ranked[0].line, ranked[0].score) == (11, 1.0)
    assert ranked[0].evidence == ("raises NameError: name 'x' is not defined",
                                  "stops collection of tests/test_m.py")


STAMPER = """\
def make_stamper(utc):
    def local():
        return "local"

    def universal():
        return "utc"

    if not utc:
        return universal
    return local
"""


def test_the_condition_that_chose_a_branch_only_failing_tests_ran_ranks_with_it(tmp_path: Path):
    """structlog's `_make_stamper` with `if utc:` negated: the failing test ran the local
    stamper's lines and the return after the condition, no passing test did; the condition
    itself, run by passing tests too, ranked below them, and the first plausible patch returned
    the other stamper after it."""
    (tmp_path / "stamps.py").write_text(STAMPER)
    failing, passing = "tests/test_s.py::test_utc", "tests/test_s.py::test_local"
    spectrum = Spectrum(covered={failing: frozenset({("stamps.py", n) for n in (1, 2, 5, 8, 10, 3)}),
                                 passing: frozenset({("stamps.py", n) for n in (1, 2, 5, 8, 9, 6)})},
                        outcomes={failing: "failed", passing: "passed"})
    ranked = {s.line: s for s in suspects(tmp_path, spectrum=spectrum)}
    assert ranked[10].score == ranked[3].score > ranked[8].score
    assert ranked[8].score > ranked[1].score
    assert ranked[8].evidence[-1] == "decides whether line 10 runs, which only failing tests ran"
    # without the share, the condition ranks with the lines both tests ran
    plain = {s.line: s.score for s in suspects(tmp_path, spectrum=spectrum, weights=Weights(deciding=0.0))}
    assert plain[8] == plain[1] < plain[10]
