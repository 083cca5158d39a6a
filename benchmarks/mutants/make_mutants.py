"""Recreate benchmarks/mutants/mutants.json: single mutants made by mutmut (2.x, from the package
registry: `pip install "mutmut<3"`) in real libraries' modules, kept where at least one of the
library's own tests fails.

    python benchmarks/mutants/make_mutants.py [--per-module 12] [--seed 1] [--out FILE]

Each library comes as its source distribution from the registry (benchmarks/_common.sdist); the
mutant is stored as text to find in the module and its mutated form, like a real bug's fix in
benchmarks/realbugs/bugs.json, so both corpora load the same way (repair_rate.py --corpus).
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from _common import sdist, sdist_project  # noqa: E402
from repair_rate import apply_replacements, failing_tests, hunks  # noqa: E402

# (distribution==version, import package, module under mutation, the tests kept with it)
SEMVER_TESTS = ["tests/conftest.py", "tests/coerce.py", "tests/semverwithvprefix.py",
                *(f"tests/test_{name}.py" for name in (
                    "bump", "compare", "format", "index", "match", "parsing", "replace", "semver"))]
MODULES = (
    ("xmltodict==0.14.2", "xmltodict", "xmltodict.py",
     ["tests/test_xmltodict.py", "tests/test_dicttoxml.py"]),
    ("semver==3.0.4", "semver", "semver/version.py", SEMVER_TESTS),
    ("isodate==0.7.2", "isodate", "isodate/duration.py", ["tests/test_duration.py"]),
    ("isodate==0.7.2", "isodate", "isodate/isodates.py", ["tests/test_date.py"]),
)


def mutants_of(source: str, filename: str) -> list[tuple[object, str]]:
    """Every (mutation id, mutated module) mutmut makes of `source`."""
    import mutmut

    listing = mutmut.Context(source=source, filename=filename, mutation_id=mutmut.ALL)
    found = []
    for mutation_id in mutmut.list_mutations(listing):
        mutated, count = mutmut.mutate(
            mutmut.Context(source=source, filename=filename, mutation_id=mutation_id))
        if count == 1:
            found.append((mutation_id, mutated))
    return found


def caught(requirement: str, package: str, module: str, tests: list[str], mutated: str,
           ) -> list[str]:
    """Tests of the library that fail with the mutant in place (none: the mutant survives)."""
    repo = sdist_project(requirement, package, tests)
    try:
        (repo / module).write_text(mutated)
        return failing_tests(repo, [t for t in tests if Path(t).name.startswith("test_")])
    finally:
        shutil.rmtree(repo.parent, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-module", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=HERE / "mutants.json")
    args = parser.parse_args()
    entries = []
    for requirement, package, module, tests in MODULES:
        original = sdist(requirement)
        path = original / "src" / module if (original / "src" / module).exists() else original / module
        source = path.read_text()
        candidates = mutants_of(source, module)
        random.Random(f"{args.seed}:{module}").shuffle(candidates)
        kept = 0
        for mutation_id, mutated in candidates:
            if kept >= args.per_module:
                break
            try:
                if ast.dump(ast.parse(mutated)) == ast.dump(ast.parse(source)):
                    continue
                failing = caught(requirement, package, module, tests, mutated)
            except (SyntaxError, subprocess.TimeoutExpired):
                continue
            replacements = hunks(source, mutated)
            if not failing or replacements is None or apply_replacements(source, replacements) != mutated:
                continue
            kept += 1
            line = mutation_id.line_number + 1  # type: ignore[attr-defined]
            entries.append({
                "id": f"mutmut-{package}-{Path(module).stem}-L{line}-{mutation_id.index}",  # type: ignore[attr-defined]
                "project": requirement.split("==")[0], "sdist": requirement, "package": package,
                "module": module, "tests": tests, "replacements": replacements,
                "failing": failing, "tool": "mutmut 2.5.1",
            })
            print(f"{entries[-1]['id']}: {len(failing)} failing", flush=True)
    args.out.write_text(json.dumps(entries, indent=1) + "\n")
    print(f"{len(entries)} mutants in {args.out}")


if __name__ == "__main__":
    main()
