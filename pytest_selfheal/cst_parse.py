"""LibCST modules parsed a few statements at a time, so that a big file costs little memory.

LibCST's parser holds a whole file's tokens and its own tree while it builds the Python one:
parsing pyflakes' 79 kB `checker.py` raised the process's peak by 32 MiB, of which 26 were
freed at once but stay in the peak: the heal's process needed more than twice the memory of
the user's own run of that suite. Parsed in pieces of a few kilobytes (a big class's body a
few methods at a time) and put together, the module is the one the whole file gives: its code
is checked to be the file's text, and a file that cannot be pieced is parsed whole.
"""

from __future__ import annotations

import ast
import io
import itertools
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import libcst as cst

PIECE_CHARS = 8_000  # the text parsed at once; a file this short is parsed whole

Statement: TypeAlias = cst.SimpleStatementLine | cst.BaseCompoundStatement

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def parse_module(text: str) -> cst.Module:
    """What `cst.parse_module(text)` gives, parsed in pieces when the text is long. A text
    that does not parse is parsed whole, for LibCST's own error."""
    if len(text) > PIECE_CHARS:
        try:
            module = _Pieces(text).module()
        except (SyntaxError, ValueError, RecursionError, tokenize.TokenError, cst.ParserSyntaxError):
            pass  # LibCST parses some files `ast` of this Python does not
        else:
            if module.code == text:
                return module
    return cst.parse_module(text)


@dataclass(frozen=True)
class _Unit:
    """Statements that share their lines (one, unless written `a; b`), as 0-based line
    indexes [first, end); when they are one class of several statements, its body's units."""

    first: int
    end: int
    body: tuple[_Unit, ...] = ()


class _Pieces:
    """A file's text as lines and statement spans, parsed a piece at a time."""

    def __init__(self, text: str) -> None:
        self.lines: list[str] = _LINE.findall(text)
        if "".join(self.lines) != text:
            raise ValueError("lines not told apart")
        self.starts = [0, *itertools.accumulate(len(line) for line in self.lines)]
        self.units = _units(ast.parse(text).body)  # the tree is let go before LibCST parses
        newline = _NEWLINE.search(text)
        self.newline = newline.group() if newline else "\n"
        self.config = cst.PartialParserConfig(default_indent=_first_indent(text),
                                              default_newline=self.newline)

    def module(self) -> cst.Module:
        """The whole module; ValueError when a piece's lines do not fall as they do in the file."""
        if not self.units:
            raise ValueError("no statement to piece at")
        body: list[Statement] = []
        header: Sequence[cst.EmptyLine] = ()
        footer: Sequence[cst.EmptyLine] = ()
        trailing = True
        pieces = self._packed(self.units, 0, len(self.lines))
        for index, (first, end, alone) in enumerate(pieces):
            if alone is not None and alone.body and self._size(first, end) > PIECE_CHARS:
                parsed = self._class(first, alone.body, end)
            else:
                parsed = cst.parse_module(self._text(first, end), self.config)
            if index == len(pieces) - 1:
                footer, trailing = parsed.footer, parsed.has_trailing_newline
            elif parsed.footer:
                raise ValueError("a piece's last lines are not its last statement's")
            if index == 0:
                header = parsed.header
                body.extend(parsed.body)
            else:
                body.extend(_led_by(parsed.body, parsed.header))
        return cst.Module(body=body, header=header, footer=footer, encoding="utf-8",
                          default_indent=str(self.config.default_indent),
                          default_newline=self.newline, has_trailing_newline=trailing)

    def _class(self, first: int, inner: Sequence[_Unit], end: int) -> cst.Module:
        """The module of lines [first, end): one big class with the comments around it, its
        body (`inner`) parsed a few statements at a time inside a stand-in class."""
        colon = inner[0].first - 1  # the line the class's header ends on
        while colon > first and _blank_or_comment(self.lines[colon]):
            colon -= 1
        body_line = self.lines[inner[0].first]
        indent = body_line[:len(body_line) - len(body_line.lstrip(" \t"))]
        stub = cst.parse_module(self._text(first, colon + 1) + indent + "pass" + self.newline
                                + self._text(inner[-1].end, end), self.config)
        cls = stub.body[-1]
        if not isinstance(cls, cst.ClassDef) or not isinstance(cls.body, cst.IndentedBlock):
            raise ValueError("the class's header is not alone on its lines")
        statements: list[cst.BaseStatement] = []
        for start, end, _ in self._packed(inner, colon + 1, inner[-1].end):
            wrapped = cst.parse_module("class _:" + self.newline + self._text(start, end), self.config)
            (holder,) = wrapped.body
            if wrapped.footer or not isinstance(holder, cst.ClassDef) or not isinstance(
                    holder.body, cst.IndentedBlock) or holder.body.footer:
                raise ValueError("a piece of the class's body spills out of it")
            statements.extend(holder.body.body)
        whole = cls.with_changes(body=cls.body.with_changes(body=statements))
        return stub.with_changes(body=[*stub.body[:-1], whole])

    def _packed(self, units: Sequence[_Unit], start: int, end: int
                ) -> list[tuple[int, int, _Unit | None]]:
        """Line ranges covering [start, end), each ending where a unit ends and holding units
        of at most PIECE_CHARS together (a bigger unit alone, given as the third item)."""
        pieces: list[tuple[int, int, _Unit | None]] = []
        first, count = start, 0
        for index, unit in enumerate(units):
            last = index == len(units) - 1
            stop = end if last else unit.end
            if count and self._size(first, stop) > PIECE_CHARS:
                pieces.append((first, units[index - 1].end,
                               units[index - 1] if count == 1 else None))
                first, count = units[index - 1].end, 0
            count += 1
            if last:
                pieces.append((first, stop, unit if count == 1 else None))
        return pieces

    def _size(self, first: int, end: int) -> int:
        """Characters in lines [first, end)."""
        return self.starts[end] - self.starts[first]

    def _text(self, first: int, end: int) -> str:
        return "".join(self.lines[first:end])


def _units(statements: Sequence[ast.stmt]) -> list[_Unit]:
    units: list[_Unit] = []
    for statement in statements:
        decorators = getattr(statement, "decorator_list", [])
        first = min([statement.lineno, *(d.lineno for d in decorators)]) - 1
        end = statement.end_lineno or statement.lineno
        if units and first < units[-1].end:  # on a line of the statement before
            units[-1] = _Unit(units[-1].first, max(end, units[-1].end))
        elif isinstance(statement, ast.ClassDef) and len(statement.body) > 1:
            units.append(_Unit(first, end, tuple(_units(statement.body))))
        else:
            units.append(_Unit(first, end))
    return units


def _led_by(body: Sequence[Statement], lines: Sequence[cst.EmptyLine]) -> list[Statement]:
    """`body` with `lines` (a later piece's header: the comments and blank lines after the
    piece before) put before its first statement, where they stand in the file."""
    if not lines:
        return list(body)
    first = body[0]
    leading = [*lines, *first.leading_lines]
    return [first.with_changes(leading_lines=leading), *body[1:]]


def _blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _first_indent(text: str) -> str:
    """The module's indentation unit as LibCST takes it: the first indented block's."""
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.INDENT:
            return token.string
    return " " * 4
