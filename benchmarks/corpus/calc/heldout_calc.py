"""Held-back tests for calc: other inputs of the same grammar, never shown to the agent."""

import pytest
from calc import ParseError, Parser, evaluate, tokenize


def test_token_positions_follow_the_source():
    tokens = tokenize("ab_1 *  (12)")
    assert [(t.kind, t.text, t.position) for t in tokens] == [
        ("name", "ab_1", 0), ("op", "*", 5), ("op", "(", 8), ("num", "12", 9), ("op", ")", 11),
        ("end", "", 12)]


def test_whitespace_of_any_kind_and_width_is_skipped():
    assert [t.text for t in tokenize("\t1   +\n 2 ")] == ["1", "+", "2", ""]
    assert tokenize("   ")[0].kind == "end"
    assert tokenize("   ")[0].position == 3


@pytest.mark.parametrize(("source", "value"), [
    ("2 - 3 - 4", -5), ("100 / 10 / 5", 2), ("2 * 3 + 4 * 5", 26), ("2 + 3 * 4 - 5", 9),
    ("17 % 5", 2), ("7 % 7", 0), ("-7 / 2", -4), ("-(2 + 3)", -5), ("---1", -1),
    ("((4))", 4), ("0 / 5", 0), ("3 * (4 - (1 + 1))", 6), ("12 % 5 * 3", 6), ("9 - -1", 10),
])
def test_evaluate_more(source, value):
    assert evaluate(source) == value


def test_variables_more():
    assert evaluate("x * x - x", x=4) == 12
    assert evaluate("_a + b_2", _a=1, b_2=2) == 3
    assert evaluate("total / count", total=9, count=2) == 4
    assert Parser("1 + 1").variables == {}


def test_a_zero_variable_divisor_is_an_error():
    with pytest.raises(ParseError, match="division by zero"):
        evaluate("x / y", x=1, y=0)
    assert evaluate("y * 5", y=0) == 0


def test_error_messages_name_the_position():
    with pytest.raises(ParseError, match="expected '\\)' at 6, got ''"):
        evaluate("(1 + 2")
    with pytest.raises(ParseError, match="trailing input at 6"):
        evaluate("1 + 2 )")
    with pytest.raises(ParseError, match="unexpected '\\*' at 4"):
        evaluate("1 + * 2")
    with pytest.raises(ParseError, match="unexpected 'end of input' at 3"):
        evaluate("1 -")


@pytest.mark.parametrize("source", ["", "()", "1 % 0", "2 / (1 - 1)", "3 # 4", "(1))"])
def test_more_errors(source):
    with pytest.raises(ParseError):
        evaluate(source)
