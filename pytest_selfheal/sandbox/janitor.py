"""Removes a sandbox whose heal died without removing it (SIGKILL, os._exit, a crash in a test).

`Janitor.watch` starts `python -m pytest_selfheal.sandbox.janitor REPO WORKTREE [OUTPUT]` in a session
of its own, so that it outlives the heal, and keeps its stdin open. `release`, called once the
heal has removed the sandbox itself, writes "done". End of input without it means the heal is
gone: the janitor removes the worktree, its temp dir and git's record of it, and OUTPUT (the
heal's output directory) if the heal created it and it holds nothing but the heal's own
bookkeeping. The next heal's cleanup (lock.clean_stale) remains for a janitor killed too.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from pathlib import Path

from .lock import LOCK_NAME, remove_worktrees

DONE = b"done\n"
_BOOKKEEPING = frozenset({".gitignore", LOCK_NAME})


class Janitor:
    def __init__(self, repo_root: Path, created_output: Path | None) -> None:
        self.repo_root = repo_root
        self.created_output = created_output
        self.proc: subprocess.Popen[bytes] | None = None

    def watch(self, worktree: Path) -> None:
        args = [str(self.repo_root), str(worktree)]
        if self.created_output is not None:
            args.append(str(self.created_output))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pytest_selfheal.sandbox.janitor", *args], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )

    def release(self) -> None:
        """The heal removed its sandbox: the janitor has nothing to do."""
        if self.proc is None or self.proc.stdin is None:
            return
        with contextlib.suppress(OSError):
            self.proc.stdin.write(DONE)
            self.proc.stdin.close()
        self.proc.wait()
        self.proc = None


def main(argv: list[str]) -> int:
    repo, worktree, *output = argv
    if sys.stdin.buffer.read() == DONE:
        return 0
    remove_worktrees(Path(repo), [Path(worktree)])
    leftover = Path(output[0]) if output else None
    if leftover is not None and leftover.is_dir() and {p.name for p in leftover.iterdir()} <= _BOOKKEEPING:
        shutil.rmtree(leftover, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
