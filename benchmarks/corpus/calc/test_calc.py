import pytest
from calc import ParseError, evaluate, tokenize


def test_tokenize():
    kinds = [(t.kind, t.text) for t in tokenize("x1 + 42*(y)")]
    assert kinds == [("name", "x1"), ("op", "+"), ("num", "42"), ("op", "*"), ("op", "("),
                     ("name", "y"), ("op", ")"), ("end", "")]
    assert tokenize("7")[0].position == 0
    assert tokenize("  7")[0].position == 2


def test_tokenize_rejects_unknown_characters():
    with pytest.raises(ParseError, match="unexpected '\\$' at 2"):
        tokenize("1 $ 2")


@pytest.mark.parametrize(("source", "value"), [
    ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("10 - 4 - 3", 3), ("20 / 3", 6), ("20 % 6", 2),
    ("-3 + 5", 2), ("--4", 4), ("2 * -3", -6), ("100", 100), ("8 / 2 / 2", 2),
])
def test_evaluate(source, value):
    assert evaluate(source) == value


def test_variables():
    assert evaluate("rate * hours + bonus", rate=20, hours=8, bonus=5) == 165
    assert evaluate("n_items - 1", n_items=3) == 2
    with pytest.raises(ParseError, match="unknown variable 'z'"):
        evaluate("z + 1")


@pytest.mark.parametrize("source", ["1 +", "(1 + 2", "1 2", ")", "4 / 0", "4 % (2 - 2)"])
def test_errors(source):
    with pytest.raises(ParseError):
        evaluate(source)


def test_multiplication_by_zero_is_fine():
    assert evaluate("5 * 0") == 0
