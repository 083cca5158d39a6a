"""The project's own modules that pytest itself imports: when the project is one of pytest's
requirements (pluggy, iniconfig, pygments, ...) or pytest, a test process holds the project's code
from the moment it imports pytest, before any test file is read.

A process started ahead of its run (the warm worker, the standby) would then hold the code as it
was when it started, not the candidate written since, and the code of the user's checkout rather
than the worktree's. For such a project every test process is started after its files are
written, with the worktree first on its path (runner.PytestCommand.environment).
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def project_modules_pytest_imports(repo_root: Path) -> tuple[str, ...]:
    """The top-level modules of pytest and of its requirements that this process (the user's
    pytest session) imported from inside `repo_root`."""
    root = repo_root.resolve()
    found = []
    for name in sorted(_pytest_modules()):
        file = getattr(sys.modules.get(name), "__file__", None)
        if isinstance(file, str) and Path(file).resolve().is_relative_to(root):
            found.append(name)
    return tuple(found)


def _pytest_modules() -> set[str]:
    """pytest's own top-level modules and its requirements' (each named as its distribution, as
    all of pytest's are), whichever this Python installs; not those of its extras."""
    try:
        required = metadata.requires("pytest") or []
    except metadata.PackageNotFoundError:  # pytest run from a source tree
        required = []
    names = {"pytest", "_pytest", "py"}
    for requirement in required:
        found = _NAME.match(requirement)
        if found and "extra ==" not in requirement:
            names.add(found.group(0).lower().replace("-", "_").replace(".", "_"))
    return names
