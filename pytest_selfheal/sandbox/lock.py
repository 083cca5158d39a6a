"""One heal per repository at a time, and cleanup of what killed heals left behind.

The lock is an advisory `flock` on `<output>/heal.lock`: the kernel releases it when its
holder dies, so a killed run never blocks the next one. Whoever holds it may clean up:
selfheal worktrees whose owning process is dead (their temp dir names the owner in
`owner.pid`) and run directories that never got a report.json.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import SelfHealError
from ..git import run_git
from ..output.rundir import DECISIONS, REPORT_JSON, runs_dir

LOCK_NAME = "heal.lock"
OWNER_FILE = "owner.pid"
TEMP_PREFIX = "selfheal-"
SANDBOX_NAME = "worktree"  # <tmp>/selfheal-XXXX/worktree


class LockBusy(SelfHealError):
    """Another heal holds the repository's lock."""


@contextmanager
def heal_lock(output: Path) -> Iterator[None]:
    """Hold `<output>/heal.lock` for the block; raise LockBusy at once if someone else holds it."""
    path = output / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
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
    """A new temp dir for a sandbox, marked as this process's so that a later run can tell
    when it is stale; the worktree goes in it as SANDBOX_NAME."""
    temp_dir = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    (temp_dir / OWNER_FILE).write_text(str(os.getpid()), encoding="utf-8")
    return temp_dir


def _owner(temp_dir: Path) -> int | None:
    try:
        return int((temp_dir / OWNER_FILE).read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None


def stale_worktrees(repo_root: Path) -> list[Path]:
    """Registered worktrees in a selfheal temp dir whose owning process is gone.

    Only a linked worktree laid out as a sandbox (`<tmp>/selfheal-*/worktree`) whose temp dir
    names a dead owner qualifies: the main worktree, and any directory without an owner file,
    is the user's, whatever its name.
    """
    listing = run_git(repo_root, "worktree", "list", "--porcelain", timeout=None).stdout
    temp_root = Path(tempfile.gettempdir()).resolve()
    stale = []
    linked = [line[len("worktree "):] for line in listing.splitlines()
              if line.startswith("worktree ")][1:]  # the first entry is the main worktree
    for entry in linked:
        worktree = Path(entry)
        temp_dir = worktree.parent
        if (worktree.name != SANDBOX_NAME or temp_dir.parent != temp_root
                or not temp_dir.name.startswith(TEMP_PREFIX)):
            continue
        owner = _owner(temp_dir)
        if owner is not None and not is_alive(owner):
            stale.append(worktree)
    return stale


def remove_worktrees(repo_root: Path, worktrees: list[Path]) -> None:
    for worktree in worktrees:
        run_git(repo_root, "worktree", "remove", "--force", str(worktree), timeout=None)
        shutil.rmtree(worktree.parent, ignore_errors=True)
    run_git(repo_root, "worktree", "prune", timeout=None)


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
