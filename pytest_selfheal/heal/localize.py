"""Rank suspicious functions, then lines inside them: Ochiai over the coverage spectrum, blended
with the traceback's project frames and the lines changed since the last commit."""

from __future__ import annotations

import ast
import fnmatch
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

from ..models import Failure, Line, Spectrum, Suspect


@dataclass(frozen=True)
class Weights:
    """How a line's signals blend into its score, and how much of it its function decides.

    A line scores `spectrum * ochiai + traceback * frame weight + changed * (line changed)`; a
    function scores its best line; a suspect's score is `function_share` of its function's score
    plus the rest of its own. The defaults are fitted by benchmarks/fit_builtin.py on the
    corpus's first 73 bugs: with the fitted priors they raised the oracle's budget-averaged
    reach from 0.550 (with the weights before, 0.6/0.25/0.15/0.5) to 0.578 in-sample and 0.556
    on programs left out; on all 125 bugs they score 0.568, and a refit does not beat that on
    programs left out (benchmarks/results/fit_builtin.txt). The optimum is flat: a spectrum
    weight anywhere from 0.1 to 0.6 (the rest on changed lines) is within 0.002 of it; a
    traceback weight of 0.2 or a function share of 0.5 costs 0.003. Frames still order what
    the scores tie on (see `blend`).
    """

    spectrum: float = 0.5
    traceback: float = 0.0
    changed: float = 0.5
    function_share: float = 0.25


@dataclass(frozen=True)
class Signals:
    """The raw evidence per line, before blending: what `localize` measures once per heal."""

    spectrum: dict[Line, tuple[float, int, int]]  # ochiai(): score, failing and passing runs
    frames: dict[Line, tuple[float, int]]  # traceback_weights(): weight, depth
    changed: frozenset[Line]


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


def changed_lines(root: Path) -> frozenset[Line]:
    """Lines changed in the uncommitted diff against HEAD, or, with a clean tree, in HEAD's commit.

    A pure deletion marks the lines around it, where a missing statement would go.
    """
    from . import changes  # imports git tooling: kept out of green runs, which import this module

    for base in ("HEAD", "HEAD~1"):
        found = changes.as_lines(changes.changed_lines(root, base))
        if found:
            return found
    return frozenset()


def localize(
    spectrum: Spectrum,
    failures: Sequence[Failure],
    *,
    root: Path,
    is_test_file: Callable[[str], bool],
    limit: int = 40,
    weights: Weights = Weights(),
) -> tuple[Suspect, ...]:
    """The `limit` most suspicious lines, best function first, each mapped to its function."""
    signals = Signals(
        spectrum=ochiai(spectrum, is_test_file),
        frames=traceback_weights(failures, is_test_file, root),
        changed=changed_lines(root),
    )
    return blend(signals, root=root, limit=limit, weights=weights)


def blend(signals: Signals, *, root: Path, limit: int = 40, weights: Weights = Weights()
          ) -> tuple[Suspect, ...]:
    """Suspects from measured signals; pure, so weights can be compared on the same signals."""
    lines = []
    for line in signals.spectrum.keys() | signals.frames.keys():
        score, e_f, e_p = signals.spectrum.get(line, (0.0, 0, 0))
        weight, depth = signals.frames.get(line, (0.0, -1))
        changed = line in signals.changed
        evidence = []
        if e_f:
            evidence.append(f"ochiai {score:.2f}: run by {e_f} failing and {e_p} passing tests")
        if depth >= 0:
            evidence.append(f"traceback frame #{depth + 1} from the innermost")
        if changed:
            evidence.append("changed since the last commit")
        blended = weights.spectrum * score + weights.traceback * weight + weights.changed * changed
        path, lineno = line
        lines.append((path, lineno, enclosing_function(root / path, lineno), blended, evidence))
    best_in_function: dict[tuple[str, str], float] = {}
    for path, _, function, blended, _ in lines:
        key = (path, function)
        best_in_function[key] = max(best_in_function.get(key, 0.0), blended)
    share = weights.function_share
    suspects = [
        Suspect(
            path=path,
            line=lineno,
            function=function,
            score=round(share * best_in_function[(path, function)] + (1 - share) * blended, 4),
            evidence=tuple(evidence),
        )
        for path, lineno, function, blended, evidence in lines
    ]
    frame_weight = {line: weight for line, (weight, _) in signals.frames.items()}
    nearest_frame: dict[tuple[str, str], float] = {}
    for suspect in suspects:
        key = (suspect.path, suspect.function)
        weight = frame_weight.get((suspect.path, suspect.line), 0.0)
        nearest_frame[key] = max(nearest_frame.get(key, 0.0), weight)
    # Ties (equal scores, e.g. no coverage after an import error) go to the innermost frames.
    suspects.sort(key=lambda s: (-best_in_function[(s.path, s.function)],
                                 -nearest_frame[(s.path, s.function)], s.path, s.function,
                                 -s.score, -frame_weight.get((s.path, s.line), 0.0), s.line))
    return tuple(suspects[:limit])


def ranked_functions(suspects: Sequence[Suspect]) -> list[tuple[str, str]]:
    """(path, function) in the order `localize` ranked them."""
    return list(dict.fromkeys((s.path, s.function) for s in suspects))


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
