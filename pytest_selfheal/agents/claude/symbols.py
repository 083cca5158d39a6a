"""The classes and functions of a module with their line spans (LibCST), for listing and quoting."""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ...cst_parse import parse_module


@dataclass(frozen=True)
class Symbol:
    kind: str  # "class" | "def"
    qualname: str
    start: int
    end: int


class _Collector(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.found: list[Symbol] = []

    def _enter(self, kind: str, node: cst.ClassDef | cst.FunctionDef) -> bool:
        span = self.get_metadata(PositionProvider, node)
        self.stack.append(node.name.value)
        self.found.append(Symbol(kind, ".".join(self.stack), span.start.line, span.end.line))
        return True

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return self._enter("class", node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return self._enter("def", node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.stack.pop()


def symbols(source: str) -> tuple[Symbol, ...]:
    """Outer before inner, in file order; raises libcst.ParserSyntaxError for broken source."""
    collector = _Collector()
    MetadataWrapper(parse_module(source)).visit(collector)
    return tuple(collector.found)


def function_at(source: str, line: int) -> Symbol | None:
    """The innermost def containing `line`."""
    inner = [s for s in symbols(source) if s.kind == "def" and s.start <= line <= s.end]
    return inner[-1] if inner else None
