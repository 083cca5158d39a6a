"""How one heal runs tests (`TestRuns`), and what it asks of one run (`Job`)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ..errors import SandboxError
from ..models import TestRunResult
from .runner import PytestCommand, Standby, run_tests
from .warm import WarmWorker

_QUOTED_LINES = 12


@dataclass(frozen=True)
class Job:
    """Run `nodeids` with `files` (path relative to the sandbox -> new text) patched in place."""

    nodeids: tuple[str, ...]
    files: Mapping[str, tuple[str, str]]  # relative path -> (text on disk, candidate text)
    timeout: float
    stop_at_first_failure: bool = False
    coverage: Path | None = None  # record per-test coverage contexts into this data file
    coverage_whole: tuple[str, ...] = ()  # traced whole; the others for their first moments only
    cpu_seconds: float | None = None  # a warm child is stopped after this much CPU time
    # resident bytes a test process (a warm child, a pytest-xdist worker) may hold
    memory_bytes: int | None = None
    record: Path | None = None  # a recorder.py spec: record the calls of one function
    parallel: bool = False  # in a subprocess, under pytest-xdist as the user's session ran


@dataclass
class TestRuns:
    """How one heal runs tests: in the warm worker's forked children where it can, else each
    job in a fresh subprocess from the files on disk (started ahead of need, see Standby).

    `startup` is added to a job's timeout when it runs in a subprocess (interpreter, plugins and
    collection); a warm child starts from an already collected session. `xdist_workers` is the
    engine of the runs that may go parallel (the whole suite from disk, a probe in a subprocess):
    pytest-xdist with that many workers when the user's session ran so, 0 for one process. Reruns
    and screening always keep their tests in one process.
    """

    __test__ = False  # not a pytest test class, whatever its name says

    command: PytestCommand
    warm: WarmWorker | None = None
    startup: float = 10.0
    xdist_workers: int = 0
    _standby: Standby | None = None

    def screen(self, jobs: Sequence[Job]) -> list[TestRunResult | None]:
        """The jobs in the warm worker; None where it could not run one (and for every job once
        it has died: from then on this heal uses subprocesses)."""
        return [result() for result in self.screen_later(jobs)]

    def screen_later(self, jobs: Sequence[Job]) -> list[Callable[[], TestRunResult | None]]:
        """The jobs queued in the warm worker at once, and for each a call that waits for its
        result (as `screen` would give it): a caller judging results in order starts on the
        first while the worker runs the rest, and a slow job holds up only those after it."""
        warm = self.warm
        if warm is None or not jobs:
            return [lambda: None] * len(jobs)

        def result(ticket: int) -> TestRunResult | None:
            run = warm.result(ticket)
            if warm.proc is None and self.warm is warm:
                self.warm = None
            return run

        return [partial(result, ticket) for ticket in warm.submit(jobs)]

    def cancel_unclaimed(self) -> None:
        """Cancel the warm jobs queued and not yet asked for: candidates screened ahead that the
        search stopped before must not hold up what it runs next."""
        if self.warm is not None:
            self.warm.cancel_unclaimed()

    def run(self, jobs: Sequence[Job], *, deadline: float | None = None) -> list[TestRunResult | None]:
        """Every job run, warm first; the jobs left for subprocesses must have their files on
        disk. Subprocess jobs are not started after `deadline` (None comes back for them). A warm
        child that ended before any test reported is run again in a subprocess, whose output
        says why."""
        return self.run_later(jobs, deadline=deadline)()

    def run_later(self, jobs: Sequence[Job], *, deadline: float | None = None
                  ) -> Callable[[], list[TestRunResult | None]]:
        """`run`, with the jobs queued in the warm worker at once: the call returned waits for
        them (and runs in subprocesses what the worker could not)."""
        waiting = self.screen_later(jobs)

        def results() -> list[TestRunResult | None]:
            found = [None if run is None or stopped_before_tests(run) else run
                     for run in (result() for result in waiting)]
            for index, job in enumerate(jobs):
                if found[index] is None and (deadline is None or time.monotonic() < deadline):
                    found[index] = self.subprocess(job)
            return found

        return results

    def subprocess(self, job: Job) -> TestRunResult:
        return self.fresh(job.nodeids, timeout=job.timeout + self.startup,
                          stop_at_first_failure=job.stop_at_first_failure, coverage=job.coverage,
                          coverage_whole=job.coverage_whole, record=job.record, parallel=job.parallel,
                          memory_bytes=job.memory_bytes)

    def fresh(self, nodeids: Sequence[str], *, timeout: float, stop_at_first_failure: bool = False,
              coverage: Path | None = None, coverage_whole: Sequence[str] = (),
              record: Path | None = None, parallel: bool = False,
              memory_bytes: int | None = None) -> TestRunResult:
        """`nodeids` in a clean pytest process from the files on disk (`parallel`: under
        pytest-xdist, see `xdist_workers`); the next such process is started once this one is
        done, so that it is ready when it is needed."""
        standby, self._standby = self._standby, None
        run = run_tests(self.command, nodeids, timeout=timeout, standby=standby,
                        stop_at_first_failure=stop_at_first_failure, coverage_file=coverage,
                        coverage_whole=coverage_whole,
                        record_spec=record, workers=self.xdist_workers if parallel else 0,
                        memory_bytes=memory_bytes)
        self.stand_by()
        return run

    def warmed_up(self) -> None:
        """Wait for the warm worker's start-up (and from now on use subprocesses if it failed)."""
        if self.warm is not None and not self.warm.wait_ready():
            self.warm = None

    def stand_by(self) -> None:
        """Start the next test process now, ahead of the run that will use it; none past the
        wall, where no run starts, nor for a project pytest itself imports (it would hold the
        code of before its run)."""
        if self._standby is None and not self.command.wall.passed() and not self.command.pytest_imports:
            self._standby = Standby(self.command)

    def close(self) -> None:
        """Stop the warm worker and the waiting test process, if there are any."""
        if self.warm is not None:
            self.warm.close()
            self.warm = None
        if self._standby is not None:
            self._standby.discard()
            self._standby = None


def stopped_before_tests(run: TestRunResult) -> bool:
    """The test process ended on its own before any test reported: it could not start, configure
    or collect. A run that timed out or that a signal killed (a crashing test) is not one."""
    return not run.outcomes and not run.timed_out and run.exit_code >= 0


_THREAD_TIMEOUT_BANNER = re.compile(r"^\++ Timeout \++$", re.MULTILINE)


def hung_under_thread_timeout(run: TestRunResult) -> bool:
    """A test hung and pytest-timeout's thread method ended the whole process (it prints its
    banner, the stacks, and calls os._exit(1)), before the observer could write any outcome."""
    return run.exit_code == 1 and not run.outcomes and bool(_THREAD_TIMEOUT_BANNER.search(run.output_tail))


def did_not_run(step: str, run: TestRunResult) -> SandboxError:
    """The error that ends a heal whose `step` (the probe, a triage rerun) could not run the
    tests: it quotes the test process's own last lines and says what to do."""
    if hung_under_thread_timeout(run):
        return SandboxError(
            f"the {step} could not finish in the sandbox: a test hung there and pytest-timeout's "
            "thread method ended the whole pytest process, so no outcome of it was kept and your "
            "failures were not checked. Its last lines:\n"
            f"{last_lines(run)}\n"
            "Set `timeout_method = signal` (pytest-timeout's default where SIGALRM exists): then "
            "only the test that hangs fails, and the heal can judge it"
        )
    return SandboxError(
        f"the {step} could not run the tests in the sandbox: its pytest process exited with code "
        f"{run.exit_code} before any test reported (it failed to start, configure or collect), so "
        "your failures were not checked and your tests are not to blame. Its last lines:\n"
        f"{last_lines(run)}\n"
        "If they name your conftest, plugins or configuration, check that `pytest` runs in a "
        "fresh clone of your repository (files git ignores, absolute paths, the environment); "
        "otherwise please report this to pytest-selfheal with report.json"
    )


_ERROR_LINE = re.compile(r"\b[A-Z]\w*(?:Error|Exception|Warning)\b(?::|$)")
_QUOTED_ERRORS = 3


def last_lines(run: TestRunResult) -> str:
    """The run's last lines of output, indented to be quoted in a reason; the errors named
    before them come first (under pytest-xdist, the workers' output interleaves and the error
    that stopped one may be followed by another worker's lines)."""
    kept = [line for line in run.output_tail.splitlines() if line.strip()]
    lines = kept[-_QUOTED_LINES:]
    errors = list(dict.fromkeys(line for line in kept[:-_QUOTED_LINES]
                                if _ERROR_LINE.search(line) and line not in lines))
    if errors:
        lines = [*errors[-_QUOTED_ERRORS:], "...", *lines]
    return "\n".join(f"    {line}" for line in lines) or "    (no output was kept)"
