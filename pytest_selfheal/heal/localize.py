"""Measure what points at the fault, per line: Ochiai over the coverage spectrum and the
traceback's project frames (heal/suspects.py blends them with the changed lines into a score)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from ..models import Failure, Frame, Line, Spectrum, Suspect
from .changes import ChangedLines


@dataclass(frozen=True)
class Signals:
    """The raw evidence per line, before blending: what `localize` measures once per heal."""

    spectrum: dict[Line, tuple[float, int, int]]  # ochiai(): score, failing and passing runs
    frames: dict[Line, tuple[float, int]]  # traceback_weights(): weight, depth
    changed: ChangedLines  # the heal's one changed-lines signal, measured by triage


def measure(spectrum: Spectrum, failures: Sequence[Failure], *, root: Path,
            is_test_file: Callable[[str], bool], changed: ChangedLines) -> Signals:
    return Signals(spectrum=ochiai(spectrum, is_test_file),
                   frames=traceback_weights(failures, is_test_file, root), changed=changed)


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
        for depth, frame in enumerate(project_frames(failure, is_test_file, root)):
            weight = 1.0 / (1 + depth)
            key = (frame.path, frame.line)
            if weight > weights.get(key, (0.0, 0))[0]:
                weights[key] = (weight, depth)
    return weights


def project_frames(failure: Failure, is_test_file: Callable[[str], bool], root: Path) -> list[Frame]:
    """The failure's frames in files of the project at `root` that are not tests, innermost first.
    A frame outside the project keeps its absolute path (unittest's assertEqual, a library's
    code), which `root / path` would not tell from a project file."""
    return [f for f in reversed(failure.frames)
            if not PurePath(f.path).is_absolute() and ".." not in PurePath(f.path).parts
            and not is_test_file(f.path) and (root / f.path).is_file()]


def ranked_functions(suspects: Sequence[Suspect]) -> list[tuple[str, str]]:
    """(path, function) in the order `localize` ranked them."""
    return list(dict.fromkeys((s.path, s.function) for s in suspects))
