from shelf.collect import collect_between


def test_both_bounds_are_included():
    found: list[int] = []
    collect_between([1, 5, 9, 12], 1, 9, found)
    assert found == [1, 5, 9]


def test_nothing_outside_the_bounds():
    found: list[int] = []
    collect_between([0, 20], 1, 9, found)
    assert found == []
