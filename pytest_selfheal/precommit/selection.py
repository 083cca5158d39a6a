"""Which tests a staged change affects, from a coverage map of the last suite run (as pytest-testmon).

The map (`<output>/testmap.json`) records the lines each test executed and the git blob of each
file at that time. A test is affected when it executed a line the staged change touches; when a
file changed since the map was recorded, line numbers cannot be trusted and any test that
executed that file is affected. Changed test modules are always selected. Paths are relative to
the rootdir, which is where git runs.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..git import DIFF_OPTIONS, parse_diff, run_git
from ..heal.probe import read_contexts
from ..output.rundir import ensure_output_dir
from ..testfiles import DEFAULT_PYTHON_FILES, TestFiles

MAP_FILE = "testmap.json"

Changes = dict[str, frozenset[int] | None]  # path -> touched lines of HEAD's version, None = all


def staged_changes(root: Path) -> Changes:
    """Lines of HEAD's version that the staged change touches, per file under the rootdir."""
    return parse_changes(run_git(root, "diff", "--cached", "--relative", *DIFF_OPTIONS, "HEAD", check=True,
                                 timeout=None).stdout)


def parse_changes(diff: str) -> Changes:
    """Touched old-side lines per file from `git diff -U0`; added and deleted files map to None."""
    touched: dict[str, set[int] | None] = {}
    for file in parse_diff(diff):
        if file.added or file.deleted:
            touched[file.path] = None
            continue
        lines = touched.setdefault(file.path, set())
        if lines is not None:
            lines.update(line for hunk in file.hunks for line in hunk.old_lines)
    return {p: frozenset(lines) if lines is not None else None for p, lines in touched.items()}


def _blobs(root: Path, paths: Iterable[str], *, head: bool) -> dict[str, str]:
    """Blob ids of files: in HEAD, or of the working-tree content."""
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    if head:
        listing = run_git(root, "ls-tree", "-r", "HEAD", "--", *wanted, check=True, timeout=None).stdout
        return {line.split("\t", 1)[1]: line.split()[2] for line in listing.splitlines()}
    existing = [p for p in wanted if (root / p).is_file()]
    if not existing:
        return {}
    shas = run_git(root, "hash-object", "--", *existing, check=True, timeout=None).stdout.split()
    return dict(zip(existing, shas, strict=True))


def record_map(root: Path, coverage_file: Path, map_file: Path) -> int:
    """Turn the per-test coverage of a suite run into the test map; returns how many tests."""
    contexts = read_contexts(coverage_file, root)
    tests: dict[str, dict[str, list[int]]] = {}
    for nodeid, lines in contexts.items():
        per_file: dict[str, list[int]] = defaultdict(list)
        for path, line in sorted(lines):
            per_file[path].append(line)
        tests[nodeid] = dict(per_file)
    if not tests:
        return 0  # nothing ran in this process (e.g. under xdist): keep the map there was
    files = _blobs(root, (p for cover in tests.values() for p in cover), head=False)
    ensure_output_dir(map_file.parent)
    map_file.write_text(json.dumps({"files": files, "tests": tests}), encoding="utf-8")
    return len(tests)


def load_map(map_file: Path) -> dict[str, object] | None:
    try:
        data = json.loads(map_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and {"files", "tests"} <= set(data) else None


def affected_tests(root: Path, changes: Changes, test_map: Mapping[str, object]) -> list[str]:
    """Nodeids and test modules to run first for this change, most specific first."""
    recorded = test_map["files"]
    tests = test_map["tests"]
    assert isinstance(recorded, dict) and isinstance(tests, dict)
    head = _blobs(root, changes, head=True)
    trusted = {p for p in changes if changes[p] is not None and recorded.get(p) == head.get(p)}
    chosen = []
    for nodeid, cover in tests.items():
        for path, lines in cover.items():
            if path not in changes:
                continue
            touched = changes[path]
            if path not in trusted or touched is None or touched.intersection(lines):
                chosen.append(nodeid)
                break
    # the hook does not read pytest's configuration: the default python_files, plus every
    # module the map's test ids name (the project's own test modules, whatever their names)
    test_files = TestFiles.of_suite(DEFAULT_PYTHON_FILES, tests)
    modules = [p for p in changes if test_files.is_test_module(p) and (root / p).is_file()]
    return modules + [n for n in chosen if n.split("::", 1)[0] not in modules]
