"""Ochiai over a spectrum, traceback blending, and mapping lines to functions."""

import math
from pathlib import Path

from pytest_selfheal.heal.localize import (
    Signals,
    Weights,
    blend,
    changed_lines,
    enclosing_function,
    localize,
    make_test_file_predicate,
    ochiai,
    ranked_functions,
)
from pytest_selfheal.models import Failure, Frame, Spectrum

SOURCE = """\
def outer(x):
    y = x + 1
    return inner(y)


def inner(y):
    if y > 3:
        return y * 2
    return y


class Box:
    def size(self):
        return 1
"""


def make_spectrum():
    covered = {
        "tests/test_m.py::test_fail": frozenset({("m.py", 2), ("m.py", 3), ("m.py", 7), ("m.py", 8)}),
        "tests/test_m.py::test_pass1": frozenset({("m.py", 2), ("m.py", 3), ("m.py", 7), ("m.py", 9)}),
        "tests/test_m.py::test_pass2": frozenset({("m.py", 7), ("m.py", 9),
                                                   ("tests/test_m.py", 5)}),
    }
    outcomes = {"tests/test_m.py::test_fail": "failed", "tests/test_m.py::test_pass1": "passed",
                "tests/test_m.py::test_pass2": "passed"}
    return Spectrum(covered=covered, outcomes=outcomes)


def never_test(path: str) -> bool:
    return path.startswith("tests/")


def test_ochiai_scores():
    scores = ochiai(make_spectrum(), never_test)
    assert scores[("m.py", 8)] == (1.0, 1, 0)
    assert math.isclose(scores[("m.py", 2)][0], 1 / math.sqrt(2))
    assert math.isclose(scores[("m.py", 7)][0], 1 / math.sqrt(3))
    assert ("m.py", 9) not in scores  # never run by a failing test


def test_localize_ranks_the_uniquely_failing_line_first(tmp_path: Path):
    (tmp_path / "m.py").write_text(SOURCE)
    suspects = localize(make_spectrum(), [], root=tmp_path, is_test_file=never_test)
    assert (suspects[0].path, suspects[0].line, suspects[0].function) == ("m.py", 8, "inner")
    assert all(not s.path.startswith("tests/") for s in suspects)
    assert "run by 1 failing and 0 passing tests" in suspects[0].evidence[0]


def test_traceback_frames_lift_lines(tmp_path: Path):
    """Given a weight (the fitted default gives the traceback none: on the corpus it only
    repeated what the spectrum said)."""
    (tmp_path / "m.py").write_text(SOURCE)
    failure = Failure("tests/test_m.py::test_fail", "call", "ValueError", "boom",
                      frames=(Frame("tests/test_m.py", 5, "test_fail"), Frame("m.py", 3, "outer"),
                              Frame("m.py", 2, "outer")))
    suspects = localize(make_spectrum(), [failure], root=tmp_path, is_test_file=never_test,
                        weights=Weights(traceback=0.25))
    ranked = [(s.line) for s in suspects]
    assert ranked.index(2) < ranked.index(3) < ranked.index(7)


def test_frames_order_lines_and_functions_that_tie_even_with_no_weight(tmp_path: Path):
    """No coverage (the failure came during import): every score is 0, the frames decide."""
    (tmp_path / "m.py").write_text(SOURCE)
    failure = Failure("tests/test_m.py", "collect", "NameError", "boom",
                      frames=(Frame("tests/test_m.py", 1, "<module>"), Frame("m.py", 8, "inner"),
                              Frame("m.py", 2, "outer"), Frame("m.py", 3, "outer")))
    empty = Spectrum(covered={}, outcomes={})
    suspects = localize(empty, [failure], root=tmp_path, is_test_file=never_test)
    assert [(s.function, s.line) for s in suspects] == [("outer", 3), ("outer", 2), ("inner", 8)]
    assert {s.score for s in suspects} == {0.0}


def test_enclosing_function(tmp_path: Path):
    path = tmp_path / "m.py"
    path.write_text(SOURCE)
    assert enclosing_function(path, 8) == "inner"
    assert enclosing_function(path, 14) == "Box.size"
    assert enclosing_function(path, 11) == "<module>"


def test_test_file_predicate():
    is_test = make_test_file_predicate(["test_*.py", "check_*.py"], {"suite/cases.py"})
    assert is_test("tests/test_x.py")
    assert is_test("tests/check_y.py")
    assert is_test("pkg/conftest.py")
    assert is_test("suite/cases.py")
    assert not is_test("pkg/testing_utils.py")


def test_functions_rank_before_lines(tmp_path: Path):
    """Every line of the best function comes before any line of the next one."""
    (tmp_path / "m.py").write_text(SOURCE)
    suspects = localize(make_spectrum(), [], root=tmp_path, is_test_file=never_test)
    functions = [s.function for s in suspects]
    assert functions == sorted(functions, key=functions.index)  # grouped
    assert ranked_functions(suspects)[0] == ("m.py", "inner")


def _repo(path: Path) -> Path:
    from helpers import init_repo

    (path / "m.py").write_text(SOURCE)
    return init_repo(path)


def test_changed_lines_reads_the_uncommitted_diff(tmp_path: Path):
    repo = _repo(tmp_path)
    assert changed_lines(repo) == frozenset()  # one commit, no parent, clean tree
    (repo / "m.py").write_text(SOURCE.replace("y = x + 1", "y = x + 2"))
    assert changed_lines(repo) == {("m.py", 2)}


def test_changed_lines_falls_back_to_the_last_commit_and_marks_deletions(tmp_path: Path):
    from helpers import git

    repo = _repo(tmp_path)
    (repo / "m.py").write_text(SOURCE.replace("    if y > 3:\n", "    if y > 4:\n")
                               .replace("    return y\n\n\nclass", "\n\nclass"))
    git(repo, "commit", "-qam", "edit")
    assert changed_lines(repo) == {("m.py", 7), ("m.py", 8), ("m.py", 9)}  # 8-9 flank the cut


def test_changed_lines_lift_a_line_and_say_so(tmp_path: Path):
    repo = _repo(tmp_path)
    (repo / "m.py").write_text(SOURCE.replace("y = x + 1", "y = x + 2"))
    spectrum = make_spectrum()
    without = {s.line: s.score for s in localize(spectrum, [], root=tmp_path / "none",
                                                 is_test_file=never_test)}
    with_diff = localize(spectrum, [], root=repo, is_test_file=never_test)
    line2 = next(s for s in with_diff if s.line == 2)
    assert line2.score > without[2]
    assert "changed since the last commit" in line2.evidence


def test_weights_decide_what_the_blend_trusts(tmp_path: Path):
    """With the spectrum silenced, the traceback alone orders the lines."""
    (tmp_path / "m.py").write_text(SOURCE)
    failure = Failure("tests/test_m.py::test_fail", "call", "ValueError", "boom",
                      frames=(Frame("m.py", 3, "outer"), Frame("m.py", 9, "inner")))
    default = localize(make_spectrum(), [failure], root=tmp_path, is_test_file=never_test)
    frames_only = localize(make_spectrum(), [failure], root=tmp_path, is_test_file=never_test,
                           weights=Weights(spectrum=0.0, traceback=1.0, changed=0.0, function_share=0.0))
    assert default[0].line == 8
    scores = {s.line: s.score for s in frames_only}
    assert frames_only[0].line == 9
    assert scores[9] == 1.0 and scores[3] == 0.5 and scores[8] == 0.0


def test_blend_is_localize_on_signals_measured_once(tmp_path: Path):
    (tmp_path / "m.py").write_text(SOURCE)
    signals = Signals(ochiai(make_spectrum(), never_test), {}, frozenset({("m.py", 2)}))
    lifted = blend(signals, root=tmp_path, weights=Weights(changed=1.0))
    assert lifted[0].line == 2 and "changed since the last commit" in lifted[0].evidence
    assert blend(signals, root=tmp_path, weights=Weights(changed=0.0))[0].line == 8
