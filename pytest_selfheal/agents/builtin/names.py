"""Repairs for a wrong or missing name: NameError, AttributeError, ImportError.

Candidates come from Python's own "Did you mean" suggestion, close matches among the names that
exist where the lookup happened, and, for a NameError, an import of a name that another project
module defines at top level. They are tried before the mutation templates because they only
appear when such an error was raised at the suspect line.
"""

from __future__ import annotations

import ast
import builtins
import difflib
import re
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ...cst_parse import parse_module
from ...models import Candidate, Edit, Suspect, read_evidence
from ...source import PythonSource, UnreadableSource, read_source

MAX_SUGGESTIONS = 3
MAX_IMPORT_SOURCES = 3
SCORE = 1.0
_SKIP_DIRS = frozenset({".git", ".selfheal", "__pycache__", ".tox", ".venv", "venv", "node_modules",
                        "site-packages", "build", "dist"})

_MISSING = (
    re.compile(r"name '(?P<name>\w+)' is not defined"),
    re.compile(r"has no attribute '(?P<name>\w+)'"),
    re.compile(r"cannot import name '(?P<name>\w+)'"),
)
_MODULE = re.compile(r"(?:module|from) '(?P<module>[\w.]+)'")
_INSTANCE = re.compile(r"^(?:type object )?'(?P<cls>\w+)'(?: object)? has no attribute")
_DID_YOU_MEAN = re.compile(r"Did you mean:? '?(?P<name>\w+)'?\??")


def name_candidates(root: Path, suspects: Sequence[Suspect]) -> Iterator[Candidate]:
    """Single-edit fixes for each suspect line that raised a name error, best suspects first."""
    for suspect in suspects:
        for evidence in suspect.evidence:
            error = read_evidence(evidence)
            if error is not None:
                yield from _fixes(root, suspect, *error)


def _fixes(root: Path, suspect: Suspect, exc_type: str, message: str) -> Iterator[Candidate]:
    missing = next((m["name"] for p in _MISSING if (m := p.search(message))), None)
    path = root / suspect.path
    if missing is None or not path.is_file():
        return
    try:
        read = read_source(path)
    except UnreadableSource:
        return  # the mutation search says why it cannot search this file
    source = read.text
    module = _MODULE.search(message)
    if exc_type.endswith("NameError"):
        known = _bound_names(source) | frozenset(dir(builtins))
    elif module is not None and (defining := _module_file(root, module["module"])) is not None:
        known = _top_level_names(_text(defining))
    elif (instance := _INSTANCE.search(message)) is not None:
        known = _class_attributes(root, instance["cls"], first=path)
    else:
        known = frozenset()
    suggested = [m["name"] for m in _DID_YOU_MEAN.finditer(message)]
    close = difflib.get_close_matches(missing, sorted(known - {missing}), n=MAX_SUGGESTIONS, cutoff=0.75)
    for name in dict.fromkeys([*suggested, *close]):
        after = _rename_on_line(source, suspect.line, missing, name)
        if after is not None:
            yield _candidate(suspect, read, after, f"use {name!r} instead of the undefined {missing!r}",
                             "did-you-mean")
    if exc_type.endswith("NameError"):
        for dotted in _defining_modules(root, missing, exclude=suspect.path):
            after = _add_import(source, f"from {dotted} import {missing}\n")
            if after is not None:
                yield _candidate(suspect, read, after, f"import {missing} from {dotted}",
                                 "missing-import")


def _candidate(suspect: Suspect, before: PythonSource, after: str, what: str, template: str
               ) -> Candidate:
    edit = Edit(path=suspect.path, before=before.text, after=after, template=template,
                line=suspect.line, description=f"{suspect.path}:{suspect.line}: {what}",
                encoding=before.encoding)
    return Candidate(edits=(edit,), score=SCORE, agent="builtin")


class _Rename(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, line: int, old: str, new: str) -> None:
        self.line, self.old, self.new = line, old, new
        self.renamed = 0

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        position = self.get_metadata(PositionProvider, original_node)
        if position.start.line == self.line and original_node.value == self.old:
            self.renamed += 1
            return updated_node.with_changes(value=self.new)
        return updated_node


def _rename_on_line(source: str, line: int, old: str, new: str) -> str | None:
    try:
        wrapper = MetadataWrapper(parse_module(source))
    except cst.ParserSyntaxError:
        return None
    rename = _Rename(line, old, new)
    after = wrapper.visit(rename)
    return after.code if rename.renamed else None


def _add_import(source: str, statement: str) -> str | None:
    """`statement` after the module's leading docstring and imports."""
    try:
        module = parse_module(source)
    except cst.ParserSyntaxError:
        return None
    index = 0
    for position, node in enumerate(module.body):
        if not isinstance(node, cst.SimpleStatementLine):
            break
        if all(isinstance(s, cst.Import | cst.ImportFrom) for s in node.body) or (
            position == 0 and isinstance(node.body[0], cst.Expr)
            and isinstance(node.body[0].value, cst.SimpleString)
        ):
            index = position + 1
        else:
            break
    body = [*module.body[:index], cst.parse_statement(statement), *module.body[index:]]
    return module.with_changes(body=body).code


def _bound_names(source: str) -> frozenset[str]:
    """Every name the module binds anywhere: assignments, defs, classes, parameters, imports."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return frozenset()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return frozenset(names)


def _text(path: Path) -> str:
    """A module's text, or "" (no names) when it cannot be read as Python source."""
    try:
        return read_source(path).text
    except (OSError, UnreadableSource):
        return ""


def _top_level_names(source: str) -> frozenset[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return frozenset()
    return frozenset(_defined_in(tree.body))


def _defined_in(body: list[ast.stmt]) -> set[str]:
    """Names a block's own statements define: defs, classes and plain assignments."""
    names: set[str] = set()
    for statement in body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(statement.name)
        elif isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _class_attributes(root: Path, name: str, first: Path) -> frozenset[str]:
    """What an instance of class `name` has: its methods, class attributes and `self.x`
    assignments where the project defines it (the raising module first), else a builtin type's
    attributes. Python before 3.12 gives no "Did you mean" for an instance's attribute, so
    this is where the suggestion comes from."""
    for path in [first, *(p for _, p in _project_modules(root) if p != first)]:
        try:
            tree = ast.parse(path.read_bytes())
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name == name:
                return _members(node)
    kind = getattr(builtins, name, None)
    return frozenset(dir(kind)) if isinstance(kind, type) else frozenset()


def _members(cls: ast.ClassDef) -> frozenset[str]:
    names = _defined_in(cls.body)
    for node in ast.walk(cls):
        if (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                and isinstance(node.value, ast.Name) and node.value.id == "self"):
            names.add(node.attr)
    return frozenset(names)


@cache
def _project_modules(root: Path) -> tuple[tuple[str, Path], ...]:
    """(dotted module name, file) for the project's importable, non-test modules."""
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if _SKIP_DIRS & set(rel.parts) or any(p.startswith("test") for p in rel.parts):
            continue
        parts = [path.stem] if path.stem != "__init__" else []
        parent = path.parent
        while (parent / "__init__.py").is_file() and parent != root:
            parts.insert(0, parent.name)
            parent = parent.parent
        if parts:
            found.append((".".join(parts), path))
    return tuple(found)


def _module_file(root: Path, dotted: str) -> Path | None:
    return next((path for name, path in _project_modules(root) if name == dotted), None)


def _defining_modules(root: Path, name: str, exclude: str) -> list[str]:
    excluded = (root / exclude).resolve()
    found = []
    for dotted, path in _project_modules(root):
        if path.resolve() != excluded and name in _top_level_names(_text(path)):
            found.append(dotted)
    return found[:MAX_IMPORT_SOURCES]
