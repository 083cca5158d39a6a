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


def test_slugify():
    assert slugify("Hello, World!") == "hello-world"
    assert slugify("  Python 3.12 Notes ") == "python-3-12-notes"
    assert slugify("a b", separator="_") == "a_b"


def test_title_case():
    assert title_case("the lord of the rings") == "The Lord of the Rings"
    assert title_case("war AND peace") == "War and Peace"
    assert title_case("what it is made of") == "What It Is Made Of"


def test_snake_to_camel():
    assert snake_to_camel("max_line_length") == "maxLineLength"
    assert snake_to_camel("name") == "name"


def test_camel_to_snake():
    assert camel_to_snake("maxLineLength") == "max_line_length"
    assert camel_to_snake("HTTPCode") == "h_t_t_p_code"
    assert camel_to_snake("x") == "x"


@pytest.mark.parametrize(("text", "width", "expected"), [
    ("short", 10, "short"), ("exactly10!", 10, "exactly10!"), ("a longer sentence", 10, "a longe..."),
])
def test_truncate(text, width, expected):
    assert truncate(text, width) == expected
    assert len(truncate(text, width)) <= width


def test_wrap():
    assert wrap("the quick brown fox jumps", 10) == ["the quick", "brown fox", "jumps"]
    assert wrap("a bb ccc", 4) == ["a bb", "ccc"]
    assert wrap("supercalifragilistic is long", 5) == ["supercalifragilistic", "is", "long"]
    assert wrap("", 5) == []


def test_strip_comment():
    assert strip_comment("x = 1  # one") == "x = 1"
    assert strip_comment("no comment   ") == "no comment"
    assert strip_comment("# all comment") == ""


def test_initials():
    assert initials("ada  lovelace") == "AL"
    assert initials("grace brewster murray hopper") == "GBMH"


def test_count_vowels():
    assert count_vowels("Education") == 5
    assert count_vowels("rhythm") == 0


def test_pad_table():
    rows = [["name", "qty"], ["apple", "3"], ["fig", "12"]]
    assert pad_table(rows) == ["name   qty", "apple  3", "fig    12"]
    assert pad_table([]) == []
