"""Lines mapped to the function that holds them, as tracebacks and suspects name them."""

from pathlib import Path

from helpers import SAMPLE_SOURCE

from pytest_selfheal.source import enclosing_function, function_span


def test_a_line_belongs_to_its_innermost_function_by_qualified_name(tmp_path: Path):
    path = tmp_path / "m.py"
    path.write_text(SAMPLE_SOURCE)
    assert enclosing_function(path, 8) == "inner"
    assert enclosing_function(path, 14) == "Box.size"
    assert enclosing_function(path, 11) == "<module>"
    assert function_span(path, 8) == (6, 9)
    assert function_span(path, 11) is None


def test_an_unreadable_or_broken_file_has_no_functions(tmp_path: Path):
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n")
    assert enclosing_function(broken, 1) == "<module>"
    assert enclosing_function(tmp_path / "missing.py", 1) == "<module>"
