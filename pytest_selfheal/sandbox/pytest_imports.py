"""The project's own modules that importing pytest imports: when the project is one of the
requirements `import pytest` loads (pluggy, iniconfig, pygments) or pytest, a test process holds
the project's code from the moment it imports pytest, before any test file is read.

A process started ahead of its run (the warm worker, the standby) would then hold the code as it
was when it started, not the candidate written since, and the code of the user's checkout rather
than the worktree's. For such a project every test process is started after its files are
written, with the worktree first on its path (runner.PytestCommand.environment). A requirement
pytest imports only later (packaging, for `minversion`) is imported by the run from the worktree,
as any project module, and keeps the warm worker.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_LIST_MODULES = "import sys, pytest; print('\\n'.join(sys.modules))"


def project_modules_pytest_imports(repo_root: Path) -> tuple[str, ...]:
    """The top-level modules of pytest and of its requirements that this process (the user's
    pytest session) imported from inside `repo_root` and that `import pytest` imports."""
    root = repo_root.resolve()
    found = []
    for name in sorted(_pytest_modules()):
        file = getattr(sys.modules.get(name), "__file__", None)
        if isinstance(file, str) and Path(file).resolve().is_relative_to(root):
            found.append(name)
    if not found:
        return ()
    imported = _imported_with_pytest()
    return tuple(name for name in found if imported is None or name in imported)


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


def _imported_with_pytest() -> set[str] | None:
    """The top-level modules a new interpreter holds once it has imported pytest; None when that
    cannot be told (then every requirement counts as imported)."""
    try:
        done = subprocess.run([sys.executable, "-c", _LIST_MODULES], capture_output=True, text=True,
                              timeout=60, check=True, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return {line.split(".", 1)[0] for line in done.stdout.splitlines() if line}
