"""Random single-site bugs injected into the corpus's fixed programs, to measure beyond the bugs
written by hand. A mutant is kept only when the program's tests catch it.

    python benchmarks/mutate.py [--count 10] [--seed 1]     # print the mutants
    python benchmarks/repair_rate.py --mutants 10            # heal them

Mutations come from the repair templates applied at a random line of a random function, so
every family of operators, constants, bounds, names, calls and statements is drawn from. The
bundled examples are not mutated: each already holds a planted bug, so a mutant of one would be
a two-bug program.
"""

from __future__ import annotations

import argparse
import ast
import random
import shutil
import sys

import libcst as cst
from repair_rate import Bug, load_corpus, make_project, pytest

from pytest_selfheal.agents.builtin.sites import mutations


def _function_lines(source: str) -> list[int]:
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            for statement in node.body[1:] if ast.get_docstring(node) else node.body:
                lines.update(range(statement.lineno, (statement.end_lineno or 0) + 1))
    return sorted(lines)


def _candidate(program: str, fixed: str, rng: random.Random, number: int) -> Bug | None:
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
    return Bug(f"mutant-{program}-{number}", program, fixed, buggy.code, mutation.template)


def _caught(bug: Bug) -> bool:
    repo = make_project(bug, dirty=False)
    try:
        return pytest(repo, "-x", timeout=60).returncode == 1
    except Exception:  # a mutant that hangs the tests is not a useful benchmark case
        return False
    finally:
        shutil.rmtree(repo.parent, ignore_errors=True)


def mutants(count: int, seed: int) -> list[Bug]:
    """`count` mutants the tests catch, drawn round-robin over the corpus programs."""
    rng = random.Random(seed)
    programs = {b.program: b.fixed for b in load_corpus()}
    names = sorted(programs)
    found: list[Bug] = []
    attempts = 0
    while len(found) < count and attempts < count * 20:
        name = names[attempts % len(names)]
        attempts += 1
        bug = _candidate(name, programs[name], rng, attempts)
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
        print(f"{bug.id:<28}{bug.family:<22}line {changed}: "
              f"{bug.buggy.splitlines()[changed - 1].strip()}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
