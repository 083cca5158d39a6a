from ratings.stats import median, spread


def test_median_of_three():
    assert median([5, 1, 3]) == 3


def test_median_of_five():
    assert median([9, 1, 5, 3, 7]) == 5


def test_median_of_one():
    assert median([4]) == 4


def test_spread():
    assert spread([2, 9, 4]) == 7
