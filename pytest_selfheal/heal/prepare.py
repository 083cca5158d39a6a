"""The part of a heal that needs no failure details: the repository lock, the cleanup of killed
heals, the sandbox (watched by a janitor process in case this one dies) and the warm worker.

`pytest --selfheal` begins it at the session's first failing test, so that creating the worktree
and warming up a test process overlap the rest of the session (the worker then collects the
session's test files); otherwise the heal begins it when the session ends (the worker collects
what the probe will run). Either way the heal takes it over and `close` releases everything.
The worker starts first, importing pytest while git (and GitPython) build the worktree; for a
project pytest itself imports (sandbox/pytest_imports.py) there is none.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..output import rundir
from ..sandbox.janitor import Janitor
from ..sandbox.leftovers import kill_leftovers
from ..sandbox.lock import SANDBOX_NAME, clean_stale, heal_lock, new_sandbox_dir
from ..sandbox.options import in_sandbox
from ..sandbox.paths import Sandbox
from ..sandbox.protocol import encode_cases, keyed_function
from ..sandbox.pytest_imports import project_modules_pytest_imports
from ..sandbox.runner import PytestCommand
from ..sandbox.warm import WarmWorker, start_warm_worker

STARTUP_TIMEOUT = 300.0  # until the heal knows how long the suite took, and sets the real one


@dataclass
class Preparation:
    sandbox: Sandbox
    command: PytestCommand
    warm: WarmWorker | None
    cleaned: dict[str, list[str]]  # what clean_stale removed, for the decision log
    _lock: ExitStack = field(repr=False)
    _worktree: ExitStack = field(repr=False)

    def close_sandbox(self) -> list[str]:
        """Stop the worker, kill what the tests left running outside its process groups, and
        remove the worktree; the lock stays held. Returns what was killed (leftovers.py)."""
        if self.warm is not None:
            self.warm.close()
        killed = kill_leftovers(self.sandbox.root)
        self._worktree.close()
        return killed

    def close(self) -> None:
        self.close_sandbox()
        self._lock.close()


def prepare(repo_root: Path, rootdir: Path, settings: Settings, import_roots: Sequence[Path],
            collect: Sequence[str | Path], keep: Path | None = None,
            options: Sequence[str] = (), added: Mapping[str, str] | None = None,
            cases: Mapping[str, str] | None = None) -> Preparation:
    """Take the lock, clean up after killed heals (but the run dir `keep`), open the sandbox,
    write the `added` files into it (repository-relative path -> text: an incident's
    reproduction test) and start a worker that collects `collect` (nodeids, or paths inside the
    checkout). Every test process finds the user's `cases` (protocol.movable_cases) by their
    parameters. Raises LockBusy, SandboxError or OSError, holding nothing."""
    output = rootdir / settings.output
    lock, worktree = ExitStack(), ExitStack()
    warm: WarmWorker | None = None
    try:
        janitor = Janitor(repo_root, None if output.exists() else output)
        rundir.ensure_output_dir(output)
        lock.enter_context(heal_lock(output))
        tmp = new_sandbox_dir()
        worktree.callback(shutil.rmtree, tmp, ignore_errors=True)  # if open_sandbox never runs
        planned = Sandbox(user_root=repo_root.resolve(), root=tmp / SANDBOX_NAME, tmp=tmp)
        janitor.watch(planned.root)  # from the moment the temp dir exists
        worktree.callback(janitor.release)  # runs once the sandbox is gone
        command = PytestCommand(
            sandbox_root=planned.root,
            user_root=planned.user_root,
            cwd=planned.map(rootdir),
            scratch=tmp / "scratch",
            import_roots=tuple(planned.map(p) for p in import_roots),
            options=in_sandbox(options, planned.user_root, planned.map),
            cases=write_cases(tmp / "scratch", cases) if cases else None,
            pytest_imports=project_modules_pytest_imports(repo_root),
        )
        if collect and not command.pytest_imports:  # a warm worker would hold the code of now
            warm = start_warm_worker(command, settings.workers, startup_timeout=STARTUP_TIMEOUT)
        from ..sandbox.worktree import open_sandbox  # GitPython: imported while the worker starts

        cleaned = clean_stale(repo_root, output, keep=keep)
        sandbox = worktree.enter_context(open_sandbox(repo_root, tmp))
        for path, text in (added or {}).items():
            sandbox.write(path, text)
        if warm is not None:
            warm.collect(list(dict.fromkeys(_collected(item, sandbox, cases or {}) for item in collect)))
    except BaseException:
        if warm is not None:
            warm.close()
        worktree.close()
        lock.close()
        raise
    return Preparation(sandbox, command, warm, cleaned, lock, worktree)


def write_cases(scratch: Path, cases: Mapping[str, str]) -> Path:
    """The file CASES_ENV names to the test processes."""
    scratch.mkdir(parents=True, exist_ok=True)
    path = scratch / "cases.json"
    path.write_text(encode_cases(cases), encoding="utf-8")
    return path


def _collected(item: str | Path, sandbox: Sandbox, cases: Mapping[str, str]) -> str:
    """What the warm worker is given to collect `item`: a path in the sandbox, or a node id; for
    a test whose id may name another case there, its function's (the worker gives the cases the
    user's ids)."""
    if isinstance(item, Path):
        return str(sandbox.map(item))
    return keyed_function(cases[item]) if item in cases else item
