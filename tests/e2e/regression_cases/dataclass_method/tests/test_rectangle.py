from shapes import Rectangle


def test_area():
    assert Rectangle(2, 3).area() == 6


def test_perimeter():
    assert Rectangle(2, 3, label="door").perimeter() == 10
