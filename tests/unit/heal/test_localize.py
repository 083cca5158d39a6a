"""What localize measures per line: Ochiai over the spectrum and the traceback's project frames."""

import math
from pathlib import Path

from helpers import SAMPLE_SOURCE, sample_spectrum, under_tests

from pytest_selfheal.heal.changes import ChangedLines
from pytest_selfheal.heal.localize import measure, ochiai, traceback_weights
from pytest_selfheal.models import Failure, Frame


def test_ochiai_scores():
    scores = ochiai(sample_spectrum(), under_tests)
    assert scores[("m.py", 8)] == (1.0, 1, 0)
    assert math.isclose(scores[("m.py", 2)][0], 1 / math.sqrt(2))
    assert math.isclose(scores[("m.py", 7)][0], 1 / math.sqrt(3))
    assert ("m.py", 9) not in scores  # never run by a failing test
    assert all(not path.startswith("tests/") for path, _ in scores)


def test_the_innermost_project_frame_weighs_most_and_test_frames_none(tmp_path: Path):
    """A library's frame (unittest's assertEqual under a failing assertion) is no project frame,
    though its absolute path names a file: it took the innermost frame's weight."""
    root, library = tmp_path / "repo", tmp_path / "lib" / "case.py"
    for path in (root / "m.py", library):
        path.parent.mkdir(parents=True)
        path.write_text(SAMPLE_SOURCE)
    failure = Failure("tests/test_m.py::test_fail", "call", "ValueError", "boom",
                      frames=(Frame("tests/test_m.py", 5, "test_fail"), Frame("m.py", 3, "outer"),
                              Frame("m.py", 8, "inner"), Frame(str(library), 1, "assertEqual"),
                              Frame("../lib/case.py", 2, "fail")))
    assert traceback_weights([failure], under_tests, root) == {
        ("m.py", 8): (1.0, 0), ("m.py", 3): (0.5, 1)}


def test_measure_keeps_the_changed_lines_it_is_given(tmp_path: Path):
    (tmp_path / "m.py").write_text(SAMPLE_SOURCE)
    changed = ChangedLines("HEAD", "HEAD", frozenset({("m.py", 2)}))
    signals = measure(sample_spectrum(), [], root=tmp_path, is_test_file=under_tests, changed=changed)
    assert signals.changed is changed
    assert signals.spectrum == ochiai(sample_spectrum(), under_tests)
    assert signals.frames == {}
