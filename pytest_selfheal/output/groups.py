"""How a group of failures alike is described, in the terminal and in report.md."""

from __future__ import annotations

from collections.abc import Callable

from ..models import IN_TESTS


def place(label: str, where: str, quote: Callable[[str], str] = str) -> str:
    """Where a group's failures came from. An assert in a test that fails is the test doing its
    job: said so, so that it does not read as the test being at fault."""
    if where != IN_TESTS:
        return f"raised in {quote(where)}"
    if label.startswith("AssertionError"):
        return "caught by the tests' own asserts"
    if label.startswith("FixtureLookupError"):
        return "raised by pytest while it set the tests up"
    return "raised in the test functions, not below them"
