"""Per-test coverage contexts for one pytest process: the lines each test runs are recorded
under its node id. Shared by the sandbox probe (observer.py, worker.py) and the pre-commit test
map (testmap.py); never imports pytest, and coverage.py only when a data file is asked for.

Tracing is what the probe costs: under any trace function Python 3.11 runs every instruction
unspecialized, so a test runs two to eight times slower, the most in tight loops. A test spends
its first moments on most of the lines it will ever run (a loop's body is covered by its first
turn), so the probe may trace the tests it does not name in `whole` only for their first
TRACE_CPU_SECONDS of CPU time: the rest of such a test runs at full speed and its lines until
then are kept. On cachetools' suite, one test (0.3 s plain) took 2.8 s of a 4.2 s probe traced
whole.

What pytest runs to describe a failure is set aside (recorded under no test): the reprs a failed
`assert` shows of the values it compared, and the report's traceback (with `--showlocals`, every
local's repr). Only failing tests run those `__repr__` methods, so counted as theirs they topped
the suspects of packaging's failures, above the line at fault.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Collection, Generator, Iterator
from contextlib import contextmanager
from functools import partial, wraps
from typing import Any

import pluggy

hookimpl = pluggy.HookimplMarker("pytest")

TRACE_CPU_SECONDS = 0.1  # of a test's own thread, traced before coverage stops for its rest
# what a rewritten `assert` calls, once it failed, to show the values it compared
_ASSERTION_DESCRIBERS = ("_saferepr", "_call_reprcompare", "_format_assertmsg")


class PerTestContexts:
    """A pytest plugin object; create it as early as possible, register it at configure.

    `whole` None: every test is traced from start to end (the test map must see every line).
    Otherwise the tests it names are, and every other test for its first TRACE_CPU_SECONDS."""

    def __init__(self, data_file: str, source: str, *, whole: Collection[str] | None = None) -> None:
        import coverage

        self.coverage = coverage.Coverage(data_file=data_file, source=[source], branch=False,
                                          config_file=False)
        # sys.monitoring (Python 3.14's default core, or COVERAGE_CORE=sysmon) reports a line once
        # per process: each line would be counted for the first test that ran it, and switching
        # contexts warns, an error under `filterwarnings = error`.
        self.coverage.set_option("run:core", "ctrace")
        # its thread first, so that coverage does not trace it
        self._watch = None if whole is None else _Watchdog(self.coverage, frozenset(whole))
        self._running = ""  # the node id of the test running, whose context is on
        self._aside = 0  # how deep in code set aside
        _set_aside_in_assertions()
        global _recording
        _recording = self
        self.coverage.start()

    @hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: Any) -> None:
        self._running = item.nodeid
        if self._watch is not None:
            self._watch.begin(item.nodeid)
        else:
            self.coverage.switch_context(item.nodeid)

    @hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, call: Any) -> Generator[None, Any, Any]:
        """A phase that raised is described aside; one that did not has nothing to describe, and
        each switch of context costs coverage a query of its database."""
        if call.excinfo is None:
            return (yield)
        with self.aside():
            return (yield)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        self._running = ""
        if self._watch is not None:
            self._watch.end()
        else:
            self.coverage.switch_context("")

    @contextmanager
    def aside(self) -> Iterator[None]:
        """The lines run inside are recorded under no test."""
        self._aside += 1
        if self._aside == 1:
            self._switch("")
        try:
            yield
        finally:
            self._aside -= 1
            if self._aside == 0:
                self._switch(self._running)

    def _switch(self, context: str) -> None:
        if self._watch is not None:
            self._watch.switch(context)
        elif self._running:
            self.coverage.switch_context(context)

    def save(self) -> None:
        """Coverage warns when it collected nothing (a project's own pytest-cov took the tracer
        over); under the project's `filterwarnings = error` that warning would end the process
        after its tests ran, losing their outcomes. The spectrum is only thinner for it."""
        import warnings

        from coverage.exceptions import CoverageWarning

        global _recording
        if _recording is self:
            _recording = None
        if self._watch is not None:
            self._watch.close()
        else:
            self.coverage.stop()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CoverageWarning)
            self.coverage.save()


class _Watchdog:
    """Stops coverage once the running test, unless it is to be traced whole, has used
    TRACE_CPU_SECONDS of its thread's CPU time; the next test starts it again. Coverage's tracer
    is made to be stopped from another thread: the traced thread drops it at its next event, and
    the lines recorded until then are saved under the test's context at the next switch."""

    def __init__(self, coverage: Any, whole: frozenset[str]) -> None:
        self.coverage = coverage
        self.whole = whole
        self.tracing = True
        self._clock: Callable[[], float] | None = None  # the running test's, if it is capped
        self._cpu_at = 0.0  # that clock's reading when the test began
        self._closed = False
        self._changed = threading.Condition()
        threading.Thread(target=self._run, name="selfheal-coverage-cap", daemon=True).start()

    def begin(self, nodeid: str) -> None:
        with self._changed:
            if not self.tracing:
                self.coverage.start()
                self.tracing = True
            self.coverage.switch_context(nodeid)
            self._clock = None
            if nodeid not in self.whole:
                self._clock = _this_threads_clock()
                self._cpu_at = self._clock()
            self._changed.notify()

    def end(self) -> None:
        with self._changed:
            self._clock = None
            if self.tracing:
                self.coverage.switch_context("")

    def switch(self, context: str) -> None:
        """Into another context while the test runs, if it is still traced."""
        with self._changed:
            if self.tracing:
                self.coverage.switch_context(context)

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._clock = None
            if self.tracing:
                self.coverage.stop()
                self.tracing = False
            self._changed.notify()

    def _run(self) -> None:
        with self._changed:
            while not self._closed:
                if self._clock is None or not self.tracing:
                    self._changed.wait()
                    continue
                used = self._clock() - self._cpu_at
                if used < TRACE_CPU_SECONDS:
                    # the CPU time left, as wall time: at least that long before it can be spent
                    self._changed.wait(TRACE_CPU_SECONDS - used)
                    continue
                self.coverage.stop()
                self.tracing = False


def _this_threads_clock() -> Callable[[], float]:
    """The CPU time of the calling thread, readable from another; wall time where the platform
    has no such clock (macOS)."""
    if not hasattr(time, "pthread_getcpuclockid"):
        return time.monotonic
    return partial(time.clock_gettime, time.pthread_getcpuclockid(threading.get_ident()))


_recording: PerTestContexts | None = None  # the process's, until it is saved


def _set_aside_in_assertions() -> None:
    """Wrap what rewritten asserts call to describe a failure (they look it up on pytest's
    module at each call) so that it runs aside while contexts are recorded. In a pytest process
    pytest is imported."""
    rewrite = sys.modules.get("_pytest.assertion.rewrite")
    for name in _ASSERTION_DESCRIBERS:
        describe = getattr(rewrite, name, None)
        if describe is not None and not hasattr(describe, "__selfheal_aside__"):
            setattr(rewrite, name, _run_aside(describe))


def _run_aside(describe: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(describe)
    def described(*args: Any, **kwargs: Any) -> Any:
        if _recording is None:
            return describe(*args, **kwargs)
        with _recording.aside():
            return describe(*args, **kwargs)

    described.__selfheal_aside__ = True  # type: ignore[attr-defined]
    return described
