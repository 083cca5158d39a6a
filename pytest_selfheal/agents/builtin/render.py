"""Render mutated modules cheaply, and tell which renderings are the same program.

Re-rendering a whole LibCST module for every candidate costs more than generating it. A
mutation changes nodes inside one function (or, outside functions, one top-level statement),
so only that unit (each unit, for mutations in several) is re-rendered and spliced between the
unchanged text around it. Two candidates are the same program when they change the same units
into the same ASTs.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import itertools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import libcst as cst

from .sites import Mutation
from .templates import code

_DUMMY = cst.Name("_")


class Rendered:
    """A candidate module: its source, and a key equal for equal programs: "" for the unchanged
    program, None for one that does not compile."""

    __slots__ = ("code", "key")

    def __init__(self, code: str, key: str | None) -> None:
        self.code = code
        self.key = key


@dataclass
class _Unit:
    """A function not nested in another (or a top-level statement outside any function): the
    part of the module re-rendered for a mutation inside it."""

    name: str
    node: cst.CSTNode
    blocks: tuple[cst.IndentedBlock, ...]  # the blocks it sits in, outermost first
    prefix: str = ""  # the dummy block headers that make its indented text parse alone
    start: int = -1  # its span in the module's text; -1 when it cannot be told apart
    end: int = -1
    key: str | None = None  # of its original text, once `keyed`
    keyed: bool = False


class Splicer:
    """Applies mutations of one module by re-rendering only the unit they touch."""

    def __init__(self, module: cst.Module, path: str) -> None:
        self.module = module
        self.path = path
        self.code = module.code
        self._owner: dict[int, _Unit] = {}
        self._parent: dict[int, cst.CSTNode] = {}
        header = "".join(module.code_for_node(line) for line in module.header)
        offset = len(header)
        for index, statement in enumerate(module.body):
            piece = module.code_for_node(statement)
            top = _Unit(f"t{index}", statement, ())
            self._locate(top, piece, offset, offset + len(piece))
            statement.visit(_Owners(self, top))
            offset += len(piece)

    @functools.cached_property
    def _whole(self) -> str | None:
        """The module's own key. Keys are worked out when a mutation is rendered, on the heal's
        thread: the module may be read on a thread of its own, and CPython 3.11's `ast` breaks
        when two threads build trees at once ("AST constructor recursion depth mismatch")."""
        return _key(self.code, self.path)

    def apply(self, mutations: Sequence[Mutation]) -> Rendered:
        """The module with every mutation applied (they must not overlap). A tree LibCST will
        not build is no program, like one that does not compile: a template put an expression
        where the grammar takes only a name or a constant (`case None:`, `import a.b`)."""
        try:
            return self._applied(mutations)
        except cst.CSTValidationError:
            return Rendered("", None)

    def _applied(self, mutations: Sequence[Mutation]) -> Rendered:
        by_unit: dict[int, tuple[_Unit, list[Mutation]]] = {}
        for mutation in mutations:
            unit = self._owner.get(id(mutation.original))
            if unit is None or unit.start < 0:
                return self._applied_whole(mutations)
            by_unit.setdefault(id(unit), (unit, []))[1].append(mutation)
        units = sorted(by_unit.values(), key=lambda entry: entry[0].start)
        if any(outer.end > inner.start for (outer, _), (inner, _) in itertools.pairwise(units)):
            return self._applied_whole(mutations)  # a top-level statement and a function in it
        texts, keys, at = [], [], 0
        for unit, inside in units:  # each unit rendered alone, spliced between the unchanged text
            text, parsed = self._render(unit, self._replaced(unit.node, inside))
            texts += [self.code[at:unit.start], text]
            keys.append(self._unit_key(unit, parsed))
            at = unit.end
        texts.append(self.code[at:])
        key = None if None in keys else "\0\0".join(key for key in keys if key)
        return Rendered("".join(texts), key)

    def _applied_whole(self, mutations: Sequence[Mutation]) -> Rendered:
        after = self.module.visit(_Replacer(mutations)).code
        return Rendered(after, self._whole_key(after))

    def copies(self, node: cst.CSTNode) -> tuple[cst.CSTNode, ...]:
        """The other nodes of `node`'s type and text in its unit (its function): the same
        condition written twice, which an edit to one of them may be due at both."""
        unit = self._owner.get(id(node))
        if unit is None:
            return ()
        path = self.path

        def program(expression: cst.CSTNode) -> str:  # its AST, blind to formatting and parentheses
            return _key(f"({code(expression)})\n", path) or code(expression)

        wanted = program(node)
        found: list[cst.CSTNode] = []

        class Finder(cst.CSTVisitor):
            def on_visit(self, other: cst.CSTNode) -> bool:
                if other is not node and type(other) is type(node) and program(other) == wanted:
                    found.append(other)
                return True

        unit.node.visit(Finder())
        return tuple(found)

    def key_of(self, source: str) -> str | None:
        """The key `apply` gives `source` when a mutation renders it (None if it does not compile)."""
        units = sorted({id(u): u for u in self._owner.values() if u.start >= 0}.values(),
                       key=lambda u: u.end - u.start)
        for unit in units:  # innermost first: functions before the statements holding them
            prefix, suffix = self.code[:unit.start], self.code[unit.end:]
            fits = len(source) >= len(prefix) + len(suffix)
            if fits and source.startswith(prefix) and source.endswith(suffix):
                text = source[len(prefix):len(source) - len(suffix)]
                return self._unit_key(unit, unit.prefix + text)
        return self._whole_key(source)

    def _replaced(self, root: cst.CSTNode, mutations: Sequence[Mutation]) -> cst.CSTNode:
        """`root` with the mutations applied; one mutation rebuilds only the nodes above it."""
        if len(mutations) != 1:
            node = root.visit(_Replacer(mutations))
            assert isinstance(node, cst.CSTNode)  # mutations replace nodes, never remove them
            return node
        old, new = mutations[0].original, mutations[0].replacement
        while old is not root:
            parent = self._parent[id(old)]
            old, new = parent, _with_child(parent, old, new)
        return new

    def _locate(self, unit: _Unit, text: str, start: int, end: int) -> None:
        """Give `unit` its span when its text occurs exactly once in code[start:end]."""
        region = self.code[start:end]
        if region.count(text) == 1:
            unit.start = start + region.index(text)
            unit.end = unit.start + len(text)

    def _render(self, unit: _Unit, node: cst.CSTNode) -> tuple[str, str]:
        """(text to splice, the same text inside its blocks' indentation, parseable alone)."""
        wrapped: cst.CSTNode = node
        for block in reversed(unit.blocks):
            assert isinstance(wrapped, cst.BaseStatement)
            wrapped = cst.If(test=_DUMMY, body=cst.IndentedBlock(body=[wrapped], indent=block.indent))
        parsed = self.module.code_for_node(wrapped)
        return parsed.split("\n", len(unit.blocks))[-1], parsed

    def _unit_key(self, unit: _Unit, parsed: str) -> str | None:
        key = _key(parsed, self.path)
        if not unit.keyed:  # see _whole
            unit.key, unit.keyed = _key(unit.prefix + self.code[unit.start:unit.end], self.path), True
        if key is None or key == unit.key:
            return key and ""
        return f"{unit.name}\0{key}"

    def _whole_key(self, source: str) -> str | None:
        key = _key(source, self.path)
        return "" if key is not None and key == self._whole else key


class _Owners(cst.CSTVisitor):
    """Maps every node under one top-level statement to its unit: the outermost function
    around it, else the statement itself."""

    def __init__(self, splicer: Splicer, top: _Unit) -> None:
        super().__init__()
        self.splicer = splicer
        self.top = top
        self.blocks: list[cst.IndentedBlock] = []
        self.unit = top

    def on_visit(self, node: cst.CSTNode) -> bool:
        for child in node.children:
            self.splicer._parent[id(child)] = node
        if isinstance(node, cst.FunctionDef) and self.unit is self.top:
            self.unit = _Unit(f"{self.top.name}.{node.name.value}@{len(self.splicer._owner)}", node,
                              tuple(self.blocks))
            text, parsed = self.splicer._render(self.unit, node)
            self.unit.prefix = parsed[:len(parsed) - len(text)]
            if self.top.start >= 0:
                self.splicer._locate(self.unit, text, self.top.start, self.top.end)
        elif isinstance(node, cst.IndentedBlock) and self.unit is self.top:
            self.blocks.append(node)
        self.splicer._owner[id(node)] = self.unit
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if original_node is self.unit.node and self.unit is not self.top:
            self.unit = self.top
        elif self.unit is self.top and self.blocks and original_node is self.blocks[-1]:
            self.blocks.pop()


def _with_child(parent: cst.CSTNode, old: cst.CSTNode, new: cst.CSTNode) -> cst.CSTNode:
    """`parent` with its child `old` (held in a field, or in a sequence field) replaced."""
    for field in dataclasses.fields(parent):
        value = getattr(parent, field.name)
        if value is old:
            return parent.with_changes(**{field.name: new})
        if isinstance(value, tuple | list) and any(item is old for item in value):
            items = [new if item is old else item for item in value]
            return parent.with_changes(**{field.name: type(value)(items)})
    raise LookupError(f"{type(old).__name__} is not a child of {type(parent).__name__}")


def _key(source: str, path: str) -> str | None:
    """A digest of the source's AST (formatting-blind), or None when it does not compile; the
    same whatever the warning filters say about SyntaxWarning (`x is 1` compiles). A digest, not
    the dump itself: the search keeps one per candidate, thousands of whole functions."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(source, path)
            compile(tree, path, "exec")
    except (SyntaxError, ValueError):
        return None
    return hashlib.blake2b(ast.dump(tree).encode(), digest_size=16).hexdigest()


class _Replacer(cst.CSTTransformer):
    """Applies several non-overlapping mutations to one tree in a single pass."""

    def __init__(self, mutations: Sequence[Mutation]) -> None:
        super().__init__()
        self.replacements = {id(m.original): m.replacement for m in mutations}

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        return self.replacements.get(id(original_node), updated_node)
