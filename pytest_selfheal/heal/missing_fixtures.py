"""Tests asking for a fixture that nothing in the repository defines: a plugin the tests use is not
installed where they ran (pytest-benchmark's `benchmark`, pytest-mock's `mocker`). No change to the
source can make them pass, so triage holds them as the environment's and names what to install,
and the heal repairs the other failures instead of spending its budget on these.

A fixture the repository defines, now or at the base commit, is not held: a change that renamed
or removed it is the code's to repair.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Collection
from pathlib import Path

from ..git import commit_of, run_git
from ..models import Failure

_NOT_FOUND = re.compile(r"fixture '(?P<name>[^']+)' not found")
# Fixtures of widely used plugins, to say what to install.
_PROVIDERS = {
    "benchmark": "pytest-benchmark", "mocker": "pytest-mock", "class_mocker": "pytest-mock",
    "module_mocker": "pytest-mock", "session_mocker": "pytest-mock", "freezer": "pytest-freezer",
    "httpserver": "pytest-httpserver", "httpx_mock": "pytest-httpx", "requests_mock": "requests-mock",
    "respx_mock": "respx", "snapshot": "syrupy", "fs": "pyfakefs", "datadir": "pytest-datadir",
    "shared_datadir": "pytest-datadir", "aiohttp_client": "pytest-aiohttp", "qtbot": "pytest-qt",
    "xprocess": "pytest-xprocess", "time_machine": "time-machine", "subtests": "pytest-subtests",
    "cov": "pytest-cov", "worker_id": "pytest-xdist", "mock_env": "pytest-env",
    "event_loop": "pytest-asyncio", "anyio_backend": "anyio",
}


def fixture_name(failure: Failure) -> str | None:
    """The fixture a test's setup did not find, from pytest's "fixture 'x' not found"."""
    if failure.phase != "setup" or failure.exc_type != "FixtureLookupError":
        return None
    found = _NOT_FOUND.fullmatch(failure.message.strip())
    return found["name"] if found else None


def undefined(names: Collection[str], root: Path, base: str) -> frozenset[str]:
    """The `names` that no Python file of the repository at `root` defines as a fixture (a function
    of that name, a fixture named so, an assignment), in the working tree or at the commit `base`
    names ("" or a revision that names none: the working tree only). A name git cannot search
    for counts as defined: holding a failure needs the evidence."""
    if not names:
        return frozenset()
    alternatives = "|".join(re.escape(name) for name in sorted(names))
    patterns = ("-e", rf"def ({alternatives})\(", "-e", rf"name *= *['\"]({alternatives})['\"]",
                "-e", rf"^\s*({alternatives})\s*(:[^=]*)?=[^=]")
    base_commit = commit_of(root, base) if base else None  # HEAD~1 of a first commit is none
    searches = [("--untracked",), *([(base_commit,)] if base_commit else [])]
    defined: set[str] = set()
    for where in searches:
        try:
            done = run_git(root, "grep", "-h", "-o", "-I", "-E", *patterns, *where, "--", "*.py")
        except (OSError, subprocess.TimeoutExpired):
            return frozenset()
        if done.returncode not in (0, 1):  # 1: nothing matched
            return frozenset()
        defined.update(match["name"] for match in re.finditer(
            rf"(?:def |['\"]|^\s*)(?P<name>{alternatives})\b", done.stdout, re.MULTILINE))
    return frozenset(names) - defined


def hint(name: str) -> str:
    """Why the test cannot run here, and what to do, for a fixture `undefined` found."""
    provider = _PROVIDERS.get(name)
    plugin = f"{provider}, which provides it," if provider else "the plugin that provides it"
    return (f"fixture '{name}' not found and no file of the repository defines it: "
            f"{plugin} is not installed here; install the project's test dependencies "
            "(not repaired)")
