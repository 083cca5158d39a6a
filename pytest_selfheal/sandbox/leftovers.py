"""Processes that the sandbox's tests left running where no process-group kill reaches them.

Every test process runs in a process group of its own, and the heal kills the group; a
grandchild that a test starts in a session of its own (`setsid`, a double fork) escapes it. Such
a process is found by what it carries from the sandbox: the `SELFHEAL_SANDBOX=<worktree>`
variable in its environment, inherited through fork and exec unless a test replaced the
environment (such a process is not found). Nothing else is taken as a sign: a shell of the
user's opened in the sandbox's directory, say, must live. Only this user's processes are looked
at, and only on Linux (/proc); elsewhere nothing is found.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

from .protocol import SANDBOX_ENV

_PROC = Path("/proc")
_SHOWN_ARGS = 80


def kill_leftovers(worktree: Path) -> list[str]:
    """Kill the processes marked as this sandbox's, and say which: "pid N (command line)"."""
    marker = f"{SANDBOX_ENV}={worktree}".encode()
    killed = []
    for entry in _PROC.iterdir() if _PROC.is_dir() else ():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            if entry.stat().st_uid != os.getuid():
                continue
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                os.kill(int(entry.name), signal.SIGKILL)
                killed.append(f"pid {entry.name} ({command.strip()[:_SHOWN_ARGS]})")
    return killed
