"""Search: mutations at the most suspicious lines, ordered by suspiciousness x template prior."""

from __future__ import annotations

import ast
import hashlib
import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

import libcst as cst

from ...models import Candidate, Edit, Suspect
from ..base import Workbench
from .sites import Mutation, mutations


class BuiltinAgent:
    name = "builtin"

    def repair(self, bench: Workbench) -> str:
        for candidate in candidates(bench.root, bench.suspects):
            reason = bench.stop_reason()
            if reason:
                return reason
            bench.try_candidate(candidate)
        return bench.stop_reason() or "no candidate left to try"


def candidates(root: Path, suspects: Sequence[Suspect]) -> Iterator[Candidate]:
    """Every candidate source, chained in the order they are tried."""
    return itertools.chain(
        single_edits(root, suspects),
    )


def single_edits(root: Path, suspects: Sequence[Suspect]) -> Iterator[Candidate]:
    """Compilable, distinct single-edit candidates, best first."""
    scored: list[tuple[float, int, str, Mutation, cst.Module]] = []
    by_file: dict[str, dict[int, float]] = defaultdict(dict)
    for suspect in suspects:
        by_file[suspect.path].setdefault(suspect.line, suspect.score)
    order = 0
    for path, line_scores in by_file.items():
        module = _parse(root / path)
        if module is None:
            continue
        for mutation in mutations(module, frozenset(line_scores)):
            order += 1
            score = line_scores[mutation.line] * mutation.prior
            scored.append((score, order, path, mutation, module))
    scored.sort(key=lambda item: (-item[0], item[1]))
    seen: set[str] = set()
    for score, _, path, mutation, module in scored:
        after = module.deep_replace(mutation.original, mutation.replacement)
        assert isinstance(after, cst.Module)
        source = after.code
        tree = _ast_dump(source, path)
        if tree is None:
            continue
        digest = hashlib.sha1(f"{path}\0{tree}".encode()).hexdigest()
        if digest in seen:
            continue  # equivalent to a candidate already yielded
        seen.add(digest)
        edit = Edit(
            path=path, before=module.code, after=source, template=mutation.template,
            line=mutation.line, description=f"{path}:{mutation.line}: {mutation.description}",
        )
        yield Candidate(edits=(edit,), score=round(score, 4), agent="builtin")


def _parse(path: Path) -> cst.Module | None:
    try:
        return cst.parse_module(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, cst.ParserSyntaxError):
        return None


def _ast_dump(source: str, path: str) -> str | None:
    """The program's AST as text (formatting-blind), or None when it does not compile."""
    try:
        tree = ast.parse(source, path)
        compile(tree, path, "exec")
    except (SyntaxError, ValueError):
        return None
    return ast.dump(tree)
