"""Edits as LibCST operations on source text (diffs.py shows them).

Texts keep their file's line endings; a model writes "\n", so a span it quotes or writes is
matched and written in the file's own line ending.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import libcst as cst

from ..cst_parse import parse_module
from ..errors import PatchError
from ..models import Edit
from ..source import PythonSource, UnreadableSource, dominant_newline


def parse(source: str, path: str) -> cst.Module:
    try:
        return parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise PatchError(f"{path}: the edited file does not parse: {exc.message} "
                         f"(line {exc.raw_line}, column {exc.raw_column})") from None


def replace_span(source: str, path: str, find: str, replace: str) -> str:
    """Replace the one occurrence of `find`; the result must still parse."""
    newline = dominant_newline([source])
    if find not in source:
        find = _with_newline(find, newline)
    replace = _with_newline(replace, newline)
    count = source.count(find)
    if count != 1:
        where = "does not occur" if count == 0 else f"occurs {count} times"
        raise PatchError(f"{path}: the text to replace {where}; quote a unique span of the file")
    result = source.replace(find, replace, 1)
    parse(result, path)
    return result


def _with_newline(snippet: str, newline: str) -> str:
    """A model's "\n" as the file's line ending; a snippet that has CRs already is left as it is."""
    return snippet if newline == "\n" or "\r" in snippet else snippet.replace("\n", newline)


class _FunctionReplacer(cst.CSTTransformer):
    def __init__(self, qualname: str, new_def: cst.BaseStatement) -> None:
        self.target = qualname.split(".")
        self.new_def = new_def
        self.stack: list[str] = []
        self.replaced = 0

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.stack.append(node.name.value)
        return True

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.stack.pop()
        return updated

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.stack.append(node.name.value)
        return True

    def leave_FunctionDef(
        self, original: cst.FunctionDef, updated: cst.FunctionDef
    ) -> cst.BaseStatement:
        matched = self.stack == self.target
        self.stack.pop()
        if matched:
            self.replaced += 1
            return self.new_def.with_changes(leading_lines=updated.leading_lines)
        return updated


def replace_function(source: str, path: str, qualname: str, new_source: str) -> str:
    """Replace the def named `qualname` (e.g. `Cart.total`) by the def in `new_source`."""
    new_module = parse(new_source.strip("\n") + "\n", path)
    defs = [s for s in new_module.body if isinstance(s, cst.FunctionDef)]
    if len(defs) != 1:
        raise PatchError(f"{path}: the replacement must be exactly one function definition")
    replacer = _FunctionReplacer(qualname, defs[0])
    result = parse(source, path).visit(replacer)
    if replacer.replaced != 1:
        raise PatchError(f"{path}: no function named {qualname!r}; list the file's symbols first")
    return result.code


def edits_from_specs(
    read: Callable[[str], PythonSource], specs: Sequence[Mapping[str, Any]], description: str,
    template: str,
) -> tuple[Edit, ...]:
    """Edits from {"path", "find", "replace"} or {"path", "function", "source"} specs, in order.

    Several specs may touch one file: each applies to the result of the previous one.
    """
    edits = []
    sources: dict[str, PythonSource] = {}
    for raw in specs:
        path = str(raw["path"])
        source = sources.get(path) or _read(read, path)
        if "function" in raw:
            after = replace_function(source.text, path, str(raw["function"]), str(raw["source"]))
        else:
            after = replace_span(source.text, path, str(raw["find"]), str(raw["replace"]))
        sources[path] = PythonSource(after, source.encoding)
        edits.append(Edit(path=path, before=source.text, after=after, description=description,
                          template=template, encoding=source.encoding))
    return tuple(edits)


def _read(read: Callable[[str], PythonSource], path: str) -> PythonSource:
    try:
        return read(path)
    except UnreadableSource as exc:
        raise PatchError(f"{path}: cannot be read as Python source: {exc}") from None
