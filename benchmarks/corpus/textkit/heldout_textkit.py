"""Held-back tests for textkit: other strings, separators, widths and markers."""

import pytest
from textkit import (
    camel_to_snake,
    count_vowels,
    initials,
    pad_table,
    slugify,
    snake_to_camel,
    strip_comment,
    title_case,
    truncate,
    wrap,
)


def test_slugify_more():
    assert slugify("") == ""
    assert slugify("?!...") == ""
    assert slugify("Top 10 Tips", separator="") == "top10tips"
    assert slugify("One--Two__Three", separator=".") == "one.two.three"
    assert slugify("ALL CAPS") == "all-caps"


@pytest.mark.parametrize(("text", "expected"), [
    ("the", "The"), ("of mice", "Of Mice"), ("what to", "What To"), ("tHe END", "The End"),
    ("", ""), ("a tale of two cities", "A Tale of Two Cities"),
    ("  gone  with the   wind ", "Gone With the Wind"), ("on and on", "On and On"),
])
def test_title_case_more(text, expected):
    assert title_case(text) == expected


def test_case_conversions_more():
    assert snake_to_camel("get_http_response") == "getHttpResponse"
    assert snake_to_camel("Max_value") == "MaxValue"
    assert snake_to_camel("a_b_c") == "aBC"
    assert camel_to_snake("already_snake") == "already_snake"
    assert camel_to_snake("A") == "a"
    assert camel_to_snake("aB") == "a_b"
    assert camel_to_snake("parseURLNow") == "parse_u_r_l_now"


@pytest.mark.parametrize(("text", "width", "ellipsis", "expected"), [
    ("abcdef", 3, "...", "..."), ("abcdef", 4, "…", "abc…"), ("abcdef", 6, "...", "abcdef"),
    ("abcdefg", 6, "..", "abcd.."), ("", 0, "...", ""), ("hello world", 8, "", "hello wo"),
])
def test_truncate_more(text, width, ellipsis, expected):
    assert truncate(text, width, ellipsis) == expected


def test_wrap_more():
    assert wrap("one two", 80) == ["one two"]
    assert wrap("aa bb", 5) == ["aa bb"]
    assert wrap("aa bb", 4) == ["aa", "bb"]
    assert wrap("  spaced   out   words ", 9) == ["spaced", "out words"]
    assert wrap("x enormousword y", 3) == ["x", "enormousword", "y"]
    assert wrap("a b c d e f", 3) == ["a b", "c d", "e f"]


def test_strip_comment_more():
    assert strip_comment("url = a // b  // note", marker="//") == "url = a"
    assert strip_comment("#") == ""
    assert strip_comment("   indented = 2   # why") == "   indented = 2"
    assert strip_comment("a # b # c") == "a"
    assert strip_comment("   keep leading") == "   keep leading"


def test_initials_and_vowels_more():
    assert initials("  mononym ") == "M"
    assert initials("") == ""
    assert count_vowels("AEIOU aeiou") == 10
    assert count_vowels("") == 0
    assert count_vowels("Why? Sky!") == 0


def test_pad_table_more():
    assert pad_table([["only"]]) == ["only"]
    rows = [["a", "b", "c"], ["long cell", "", "x"], ["", "mid", ""]]
    assert pad_table(rows) == ["a          b    c", "long cell       x", "           mid"]
