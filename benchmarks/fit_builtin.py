"""Fit the builtin agent's localization weights and template priors on the bug corpus.

The quantity fitted is where the oracle (the candidate AST-equal to the fixed program) comes in
the agent's stream of single-edit candidates: that is how many validations a heal needs, and it
can be measured without running any. Each corpus bug is measured once, for real, and cached in
benchmarks/results/localization_inputs.json: the per-test coverage spectrum (the heal's own
probe), the failures as `--selfheal` captures them (traceback frames included), and the changed
lines with the bug committed (no diff to read) and uncommitted (`--dirty`). Every bug then counts
twice, once per setting. From those inputs every setting is scored exactly as a heal would
order candidates: localize's blend, triage's boost for changed lines the failing tests ran, then
the agent's order (line score x family prior, stable, duplicates and non-compiling candidates
skipped); `--verify` replays the real candidate stream to check the replay.

Objective: the share of bugs a heal would reach, averaged over budgets from 1 to 1000
validations spaced evenly on a log scale, i.e. the mean of max(0, 1 - ln(rank) / ln(1000)):
moving an oracle from 300 to 30 counts as much as from 10 to 1.

Priors are measured, not searched: a family's prior is its success rate at the faulty lines
(of the distinct candidates it makes there, the share that is the oracle), smoothed towards the
mean rate and tempered; the smoothing and the blend weights (a grid, spectrum + traceback +
changed = 1, with the function share) are what the objective picks. Searching each prior
freely fitted the corpus but lost to the hand-set priors on programs left out. Reported
in-sample and leave-one-program-out (fit on six programs, score the seventh).

    python benchmarks/fit_builtin.py [--collect] [--bugs ID ...] [--no-cv] [--verify] [--cases]

The first run after a change to the agent renders every candidate again (minutes; cached in the
temp directory after that); a run on the cache takes a few minutes, mostly cross-validation.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

import libcst as cst
from repair_rate import ORACLE_HORIZON, Bug, load_corpus, make_project

from pytest_selfheal.agents.builtin.agent import candidates
from pytest_selfheal.agents.builtin.priors import PRIORS
from pytest_selfheal.agents.builtin.render import Splicer
from pytest_selfheal.agents.builtin.sites import mutations
from pytest_selfheal.heal.changes import ChangedLines, changed_since_base
from pytest_selfheal.heal.localize import Signals, ochiai, ranked_functions, traceback_weights
from pytest_selfheal.heal.probe import start_probe
from pytest_selfheal.heal.suspects import Weights, blend, rank_suspects
from pytest_selfheal.heal.triage import Triage
from pytest_selfheal.models import Failure, Frame, Line, Spectrum, Suspect
from pytest_selfheal.sandbox.runner import PytestCommand
from pytest_selfheal.sandbox.testruns import TestRuns
from pytest_selfheal.source import enclosing_function
from pytest_selfheal.testfiles import DEFAULT_PYTHON_FILES, TestFiles

HERE = Path(__file__).resolve().parent
INPUTS = HERE / "results" / "localization_inputs.json"
AGENT = HERE.parent / "pytest_selfheal" / "agents" / "builtin"
CELL_CACHE = Path(tempfile.gettempdir()) / "selfheal-fit-candidates"
# what makes the candidates: every module of the agent but its priors, which only order them
RENDERING = tuple(sorted(p.name for p in AGENT.glob("*.py") if p.name != "priors.py"))
MODES = ("committed", "dirty")
BUDGET = 1000  # the objective averages over budgets of 1..BUDGET validations
SHARE_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
BLEND_STEP = 0.1
TOLERANCE = 0.001  # an objective difference this small is one case's oracle moving ~2x in rank


# --- collecting the inputs, once per bug --------------------------------------------------------


def _digest(bug: Bug) -> str:
    """Changes when the bug or its program's tests change, so stale inputs are measured again."""
    tests = "".join(p.read_text() for p in sorted(bug.directory.glob("test_*.py")))
    return hashlib.sha1(f"{bug.buggy}\0{tests}".encode()).hexdigest()


def _failures(repo: Path) -> list[dict[str, object]]:
    """The failures of one plain pytest run, as `--selfheal` captures them (see _failure_dump)."""
    dump = repo.parent / "failures.json"
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), str(HERE.parent),
                                                      env.get("PYTHONPATH", "")]))
    env["SELFHEAL_FAILURE_DUMP"] = str(dump)
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p",
                    "no:benchmark", "-p", "_failure_dump"], cwd=repo, env=env,
                   capture_output=True, timeout=300, check=False)
    found: list[dict[str, object]] = json.loads(dump.read_text())
    return found


def _lines(found: Iterable[Line]) -> list[list[object]]:
    return sorted([path, line] for path, line in found)


def collect(bug: Bug) -> dict[str, object]:
    """Measure one bug: spectrum, failures, and changed lines committed and uncommitted."""
    repo = make_project(bug, dirty=False)
    try:
        command = PytestCommand(sandbox_root=repo, user_root=repo, cwd=repo,
                                scratch=repo.parent / "scratch")
        spectrum, _ = start_probe(TestRuns(command), ["tests"], timeout=300)()
        failures = _failures(repo)
        committed = changed_since_base(repo, None).lines
    finally:
        shutil.rmtree(repo.parent, ignore_errors=True)
    dirty_repo = make_project(bug, dirty=True)
    try:
        dirty = changed_since_base(dirty_repo, None).lines
    finally:
        shutil.rmtree(dirty_repo.parent, ignore_errors=True)
    covered: dict[str, dict[str, list[int]]] = {}
    for nodeid, lines in spectrum.covered.items():
        by_path: dict[str, list[int]] = {}
        for path, line in sorted(lines):
            by_path.setdefault(path, []).append(line)
        covered[nodeid] = by_path
    return {
        "digest": _digest(bug),
        "outcomes": spectrum.outcomes,
        "covered": covered,
        "failures": failures,
        "changed": {"committed": _lines(committed), "dirty": _lines(dirty)},
    }


def load_inputs(bugs: Sequence[Bug], refresh: bool) -> dict[str, dict[str, object]]:
    """Cached inputs for every bug, measuring the missing or stale ones (saved as they come)."""
    cache: dict[str, dict[str, object]] = (
        json.loads(INPUTS.read_text())["bugs"] if INPUTS.is_file() else {}
    )
    for number, bug in enumerate(bugs, start=1):
        if not refresh and cache.get(bug.id, {}).get("digest") == _digest(bug):
            continue
        started = time.monotonic()
        cache[bug.id] = collect(bug)
        print(f"  measured {bug.id} ({number}/{len(bugs)}, {time.monotonic() - started:.1f}s)",
              file=sys.stderr, flush=True)
        INPUTS.write_text(json.dumps({"bugs": dict(sorted(cache.items()))}, separators=(",", ":"))
                          + "\n")
    return {bug.id: cache[bug.id] for bug in bugs}



# --- replaying a heal's ordering for given weights and priors ----------------------------------


@dataclass(frozen=True)
class Cell:
    """The distinct programs one family makes at one line, in the order the agent makes them."""

    line: int
    family: str
    positions: tuple[int, ...]  # in the agent's generation order, over the whole table
    programs: tuple[int, ...]  # 0 is the oracle


@dataclass(frozen=True)
class Case:
    """One bug in one setting (committed or dirty), with everything the replay needs."""

    bug: Bug
    mode: str
    root: Path  # holds the buggy program, for function spans
    signals: Signals
    linked: frozenset[Line]  # changed lines a failing test ran or raised from: triage's boost
    cells: tuple[Cell, ...]
    faulty_function: str
    faulty_lines: tuple[int, ...]

    @property
    def path(self) -> str:
        return f"{self.bug.program}.py"

    @property
    def label(self) -> str:
        return f"{self.bug.id}{' (dirty)' if self.mode == 'dirty' else ''}"


def _spectrum(entry: dict[str, Any]) -> Spectrum:
    covered = {
        nodeid: frozenset((path, line) for path, lines in by_path.items() for line in lines)
        for nodeid, by_path in entry["covered"].items()
    }
    return Spectrum(covered=covered, outcomes=dict(entry["outcomes"]))


def _failure(raw: dict[str, Any]) -> Failure:
    return Failure(**{**raw, "frames": tuple(Frame(**f) for f in raw["frames"])})


def build_cases(bug: Bug, entry: dict[str, Any], workdir: Path) -> list[Case]:
    """Both settings of one bug, with its candidate table (cached per template version)."""
    root = workdir / bug.id
    root.mkdir(parents=True, exist_ok=True)
    (root / f"{bug.program}.py").write_text(bug.buggy)
    spectrum = _spectrum(entry)
    failures = [_failure(f) for f in entry["failures"]]
    is_test_file = TestFiles.of_suite(DEFAULT_PYTHON_FILES, spectrum.outcomes)
    scores = ochiai(spectrum, is_test_file)
    frames = traceback_weights(failures, is_test_file, root)
    program = f"{bug.program}.py"
    cells = _cells(bug, frozenset(line for path, line in scores.keys() | frames.keys() if path == program))
    ran = frozenset().union(*(spectrum.covered.get(f.nodeid, frozenset()) for f in failures),
                            {(frame.path, frame.line) for f in failures for frame in f.frames})
    faulty = tuple(bug.changed_lines())
    function = enclosing_function(root / program, faulty[0])
    cases = []
    for mode in MODES:
        changed = frozenset((path, line) for path, line in entry["changed"][mode])
        signals = Signals(spectrum=scores, frames=frames,
                          changed=ChangedLines("HEAD", "HEAD", changed))
        cases.append(Case(bug, mode, root, signals, changed & ran, cells, function, faulty))
    return cases



def _cells(bug: Bug, lines: frozenset[int]) -> tuple[Cell, ...]:
    """Every single-edit candidate at `lines`, as the agent makes them, grouped by line and
    family; rendering them takes minutes for the corpus, so the table is cached on disk under a
    key that changes with the program, the lines and the agent's code that makes candidates."""
    agent_source = "".join((AGENT / name).read_text() for name in RENDERING)
    key = hashlib.sha1(f"{bug.buggy}\0{bug.fixed}\0{sorted(lines)}\0{agent_source}".encode())
    cached = CELL_CACHE / f"{bug.id}-{key.hexdigest()[:16]}.json"
    if cached.is_file():
        return tuple(Cell(c[0], c[1], tuple(c[2]), tuple(c[3])) for c in json.loads(cached.read_text()))
    module = cst.parse_module(bug.buggy)
    splicer = Splicer(module, f"{bug.program}.py")
    oracle = splicer.key_of(bug.fixed)
    programs: dict[str, int] = {oracle: 0} if oracle else {}
    grouped: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for position, mutation in enumerate(mutations(module, lines)):
        rendered = splicer.apply((mutation,)).key
        if rendered:  # the agent skips programs that do not compile or are unchanged
            program = programs.setdefault(rendered, len(programs) + (oracle is None))
            grouped.setdefault((mutation.line, mutation.template), []).append((position, program))
    cells = tuple(Cell(line, family, tuple(p for p, _ in found), tuple(q for _, q in found))
                  for (line, family), found in grouped.items())
    CELL_CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps([[c.line, c.family, c.positions, c.programs] for c in cells]))
    return cells


@dataclass(frozen=True)
class Localized:
    """What localization gives one case: the agent's line scores, and the faulty function's and
    faulty line's ranks."""

    scores: dict[int, float]
    function: int | None
    line: int | None


def suspects_for(case: Case, weights: Weights) -> tuple[Suspect, ...]:
    """The suspects a heal would hand the agent, scored as heal/suspects.py scores them."""
    verdicts = Triage(failures=(), changed=case.signals.changed, history_runs=0, linked=case.linked)
    return rank_suspects(blend(case.signals, root=case.root, weights=weights), verdicts, (), case.root,
                         case.root, lambda _: False)


def localized(case: Case, weights: Weights) -> Localized:
    suspects = suspects_for(case, weights)
    scores: dict[int, float] = {}
    for suspect in suspects:
        scores.setdefault(suspect.line, suspect.score)
    functions = ranked_functions(suspects)
    target = (case.path, case.faulty_function)
    lines = [s.line for s in suspects]
    return Localized(
        scores,
        functions.index(target) + 1 if target in functions else None,
        min((lines.index(n) + 1 for n in case.faulty_lines if n in lines), default=None),
    )


def oracle_rank(case: Case, scores: dict[int, float], priors: Mapping[str, float]) -> int | None:
    """1-based position of the oracle among the agent's distinct single edits, or None."""
    scored = [(scores[c.line] * priors[c.family], c) for c in case.cells if c.line in scores]
    oracle = max(((score, -cell.positions[cell.programs.index(0)]) for score, cell in scored
                  if 0 in cell.programs), default=None)
    if oracle is None:
        return None
    best, at = oracle[0], -oracle[1]
    before: set[int] = set()
    for score, cell in scored:
        if score > best:
            before.update(cell.programs)
        elif score == best:
            before.update(p for position, p in zip(cell.positions, cell.programs, strict=True)
                          if position < at)
    before.discard(0)
    return len(before) + 1



# --- scoring and searching ----------------------------------------------------------------------


@dataclass(frozen=True)
class Params:
    weights: Weights
    priors: Mapping[str, float]


@dataclass(frozen=True)
class Result:
    """One case under one setting of the parameters."""

    case: Case
    oracle: int | None
    function: int | None
    line: int | None


def reach(rank: int | None) -> float:
    """Share of budgets (1..BUDGET validations, log-spaced) within which a heal reaches the oracle."""
    return max(0.0, 1 - math.log(rank) / math.log(BUDGET)) if rank else 0.0


class Replay:
    """Scores parameter settings on a set of cases, reusing each case's localization per weights."""

    def __init__(self, cases: Sequence[Case]) -> None:
        self.cases = cases
        self._localized: dict[tuple[int, Weights], Localized] = {}

    def localized(self, index: int, weights: Weights) -> Localized:
        key = (index, weights)
        if key not in self._localized:
            self._localized[key] = localized(self.cases[index], weights)
        return self._localized[key]

    def results(self, params: Params, indices: Sequence[int]) -> list[Result]:
        found = []
        for index in indices:
            case, where = self.cases[index], self.localized(index, params.weights)
            found.append(Result(case, oracle_rank(case, where.scores, params.priors), where.function,
                                where.line))
        return found

    def objective(self, params: Params, indices: Sequence[int]) -> float:
        return sum(reach(r.oracle) for r in self.results(params, indices)) / len(indices)


def weight_grid() -> list[Weights]:
    steps = round(1 / BLEND_STEP)
    return [
        Weights(round(s * BLEND_STEP, 2), round(t * BLEND_STEP, 2), round((steps - s - t) * BLEND_STEP, 2),
                share)
        for s in range(steps + 1) for t in range(steps + 1 - s) for share in SHARE_GRID
    ]


@dataclass(frozen=True)
class Smoothing:
    """How measured success rates become priors: `strength` pseudo-candidates at the mean rate
    are added to each family's count, and the rate is raised to `temper` (line scores are not
    probabilities, so how far a family's rate should outweigh them is fitted too)."""

    strength: float
    temper: float


SMOOTHING_GRID = tuple(Smoothing(s, t) for s in (1.0, 3.0, 10.0, 30.0, 100.0)
                       for t in (0.0, 0.25, 0.5, 0.75, 1.0))  # temper 0: every prior 1


def measured_priors(cases: Sequence[Case], smoothing: Smoothing) -> dict[str, float]:
    """Each family's success rate at the faulty lines: of the distinct candidates it makes
    there, how many are the oracle (per bug, smoothed, tempered, the best family at 1)."""
    hits: Counter[str] = Counter()
    tries: Counter[str] = Counter()
    for case in {c.bug.id: c for c in cases}.values():
        for cell in case.cells:
            if cell.line in case.faulty_lines:
                tries[cell.family] += len(set(cell.programs))
                hits[cell.family] += 0 in cell.programs
    mean = sum(hits.values()) / max(1, sum(tries.values()))
    rates = {f: ((hits[f] + smoothing.strength * mean) / (tries[f] + smoothing.strength)) ** smoothing.temper
             for f in PRIORS}
    top = max(rates.values())
    return {f: float(f"{rate / top:.3g}") for f, rate in sorted(rates.items())}


def _distance(a: Weights, b: Weights) -> float:
    return math.dist(astuple(a), astuple(b))


def _programs(replay: Replay, indices: Sequence[int]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for index in indices:
        found.setdefault(replay.cases[index].bug.program, []).append(index)
    return found


def _held_out_objective(replay: Replay, indices: Sequence[int], weights: Weights,
                        smoothing: Smoothing) -> float:
    """The objective on each program of `indices` with priors measured on the others."""
    programs = _programs(replay, indices)
    total = 0.0
    for program, test in programs.items():
        train = [replay.cases[i] for other, found in programs.items() if other != program for i in found]
        total += replay.objective(Params(weights, measured_priors(train, smoothing)), test) * len(test)
    return total / len(indices)


def fit(replay: Replay, indices: Sequence[int], start: Weights) -> tuple[Params, Smoothing]:
    """Blend weights on a grid, then the smoothing of the measured priors, then the weights
    again. The smoothing is chosen by how well priors measured on all programs but one order the
    one left out (within `indices`): it decides how far the corpus's rates are trusted, which
    the corpus itself would always overstate. Weights within TOLERANCE of the best count as tied
    and the one nearest `start` wins, so a weight only moves as far as the measurement asks."""
    cases = [replay.cases[i] for i in indices]
    weights = _best_weights(replay, indices, measured_priors(cases, SMOOTHING_GRID[0]), start)
    smoothing = max(SMOOTHING_GRID, key=lambda s: _held_out_objective(replay, indices, weights, s))
    priors = measured_priors(cases, smoothing)
    return Params(_best_weights(replay, indices, priors, start), priors), smoothing


def _best_weights(replay: Replay, indices: Sequence[int], priors: Mapping[str, float],
                  start: Weights) -> Weights:
    scored = [(replay.objective(Params(w, priors), indices), w) for w in weight_grid()]
    top = max(value for value, _ in scored)
    return min((w for value, w in scored if value >= top - TOLERANCE), key=lambda w: _distance(w, start))


def cross_validated(replay: Replay, start: Weights) -> tuple[list[Result], dict[str, Params]]:
    """Leave one program out: fit on the others, score the one left out."""
    held_out: list[Result] = []
    fitted: dict[str, Params] = {}
    for program, test in _programs(replay, range(len(replay.cases))).items():
        train = [i for i, c in enumerate(replay.cases) if c.bug.program != program]
        fitted[program], _ = fit(replay, train, start)
        held_out += replay.results(fitted[program], test)
        print(f"  fold {program}: {len(test)} held-out cases", file=sys.stderr, flush=True)
    return held_out, fitted


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def figures(results: Sequence[Result]) -> str:
    n = len(results)
    ranks = [r.oracle for r in results]
    mrr = sum(1 / r for r in ranks if r) / n
    return (f"objective {sum(map(reach, ranks)) / n:.3f}  MRR {mrr:.3f}  oracle "
            + " ".join(f"<={k} {_pct(sum(bool(r and r <= k) for r in ranks), n)}" for k in (1, 10, 50, 200))
            + f" found {_pct(sum(bool(r and r <= ORACLE_HORIZON) for r in ranks), n)}"
            + f"  function top-1 {_pct(sum(r.function == 1 for r in results), n)}"
            + f" top-5 {_pct(sum((r.function or 99) <= 5 for r in results), n)}"
            + f"  line top-10 {_pct(sum((r.line or 99) <= 10 for r in results), n)}")


def report(label: str, results: Sequence[Result]) -> None:
    print(f"{label:<28} all    {figures(results)}")
    for mode in MODES:
        print(f"{'':<28} {mode:<6} {figures([r for r in results if r.case.mode == mode])}")


def describe(params: Params) -> str:
    w = params.weights
    priors = ", ".join(f"{f} {p:g}" for f, p in sorted(params.priors.items(), key=lambda i: -i[1]))
    return (f"weights: spectrum {w.spectrum:g}, traceback {w.traceback:g}, changed {w.changed:g}, "
            f"function share {w.function_share:g}\npriors: {priors}")


def verify(cases: Sequence[Case], params: Params, replayed: Sequence[Result]) -> None:
    """Replay the real candidate stream and compare the oracle's position with the model's."""
    mismatches = 0
    for case, result in zip(cases, replayed, strict=True):
        oracle = ast.dump(ast.parse(case.bug.fixed))
        stream = candidates(case.root, suspects_for(case, params.weights), params.priors)
        real = next((i for i, c in enumerate(itertools.islice(stream, ORACLE_HORIZON), start=1)
                     if len(c.edits) == 1 and ast.dump(ast.parse(c.edits[-1].after)) == oracle), None)
        if real != result.oracle:
            mismatches += 1
            print(f"  {case.label}: replayed {result.oracle}, real stream {real}")
    print(f"verify: {len(cases) - mismatches}/{len(cases)} oracle positions agree with the real stream")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--collect", action="store_true", help="measure every bug again")
    parser.add_argument("--bugs", nargs="*", default=[], help="ids (or id prefixes) to use")
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    parser.add_argument("--verify", action="store_true",
                        help="check the replay against the agent's real candidate stream")
    parser.add_argument("--cases", action="store_true", help="print every case's ranks")
    args = parser.parse_args()
    # Test subprocesses import this checkout, not whatever pytest_selfheal is installed.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE.parent),
                                                             os.environ.get("PYTHONPATH")]))
    started = time.monotonic()
    bugs = [b for b in load_corpus() if not args.bugs or any(b.id.startswith(p) for p in args.bugs)]
    inputs = load_inputs(bugs, args.collect)
    with tempfile.TemporaryDirectory(prefix="selfheal-fit-") as workdir:
        cases = [case for bug in bugs for case in build_cases(bug, inputs[bug.id], Path(workdir))]
        print(f"{len(bugs)} bugs, {len(cases)} cases, {sum(len(c.cells) for c in cases)} candidate "
              f"cells ({time.monotonic() - started:.0f}s)", file=sys.stderr, flush=True)
        replay = Replay(cases)
        everything = range(len(cases))
        current = Params(Weights(), dict(PRIORS))
        fitted, smoothing = fit(replay, everything, current.weights)
        print(f"fitted in-sample ({smoothing}):\n{describe(fitted)}\n")
        report("defaults in the code", replay.results(current, everything))
        report("fitted (in-sample)", in_sample := replay.results(fitted, everything))
        if not args.no_cv:
            held_out, folds = cross_validated(replay, current.weights)
            report("fitted (leave-one-program-out)", held_out)
            for program, params in folds.items():
                print(f"  without {program}: {describe(params)}".replace("\n", "; "))
        if args.cases:
            for result in in_sample:
                print(f"  {result.case.label:<40} oracle {result.oracle or '-':>5}  "
                      f"function {result.function or '-':>3}  line {result.line or '-':>3}")
        if args.verify:
            verify(cases, fitted, in_sample)
    print(f"({time.monotonic() - started:.0f}s)")


if __name__ == "__main__":
    main()
