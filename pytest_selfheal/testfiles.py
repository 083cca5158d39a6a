"""Which files are tests: one answer for the heal's stages, the agents' edit policy, the regression
writer and the pre-commit selection, so that none of them misses a project's own `python_files`.

Stdlib only and cheap to import: the pre-commit hook and the heal both ask it.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath

DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")  # pytest's default `python_files`
# Modules under a directory of this name are test code (helpers, factories) wherever it sits.
TEST_DIRECTORIES = frozenset({"tests", "test", "testing"})


@dataclass(frozen=True)
class TestFiles:
    """Is a repository-relative POSIX path a test file? Call it to ask.

    Test modules are what pytest collects (`python_files`) and every file a test node id
    names (pytest collects any file it is given, whatever its name), except the source modules
    whose doctests `--doctest-modules` collects; conftest.py and the helper modules of a test
    directory are test code too, though pytest collects no tests from them. A directory pytest
    searches (`testpaths`) is not: tests often live inside the package they test.
    """

    __test__ = False  # not a pytest test class, whatever its name says

    python_files: tuple[str, ...] = DEFAULT_PYTHON_FILES
    named: frozenset[str] = frozenset()  # files that test node ids name

    @classmethod
    def of_suite(cls, python_files: Iterable[str], nodeids: Iterable[str],
                 rootdir: str | PurePath = ".") -> TestFiles:
        """From pytest's `python_files` and node ids; `rootdir` (the directory the node ids are
        relative to) is relative to the repository root."""
        files = {nodeid.split("::", 1)[0] for nodeid in nodeids if not is_doctest(nodeid)}
        return cls(tuple(python_files), frozenset(PurePosixPath(rootdir, f).as_posix() for f in files))

    def __call__(self, rel: str) -> bool:
        """A test module, a conftest.py or a module of a test directory."""
        path = PurePosixPath(rel)
        return (self.is_test_module(rel) or path.name == "conftest.py"
                or not TEST_DIRECTORIES.isdisjoint(path.parts[:-1]))

    def is_test_module(self, rel: str) -> bool:
        """A module pytest collects tests from: named by a node id or matching `python_files`."""
        return rel in self.named or any(_collects(rel, pattern) for pattern in self.python_files)


def is_doctest(nodeid: str) -> bool:
    """A doctest's node id: "pkg/core.py::pkg.core.clamp" names a docstring by its dotted name
    (a module's own docstring by the module's name), where a test's names have no dots."""
    file, _, rest = nodeid.partition("::")
    name = rest.split("::", 1)[0].split("[", 1)[0]
    return bool(name) and ("." in name or name == PurePosixPath(file).stem)


def _collects(rel: str, pattern: str) -> bool:
    """pytest's rule: a pattern without "/" matches the file name, one with "/" the path's end."""
    if "/" not in pattern:
        return fnmatch.fnmatch(PurePosixPath(rel).name, pattern)
    return fnmatch.fnmatch(f"/{rel}", f"*/{pattern}")
