import tracemalloc

import pytest

from pytest_selfheal.models import Candidate, Edit, Lines

MODULE = "".join(f"def f{n}(x):\n    return x + {n}\n\n\n" for n in range(2000))


def test_an_edit_of_a_large_module_holds_only_the_span_it_changes():
    after = MODULE.replace("return x + 1000\n", "return x - 1000\n")
    edit = Edit("big.py", MODULE, after, "+ -> -", line=4002)
    start, end, text = edit.change
    assert (MODULE[start:end], text) == ("+", "-")
    assert edit.after == after
    assert len(text) + (end - start) < 10


@pytest.mark.parametrize(("before", "after"), [
    ("abc", "abc"),  # no change
    ("abc", "xabc"),  # inserted first
    ("abc", "ab"),  # deleted last
    ("aaa", "aa"),  # the prefix and the suffix would overlap
    ("a\r\nb\r\n", "a\r\nc\r\nb\r\n"),  # line endings kept as they are
    ("", "x = 1\n"),  # a new file's text
    ("x = 1\n", ""),
    ("é ü", "é ö"),
])
def test_after_is_the_text_given(before, after):
    edit = Edit("m.py", before, after, "d")
    assert edit.after == after
    start, end, text = edit.change
    assert before[:start] + text + before[end:] == after


def test_equal_edits_are_equal_and_a_description_changes_only_itself():
    after = MODULE.replace("+ 7\n", "+ 8\n")
    edit = Edit("big.py", MODULE, after, "7 -> 8", template="constant", line=30)
    assert edit == Edit("big.py", MODULE, after, "7 -> 8", template="constant", line=30)
    described = edit.described("7 -> 8, and at its copy")
    assert described.description == "7 -> 8, and at its copy"
    assert (described.after, described.template, described.line) == (after, "constant", 30)
    assert Candidate((described,)).file_changes == {"big.py": (MODULE, after)}


def test_lines_are_a_set_of_path_and_line_pairs():
    pairs = frozenset({("a.py", 1), ("a.py", 70), ("b/c.py", 3)})
    lines = Lines.of(pairs)
    assert lines == pairs and len(lines) == 3 and sorted(lines) == sorted(pairs)
    assert ("a.py", 70) in lines and ("a.py", 2) not in lines and ("z.py", 1) not in lines
    assert ("a.py", -1) not in lines and "a.py" not in lines
    assert frozenset({("a.py", 1), ("x.py", 1)}) & lines == {("a.py", 1)}
    assert {("a.py", 1), ("x.py", 1)} - lines == {("x.py", 1)}
    assert lines | {("x.py", 9)} == pairs | {("x.py", 9)}
    assert hash(lines) == hash(Lines.of(sorted(pairs)))
    assert Lines.union([lines, Lines.of({("a.py", 2)})]) == pairs | {("a.py", 2)}
    assert not Lines({}) and Lines({"a.py": 0}) == frozenset()


def test_lines_tell_whether_a_span_of_a_file_ran():
    lines = Lines.of({("a.py", 10), ("a.py", 40)})
    assert lines.runs_any("a.py", 5, 10) and lines.runs_any("a.py", 11, 40)
    assert not lines.runs_any("a.py", 11, 39) and not lines.runs_any("a.py", 41, 1 << 30)
    assert lines.runs_any("a.py", 1, 1 << 30) and not lines.runs_any("b.py", 1, 1 << 30)


def test_a_tests_lines_take_a_bit_each_not_a_set_entry():
    """The probe holds one per test: pyflakes' 381 tests ran 640,000 lines between them."""
    every = [("pkg/checker.py", n) for n in range(1, 2001)]
    tracemalloc.start()
    try:
        as_sets = [frozenset(every[t:]) for t in range(50)]
        set_bytes = tracemalloc.get_traced_memory()[0]
        del as_sets
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        as_lines = [Lines.of(every[t:]) for t in range(50)]
        lines_bytes = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(as_lines) == 50 and lines_bytes * 50 < set_bytes
