"""The diff of a candidate: one section per file, from its first `before` to its last `after`,
made of the files' bytes (line endings, encoding, BOM and missing final newline as they are)."""

import pytest

from pytest_selfheal.models import Candidate, Edit
from pytest_selfheal.output.diffs import combined_diff, diff_text, new_file_diff


def diff_of(before: str, after: str, encoding: str = "utf-8") -> bytes:
    return combined_diff(Candidate((Edit("m.py", before, after, "fix", encoding=encoding),)))


def test_combined_diff_folds_edits_of_one_file():
    edits = [Edit("m.py", "a\n", "b\n", "1"), Edit("m.py", "b\n", "c\n", "2")]
    diff = combined_diff(Candidate(tuple(edits)))
    assert diff.count(b"diff --git") == 1
    assert b"-a\n+c\n" in diff


def test_crlf_lines_keep_their_carriage_returns():
    diff = diff_of("def half(n):\r\n    return n // 3\r\n", "def half(n):\r\n    return n // 2\r\n")
    assert b" def half(n):\r\n-    return n // 3\r\n+    return n // 2\r\n" in diff


def test_mixed_line_endings_are_lines_as_git_counts_them():
    diff = diff_of("a = 1\r\nb = 2\nc = 3\r\n", "a = 1\r\nb = 3\nc = 3\r\n")
    assert b" a = 1\r\n-b = 2\n+b = 3\n c = 3\r\n" in diff


def test_a_lone_carriage_return_or_form_feed_does_not_split_a_line():
    diff = diff_of("x = 1  # \x0c\ry = 2\n", "x = 1  # \x0c\ry = 3\n")
    assert b"@@ -1 +1 @@\n-x = 1  # \x0c\ry = 2\n+x = 1  # \x0c\ry = 3\n" in diff


def test_a_missing_final_newline_is_marked_on_both_sides():
    diff = diff_of("x = 1\ny = 2", "x = 1\ny = 3")
    assert diff.endswith(b"-y = 2\n\\ No newline at end of file\n+y = 3\n\\ No newline at end of file\n")


@pytest.mark.parametrize(("encoding", "marker"), [("iso-8859-1", b'"caf\xe9"'),
                                                  ("utf-8-sig", b'\xef\xbb\xbf# "caf\xc3\xa9"')])
def test_the_file_encoding_gives_the_bytes(encoding: str, marker: bytes):
    head = '# "café"\n' if encoding == "utf-8-sig" else '# -*- coding: latin-1 -*-\ns = "café"\n'
    diff = diff_of(head + "x = 1\n", head + "x = 2\n", encoding)
    assert marker in diff and b"-x = 1\n+x = 2\n" in diff


def test_a_new_file_is_utf8_with_its_own_line_endings():
    diff = new_file_diff("tests/test_new.py", "s = 'é'\r\n")
    assert diff.startswith(b"diff --git a/tests/test_new.py b/tests/test_new.py\nnew file mode 100644\n")
    assert diff.endswith(b"@@ -0,0 +1 @@\n+s = '\xc3\xa9'\r\n")


def test_diff_text_shows_bytes_that_are_not_utf8():
    assert diff_text(b"+s = 'caf\xe9'\n") == "+s = 'caf\ufffd'\n"
