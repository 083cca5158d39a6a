"""The heal side of the warm worker (worker.py): start it in the sandbox, send jobs, read results.

A job that the worker cannot run in place comes back as None, and so does every job once the
worker has died or stopped answering: the caller then runs the tests in a fresh subprocess
(`TestRuns` does both).
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

from ..models import TestRunResult
from .runner import PytestCommand, Standby, die_with_parent, observed_result, run_tests

_GRACE_SECONDS = 10.0  # on top of a job's own timeout, for the worker to answer
_PIPE_CHUNK = 1 << 16


@dataclass(frozen=True)
class Job:
    """Run `nodeids` with `files` (path relative to the sandbox -> new text) patched in place."""

    nodeids: tuple[str, ...]
    files: Mapping[str, tuple[str, str]]  # relative path -> (text on disk, candidate text)
    timeout: float
    stop_at_first_failure: bool = False
    coverage: Path | None = None  # record per-test coverage contexts into this data file
    cpu_seconds: float | None = None  # a warm child is stopped after this much CPU time
    record: Path | None = None  # a recorder.py spec: record the calls of one function


def start_warm_worker(command: PytestCommand, workers: int | None, *,
                      startup_timeout: float) -> WarmWorker | None:
    """Start warming up now, before the sandbox exists (see WarmWorker); None when 0 workers
    are asked for or the platform cannot fork. `workers` None means one per core."""
    jobs = len(os.sched_getaffinity(0)) if workers is None else workers
    if jobs < 1 or not hasattr(os, "fork"):
        return None
    return WarmWorker(command, jobs=jobs, startup_timeout=startup_timeout)


class WarmWorker:
    """One warm pytest process per heal; `run` fans jobs out to up to `jobs` forked children.

    It starts in the scratch dir and imports pytest and the installed plugins while the heal
    builds the worktree; `collect` then sends it into the worktree to collect the tests.
    """

    def __init__(self, command: PytestCommand, *, jobs: int, startup_timeout: float) -> None:
        self.command = command
        self.jobs = jobs
        self.startup_timeout = startup_timeout
        self._counter = 0
        self._ready = False
        self._spawned = time.monotonic()
        self.startup_seconds = 0.0  # from spawn to ready: what a fresh test process costs here
        self._buffer = b""  # replies read but not yet parsed
        self._outbox = b""  # requests not yet written
        command.scratch.mkdir(parents=True, exist_ok=True)
        self._log: IO[bytes] = (command.scratch / "warm-worker.log").open("wb")
        self.proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-m", "pytest_selfheal.testproc.worker", str(jobs)],
            cwd=command.scratch, env=command.environment({}), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._log, start_new_session=True,
            preexec_fn=die_with_parent(os.getpid()),
        )
        assert self.proc.stdin is not None
        os.set_blocking(self.proc.stdin.fileno(), False)  # see _exchange
        self._finalizer = weakref.finalize(self, _stop, self.proc, self._log)

    def collect(self, nodeids: Sequence[str]) -> None:
        """Send the worker into the worktree (which must exist now) to collect `nodeids`."""
        args_file = self.command.scratch / "warm-args.txt"
        args_file.write_text("\n".join([f"--rootdir={self.command.cwd}", *nodeids]) + "\n",
                             encoding="utf-8")
        start = json.dumps({"cwd": str(self.command.cwd), "args": [f"@{args_file}"]}) + "\n"
        self._outbox += start.encode("utf-8")
        if self.proc is not None and self.proc.stdin is not None:  # it is waiting for this line
            self._send(self.proc.stdin.fileno())

    def run(self, jobs: Sequence[Job]) -> list[TestRunResult | None]:
        """Results in the order of `jobs`; None where a fresh subprocess must decide."""
        results: list[TestRunResult | None] = [None] * len(jobs)
        if not jobs or not self.wait_ready():
            return results
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
                "coverage": str(job.coverage) if job.coverage else None,
                "cpu_seconds": job.cpu_seconds,
                "record": str(job.record) if job.record else None,
            }))
        self._outbox += ("\n".join(lines) + "\n").encode("utf-8")
        rounds = -(-len(jobs) // self.jobs)
        deadline = time.monotonic() + rounds * (max(j.timeout for j in jobs) + _GRACE_SECONDS)
        while pending:
            reply = self._exchange(deadline)
            if reply is None:
                self.close()  # dead or hung: the remaining jobs fall back to subprocesses
                break
            index, observe = pending.pop(reply["id"])
            if reply["status"] == "ran":
                results[index] = observed_result(observe, exit_code=reply["exit_code"],
                                                 seconds=reply["seconds"], timed_out=reply["timed_out"])
        return results

    def wait_ready(self) -> bool:
        """Wait until the session is collected; False (and the worker is stopped) if it failed to
        start or did not answer in time."""
        if not self._ready and self.proc is not None:
            reply = self._exchange(time.monotonic() + self.startup_timeout)
            self._ready = reply is not None and "ready" in reply
            self.startup_seconds = time.monotonic() - self._spawned
            if not self._ready:
                self.close()
        return self._ready

    def _exchange(self, deadline: float) -> dict[str, Any] | None:
        """Send what is queued while waiting for the next reply: writing everything first could
        block on a full pipe while the worker blocks on its replies."""
        if self.proc is None or self.proc.stdout is None or self.proc.stdin is None:
            return None
        replies, requests = self.proc.stdout.fileno(), self.proc.stdin.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            writable = [requests] if self._outbox else []
            if remaining <= 0:
                return None
            readable, ready, _ = select.select([replies], writable, [], remaining)
            if ready and not self._send(requests):
                return None
            if readable:
                chunk = os.read(replies, _PIPE_CHUNK)
                if not chunk:
                    return None
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        reply = json.loads(line)
        return reply if isinstance(reply, dict) else None

    def _send(self, requests: int) -> bool:
        """Write what the pipe takes now of the queued requests; False if the worker is gone."""
        try:
            sent = os.write(requests, self._outbox[:_PIPE_CHUNK])
        except BlockingIOError:
            sent = 0
        except OSError:
            return False
        self._outbox = self._outbox[sent:]
        return True

    def close(self) -> None:
        """Stop the worker and everything it started; safe to call twice."""
        self.proc = None
        self._outbox = b""
        self._finalizer()


@dataclass
class TestRuns:
    """How one heal runs tests: in the warm worker's forked children where it can, else each
    job in a fresh subprocess from the files on disk (started ahead of need, see Standby).

    `startup` is added to a job's timeout when it runs in a subprocess (interpreter, plugins and
    collection); a warm child starts from an already collected session.
    """

    __test__ = False  # not a pytest test class, whatever its name says

    command: PytestCommand
    warm: WarmWorker | None = None
    startup: float = 10.0
    _standby: Standby | None = None

    def screen(self, jobs: Sequence[Job]) -> list[TestRunResult | None]:
        """The jobs in the warm worker; None where it could not run one (and for every job once
        it has died: from then on this heal uses subprocesses)."""
        if self.warm is None or not jobs:
            return [None] * len(jobs)
        runs = self.warm.run(jobs)
        if self.warm.proc is None:
            self.warm = None
        return runs

    def run(self, jobs: Sequence[Job], *, deadline: float | None = None) -> list[TestRunResult | None]:
        """Every job run, warm first; the jobs left for subprocesses must have their files on
        disk. Subprocess jobs are not started after `deadline` (None comes back for them)."""
        results = self.screen(jobs)
        for index, job in enumerate(jobs):
            if results[index] is None and (deadline is None or time.monotonic() < deadline):
                results[index] = self.subprocess(job)
        return results

    def subprocess(self, job: Job) -> TestRunResult:
        return self.fresh(job.nodeids, timeout=job.timeout + self.startup,
                          stop_at_first_failure=job.stop_at_first_failure, coverage=job.coverage,
                          record=job.record)

    def fresh(self, nodeids: Sequence[str], *, timeout: float, stop_at_first_failure: bool = False,
              coverage: Path | None = None, record: Path | None = None) -> TestRunResult:
        """`nodeids` in a clean pytest process from the files on disk; the next such process is
        started once this one is done, so that it is ready when it is needed."""
        standby, self._standby = self._standby, None
        run = run_tests(self.command, nodeids, timeout=timeout, standby=standby,
                        stop_at_first_failure=stop_at_first_failure, coverage_file=coverage,
                        record_spec=record)
        self.stand_by()
        return run

    def warmed_up(self) -> None:
        """Wait for the warm worker's start-up (and from now on use subprocesses if it failed)."""
        if self.warm is not None and not self.warm.wait_ready():
            self.warm = None

    def stand_by(self) -> None:
        """Start the next test process now, ahead of the run that will use it."""
        if self._standby is None:
            self._standby = Standby(self.command)

    def close(self) -> None:
        """Stop the warm worker and the waiting test process, if there are any."""
        if self.warm is not None:
            self.warm.close()
            self.warm = None
        if self._standby is not None:
            self._standby.discard()
            self._standby = None


def _stop(proc: subprocess.Popen[bytes], log: IO[bytes]) -> None:
    """Also run when a WarmWorker is garbage collected, so no path leaves the worker behind."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for stream in (proc.stdin, proc.stdout, log):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
