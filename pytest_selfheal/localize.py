"""Rank suspicious source lines: Ochiai over the coverage spectrum, blended with the traceback."""

from __future__ import annotations

import ast
import fnmatch
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path, PurePosixPath

from .models import Failure, Line, Spectrum, Suspect

SPECTRUM_WEIGHT = 0.7
TRACEBACK_WEIGHT = 0.3


def make_test_file_predicate(python_files: Sequence[str], test_paths: Iterable[str]) -> Callable[[str], bool]:
    """True for files pytest would collect, conftest.py, and every file a test nodeid names."""
    known = frozenset(test_paths)

    def is_test_file(rel: str) -> bool:
        name = PurePosixPath(rel).name
        return (
            rel in known
            or name == "conftest.py"
            or any(fnmatch.fnmatch(name, pattern) for pattern in python_files)
        )

    return is_test_file


def ochiai(spectrum: Spectrum, is_test_file: Callable[[str], bool]) -> dict[Line, tuple[float, int, int]]:
    """line -> (score, failing tests covering it, passing tests covering it)."""
    failing, passing = spectrum.failing, spectrum.passing
    ef: Counter[Line] = Counter(line for t in failing for line in spectrum.covered[t])
    ep: Counter[Line] = Counter(line for t in passing for line in spectrum.covered[t])
    total_failed = len(failing)
    scores = {}
    for line, e_f in ef.items():
        if is_test_file(line[0]):
            continue
        e_p = ep.get(line, 0)
        scores[line] = (e_f / math.sqrt(total_failed * (e_f + e_p)), e_f, e_p)
    return scores


def traceback_weights(
    failures: Sequence[Failure], is_test_file: Callable[[str], bool], root: Path
) -> dict[Line, tuple[float, int]]:
    """line -> (weight, depth): innermost project frame 1.0, the next 0.5, then 0.33, ..."""
    weights: dict[Line, tuple[float, int]] = {}
    for failure in failures:
        project = [
            f for f in reversed(failure.frames)
            if not is_test_file(f.path) and (root / f.path).is_file()
        ]
        for depth, frame in enumerate(project):
            weight = 1.0 / (1 + depth)
            key = (frame.path, frame.line)
            if weight > weights.get(key, (0.0, 0))[0]:
                weights[key] = (weight, depth)
    return weights


def localize(
    spectrum: Spectrum,
    failures: Sequence[Failure],
    *,
    root: Path,
    is_test_file: Callable[[str], bool],
    limit: int = 40,
) -> tuple[Suspect, ...]:
    """The `limit` most suspicious lines, each mapped to its enclosing function."""
    spectrum_scores = ochiai(spectrum, is_test_file)
    frame_weights = traceback_weights(failures, is_test_file, root)
    suspects = []
    for line in spectrum_scores.keys() | frame_weights.keys():
        score, e_f, e_p = spectrum_scores.get(line, (0.0, 0, 0))
        weight, depth = frame_weights.get(line, (0.0, -1))
        evidence = []
        if e_f:
            evidence.append(f"ochiai {score:.2f}: run by {e_f} failing and {e_p} passing tests")
        if depth >= 0:
            evidence.append(f"traceback frame #{depth + 1} from the innermost")
        path, lineno = line
        suspects.append(
            Suspect(
                path=path,
                line=lineno,
                function=enclosing_function(root / path, lineno),
                score=round(SPECTRUM_WEIGHT * score + TRACEBACK_WEIGHT * weight, 4),
                evidence=tuple(evidence),
            )
        )
    suspects.sort(key=lambda s: (-s.score, s.path, s.line))
    return tuple(suspects[:limit])


def enclosing_function(path: Path, line: int) -> str:
    """Qualified name of the innermost def containing `line`, or `<module>`."""
    best = "<module>"
    for start, end, name in _definitions(path):
        if start <= line <= end:
            best = name  # definitions are listed outer before inner
    return best


def function_span(path: Path, line: int) -> tuple[int, int] | None:
    """First and last line of the innermost def containing `line`."""
    span = None
    for start, end, _ in _definitions(path):
        if start <= line <= end:
            span = (start, end)
    return span


@cache
def _definitions(path: Path) -> tuple[tuple[int, int, str], ...]:
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
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
