"""The heal side of the warm worker (worker.py): start it in the sandbox, send jobs, read results.

A job that the worker cannot run in place comes back as None, and so does every job once the
worker has died, stopped answering or said something that is not a protocol.py line: the caller
then runs the tests in a fresh subprocess (`TestRuns` does both). Nothing waits for the worker
past the heal's wall (wall.py): there it is killed, and that is recorded.
"""

from __future__ import annotations

import contextlib
import os
import select
import subprocess
import sys
import time
import weakref
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, TypeVar

from ..models import TestRunResult
from . import fds
from .protocol import (
    WORKER_MODULE,
    JobCancel,
    JobRan,
    JobRequest,
    ProtocolError,
    WorkerStart,
    decode_ready,
    decode_reply,
    die_with_parent,
    encode_cancel,
    encode_job,
    encode_start,
)
from .runner import PytestCommand, kill_group, observed_result

if TYPE_CHECKING:
    from .testruns import Job

_GRACE_SECONDS = 10.0  # on top of a job's own timeout, for the worker to answer
_PIPE_CHUNK = 1 << 16

Reply = TypeVar("Reply")


def job_request(job: Job, *, job_id: int, observe: Path, sandbox_root: Path) -> JobRequest:
    """The job as the worker reads it: absolute paths, and where to write what it observed."""
    return JobRequest(
        id=job_id, nodeids=job.nodeids, observe=str(observe),
        files=tuple((str(sandbox_root / rel), before, after) for rel, (before, after) in job.files.items()),
        stop_first=job.stop_at_first_failure, timeout=job.timeout,
        coverage=str(job.coverage) if job.coverage else None, cpu_seconds=job.cpu_seconds,
        memory_bytes=job.memory_bytes,
        record=str(job.record) if job.record else None, coverage_whole=job.coverage_whole,
    )


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
        self._waiting: dict[int, tuple[Path, float]] = {}  # ticket -> (observation file, timeout)
        self._answers: dict[int, TestRunResult | None] = {}  # came back, not yet asked for
        self._cancelled: set[int] = set()  # their replies are still to come, and mean nothing
        # what became of the jobs, for the decision log: the worker's speed depends on them
        self.ran = 0
        self.fell_back: Counter[str] = Counter()  # why a job needed a fresh subprocess
        self.stopped = ""  # what it was doing when it was stopped (dead, hung or out of time)
        command.scratch.mkdir(parents=True, exist_ok=True)
        self._log: IO[bytes] = (command.scratch / "warm-worker.log").open("wb")
        self.proc: subprocess.Popen[bytes] | None = subprocess.Popen(
            [sys.executable, "-m", WORKER_MODULE, str(jobs)],
            cwd=command.scratch, env=command.environment({}), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._log, start_new_session=True,
            preexec_fn=die_with_parent(os.getpid()),
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        os.set_blocking(self.proc.stdin.fileno(), False)  # see _exchange
        for stream in (self.proc.stdin, self.proc.stdout, self._log):
            fds.keep_private(stream.fileno())
        self._finalizer = weakref.finalize(self, _stop, self.proc, self._log, os.getpid())

    def collect(self, nodeids: Sequence[str]) -> None:
        """Send the worker into the worktree (which must exist now) to collect `nodeids`."""
        args_file = self.command.scratch / "warm-args.txt"
        args_file.write_text("\n".join([f"--rootdir={self.command.cwd}", *nodeids]) + "\n",
                             encoding="utf-8")
        start = encode_start(WorkerStart(cwd=str(self.command.cwd),
                                         args=(*self.command.options, f"@{args_file}")))
        self._outbox += start.encode("utf-8")
        if self.proc is not None and self.proc.stdin is not None:  # it is waiting for this line
            self._send(self.proc.stdin.fileno())

    def run(self, jobs: Sequence[Job]) -> list[TestRunResult | None]:
        """Results in the order of `jobs`; None where a fresh subprocess must decide."""
        return [self.result(ticket) for ticket in self.submit(jobs)]

    def submit(self, jobs: Sequence[Job]) -> list[int]:
        """Queue the jobs and return at once: a ticket per job, for `result`. The worker runs
        them in order, `jobs` at a time, while the caller goes on (judging the first results,
        running a whole suite from disk)."""
        tickets = []
        lines = []
        for job in jobs:
            self._counter += 1
            tickets.append(self._counter)
            if not self.wait_ready():
                continue  # no answer will come: its result is None
            observe = self.command.scratch / f"warm-{os.getpid()}-{time.monotonic_ns()}-{self._counter}.json"
            self._waiting[self._counter] = (observe, job.timeout)
            lines.append(encode_job(job_request(job, job_id=self._counter, observe=observe,
                                                sandbox_root=self.command.sandbox_root)))
        self._outbox += "".join(lines).encode("utf-8")
        if self.proc is not None and self.proc.stdin is not None:
            self._send(self.proc.stdin.fileno())  # what the pipe takes now; `result` sends the rest
        return tickets

    def result(self, ticket: int) -> TestRunResult | None:
        """The result of a submitted job, once it came back (reading the others' meanwhile);
        None where a fresh subprocess must decide: the job fell back, or the worker died, hung
        or ran out of time before answering."""
        while ticket in self._waiting:
            rounds = -(-len(self._waiting) // self.jobs)
            timeout = max(timeout for _, timeout in self._waiting.values())
            deadline = time.monotonic() + rounds * (timeout + _GRACE_SECONDS)
            reply = self._exchange(min(deadline, self.command.wall.at), decode_reply)
            if reply is not None and reply.id in self._cancelled:
                self._cancelled.discard(reply.id)
                continue
            if reply is None or reply.id not in self._waiting:
                self._stopped(f"with {len(self._waiting)} job(s) unanswered")
                break
            observe, _ = self._waiting.pop(reply.id)
            if isinstance(reply, JobRan):
                self.ran += 1
                self._answers[reply.id] = observed_result(
                    observe, exit_code=reply.exit_code, seconds=reply.seconds,
                    timed_out=reply.timed_out, output_tail=reply.stopped)
            else:
                self.fell_back[reply.reason.replace(f"{self.command.sandbox_root}{os.sep}", "")] += 1
                self._answers[reply.id] = None
        return self._answers.pop(ticket, None)

    def cancel_unclaimed(self) -> None:
        """Drop every job submitted and not yet asked for: queued or running in the worker, it
        would hold up the jobs that come next (asking for one now gives None)."""
        self._answers.clear()
        if not self._waiting or self.proc is None or self.proc.stdin is None:
            return
        self._cancelled.update(self._waiting)
        self._outbox += encode_cancel(JobCancel(tuple(self._waiting))).encode("utf-8")
        self._waiting.clear()
        self._send(self.proc.stdin.fileno())

    def usage(self) -> dict[str, object]:
        """What the worker did for the heal: whether it was ready and how soon, the jobs it ran,
        why the others went to subprocesses, and why it stopped early, if it did."""
        return {"ready": self._ready, "startup_seconds": round(self.startup_seconds, 3),
                "ran": self.ran, "fell_back": dict(self.fell_back.most_common(5)),
                "stopped": self.stopped}

    def wait_ready(self) -> bool:
        """Wait until the session is collected; False (and the worker is stopped) if it failed to
        start or did not answer in time."""
        if not self._ready and self.proc is not None:
            deadline = min(time.monotonic() + self.startup_timeout, self.command.wall.at)
            ready = self._exchange(deadline, decode_ready)
            self._ready = ready is not None
            self.startup_seconds = time.monotonic() - self._spawned
            if not self._ready:
                self._stopped("while it started")
        return self._ready

    def _stopped(self, doing: str) -> None:
        """Dead, hung or out of time: stop it (the jobs fall back to subprocesses), and say so
        if the wall is why."""
        if self.proc is not None and self.command.wall.passed():
            self.command.wall.hit(f"the warm test process (pid {self.proc.pid}) {doing}")
        self.stopped = self.stopped or doing
        self.close()

    def _exchange(self, deadline: float, decode: Callable[[bytes], Reply]) -> Reply | None:
        """Send what is queued while waiting for the next reply: writing everything first could
        block on a full pipe while the worker blocks on its replies. None if the worker is gone,
        late, or answers with a line `decode` rejects."""
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
        try:
            return decode(line)
        except ProtocolError:
            return None

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
        self._waiting.clear()
        self._finalizer()


def _stop(proc: subprocess.Popen[bytes], log: IO[bytes], owner: int) -> None:
    """Also run when a WarmWorker is garbage collected, so no path leaves the worker behind; not
    in a child a test forked from the heal's process, whose copy is not its to stop."""
    if os.getpid() != owner:
        return
    kill_group(proc)
    for stream in (proc.stdin, proc.stdout, log):
        if stream is not None:
            fds.forget(stream.fileno())
            with contextlib.suppress(OSError):
                stream.close()
