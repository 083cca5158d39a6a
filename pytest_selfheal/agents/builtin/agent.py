"""Search: mutations at the most suspicious lines, ordered by suspiciousness x template prior."""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path

import libcst as cst

from ...models import Candidate, Edit, Suspect
from ..base import Workbench
from .names import name_candidates
from .templates import Mutation, mutations

BATCH = 8  # candidates screened together; the bench still judges them strictly in order


class BuiltinAgent:
    name = "builtin"

    def repair(self, bench: Workbench) -> str:
        found = candidates(bench.root, bench.suspects)
        while batch := list(itertools.islice(found, BATCH)):
            reason = bench.stop_reason()
            if reason:
                return reason
            bench.try_batch(batch)
        return bench.stop_reason() or "no candidate left to try"


def candidates(root: Path, suspects: Sequence[Suspect]) -> Iterator[Candidate]:
    """Compilable, distinct single-edit candidates, best first."""
    yield from name_candidates(root, suspects)
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
        digest = hashlib.sha1(f"{path}\0{source}".encode()).hexdigest()
        if digest in seen or not _compiles(source, path):
            continue
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


def _compiles(source: str, path: str) -> bool:
    try:
        compile(source, path, "exec")
    except (SyntaxError, ValueError):
        return False
    return True
