"""cst_parse: a long module parsed in pieces is the module LibCST parses from the whole text."""

from __future__ import annotations

import argparse
import typing
from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest

from pytest_selfheal.cst_parse import PIECE_CHARS, parse_module


@pytest.fixture
def parsed_lengths(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The length of every text LibCST is asked to parse."""
    lengths: list[int] = []
    real = cst.parse_module

    def spy(source: str, config: cst.PartialParserConfig | None = None) -> cst.Module:
        lengths.append(len(source))
        return real(source, config or cst.PartialParserConfig())

    monkeypatch.setattr(cst, "parse_module", spy)
    yield lengths


def long_module(newline: str = "\n", indent: str = "    ", trailing_newline: bool = True) -> str:
    """A module of the shapes a file's statements and comments take, much longer than a piece."""
    i = indent
    lines = ["# Licensed under the terms in LICENSE.", "", '"""A module."""', "",
             "import os", "a = 1; b = 2", ""]
    for n in range(120):
        lines += ["", f"# helper {n}", "@staticmethod" if n % 5 == 0 else f"# no decorator {n}",
                  f"def helper_{n}(x, y={n}):", f'{i}"""Add.', f"{i}", f'{i}Indented docstring line."""',
                  f"{i}if x > {n}:  # compare", f"{i}{i}return x + y", f"{i}return (x,", f"{i}{i}y)"]
    lines += ["", "", "class Big(object):", f'{i}"""A big class."""', "", f"{i}size = 3", ""]
    for n in range(150):
        lines += [f"{i}@property" if n % 7 == 0 else f"{i}# method {n}",
                  f"{i}def method_{n}(self):", f"{i}{i}value = self.size * {n}",
                  f"{i}{i}return [value,", f"{i}{i}        {n}]", "# a comment at the left edge", ""]
    lines += [f"{i}class Inner:", f"{i}{i}x = 1", f"{i}{i}y = 2", f"{i}# after the class's body",
              "", "# the end"]
    text = newline.join(lines)
    return text + newline if trailing_newline else text


@pytest.mark.parametrize(("newline", "indent", "trailing_newline"), [
    ("\n", "    ", True), ("\r\n", "    ", True), ("\n", "  ", True), ("\n", "\t", False),
    ("\r\n", "  ", False),
])
def test_a_long_module_parsed_in_pieces_is_the_whole_parse(
        parsed_lengths: list[int], newline: str, indent: str, trailing_newline: bool) -> None:
    text = long_module(newline, indent, trailing_newline)
    assert len(text) > 4 * PIECE_CHARS

    module = parse_module(text)

    assert max(parsed_lengths) <= PIECE_CHARS + 1000  # no text near the whole was parsed at once
    assert module.code == text
    assert module.deep_equals(cst.parse_module(text))
    assert (module.default_newline, module.default_indent) == (newline, indent)


@pytest.mark.parametrize("path", [argparse.__file__, typing.__file__], ids=["argparse", "typing"])
def test_real_modules_parse_in_pieces_as_whole(parsed_lengths: list[int], path: str) -> None:
    text = Path(path).read_text(encoding="utf-8")

    module = parse_module(text)

    assert max(parsed_lengths) < len(text) / 4
    assert module.deep_equals(cst.parse_module(text))


def test_a_short_module_is_parsed_whole(parsed_lengths: list[int]) -> None:
    text = "def f():\n    return 1\n"

    assert parse_module(text).code == text
    assert parsed_lengths == [len(text)]


def test_a_module_that_does_not_parse_fails_as_libcst_says(parsed_lengths: list[int]) -> None:
    text = long_module() + "def broken(:\n    pass\n"

    with pytest.raises(cst.ParserSyntaxError) as raised:
        parse_module(text)
    assert parsed_lengths[-1] == len(text)  # the error is the whole text's

    with pytest.raises(cst.ParserSyntaxError) as whole:
        cst.parse_module(text)
    assert (raised.value.message, raised.value.raw_line) == (whole.value.message, whole.value.raw_line)
