"""Lines mapped to the function that holds them, as tracebacks and suspects name them; source
files read as Python reads them and written back to their exact bytes."""

from pathlib import Path

import pytest
from helpers import SAMPLE_SOURCE

from pytest_selfheal.source import (
    UnreadableSource,
    deciding_conditions,
    decode_source,
    dominant_newline,
    enclosing_function,
    encode_source,
    function_span,
    function_span_in,
    read_source,
)


def test_a_line_belongs_to_its_innermost_function_by_qualified_name(tmp_path: Path):
    path = tmp_path / "m.py"
    path.write_text(SAMPLE_SOURCE)
    assert enclosing_function(path, 8) == "inner"
    assert enclosing_function(path, 14) == "Box.size"
    assert enclosing_function(path, 11) == "<module>"
    assert function_span(path, 8) == (6, 9)
    assert function_span(path, 11) is None
    assert function_span_in(SAMPLE_SOURCE, 8) == (6, 9)
    assert function_span_in(SAMPLE_SOURCE, 11) is None
    assert function_span_in("def f(:\n", 1) is None


def test_an_unreadable_or_broken_file_has_no_functions(tmp_path: Path):
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n")
    assert enclosing_function(broken, 1) == "<module>"
    assert enclosing_function(tmp_path / "missing.py", 1) == "<module>"


SOURCES = {
    "utf-8": ("s = 'é'\n", b"s = '\xc3\xa9'\n"),
    "crlf and mixed": ("a = 1\r\nb = 2\nc = 3\r\n", b"a = 1\r\nb = 2\nc = 3\r\n"),
    "no final newline": ("x = 1", b"x = 1"),
    "bom": ("s = 'é'\n", b"\xef\xbb\xbfs = '\xc3\xa9'\n"),
    "latin-1 cookie": ("# -*- coding: latin-1 -*-\r\ns = 'é'\r\n",
                       b"# -*- coding: latin-1 -*-\r\ns = '\xe9'\r\n"),
}


@pytest.mark.parametrize("case", sorted(SOURCES))
def test_a_source_reads_as_python_reads_it_and_writes_back_to_its_bytes(case: str, tmp_path: Path):
    text, data = SOURCES[case]
    (tmp_path / "m.py").write_bytes(data)
    source = read_source(tmp_path / "m.py")
    assert source.text == text
    assert encode_source(source.text, source.encoding) == data


def test_the_encoding_is_the_one_python_names():
    assert decode_source(b"\xef\xbb\xbfx = 1\n").encoding == "utf-8-sig"
    assert decode_source(b"#!/usr/bin/env python\n# coding: latin-1\nx = 1\n").encoding == "iso-8859-1"
    assert decode_source(b"x = 1\n").encoding == "utf-8"


@pytest.mark.parametrize(("data", "why"), [
    (b"x = 1\ns = '\xe9'\n", "line 2 is not valid utf-8"),
    (b"# coding: klingon\nx = 1\n", "unknown encoding"),
    (b"\xef\xbb\xbf# coding: latin-1\nx = 1\n", "encoding problem"),
])
def test_a_source_python_could_not_read_says_why(data: bytes, why: str):
    with pytest.raises(UnreadableSource, match=why):
        decode_source(data)


def test_a_character_the_encoding_lacks_cannot_be_written():
    with pytest.raises(UnicodeEncodeError):
        encode_source("s = '€'\n", "iso-8859-1")


@pytest.mark.parametrize(("texts", "newline"), [
    (["a\r\nb\r\n", "c\n"], "\r\n"), (["a\r\nb\n", "c\n"], "\n"), (["no line break"], "\n"), ([], "\n"),
])
def test_the_dominant_newline_is_the_one_most_lines_end_with(texts: list[str], newline: str):
    assert dominant_newline(texts) == newline


DECIDED = """\
def make(fmt, utc):
    if fmt is None:
        return 1

    def local(d):
        d["k"] = 1
        return d

    if not utc:
        return local
    for x in fmt:
        if x:
            y = (1 +
                 2)
        elif x is None:
            y = 3
        else:
            y = 4
    while x:
        x -= 1
    return local
"""


def test_each_statement_is_decided_by_the_nearest_condition_that_chooses_whether_it_runs(tmp_path: Path):
    path = tmp_path / "m.py"
    path.write_text(DECIDED)
    assert deciding_conditions(path) == {
        3: 2,  # the body of an `if`
        5: 2, 9: 2,  # after an `if` whose body returns: run only when it is false
        10: 9, 11: 9, 12: 9, 19: 9, 21: 9,
        13: 12, 14: 12, 15: 12,  # a statement's every line; an `elif` is its `if`'s
        16: 15, 18: 15,  # the `elif`'s body and its `else`
        20: 19,  # a `while`'s body
    }  # a def's body (6, 7) starts afresh, as does the module's first statement
    broken = tmp_path / "broken.py"
    broken.write_text("if x:\n    y(\n")
    assert deciding_conditions(broken) == deciding_conditions(tmp_path / "missing.py") == {}
