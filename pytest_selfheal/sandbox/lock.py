"""One heal per repository at a time, and cleanup of what killed heals left behind.

The lock is an advisory `flock` on `<output>/heal.lock`: the kernel releases it when its
holder dies, so a killed run never blocks the next one (and no child a test forks holds it: see
fds.py). Whoever holds it may clean up: the sandbox worktrees of heals that are gone, and run
directories that never got a report.json.

A sandbox is found from the repository's own list of worktrees, whatever TMPDIR the heal that
made it had: it is added locked, with a reason that names its heal's pid (`SANDBOX_REASON`).
Only those are ever removed, and one by one: never `git worktree prune`, which would also drop
the records of the user's own worktrees whose directory is missing (an unmounted disk, say).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import SelfHealError
from ..git import run_git
from ..output.rundir import DECISIONS, REPORT_JSON, runs_dir
from . import fds

LOCK_NAME = "heal.lock"
TEMP_PREFIX = "selfheal-"
SANDBOX_NAME = "worktree"  # <tmp>/selfheal-XXXX/worktree
_REASON_PREFIX = "pytest-selfheal sandbox of pid "
_REASON = re.compile(re.escape(_REASON_PREFIX) + r"(\d+)")


class LockBusy(SelfHealError):
    """Another heal holds the repository's lock."""


@contextmanager
def heal_lock(output: Path) -> Iterator[None]:
    """Hold `<output>/heal.lock` for the block; raise LockBusy at once if someone else holds it."""
    path = output / LOCK_NAME
    fd = fds.keep_private(os.open(path, os.O_RDWR | os.O_CREAT, 0o644))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise LockBusy(
                f"another pytest --selfheal (pid {holder}) is healing this repository; healing "
                "skipped, your test results stand. Run again when it has finished"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        fds.forget(fd)
        os.close(fd)  # releases the lock


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def new_sandbox_dir() -> Path:
    """A new temp dir for a sandbox; the worktree goes in it as SANDBOX_NAME."""
    return Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))


def sandbox_reason(pid: int) -> str:
    """The lock reason of a sandbox worktree: it marks the worktree as a heal's, and names the
    heal."""
    return f"{_REASON_PREFIX}{pid} (removed when that heal ends)"


@dataclass(frozen=True)
class Listed:
    """One linked worktree of `git worktree list --porcelain`."""

    path: Path
    locked: str | None  # the lock reason ("" when locked without one)

    @property
    def owner(self) -> int | None:
        """The pid of the heal whose sandbox this is; None for every worktree of the user's."""
        match = _REASON.match(self.locked or "")
        laid_out = self.path.name == SANDBOX_NAME and self.path.parent.name.startswith(TEMP_PREFIX)
        return int(match[1]) if match is not None and laid_out else None


def linked_worktrees(porcelain: str) -> list[Listed]:
    """The linked worktrees in `git worktree list --porcelain` output (the main one is left out)."""
    found: list[Listed] = []
    for block in porcelain.strip().split("\n\n")[1:]:  # the first block is the main worktree
        fields = dict(line.partition(" ")[::2] for line in block.splitlines())
        if "worktree" in fields:
            found.append(Listed(Path(fields["worktree"]), fields.get("locked")))
    return found


def stale_worktrees(repo_root: Path) -> list[Path]:
    """Sandboxes of this repository whose heal is gone, or whose directory is."""
    listing = run_git(repo_root, "worktree", "list", "--porcelain", timeout=None).stdout
    return [entry.path for entry in linked_worktrees(listing)
            if entry.owner is not None and (not is_alive(entry.owner) or not entry.path.is_dir())]


def remove_worktrees(repo_root: Path, worktrees: list[Path]) -> None:
    """Remove sandboxes (locked, hence the double force) and their temp dirs; a missing
    directory loses its record too."""
    for worktree in worktrees:
        run_git(repo_root, "worktree", "remove", "--force", "--force", str(worktree), timeout=None)
        shutil.rmtree(worktree.parent, ignore_errors=True)


def unfinished_runs(runs: Path, keep: Path | None) -> list[Path]:
    """Run dirs with no report.json whose process is dead (its pid opens decisions.jsonl)."""
    found = []
    for run_dir in sorted(runs.iterdir()) if runs.is_dir() else ():
        if run_dir == keep or not run_dir.is_dir() or (run_dir / REPORT_JSON).exists():
            continue
        pid = _first_pid(run_dir / DECISIONS)
        if pid is None or not is_alive(pid):
            found.append(run_dir)
    return found


def _first_pid(log: Path) -> int | None:
    try:
        with log.open(encoding="utf-8") as fh:
            pid = json.loads(fh.readline()).get("pid")
    except (OSError, ValueError, AttributeError):
        return None
    return pid if isinstance(pid, int) else None


def close_unfinished(run_dir: Path) -> None:
    """Give a killed run a report.json that says so; its decisions.jsonl is kept as evidence."""
    report = {"run_id": run_dir.name, "status": "interrupted",
              "reason": "the process ended before the heal finished (killed or crashed); "
                        f"{DECISIONS} holds what it decided until then"}
    with contextlib.suppress(OSError):
        (run_dir / REPORT_JSON).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def clean_stale(repo_root: Path, output: Path, keep: Path | None) -> dict[str, list[str]]:
    """Remove dead heals' worktrees and close their runs; call only while holding the lock."""
    worktrees = stale_worktrees(repo_root)
    remove_worktrees(repo_root, worktrees)
    runs = unfinished_runs(runs_dir(output), keep)
    for run_dir in runs:
        close_unfinished(run_dir)
    return {"worktrees": [str(w) for w in worktrees], "runs": [r.name for r in runs]}
