"""Python source as Python reads it, and where a line sits in it: the function that holds it,
named as a person would (`Class.method`). Shared by the session (traceback frames), the stages and
the agents; stdlib only.

A source file is read the way the interpreter reads it (its PEP 263 coding cookie, a UTF-8 BOM)
and its text keeps every line ending as it is, so that writing the text back in the same
encoding gives back the file's bytes exactly: a patch changes only the lines it edits.
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path


class UnreadableSource(ValueError):
    """A file Python cannot read as source either; the message says why."""


@dataclass(frozen=True)
class PythonSource:
    """A source file's text (line endings untouched, no BOM) and the codec that gives back its
    bytes: "utf-8", "utf-8-sig" for a file that starts with a BOM, or its coding cookie's."""

    text: str
    encoding: str = "utf-8"


def read_source(path: Path) -> PythonSource:
    """The file decoded as Python decodes it; raises UnreadableSource when Python could not."""
    return decode_source(path.read_bytes())


def decode_source(data: bytes) -> PythonSource:
    """`read_source` of a file's bytes."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return PythonSource(data.decode(encoding), encoding)
    except SyntaxError as exc:  # an unknown or contradictory coding cookie
        raise UnreadableSource(exc.msg) from None
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise UnreadableSource(f"line {line} is not valid {exc.encoding}, the file's encoding "
                               f"({exc.reason})") from None


def encode_source(text: str, encoding: str) -> bytes:
    """The bytes of `text` in a source file's encoding; UnicodeEncodeError when it cannot hold
    a character of the text."""
    return text.encode(encoding)


def dominant_newline(texts: Iterable[str]) -> str:
    """The line ending most lines of `texts` end with ("\n" when they have none)."""
    crlf = lf = 0
    for text in texts:
        crlf += text.count("\r\n")
        lf += text.count("\n")
    return "\r\n" if crlf > lf - crlf else "\n"


def decorated_start(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> int:
    """The first line of a def or class, its decorators included."""
    return min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])


# (first line, last line, qualified name) of each def, outer before inner
Definitions = tuple[tuple[int, int, str], ...]


def enclosing_function(path: Path, line: int) -> str:
    """Qualified name of the innermost def containing `line`, or `<module>`."""
    innermost = _innermost(_file_definitions(path), line)
    return innermost[2] if innermost is not None else "<module>"


def function_span(path: Path, line: int) -> tuple[int, int] | None:
    """First and last line of the innermost def containing `line`."""
    return _span(_innermost(_file_definitions(path), line))


def function_span_in(text: str, line: int) -> tuple[int, int] | None:
    """`function_span` in source that is no file here (a file as a commit holds it)."""
    return _span(_innermost(_text_definitions(text), line))


def _innermost(definitions: Definitions, line: int) -> tuple[int, int, str] | None:
    found = None
    for definition in definitions:
        if definition[0] <= line <= definition[1]:
            found = definition  # outer before inner: the last one holding the line
    return found


def _span(definition: tuple[int, int, str] | None) -> tuple[int, int] | None:
    return definition[:2] if definition is not None else None


@cache
def _file_definitions(path: Path) -> Definitions:
    return _definitions(_file_tree(path))


@lru_cache(maxsize=64)  # a few files at a time, asked about line after line
def _text_definitions(text: str) -> Definitions:
    return _definitions(_tree(text))


@lru_cache(maxsize=4)  # a file's definitions and its deciding conditions, asked one after the other
def _file_tree(path: Path) -> ast.Module | None:
    try:
        return _tree(path.read_bytes())
    except OSError:
        return None


def _tree(source: str | bytes) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def _definitions(tree: ast.Module | None) -> Definitions:
    if tree is None:
        return ()
    found: list[tuple[int, int, str]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    found.append((child.lineno, child.end_lineno or child.lineno, name))
                walk(child, name + ".")
            else:
                walk(child, prefix)

    walk(tree, "")
    return tuple(found)


@cache
def deciding_conditions(path: Path) -> Mapping[int, int]:
    """For each statement's line in `path`, the line of the nearest condition that decides
    whether it runs: the `if`, `elif` or `while` whose body or `else` holds it, or an earlier
    `if` of its block whose body always leaves the block (`return`, `raise`, `continue`,
    `break`) and has no `else`. A def or class starts afresh."""
    tree = _file_tree(path)
    if tree is None:
        return {}
    found: dict[int, int] = {}

    def block(statements: list[ast.stmt], decider: int | None) -> None:
        for statement in statements:
            if decider is not None:
                last = statement.lineno if _is_compound(statement) else statement.end_lineno
                for line in range(statement.lineno, (last or statement.lineno) + 1):
                    found.setdefault(line, decider)
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                block(statement.body, None)
            elif isinstance(statement, ast.If | ast.While):
                block(statement.body, statement.lineno)
                block(statement.orelse, statement.lineno)
                if isinstance(statement, ast.If) and not statement.orelse and _leaves(statement.body):
                    decider = statement.lineno
            else:
                for inner in _blocks(statement):
                    block(inner, decider)

    block(tree.body, None)
    return found


def _is_compound(statement: ast.stmt) -> bool:
    return bool(_blocks(statement)) or isinstance(
        statement, ast.If | ast.While | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)


def _blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    """The statement lists a `for`, `with`, `try` or `match` holds."""
    lists = [getattr(statement, name) for name in ("body", "orelse", "finalbody")
             if isinstance(getattr(statement, name, None), list)]
    lists += [handler.body for handler in getattr(statement, "handlers", ())]
    lists += [case.body for case in getattr(statement, "cases", ())]
    return [statements for statements in lists if statements]


def _leaves(body: list[ast.stmt]) -> bool:
    return isinstance(body[-1], ast.Return | ast.Raise | ast.Continue | ast.Break)
