import pytest

from pytest_selfheal.models import Candidate, Edit

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
