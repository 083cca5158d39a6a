"""Repair rate of the builtin agent on a bug corpus.

Each bug becomes a fresh git repository holding the buggy program and its tests; the script runs
`pytest --selfheal --selfheal-agent=builtin` there and reads report.json. A patch is *plausible*
when the heal says healed; it is *correct* when the patched module is AST-equal to the oracle (after
equivalent spellings such as `not a is not b` and `a is b` are made one, benchmarks/_equivalence.py),
or passes the program's held-back tests (`heldout_*.py`, never copied into the repository).

    python benchmarks/repair_rate.py [--corpus {own,realbugs,mutants}] [--bugs ID ...]
                                     [--skip ID ...] [--limit N] [--mutants N] [--dirty]
                                     [--check] [--jsonl FILE] [--summarize FILE]

--corpus own (the default) is benchmarks/corpus, written with the repair templates in mind;
realbugs is benchmarks/realbugs/bugs.json, fixes of one to three lines mined from public
projects' history and re-injected into the release that shipped them; mutants is
benchmarks/mutants/mutants.json, mutmut's mutants of real libraries. Both keep the library's own
test files and config unchanged and come from its source distribution on the package registry.
--dirty commits the fixed program and leaves the bug uncommitted, so the changed-lines signal is
on, and the builtin agent's first candidate puts the fixed line back (restore-change): it measures
localization and speed with a known change, not repair; by default the buggy program is the only
commit. --check only verifies the corpus. Bugs run
interleaved across programs, so a run cut short is still a spread sample; --jsonl appends each
result as it comes, and --summarize prints the table of such a file, with the misses by cause.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libcst as cst
from _common import ROOT, commit_all, git_repo, sdist_project
from _equivalence import normalized
from _regression_share import regression_outcome, share_lines

CORPUS = ROOT / "benchmarks" / "corpus"
MANIFESTS = {"realbugs": ROOT / "benchmarks" / "realbugs" / "bugs.json",
             "mutants": ROOT / "benchmarks" / "mutants" / "mutants.json"}
sys.path.insert(0, str(ROOT))
from pytest_selfheal.agents.builtin.agent import candidates  # noqa: E402
from pytest_selfheal.agents.builtin.literals import LITERAL_TEMPLATES  # noqa: E402
from pytest_selfheal.agents.builtin.render import Splicer  # noqa: E402
from pytest_selfheal.agents.builtin.sites import mutations  # noqa: E402
from pytest_selfheal.agents.builtin.statements import STATEMENT_TEMPLATES  # noqa: E402
from pytest_selfheal.agents.builtin.templates import TEMPLATES  # noqa: E402
from pytest_selfheal.models import Suspect  # noqa: E402
from pytest_selfheal.source import enclosing_function  # noqa: E402

ORACLE_HORIZON = 3000  # candidates searched for the oracle's position
SUITE_ALLOWANCE = 900.0  # seconds the user's own suite may take before the heal's budget starts
OVERRUN_GRACE = 5.0  # seconds past the budget the heal may take to write its report


@dataclass(frozen=True)
class Bug:
    """One single-site bug: `buggy` and `fixed` (the oracle) are two versions of one module.

    A corpus bug lives in `benchmarks/corpus/<program>/` as `<program>.py` beside its tests; a bug
    in a larger project names that project's directory and the module's path inside it.
    """

    id: str
    program: str
    fixed: str
    buggy: str
    family: str
    project: Path | None = None
    module_path: str = ""

    @property
    def directory(self) -> Path:
        return self.project or CORPUS / self.program

    @property
    def module(self) -> str:
        """Path of the buggy module inside the project under test."""
        return self.module_path or f"{self.program}.py"

    def changed_lines(self) -> list[int]:
        """Lines of the buggy program that differ from the oracle (or flank a deletion)."""
        import difflib

        lines: list[int] = []
        matcher = difflib.SequenceMatcher(None, self.fixed.splitlines(), self.buggy.splitlines())
        for tag, _, _, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                lines.extend(range(j1 + 1, j2 + 1) if j2 > j1 else (j1, j1 + 1))
        return lines


def load_corpus() -> list[Bug]:
    bugs = []
    for spec in sorted(CORPUS.glob("*/bugs.json")):
        program = spec.parent.name
        fixed = (spec.parent / f"{program}.py").read_text()
        for entry in json.loads(spec.read_text()):
            if fixed.count(entry["find"]) != 1:
                raise SystemExit(f"{entry['id']}: `find` must occur exactly once in {program}.py")
            buggy = fixed.replace(entry["find"], entry["replace"])
            bugs.append(Bug(entry["id"], program, fixed, buggy, entry["family"]))
    return bugs


def hunks(fixed: str, buggy: str) -> list[dict[str, str]] | None:
    """The changes from `fixed` to `buggy` as {"fixed", "buggy"} text pairs, each widened by
    whole lines of context until its fixed text occurs once in `fixed`; None when one never does."""
    import difflib

    a, b = fixed.splitlines(keepends=True), buggy.splitlines(keepends=True)
    pairs = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for context in range(6):
            low, high = max(0, i1 - context), min(len(a), i2 + context)
            before = "".join(a[low:high])
            if before.strip() and fixed.count(before) == 1:
                pairs.append({"fixed": before, "buggy": "".join(a[low:i1] + b[j1:j2] + a[i2:high])})
                break
        else:
            return None
    return pairs


def apply_replacements(fixed: str, replacements: list[dict[str, str]]) -> str:
    """The buggy module: each pair's fixed text (found exactly once) replaced by its buggy text."""
    for pair in replacements:
        if fixed.count(pair["fixed"]) != 1:
            raise ValueError(f"not exactly once in the module: {pair['fixed']!r}")
        fixed = fixed.replace(pair["fixed"], pair["buggy"])
    return fixed


def failing_tests(repo: Path, tests: list[str], timeout: float = 120) -> list[str]:
    """Ids of the tests among `tests` that fail or error in `repo`, from `pytest -rfE`."""
    result = pytest(repo, "-rfE", *tests, timeout=timeout)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)  # projects may set --color=yes
    return sorted({line.split(" ", 1)[1].split(" - ")[0] for line in plain.splitlines()
                   if line.startswith(("FAILED ", "ERROR "))})


def load_manifest(path: Path) -> list[Bug]:
    """Bugs of a corpus built on released libraries (realbugs, mutants): each entry names the
    library's source distribution, the module, the tests kept and the text that makes the bug.
    Their projects are laid out in temporary directories that live as long as this process."""
    import atexit

    entries = json.loads(path.read_text())
    _check_requirements(entries, path)
    bugs = []
    projects: dict[tuple[str, str, tuple[str, ...]], Path] = {}
    for entry in entries:
        key = (entry["sdist"], entry["package"], tuple(entry["tests"]))
        if key not in projects:
            projects[key] = sdist_project(*key[:2], list(key[2]))
            atexit.register(shutil.rmtree, projects[key].parent, True)
        fixed = (projects[key] / entry["module"]).read_text()
        buggy = apply_replacements(fixed, entry["replacements"])
        bugs.append(Bug(entry["id"], entry["project"], fixed, buggy, "", projects[key],
                        entry["module"]))
    return bugs


def _check_requirements(entries: list[dict[str, Any]], path: Path) -> None:
    """Stop, naming the command, when a package the corpus's tests import is not installed: a
    test module that cannot import fails to collect, and its bugs would count as missed."""
    import importlib.util

    wanted = sorted({str(r) for entry in entries for r in entry.get("requires", ())})
    missing = [r for r in wanted if importlib.util.find_spec(r.replace("-", "_")) is None]
    if missing:
        raise SystemExit(f"{path.name}: its tests need {', '.join(missing)}; install with "
                         f"`python -m pip install {' '.join(missing)}`")


def labelled(bug: Bug) -> Bug:
    """`bug` with the family of its first repairing template ("none" when no single mutation
    restores the fix), as the own corpus labels its bugs by hand."""
    return dataclasses.replace(bug, family=(repairing_families(bug) or ["none"])[0])


def make_project(bug: Bug, dirty: bool) -> Path:
    """A fresh git repository with the bug's project and the buggy module: committed, or with
    `dirty` left uncommitted on top of the committed oracle."""
    if bug.project is not None:
        repo = git_repo(bug.project)
    else:
        repo = git_repo()
        (repo / "tests").mkdir()
        for test in bug.directory.glob("test_*.py"):
            shutil.copy(test, repo / "tests" / test.name)
        (repo / "pyproject.toml").write_text(
            '[tool.pytest.ini_options]\npythonpath = ["."]\ntestpaths = ["tests"]\n'
        )
    source = repo / bug.module
    source.write_text(bug.fixed if dirty else bug.buggy)
    commit_all(repo)
    if dirty:
        source.write_text(bug.buggy)
    return repo


def add_heldout(bug: Bug, repo: Path) -> list[str]:
    """Copy the bug's held-back test files into the project, as `tests/test_heldout_*.py`; their
    paths there. Only for judging a patch or checking the corpus, never for healing."""
    copied = []
    for test in sorted(bug.directory.glob("heldout_*.py")):
        target = Path("tests") / test.name.replace("heldout_", "test_heldout_")
        shutil.copy(test, repo / target)
        copied.append(target.as_posix())
    return copied


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def pytest(repo: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:benchmark",
         *args], cwd=repo, capture_output=True, text=True, env=_env(), timeout=timeout,
    )


@dataclass
class Result:
    bug: Bug
    status: str = "error"
    plausible: bool = False
    correct: bool = False
    seconds: float = 0.0
    to_green: float | None = None
    candidates: int = 0
    function_rank: int | None = None
    line_rank: int | None = None
    alternatives: int = 0
    fix: str = ""
    oracle_rank: int | None = None  # where the oracle sits in the candidate stream
    reason: str = ""  # the heal's own one-line reason
    regression: str = ""  # the fix's proven regression test: "replayed", "copied", or "" for none
    regression_reason: str = ""  # report.json's regression.reason: how it was made, or why not


RECORDED = ("status", "plausible", "correct", "seconds", "to_green", "candidates",
            "function_rank", "line_rank", "alternatives", "fix", "oracle_rank", "reason",
            "regression", "regression_reason")


def record(result: Result) -> dict[str, object]:
    return {"id": result.bug.id, "family": result.bug.family,
            **{name: getattr(result, name) for name in RECORDED}}


def from_record(entry: dict[str, object]) -> Result:
    bug = Bug(str(entry["id"]), "", "", "", str(entry["family"]))
    return Result(bug, **{n: entry[n] for n in RECORDED if n in entry})  # type: ignore[arg-type]


def interleaved(bugs: list[Bug]) -> list[Bug]:
    """First bug of every program, then the second of every program, ..."""
    by_program: dict[str, list[Bug]] = {}
    for bug in bugs:
        by_program.setdefault(bug.program, []).append(bug)
    rounds = max((len(v) for v in by_program.values()), default=0)
    return [group[i] for i in range(rounds) for group in by_program.values() if i < len(group)]


def run_bug(bug: Bug, dirty: bool, budget: float) -> Result:
    repo = make_project(bug, dirty)
    result = Result(bug)
    try:
        try:  # the budget starts when the user's own suite has run, which load can slow a lot
            pytest(repo, "--selfheal", "--selfheal-agent=builtin", f"--selfheal-time-budget={budget}",
                   timeout=budget + SUITE_ALLOWANCE)
        except subprocess.TimeoutExpired:
            result.reason = (f"the command ran past the heal's {budget:.0f} s budget plus "
                             f"{SUITE_ALLOWANCE:.0f} s for the suite")
            return result
        reports = sorted((repo / ".selfheal" / "runs").glob("*/report.json"))
        if not reports:
            return result
        report = json.loads(reports[-1].read_text())
        result.status = report["status"]
        result.reason = report.get("reason", "")
        result.seconds = report["totals"]["seconds"]
        if result.seconds > budget + OVERRUN_GRACE:  # the budget is a wall: past it is an error
            result.reason = (f"the heal took {result.seconds:.1f} s of a {budget:.0f} s budget "
                             f"({report['status']}: {result.reason})")
            result.status = "error"
            return result
        result.candidates = report["totals"]["candidates"]
        result.alternatives = len(report.get("alternatives", []))
        _rank(result, report, repo)
        if result.line_rank is not None:  # candidates only edit suspect lines
            result.oracle_rank = _oracle_rank(bug, report, repo)
        if report["status"] == "healed":
            result.plausible = True
            result.to_green = report["totals"]["seconds_to_green"]
            fix = report["candidates"][report["fix"]["candidate"]]
            result.fix = fix["description"]
            result.regression, result.regression_reason = regression_outcome(report)
            diff = reports[-1].parent / "fix.diff"
            subprocess.run(["git", "apply", str(diff)], cwd=repo, check=True)
            result.correct = _correct(bug, repo)
    finally:
        shutil.rmtree(repo.parent, ignore_errors=True)
    return result


def _rank(result: Result, report: dict[str, object], repo: Path) -> None:
    bug = result.bug
    path = bug.module
    suspects = report["suspects"]
    assert isinstance(suspects, list)
    faulty_lines = bug.changed_lines()
    faulty_function = enclosing_function(repo / path, faulty_lines[0])
    functions = list(dict.fromkeys((s["path"], s["function"]) for s in suspects))
    if (path, faulty_function) in functions:
        result.function_rank = functions.index((path, faulty_function)) + 1
    lines = [(s["path"], s["line"]) for s in suspects]
    ranks = [lines.index((path, n)) + 1 for n in faulty_lines if (path, n) in lines]
    result.line_rank = min(ranks, default=None)


def _oracle_rank(bug: Bug, report: dict[str, object], repo: Path) -> int | None:
    """1-based position of the first candidate AST-equal to the oracle, given the heal's
    suspects: how many validations a heal with no time limit would need to reach it."""
    suspects = report["suspects"]
    assert isinstance(suspects, list)
    ranked = tuple(Suspect(s["path"], s["line"], s["function"], s["score"]) for s in suspects)
    oracle = normalized(bug.fixed)
    reach = _fix_region(bug)
    for position, candidate in enumerate(candidates(repo, ranked), start=1):
        if position > ORACLE_HORIZON:
            return None
        edits = candidate.edits
        if (all(e.path == bug.module and e.line in reach for e in edits)
                and normalized(edits[-1].after) == oracle):
            return position
    return None


def _fix_region(bug: Bug) -> set[int]:
    """Lines a mutated node must start on to reach the fix: from the top-level statement holding
    a changed line to that line (a node starting elsewhere leaves the changed text as it is).
    Only a filter that spares parsing the whole module for every candidate, never a judgement."""
    starts = [node.lineno for node in ast.parse(bug.buggy).body]
    region: set[int] = set()
    for line in bug.changed_lines():
        region.update(range(max([s for s in starts if s <= line], default=1), line + 1))
    return region


def _correct(bug: Bug, repo: Path) -> bool:
    patched = (repo / bug.module).read_text()
    if normalized(patched) == normalized(bug.fixed):
        return True
    return bool(add_heldout(bug, repo)) and pytest(repo).returncode == 0


FAMILIES = (*(name for name, _ in (*TEMPLATES, *LITERAL_TEMPLATES, *STATEMENT_TEMPLATES)), "none")


def repairing_families(bug: Bug) -> list[str]:
    """Families with one mutation at a changed line that makes the buggy module AST-equal to the
    oracle: what the builtin agent can reach when localization points at the right line."""
    module = cst.parse_module(bug.buggy)
    splicer = Splicer(module, bug.module)  # re-renders only the mutated function
    oracle = normalized(bug.fixed)
    found = set()
    for mutation in mutations(module, frozenset(bug.changed_lines())):
        try:
            if normalized(splicer.apply((mutation,)).code) == oracle:
                found.add(mutation.template)
        except SyntaxError:
            continue
    return [family for family in FAMILIES if family in found]


def _label_problem(bug: Bug) -> str:
    if bug.family not in FAMILIES:
        return f"unknown family {bug.family!r}"
    families = repairing_families(bug)
    if (not families) if bug.family == "none" else (bug.family in families):
        return ""
    return f"labelled {bug.family}, restored by {', '.join(families) or 'no single mutation'}"


def _failing_files(result: subprocess.CompletedProcess[str]) -> set[str]:
    """Test files with a failed or erroring test, from the short summary of `pytest -rfE`."""
    files = set()
    for line in result.stdout.splitlines():
        kind, _, rest = line.partition(" ")
        if kind in ("FAILED", "ERROR"):
            files.add(rest.split("::")[0].split(" ")[0])
    return files


def _check_oracle(bug: Bug) -> str:
    """Empty when the oracle passes the visible and the held-back tests, else what went wrong."""
    repo = make_project(bug, dirty=False)
    (repo / bug.module).write_text(bug.fixed)
    add_heldout(bug, repo)
    try:
        result = pytest(repo, timeout=120)
        return "" if result.returncode == 0 else f"oracle exit {result.returncode}\n{result.stdout[-2000:]}"
    except subprocess.TimeoutExpired:
        return "oracle tests hang"
    finally:
        shutil.rmtree(repo.parent, ignore_errors=True)


def _check_bug(bug: Bug) -> tuple[str, bool | None]:
    """(problem or "", whether the held-back tests catch the bug; None when there are none)."""
    repo = make_project(bug, dirty=False)
    heldout = set(add_heldout(bug, repo))
    try:
        result = pytest(repo, "-rfE", timeout=120)
        failing = _failing_files(result)
        caught = "" if result.returncode == 1 and failing - heldout else (
            f"no visible test fails (exit {result.returncode})")
    except subprocess.TimeoutExpired:
        failing, caught = set(), "tests hang"
    finally:
        shutil.rmtree(repo.parent, ignore_errors=True)
    problem = "; ".join(filter(None, [caught, _label_problem(bug)]))
    return problem, (bool(failing & heldout) if heldout else None)


def check(bugs: list[Bug]) -> int:
    """Verify the corpus; returns the number of problems.

    Each oracle passes its visible and held-back tests; each bug fails at least one visible test;
    each label is right: a mutation of that family at a changed line restores the oracle, and
    for `none` no single mutation does. Whether the held-back tests also catch a bug is shown
    but not required: they exist to reject patches that only fit the visible tests.
    """
    problems = 0
    oracles = {(b.directory, b.module, b.fixed): b for b in bugs}
    for bug in oracles.values():
        problem = _check_oracle(bug)
        problems += bool(problem)
        print(f"{'oracle ' + bug.program + ' (' + bug.module + ')':<58} {problem or 'ok'}")
    caught: dict[str, list[bool | None]] = {}
    for bug in bugs:
        problem, heldout = _check_bug(bug)
        problems += bool(problem)
        caught.setdefault(bug.family, []).append(heldout)
        shown = {True: "held-out catches", False: "held-out misses", None: "no held-out"}[heldout]
        print(f"{bug.id:<36}{bug.family:<22}{shown:<18}{problem or 'ok'}", flush=True)
    print(f"\n{'family':<22}{'bugs':>5}{'held-out catches':>18}")
    for family in sorted(caught, key=lambda f: FAMILIES.index(f) if f in FAMILIES else len(FAMILIES)):
        print(f"{family:<22}{len(caught[family]):>5}{sum(bool(h) for h in caught[family]):>18}")
    every = [h for found in caught.values() for h in found]
    print(f"{len(bugs)} bugs in {len(oracles)} programs, {problems} problem(s); "
          f"held-out tests catch {_pct(sum(bool(h) for h in every), len(every))} of the bugs")
    return problems


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "0/0"


MISS_CAUSES = ("not localized", "no template reaches it", "ranked past the budget",
               "plausible-but-wrong", "not reproduced in the sandbox", "heal error")


def miss_cause(result: Result) -> str:
    """Why a bug was not repaired correctly ("" when it was): the heal's patch passes but is not
    the fix; the faulty line is not among the suspects; no candidate within ORACLE_HORIZON is the
    fix; the fix is in the stream but past what the budget validated; or the heal itself failed."""
    if result.correct:
        return ""
    if result.plausible:
        return "plausible-but-wrong"
    if result.status == "error":
        return "heal error"
    if ("not-reproduced" in result.reason or "not-run" in result.reason) and not result.candidates:
        return "not reproduced in the sandbox"
    if result.line_rank is None:
        return "not localized"
    if result.oracle_rank is None:
        return "no template reaches it"
    return "ranked past the budget"


def summarize(results: list[Result]) -> None:
    print(f"{'bug':<36}{'family':<22}{'status':<11}{'ok':<5}{'sec':>6}{'cand':>6}"
          f"{'fn#':>5}{'ln#':>5}{'orc#':>6}  fix, or why missed")
    for r in results:
        ok = "C" if r.correct else ("P" if r.plausible else "-")
        print(f"{r.bug.id:<36}{r.bug.family:<22}{r.status:<11}{ok:<5}{r.seconds:>6.1f}"
              f"{r.candidates:>6}{r.function_rank or '-':>5}{r.line_rank or '-':>5}"
              f"{r.oracle_rank or '-':>6}  {' '.join(filter(None, [miss_cause(r), r.fix[:60]]))}")
    n = len(results)
    greens = sorted(r.to_green for r in results if r.to_green is not None)
    median = statistics.median(greens) if greens else float("nan")
    p90 = greens[min(len(greens) - 1, int(0.9 * len(greens)))] if greens else float("nan")
    print(
        f"plausible {_pct(sum(r.plausible for r in results), n)}, "
        f"correct {_pct(sum(r.correct for r in results), n)}, "
        f"time-to-green median {median:.1f}s p90 {p90:.1f}s, "
        f"localization function top-1 {_pct(sum(r.function_rank == 1 for r in results), n)} "
        f"top-5 {_pct(sum((r.function_rank or 99) <= 5 for r in results), n)}, "
        f"line top-10 {_pct(sum((r.line_rank or 99) <= 10 for r in results), n)}"
    )
    for line in share_lines((r.bug.id, r.regression, r.regression_reason) for r in results if r.plausible):
        print(line)
    print(f"localization of the faulty line: top-1 "
          f"{_pct(sum(r.line_rank == 1 for r in results), n)}, "
          f"top-5 {_pct(sum((r.line_rank or 99) <= 5 for r in results), n)}")
    causes = [miss_cause(r) for r in results]
    misses = [c for c in causes if c]
    print(f"misses {len(misses)}: " + ", ".join(
        f"{cause} {_pct(misses.count(cause), len(misses))}" for cause in MISS_CAUSES))
    ranks = [r.oracle_rank or ORACLE_HORIZON + 1 for r in results]
    print("oracle in the candidate stream (validations a heal without a time limit needs): "
          + ", ".join(f"<={k} {_pct(sum(x <= k for x in ranks), n)}" for k in (10, 50, 200))
          + f", anywhere in the first {ORACLE_HORIZON} {_pct(sum(x <= ORACLE_HORIZON for x in ranks), n)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", choices=("own", *MANIFESTS), default="own",
                        help="own: benchmarks/corpus; realbugs: fixes mined from public projects' "
                             "history; mutants: mutmut's mutants of real libraries")
    parser.add_argument("--bugs", nargs="*", default=[], help="ids (or id prefixes) to run")
    parser.add_argument("--limit", type=int, default=0, help="run at most N bugs")
    parser.add_argument("--mutants", type=int, default=0,
                        help="also run N generated single-site mutants (benchmarks/mutate.py)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--budget", type=float, default=60.0, help="heal time budget, seconds")
    parser.add_argument("--dirty", action="store_true")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--skip", nargs="*", default=[], help="ids (or id prefixes) to leave out")
    parser.add_argument("--jsonl", type=Path, help="append each result to this file")
    parser.add_argument("--summarize", type=Path, help="print the table of a --jsonl file")
    args = parser.parse_args()
    if args.summarize:
        summarize([from_record(json.loads(line))
                   for line in args.summarize.read_text().splitlines() if line.strip()])
        return
    if args.corpus == "own":
        bugs = interleaved(load_corpus())
    else:
        bugs = interleaved(load_manifest(MANIFESTS[args.corpus]))
    if args.mutants:
        from mutate import mutants

        bugs += mutants(args.mutants, args.seed)
    if args.bugs:
        bugs = [b for b in bugs if any(b.id.startswith(p) for p in args.bugs)]
    bugs = [b for b in bugs if not any(b.id.startswith(p) for p in args.skip)]
    if args.limit:
        bugs = bugs[: args.limit]
    if args.corpus != "own":  # labelled one at a time: each takes seconds on a large module
        bugs = [labelled(bug) for bug in bugs] if args.check else bugs
    if args.check:
        sys.exit(1 if check(bugs) else 0)
    started = time.monotonic()
    results = []
    for bug in bugs:
        results.append(run_bug(bug if bug.family else labelled(bug), args.dirty, args.budget))
        r = results[-1]
        test = f" regression test: {r.regression or 'none'}" if r.plausible else ""
        print(f"  {r.bug.id} ({r.bug.family}): {r.status} {'correct' if r.correct else ''} {r.seconds:.1f}s"
              f"{test}", file=sys.stderr, flush=True)
        if args.jsonl:
            with args.jsonl.open("a") as out:
                out.write(json.dumps(record(r)) + "\n")
    summarize(results)
    print(f"ran {len(results)} bug(s) in {time.monotonic() - started:.0f}s"
          f"{' with the bug uncommitted (--dirty)' if args.dirty else ''}")

if __name__ == "__main__":
    main()
