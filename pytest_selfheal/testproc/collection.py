"""Functions that only test collection ran, and collecting tests again in a warm child.

A function that ran while the warm session imported the project may have left its results in
the project's own state (a constant, a registry), which a swap of its code would leave stale:
such a candidate needs a fresh process. One that ran only because a test module's body or its
collection called it (a constructor building parametrize values, `Version(1, 2, 3)` in a list)
made nothing but the tests' own values: a child can swap its code, import the test modules
again and collect their tests anew, and the values are those a fresh process would build.
"""

from __future__ import annotations

import os
import sys
import types
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..testfiles import TestFiles
from .files import real_file


def test_files_of(session: Any, sandbox_root: str) -> Callable[[str], bool]:
    """Is a real path a test module or a helper of the tests, not a conftest.py (which pytest
    keeps registered as a plugin, and does not import again)?"""
    root = Path(os.path.realpath(sandbox_root))
    rootdir = Path(os.path.realpath(session.config.rootpath))
    tests = TestFiles.of_suite(session.config.getini("python_files"),
                               (item.nodeid for item in session.items),
                               rootdir.relative_to(root).as_posix() if rootdir.is_relative_to(root) else ".")

    def is_test_file(path: str) -> bool:
        real = Path(path)
        return (real.is_relative_to(root) and real.name != "conftest.py"
                and tests(real.relative_to(root).as_posix()))

    return is_test_file


def called_only_by_tests(stats: Iterable[Any], is_test_file: Callable[[str], bool]
                         ) -> frozenset[types.CodeType]:
    """The code objects of cProfile's `stats` whose every call came from test files' code or
    from code itself so called: a caller outside the tests (a module body of the project,
    a conftest, a hook pytest calls) makes a function's results the project's."""
    callers: dict[types.CodeType, set[types.CodeType]] = defaultdict(set)
    callees: dict[types.CodeType, set[types.CodeType]] = defaultdict(set)
    for entry in stats:
        calls = entry.calls if isinstance(entry.code, types.CodeType) else None
        for sub in calls or ():
            if isinstance(sub.code, types.CodeType) and sub.code is not entry.code:
                callers[sub.code].add(entry.code)
                callees[entry.code].add(sub.code)
    known = set(callers) | set(callees)
    in_tests = {filename: _in(filename, is_test_file) for filename in {code.co_filename for code in known}}
    tests = {code for code in known if in_tests[code.co_filename]}
    decided = set(tests)
    found: set[types.CodeType] = set()
    waiting = list(tests)
    while waiting:
        for callee in callees[waiting.pop()]:
            if callee not in decided and callers[callee] <= decided:
                decided.add(callee)
                found.add(callee)
                waiting.append(callee)
    return frozenset(found)


def _in(filename: str, is_test_file: Callable[[str], bool]) -> bool:
    path = real_file(filename)
    return path is not None and is_test_file(path)


def collected_again(session: Any, nodeids: Sequence[str], is_test_file: Callable[[str], bool]
                    ) -> dict[str, list[Any]] | None:
    """In a child, after the swap: the test modules and helpers imported again and the modules
    of `nodeids` collected anew. Each of `nodeids` with its items (a module's node id stands
    for its tests; none if it failed to collect), or None when collecting failed as a whole."""
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if path and is_test_file(os.path.realpath(path)):
            del sys.modules[name]
    rootdir = Path(session.config.rootpath)
    files = dict.fromkeys(str(rootdir / nodeid.split("::", 1)[0]) for nodeid in nodeids)
    try:
        items = session.perform_collect(list(files))
    except Exception:  # a usage error: a fresh process will say which
        return None
    by_id = {item.nodeid: [item] for item in items}
    by_module: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        by_module[item.nodeid.split("::", 1)[0]].append(item)
    return {nodeid: by_id.get(nodeid, []) if "::" in nodeid else by_module[nodeid] for nodeid in nodeids}
