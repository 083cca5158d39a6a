"""Removes a sandbox whose heal died without removing it (SIGKILL, os._exit, a crash in a test).

`Janitor.watch` starts `python -m pytest_selfheal.sandbox.janitor REPO WORKTREE HEAL_PID [OUTPUT]`
in a session of its own, so that it outlives the heal, and keeps a pipe to its stdin. `release`,
called once the heal has removed the sandbox itself, writes "done": the janitor exits at once.
The death of the heal (a pidfd on Linux, else its parent changing) or the end of its input
without "done" means the heal is gone: the janitor kills what the sandbox's tests left running,
removes the worktree, its temp dir and git's record of it, and OUTPUT (the heal's output
directory) if the heal created it and it holds nothing but the heal's own bookkeeping.

The janitor watches the heal's process, not only the pipe: a child that a test of the user's
session forks may hold the pipe's write end open (fds.py keeps it from children forked from
Python, not from every fork). Nothing ever waits for the janitor longer than RELEASE_SECONDS.
The next heal's cleanup (lock.clean_stale) remains for a janitor killed too.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
import sys
from pathlib import Path

from . import fds
from .leftovers import kill_leftovers
from .lock import LOCK_NAME, remove_worktrees

DONE = b"done\n"
RELEASE_SECONDS = 5.0
_POLL_SECONDS = 1.0  # where there is no pidfd: how often the janitor looks at its parent
_BOOKKEEPING = frozenset({".gitignore", LOCK_NAME})


class Janitor:
    def __init__(self, repo_root: Path, created_output: Path | None) -> None:
        self.repo_root = repo_root
        self.created_output = created_output
        self.proc: subprocess.Popen[bytes] | None = None

    def watch(self, worktree: Path) -> None:
        args = [str(self.repo_root), str(worktree), str(os.getpid())]
        if self.created_output is not None:
            args.append(str(self.created_output))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pytest_selfheal.sandbox.janitor", *args], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        assert self.proc.stdin is not None
        fds.keep_private(self.proc.stdin.fileno())

    def release(self) -> None:
        """The heal removed its sandbox: the janitor has nothing to do."""
        if self.proc is None or self.proc.stdin is None:
            return
        fds.forget(self.proc.stdin.fileno())
        with contextlib.suppress(OSError):  # a janitor that is gone reads nothing
            self.proc.stdin.write(DONE)
            self.proc.stdin.flush()
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):  # it exits on its own, in its session
            self.proc.wait(timeout=RELEASE_SECONDS)
        self.proc = None


def main(argv: list[str]) -> int:
    repo, worktree, heal, *output = argv
    if heal_released(int(heal)):
        return 0
    kill_leftovers(Path(worktree))
    remove_worktrees(Path(repo), [Path(worktree)])
    leftover = Path(output[0]) if output else None
    if leftover is not None and leftover.is_dir() and {p.name for p in leftover.iterdir()} <= _BOOKKEEPING:
        shutil.rmtree(leftover, ignore_errors=True)
    return 0


def heal_released(heal: int) -> bool:
    """Wait for the heal's word on stdin, or its end: True if it said "done"."""
    stdin = sys.stdin.buffer.fileno()
    watched = _pidfd(heal)
    waiting = [stdin] if watched is None else [stdin, watched]
    received = b""
    while True:
        alive = os.getppid() == heal  # a pid reused after the heal died is not the heal's
        wait = (_POLL_SECONDS if watched is None else None) if alive else 0
        readable, _, _ = select.select(waiting, [], [], wait)
        if stdin in readable:
            chunk = os.read(stdin, len(DONE))
            received += chunk
            if not chunk or received.endswith(b"\n"):
                return received == DONE
        elif not alive or watched in readable:
            return False


def _pidfd(pid: int) -> int | None:
    """A descriptor that becomes readable when `pid` exits (Linux 5.3+); None elsewhere."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
