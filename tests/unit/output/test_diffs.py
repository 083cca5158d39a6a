"""The diff of a candidate: one section per file, from its first `before` to its last `after`."""

from pytest_selfheal.models import Candidate, Edit
from pytest_selfheal.output.diffs import combined_diff


def test_combined_diff_folds_edits_of_one_file():
    edits = [Edit("m.py", "a\n", "b\n", "1"), Edit("m.py", "b\n", "c\n", "2")]
    diff = combined_diff(Candidate(tuple(edits)))
    assert diff.count("diff --git") == 1
    assert "-a\n+c\n" in diff
