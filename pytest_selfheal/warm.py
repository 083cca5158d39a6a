"""The heal side of the warm worker (worker.py): start it in the sandbox, send jobs, read results.

A job that the worker cannot run in place comes back as None, and so does every job once the
worker has died or stopped answering: the caller then runs the tests in a fresh subprocess.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .models import RunResult
from .runner import PytestCommand, die_with_parent, read_observation

_GRACE_SECONDS = 10.0  # on top of a job's own timeout, for the worker to answer


@dataclass(frozen=True)
class Job:
    """Run `nodeids` with `files` (path relative to the sandbox -> new text) patched in place."""

    nodeids: tuple[str, ...]
    files: Mapping[str, tuple[str, str]]  # relative path -> (text on disk, candidate text)
    timeout: float
    stop_at_first_failure: bool = False


def start_warm_worker(command: PytestCommand, nodeids: Sequence[str], workers: int | None, *,
                      startup_timeout: float) -> WarmWorker | None:
    """Start warming up now (it imports while the probe runs); None when 0 workers are asked
    for or the platform cannot fork. `workers` None means one per core."""
    jobs = len(os.sched_getaffinity(0)) if workers is None else workers
    if jobs < 1 or not hasattr(os, "fork") or not nodeids:
        return None
    return WarmWorker(command, nodeids, jobs=jobs, startup_timeout=startup_timeout)


class WarmWorker:
    """One warm pytest process per heal; `run` fans jobs out to up to `jobs` forked children."""

    def __init__(self, command: PytestCommand, nodeids: Sequence[str], *, jobs: int,
                 startup_timeout: float) -> None:
        self.command = command
        self.jobs = jobs
        self.startup_timeout = startup_timeout
        self._counter = 0
        self._ready = False
        self._buffer = b""
        command.scratch.mkdir(parents=True, exist_ok=True)
        args_file = command.scratch / "warm-args.txt"
        args_file.write_text("\n".join([f"--rootdir={command.cwd}", *nodeids]) + "\n", encoding="utf-8")
        self._log: IO[bytes] = (command.scratch / "warm-worker.log").open("wb")
        self.proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-m", "pytest_selfheal.worker", str(jobs), f"@{args_file}"],
            cwd=command.cwd, env=command.environment({}), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._log, start_new_session=True,
            preexec_fn=die_with_parent(os.getpid()),
        )
        self._finalizer = weakref.finalize(self, _stop, self.proc, self._log)

    def run(self, jobs: Sequence[Job]) -> list[RunResult | None]:
        """Results in the order of `jobs`; None where a fresh subprocess must decide."""
        results: list[RunResult | None] = [None] * len(jobs)
        if not jobs or not self._wait_ready():
            return results
        assert self.proc is not None and self.proc.stdin is not None
        pending: dict[int, tuple[int, Path]] = {}
        lines = []
        for index, job in enumerate(jobs):
            self._counter += 1
            observe = self.command.scratch / f"warm-{os.getpid()}-{time.monotonic_ns()}-{self._counter}.json"
            pending[self._counter] = (index, observe)
            lines.append(json.dumps({
                "id": self._counter, "nodeids": list(job.nodeids), "observe": str(observe),
                "files": [[str(self.command.sandbox_root / rel), before, after]
                          for rel, (before, after) in job.files.items()],
                "stop_first": job.stop_at_first_failure, "timeout": job.timeout,
            }))
        try:
            self.proc.stdin.write(("\n".join(lines) + "\n").encode("utf-8"))
            self.proc.stdin.flush()
        except OSError:
            self.close()
            return results
        rounds = -(-len(jobs) // self.jobs)
        deadline = time.monotonic() + rounds * (max(j.timeout for j in jobs) + _GRACE_SECONDS)
        while pending:
            reply = self._read_reply(deadline)
            if reply is None:
                self.close()  # dead or hung: the remaining jobs fall back to subprocesses
                break
            index, observe = pending.pop(reply["id"])
            if reply["status"] == "ran":
                data = read_observation(observe)
                observe.unlink(missing_ok=True)
                results[index] = RunResult(
                    outcomes=data.get("outcomes", {}), exit_code=reply["exit_code"],
                    seconds=reply["seconds"], timed_out=reply["timed_out"],
                    failures=data.get("failures", {}),
                )
        return results

    def _wait_ready(self) -> bool:
        if not self._ready and self.proc is not None:
            reply = self._read_reply(time.monotonic() + self.startup_timeout)
            self._ready = reply is not None and "ready" in reply
            if not self._ready:
                self.close()
        return self._ready

    def _read_reply(self, deadline: float) -> dict[str, Any] | None:
        if self.proc is None or self.proc.stdout is None:
            return None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        reply = json.loads(line)
        return reply if isinstance(reply, dict) else None

    def close(self) -> None:
        """Stop the worker and everything it started; safe to call twice."""
        self.proc = None
        self._finalizer()


def _stop(proc: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    """Also run when a WarmWorker is garbage collected, so no path leaves the worker behind."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for stream in (proc.stdin, proc.stdout, log):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
