"""Held-back tests for gradebook: other rows, drop counts, ties and percentiles."""

import pytest
from gradebook import Student, curve, final_score, letter, parse_rows, percentile, ranking, report


def test_parse_rows_more():
    students = parse_rows("  # comment with leading spaces\n\ndee ,  75 , late  \ndee,85,on time\n"
                          "dee,65,late\n")
    assert list(students) == ["dee"]
    assert students["dee"].scores == [75.0, 85.0, 65.0]
    assert students["dee"].late == 2


def test_line_numbers_count_blank_and_comment_lines():
    with pytest.raises(ValueError, match="line 4"):
        parse_rows("\n# c\nann,1\nbad\n")


def test_best_more():
    s = Student("s", [60.0, 80.0, 70.0])
    assert s.best(5) == [80.0, 70.0, 60.0]
    assert s.best(0) == []
    assert s.best(1) == [80.0]
    assert s.scores == [60.0, 80.0, 70.0]


def test_final_score_options():
    s = Student("s", [50.0, 90.0, 70.0, 80.0], late=1)
    assert final_score(s, drop_lowest=0) == 70.5
    assert final_score(s, drop_lowest=2) == 83.0
    assert final_score(s, drop_lowest=9) == 88.0
    assert final_score(s, late_penalty=0.0) == 80.0
    assert final_score(Student("e")) == 0.0
    assert final_score(Student("one", [40.0])) == 40.0


@pytest.mark.parametrize(("score", "grade"), [(100, "A"), (80, "B"), (79.99, "C"), (69.5, "D"),
                                              (0, "F"), (60.0, "D")])
def test_letter_more(score, grade):
    assert letter(score) == grade


def test_curve_more():
    assert curve({"a": 90.0, "b": 70.0}, 70.0) == {"a": 80.0, "b": 60.0}
    assert curve({"a": 95.0, "b": 99.0}, 110.0) == {"a": 100.0, "b": 100.0}
    assert curve({"solo": 50.0}, 65.0) == {"solo": 65.0}


def test_ranking_more():
    assert ranking({}) == []
    assert ranking({"x": 1.0, "y": 3.0, "z": 2.0}) == [(1, "y"), (2, "z"), (3, "x")]
    assert ranking({"b": 5.0, "a": 5.0, "c": 5.0}) == [(1, "a"), (1, "b"), (1, "c")]
    assert ranking({"a": 9.0, "b": 7.0, "c": 7.0, "d": 7.0, "e": 1.0}) == [
        (1, "a"), (2, "b"), (2, "c"), (2, "d"), (5, "e")]


def test_percentile_more():
    assert percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.25) == 2.0
    assert percentile([0.0, 10.0], 0.1) == 1.0
    assert percentile([30.0, 10.0, 20.0, 40.0], 0.5) == 25.0
    assert percentile([5.0, 1.0], 0.75) == 4.0
    with pytest.raises(ValueError):
        percentile([], 0.5)


def test_report_with_a_tie():
    rows = "a,90\na,80\nb,90\nb,80\nc,50\nc,40\n"
    assert report(parse_rows(rows)) == ["1. a 90.0 A", "1. b 90.0 A", "3. c 50.0 F"]
