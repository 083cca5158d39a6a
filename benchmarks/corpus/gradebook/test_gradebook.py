import pytest
from gradebook import Student, curve, final_score, letter, parse_rows, percentile, ranking, report

ROWS = """\
# name,score,late
ann, 90
bob, 70, late
ann, 100
bob, 80

cy, 60
ann, 80, late
"""


def test_parse_rows():
    students = parse_rows(ROWS)
    assert sorted(students) == ["ann", "bob", "cy"]
    assert students["ann"].scores == [90.0, 100.0, 80.0]
    assert students["ann"].late == 1
    assert students["bob"].late == 1
    assert students["cy"].late == 0
    assert parse_rows("a,1,late\na,2,late\n")["a"].late == 2


def test_parse_rows_reports_the_line_number():
    with pytest.raises(ValueError, match="line 2"):
        parse_rows("ann,1\nbroken\n")


def test_average_and_best():
    s = Student("s", [50.0, 90.0, 70.0])
    assert s.average() == 70.0
    assert s.best(2) == [90.0, 70.0]
    assert Student("e").average() == 0.0


def test_final_score_drops_lowest_and_penalizes_late():
    students = parse_rows(ROWS)
    assert final_score(students["ann"]) == 93.0
    assert final_score(students["bob"]) == 78.0
    assert final_score(students["cy"]) == 60.0
    assert final_score(Student("z", [1.0], late=3)) == 0.0


@pytest.mark.parametrize(("score", "grade"), [(95, "A"), (90, "A"), (89.9, "B"), (70, "C"),
                                              (60, "D"), (59, "F")])
def test_letter(score, grade):
    assert letter(score) == grade


def test_curve():
    assert curve({"a": 60.0, "b": 80.0}, 75.0) == {"a": 65.0, "b": 85.0}
    assert curve({"a": 98.0, "b": 60.0}, 85.0) == {"a": 100.0, "b": 66.0}
    assert curve({}, 80.0) == {}


def test_ranking_ties():
    assert ranking({"a": 90.0, "b": 80.0, "c": 90.0, "d": 70.0}) == [
        (1, "a"), (1, "c"), (3, "b"), (4, "d")]


def test_percentile():
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([10.0, 0.0, 5.0], 1.0) == 10.0
    assert percentile([10.0, 0.0, 5.0], 0.0) == 0.0
    assert percentile([7.0], 0.3) == 7.0


def test_report():
    assert report(parse_rows(ROWS)) == ["1. ann 93.0 A", "2. bob 78.0 C", "3. cy 60.0 D"]
