"""Failures of what is not installed where the tests ran: a fixture nothing in the repository
defines (a plugin's: pytest-benchmark's `benchmark`, pytest-mock's `mocker`), a module the tests
import that the repository does not have (a test dependency's: `freezegun`). No change to the
source can make such a test pass, so triage holds it as `not-installed` and names what is
missing, and the heal repairs the other failures instead of spending its budget on these.

What the repository defines now or at the base commit is not held: a change that renamed or
removed it is the code's to repair. Nor is a module the project's own code fails to import: a
fallback the change removed (`except ImportError`) is repairable.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from ..git import commit_of, run_git
from ..models import Failure
from .collection_errors import BuildError

_FIXTURE_NOT_FOUND = re.compile(r"fixture '(?P<name>[^']+)' not found")
_NO_MODULE = re.compile(r"No module named '(?P<name>[\w.]+)'")
# Fixtures of widely used plugins, to say what to install.
_PROVIDERS = {
    "benchmark": "pytest-benchmark", "mocker": "pytest-mock", "class_mocker": "pytest-mock",
    "module_mocker": "pytest-mock", "session_mocker": "pytest-mock", "freezer": "pytest-freezer",
    "httpserver": "pytest-httpserver", "httpx_mock": "pytest-httpx", "requests_mock": "requests-mock",
    "respx_mock": "respx", "snapshot": "syrupy", "fs": "pyfakefs", "datadir": "pytest-datadir",
    "shared_datadir": "pytest-datadir", "aiohttp_client": "pytest-aiohttp", "qtbot": "pytest-qt",
    "xprocess": "pytest-xprocess", "time_machine": "time-machine", "subtests": "pytest-subtests",
    "cov": "pytest-cov", "worker_id": "pytest-xdist", "event_loop": "pytest-asyncio",
    "anyio_backend": "anyio",
}


@dataclass(frozen=True)
class Missing:
    """What a failure did not find: a fixture, or the top-level module of an import."""

    kind: Literal["fixture", "module"]
    name: str


def missing(failure: Failure, error: BuildError) -> Missing | None:
    """The fixture a test's setup did not find (pytest's "fixture 'x' not found"), or the module
    an import in the tests did not find ("No module named 'x.y'": x), of a failure as the user's
    run reported it, with the exception and place `collection_errors.build_error` found in it;
    None for any other failure, and for an import that failed in the project's own code."""
    if failure.phase == "setup" and failure.exc_type == "FixtureLookupError":
        fixture = _FIXTURE_NOT_FOUND.fullmatch(failure.message.strip())
        return Missing("fixture", fixture["name"]) if fixture else None
    module = _NO_MODULE.search(error.message)
    if error.exc_type.rsplit(".", 1)[-1] != "ModuleNotFoundError" or module is None or error.path:
        return None
    return Missing("module", module["name"].split(".", 1)[0])


def absent(wanted: Collection[Missing], root: Path, base: str) -> frozenset[Missing]:
    """What of `wanted` the repository at `root` has nowhere, in the working tree nor at the
    commit `base` names ("" or a revision that names none: the working tree only): a fixture no
    Python file defines (a function of that name, a fixture named so, an assignment), a module
    no file or directory is named for. Where git cannot tell, nothing is absent: holding a
    failure needs the evidence."""
    if not wanted:
        return frozenset()
    base_commit = commit_of(root, base) if base else None  # HEAD~1 of a first commit is none
    revisions = (None, *((base_commit,) if base_commit else ()))
    fixtures = {m.name for m in wanted if m.kind == "fixture"}
    modules = {m.name for m in wanted if m.kind == "module"}
    try:
        defined = _defined_fixtures(fixtures, root, revisions) if fixtures else set()
        present = _present_modules(modules, root, revisions) if modules else set()
    except LookupError:
        return frozenset()
    return frozenset(m for m in wanted
                     if m.name not in (defined if m.kind == "fixture" else present))


def hint(what: Missing) -> str:
    """Why the test cannot run here, and what to do, for what `absent` found."""
    if what.kind == "module":
        return (f"No module named '{what.name}', and the repository has none: a test dependency "
                "is not installed here; install the project's test dependencies (not repaired)")
    provider = _PROVIDERS.get(what.name)
    plugin = f"{provider}, which provides it," if provider else "the plugin that provides it"
    return (f"fixture '{what.name}' not found and no file of the repository defines it: "
            f"{plugin} is not installed here; install the project's test dependencies "
            "(not repaired)")


def _defined_fixtures(names: set[str], root: Path, revisions: Collection[str | None]) -> set[str]:
    alternatives = "|".join(re.escape(name) for name in sorted(names))
    patterns = ("-e", rf"def ({alternatives})\(", "-e", rf"name *= *['\"]({alternatives})['\"]",
                "-e", rf"^\s*({alternatives})\s*(:[^=]*)?=[^=]")
    defined: set[str] = set()
    for revision in revisions:
        where = (revision,) if revision else ("--untracked",)
        found = _git(root, 1, "grep", "-h", "-o", "-I", "-E", *patterns, *where, "--", "*.py")
        defined.update(match["name"] for match in re.finditer(
            rf"(?:def |['\"]|^\s*)(?P<name>{alternatives})\b", found, re.MULTILINE))
    return defined


def _present_modules(names: set[str], root: Path, revisions: Collection[str | None]) -> set[str]:
    present: set[str] = set()
    for revision in revisions:
        if revision:
            paths = _git(root, 0, "ls-tree", "-r", "--name-only", "-z", revision).split("\0")
        else:  # the index, less what the change deleted, and the untracked files
            listed = _git(root, 0, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
            paths = [path for path in listed.split("\0") if path and (root / path).exists()]
        for path in filter(None, paths):
            parts = PurePosixPath(path).parts  # a package's directory, a module's file
            present.update(names.intersection((*parts[:-1], parts[-1].split(".", 1)[0])))
    return present


def _git(root: Path, tolerated: int, *args: str) -> str:
    """stdout of git ARGS; LookupError when it fails (an exit status above `tolerated`: git grep
    exits 1 when nothing matched)."""
    try:
        done = run_git(root, *args)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LookupError(str(exc)) from exc
    if done.returncode > tolerated:
        raise LookupError(done.stderr)
    return done.stdout
