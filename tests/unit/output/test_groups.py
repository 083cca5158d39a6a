"""A group of failures alike, described without blaming the tests for catching it."""

from pytest_selfheal.output.groups import place


def test_a_group_raised_in_the_tests_is_described_without_blaming_them():
    assert place("AssertionError", "the tests") == "caught by the tests' own asserts"
    assert place("KeyError: 'x'", "the tests") == "raised in the test functions, not below them"
    assert place("TypeError", "pkg/mod.py::build", lambda where: f"`{where}`") == (
        "raised in `pkg/mod.py::build`")
