"""Suspect scores, in one place: what localize measured (coverage spectrum, traceback frames)
blended with triage's one "changed lines" signal, the error location of each failure, and a lift
for changed lines that a failing test ran (triage's causal link).

The agents search suspects in this order; benchmarks/fit_builtin.py fits the weights.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from ..models import Failure, Suspect, error_evidence
from ..source import deciding_conditions, enclosing_function
from . import collection_errors
from .localize import Signals
from .triage import Triage

CHANGE_BOOST = 0.2  # a changed line that a failing test ran: the likeliest cause of a regression


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
    # A line only failing tests ran lends this share of its score to the condition that decided
    # it would run (`deciding`), not fitted: structlog's `if not utc:` ran in passing tests too,
    # scored below the lines its wrong branch ran, and a patch of those was found first.
    deciding: float = 0.9


def rank_suspects(
    blended: Iterable[Suspect], verdicts: Triage, failures: Iterable[Failure], root: Path,
    user_root: Path, is_test_file: Callable[[str], bool],
) -> tuple[Suspect, ...]:
    """The suspects an agent gets: the `blended` lines (blend), each repaired failure's error
    location (with the error as evidence), and a lift for changed lines a failing test ran."""
    by_line = {(s.path, s.line): s for s in blended}
    repaired = verdicts.repairable
    for failure in failures:
        if failure.nodeid not in repaired:
            continue
        error = collection_errors.build_error(failure, user_root, is_test_file)
        evidence = error_evidence(error.exc_type, error.message)
        found = collection_errors.suspect(error, failure.nodeid, root, evidence)
        if found is None:
            continue
        known = by_line.get((found.path, found.line))
        if known is None:
            by_line[(found.path, found.line)] = found if failure.phase == "collect" else replace(
                found, score=0.0, evidence=(evidence,))
        elif evidence not in known.evidence:
            by_line[(found.path, found.line)] = replace(known, evidence=(*known.evidence, evidence))
    for key, suspect in by_line.items():
        if key in verdicts.linked:
            by_line[key] = replace(
                suspect, score=round(suspect.score + CHANGE_BOOST, 4),
                evidence=(*suspect.evidence, "a failing test ran this changed line"),
            )
    return tuple(sorted(by_line.values(), key=lambda s: (-s.score, s.path, s.line)))


# Lines handed to the agents at most. The builtin agent orders its edits by line score, so a
# line past the best ones costs it nothing until the search gets there; a heal's budget holds
# thousands of candidates, and a faulty line that many passing tests also run (a guard at the
# top of a callback, a comparison helper everything calls) scores below a long function's
# rarely run lines.
SUSPECT_LINES = 200


def blend(signals: Signals, *, root: Path, limit: int = SUSPECT_LINES,
          weights: Weights = Weights()) -> tuple[Suspect, ...]:
    """Suspects from measured signals: the `limit` best-scored lines, best function first;
    pure, so weights can be compared on the same signals."""
    lines = []
    for line in signals.spectrum.keys() | signals.frames.keys():
        score, e_f, e_p = signals.spectrum.get(line, (0.0, 0, 0))
        weight, depth = signals.frames.get(line, (0.0, -1))
        changed = line in signals.changed.lines
        evidence = []
        if e_f:
            evidence.append(f"ochiai {score:.2f}: run by {e_f} failing and {e_p} passing tests")
        if depth >= 0:
            evidence.append(f"traceback frame #{depth + 1} from the innermost")
        if changed:
            evidence.append(f"changed since {signals.changed.describe()}")
        blended = weights.spectrum * score + weights.traceback * weight + weights.changed * changed
        path, lineno = line
        lines.append((path, lineno, enclosing_function(root / path, lineno), blended, evidence))
    lines = _with_deciders(lines, signals, root, weights.deciding)
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
    suspects.sort(key=lambda s: (-s.score, -frame_weight.get((s.path, s.line), 0.0), s.path, s.line))
    del suspects[limit:]
    nearest_frame: dict[tuple[str, str], float] = {}
    for suspect in suspects:
        key = (suspect.path, suspect.function)
        weight = frame_weight.get((suspect.path, suspect.line), 0.0)
        nearest_frame[key] = max(nearest_frame.get(key, 0.0), weight)
    # Ties (equal scores, e.g. no coverage after an import error) go to the innermost frames.
    suspects.sort(key=lambda s: (-best_in_function[(s.path, s.function)],
                                 -nearest_frame[(s.path, s.function)], s.path, s.function,
                                 -s.score, -frame_weight.get((s.path, s.line), 0.0), s.line))
    return tuple(suspects)


_Line = tuple[str, int, str, float, list[str]]  # path, line, function, blended score, evidence


def _with_deciders(lines: list[_Line], signals: Signals, root: Path, share: float) -> list[_Line]:
    """`lines`, each condition that decides whether a line only failing tests ran would run
    (source.deciding_conditions) raised to `share` of that line's score, where that is more: a
    wrong branch runs lines no passing test runs, and the fault is often the condition that
    chose it, which passing tests also run."""
    at = {(path, lineno): index for index, (path, lineno, *_) in enumerate(lines)}
    lifted = list(lines)
    for path, lineno, _, blended, _ in lines:
        _, e_f, e_p = signals.spectrum.get((path, lineno), (0.0, 0, 0))
        decider = deciding_conditions(root / path).get(lineno) if e_f and not e_p else None
        index = at.get((path, decider)) if decider is not None else None
        if index is None or lifted[index][3] >= share * blended:
            continue
        d_path, d_line, function, _, evidence = lifted[index]
        lifted[index] = (d_path, d_line, function, share * blended, [
            *(e for e in evidence if not e.startswith("decides whether")),
            f"decides whether line {lineno} runs, which only failing tests ran"])
    return lifted
