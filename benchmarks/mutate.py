"""Random single-site bugs injected into the corpus's fixed programs and into the bundled
examples, to measure beyond the bugs written by hand. A mutant is kept only when the program's
tests catch it.

    python benchmarks/mutate.py [--count 10] [--seed 1]     # print the mutants
    python benchmarks/repair_rate.py --mutants 10            # heal them

Mutations come from the repair templates applied at a random line of a random function, so
every family of operators, constants, bounds, names, calls and statements is drawn from. A
mutant is labelled like a corpus bug, with the family whose template restores the oracle (the
injecting template's own when it does; a deleted statement, say, may only be restored by
copy-statement, or by none).

Each example already holds one planted bug; it is fixed first (EXAMPLE_FIXES), so that a mutant
is a one-bug project whose oracle is known. Corpus programs and examples take turns.
"""

from __future__ import annotations

import argparse
import ast
import atexit
import dataclasses
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import libcst as cst
from _common import EXAMPLES
from repair_rate import Bug, load_corpus, make_project, pytest, repairing_families

from pytest_selfheal.agents.builtin.sites import mutations

# example -> (module, planted bug, its fix), as each example's README describes the bug
EXAMPLE_FIXES: dict[str, tuple[str, str, str]] = {
    "invoice": ("invoice/discounts.py", "return subtotal > threshold", "return subtotal >= threshold"),
    "inventory": ("inventory/stock.py", "return item.active or item.available",
                  "return item.active and item.available"),
    "textstats": ("src/textstats/stats.py", "return ranked[: n - 1]", "return ranked[:n]"),
}


@dataclass(frozen=True)
class Program:
    """Fixed source to mutate: a corpus program (`project` None) or a whole example project."""

    name: str
    modules: dict[str, str]  # path inside the project -> fixed source
    project: Path | None = None


def _function_lines(source: str) -> list[int]:
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            for statement in node.body[1:] if ast.get_docstring(node) else node.body:
                lines.update(range(statement.lineno, (statement.end_lineno or 0) + 1))
    return sorted(lines)


def corpus_programs() -> list[Program]:
    fixed = {bug.program: bug.fixed for bug in load_corpus()}
    return [Program(name, {f"{name}.py": source}) for name, source in sorted(fixed.items())]


def example_programs() -> list[Program]:
    return [_fixed_example(name) for name in sorted(EXAMPLE_FIXES)]


@cache
def _fixed_example(name: str) -> Program:
    """A copy of the example with its planted bug fixed, kept until the process exits (the
    mutants' projects are copied from it), and checked to pass its own tests."""
    module, planted, fix = EXAMPLE_FIXES[name]
    project = Path(tempfile.mkdtemp(prefix=f"selfheal-{name}-")) / name
    atexit.register(shutil.rmtree, project.parent, True)
    shutil.copytree(EXAMPLES / name, project,
                    ignore=shutil.ignore_patterns("__pycache__", ".selfheal", ".pytest_cache"))
    source = project / module
    text = source.read_text()
    if text.count(planted) != 1:
        raise SystemExit(f"{name}: the planted bug `{planted}` is not in {module} exactly once; "
                         "update EXAMPLE_FIXES")
    source.write_text(text.replace(planted, fix))
    result = pytest(project, "-x", timeout=120)
    if result.returncode != 0:
        raise SystemExit(f"{name}: the example still fails with its bug fixed:\n{result.stdout[-2000:]}")
    modules = {
        path.relative_to(project).as_posix(): path.read_text()
        for path in sorted(project.rglob("*.py"))
        if "tests" not in path.relative_to(project).parts and _function_lines(path.read_text())
    }
    return Program(name, modules, project)


def _candidate(program: Program, rng: random.Random, number: int) -> Bug | None:
    path = rng.choice(sorted(program.modules))
    fixed = program.modules[path]
    module = cst.parse_module(fixed)
    line = rng.choice(_function_lines(fixed))
    found = mutations(module, frozenset({line}))
    if not found:
        return None
    mutation = rng.choice(found)
    buggy = module.deep_replace(mutation.original, mutation.replacement)
    assert isinstance(buggy, cst.Module)
    try:
        if ast.dump(ast.parse(buggy.code)) == ast.dump(ast.parse(fixed)):
            return None
    except SyntaxError:
        return None
    bug = Bug(f"mutant-{program.name}-{number}", program.name, fixed, buggy.code, mutation.template,
              project=program.project, module_path=path if program.project else "")
    restoring = repairing_families(bug)
    if mutation.template in restoring:
        return bug
    return dataclasses.replace(bug, family=restoring[0] if restoring else "none")


def _caught(bug: Bug) -> bool:
    repo = make_project(bug, dirty=False)
    try:
        return pytest(repo, "-x", timeout=60).returncode == 1
    except Exception:  # a mutant that hangs the tests is not a useful benchmark case
        return False
    finally:
        shutil.rmtree(repo.parent, ignore_errors=True)


def mutants(count: int, seed: int) -> list[Bug]:
    """`count` mutants the tests catch, alternating between a corpus program and an example
    (so even two mutants cover both), each kind's programs taken round-robin."""
    rng = random.Random(seed)
    kinds = (corpus_programs(), example_programs())
    turns = [0] * len(kinds)
    found: list[Bug] = []
    attempts = 0
    while len(found) < count and attempts < count * 20:
        kind = len(found) % len(kinds)
        program = kinds[kind][turns[kind] % len(kinds[kind])]
        turns[kind] += 1
        attempts += 1
        bug = _candidate(program, rng, attempts)
        if bug is not None and _caught(bug):
            found.append(bug)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for bug in mutants(args.count, args.seed):
        changed = bug.changed_lines()[0]
        print(f"{bug.id:<28}{bug.family:<22}{bug.module}:{changed}: "
              f"{bug.buggy.splitlines()[changed - 1].strip()}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
