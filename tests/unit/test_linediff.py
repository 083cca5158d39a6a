"""Line diffs: what an edit of one version of a file into another changed."""

from pytest_selfheal.linediff import differing_lines, edited_lines, lines_apart


def test_lines_apart_counts_a_replacement_once():
    assert lines_apart(["a", "b", "c"], ["a", "B", "c"]) == 1
    assert lines_apart(["a", "b", "c"], ["a", "c"]) == 1
    assert lines_apart(["a"], ["a", "b", "c"]) == 2
    assert lines_apart(["x", "a", "x"], ["x", "b", "c", "x"]) == 2


def test_the_lines_both_versions_share_at_either_end_are_left_out():
    assert differing_lines(["a", "b", "c", "d"], ["a", "B", "C", "d"]) == (1, 3, 3)
    assert differing_lines(["a", "a"], ["a", "a", "a"]) == (2, 2, 3)
    assert differing_lines(["a"], ["a"]) == (1, 1, 1)


def test_edited_lines_are_the_new_ones_or_the_line_after_a_deletion():
    before = "a = 1\nb = 2\nc = 3\n"
    assert edited_lines(before, "a = 1\nb = 5\nc = 3\n") == {2}
    assert edited_lines(before, "a = 1\nc = 3\n") == {2}
    assert edited_lines(before, "a = 1\nb = 2\nb = 4\nc = 3\n") == {3}
