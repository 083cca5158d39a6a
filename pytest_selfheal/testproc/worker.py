"""A warm test process in the sandbox: collect once, then fork a child per candidate.

Started by `warm.WarmWorker` as `python -m pytest_selfheal.testproc.worker JOBS` with the sandbox's
environment, before the sandbox exists: it imports pytest and the installed plugins, then waits
for its start line. Then it runs one pytest session in the worktree that imports the conftests,
the test modules and the project once and stops before running anything. It answers job lines on
its stdin: each child swaps the patched functions' code objects in place (and when one of them
ran only while the tests were collected, collects the job's test modules again: collection.py),
runs the requested tests in-process, writes the same observation file a test subprocess writes,
and exits. Up to JOBS children run at once, more while they mostly wait. A job whose edit changes
import-time state, touches a module the session did not import, or names a test it did not
collect is answered "fallback": the caller then uses a fresh subprocess. A job with no files
reruns tests on the unpatched code (triage); a job with a coverage file records per-test coverage
contexts (the probe) and the modules imported from the user's checkout; a job with a record spec
records the calls of one function (the regression stage).

The pipe protocol (start line, jobs, replies) is sandbox/protocol.py. pytest is imported in `main`
once the protocol's stdout is set aside, so that nothing pytest or a plugin prints at import
reaches the pipe.
"""

from __future__ import annotations

import contextlib
import cProfile
import functools
import gc
import importlib
import math
import os
import resource
import select
import signal
import sys
import time
import types
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pluggy

from ..sandbox.protocol import (
    CANCELLED,
    SANDBOX_ENV,
    JobCancel,
    JobFellBack,
    JobRan,
    JobRequest,
    WorkerReady,
    decode_request,
    decode_start,
    die_with_parent,
    encode_ready,
    encode_reply,
    exit_descriptor,
    resident_memory,
    serial_args,
)
from . import observer
from .collection import called_only_by_tests, collected_again, test_files_of
from .files import real_file
from .standby import forget_what_the_run_imports_elsewhere, import_installed_plugins
from .swap import ChangedFunction, Fingerprint, changed_functions, fingerprint

hookimpl = pluggy.HookimplMarker("pytest")

_POLL_SECONDS = 0.002  # between two looks at the children where their exits cannot be waited on
_MEMORY_LOOK_SECONDS = 0.01  # between two looks at a bounded child's memory
# A child that waits (a sleep, a socket, an event loop's timeout) leaves its core idle: while the
# children's CPU time is a small share of their wall time, up to IDLE_FACTOR times JOBS run at
# once (asgiref's failing tests wait a second for an answer; each candidate cost that second).
IDLE_FACTOR = 4
_MEASURED_FROM_SECONDS = 0.05  # a shorter child's share is mostly its start and exit
_EXIT_OK = 0
_EXIT_CRASHED = 70
_EXIT_FELL_BACK = 75  # a child that cannot run its job in place: a fresh process must


@dataclass
class _Child:
    """A forked child running `job`."""

    job: JobRequest
    started: float
    exited: int | None  # readable once the child has exited (exit_descriptor), or None: poll
    cancelled: bool = False


@dataclass
class Swaps:
    """What a child does before it runs a job's tests: give functions their new code and, when
    one of them ran while the tests were collected, collect those tests again."""

    code: list[tuple[types.FunctionType, types.CodeType]] = field(default_factory=list)
    collect_again: bool = False


class Server:
    """A pytest plugin: takes over the run-test loop and serves jobs until stdin closes."""

    def __init__(self, requests: LineReader, replies: IO[str], jobs: int) -> None:
        self.requests = requests
        self.replies = replies
        self.jobs = max(1, jobs)
        self.cpu_share = 1.0  # of the wall time, the last children's CPU time, averaged
        self._die_with_worker = die_with_parent(os.getpid())  # made once, called in every child
        self.session: Any = None
        self.items: dict[str, Any] = {}
        self.functions: dict[str, list[types.FunctionType]] = {}  # real path -> defined there
        self._live: dict[str, dict[Fingerprint, list[types.FunctionType]]] = {}  # see _live_in
        # Code that ran during the warm-up: results computed at import time (constants,
        # parametrize lists, decorators) would not see a swapped function. cProfile records the
        # calls in C, a little cheaper than a profile hook written in Python; calls of C
        # functions have no code to swap and are not recorded.
        self.imported_calls: set[types.CodeType] = set()
        self._warm_up_stats: list[Any] = []
        self.is_test_file: Callable[[str], bool] = lambda path: False
        self._warm_up_calls = cProfile.Profile(builtins=False)
        self._settled = False  # see _settle
        self.observed = observer.Observations()  # filled in a child, by the tests it runs
        self.collecting_again = False  # in a child, see _collected_again

    @hookimpl(tryfirst=True)
    def pytest_load_initial_conftests(self) -> None:
        """Project code can first run from here on (conftests, configure hooks, collection);
        pytest and its plugins, loaded before, need not be profiled."""
        self._warm_up_calls.enable()

    @hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[Any]) -> None:
        """Jobs name the user's tests by the user's ids, also those pytest numbered otherwise
        here."""
        observer.take_user_ids(items)

    @hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: Any) -> bool:
        self._warm_up_calls.disable()
        self._warm_up_stats = self._warm_up_calls.getstats()
        self.imported_calls = {entry.code for entry in self._warm_up_stats
                               if isinstance(entry.code, types.CodeType)}
        self.is_test_file = test_files_of(session, os.environ[SANDBOX_ENV])
        self.session = session
        self.items = {item.nodeid: item for item in session.items}
        import coverage  # noqa: F401  (the first job, the probe, records coverage)

        self._reply(encode_ready(WorkerReady(items=len(self.items))))
        self._serve()
        return True

    def _settle(self) -> None:
        """What only later jobs need, done once the first job's child runs (or before a job
        that needs it): the functions a candidate may swap, what every child would otherwise
        compute again (item locations, the regression stage's recorder), and a frozen heap."""
        if self._settled:
            return
        self._settled = True
        self.functions = _functions_by_file(os.path.realpath(os.environ[SANDBOX_ENV]) + os.sep)
        for item in self.items.values():
            item.location  # noqa: B018  (a cached property pytest computes when the item runs)
        from . import recorder  # noqa: F401

        gc.freeze()  # children share the warm heap copy-on-write; keep the collector off it

    def pytest_runtest_logreport(self, report: Any) -> None:
        self.observed.record(report)

    def pytest_collectreport(self, report: Any) -> None:
        if self.collecting_again:  # in a child: a module of its job that fails with the swap
            self.observed.record_collection(report)

    def _reply(self, line: str) -> None:
        self.replies.write(line)
        self.replies.flush()

    def _serve(self) -> None:
        waiting: list[JobRequest] = []
        running: dict[int, _Child] = {}
        open_input = True
        while open_input or waiting or running:
            # every line that came, so that a cancel is seen at once; wait only with nothing to do
            block = not running and not waiting
            while open_input:
                line = self.requests.readline(block=block)
                if line is None:
                    break
                block = False
                if line == "":
                    open_input = False
                    continue
                request = decode_request(line)
                if isinstance(request, JobCancel):
                    self._cancel(set(request.ids), waiting, running)
                else:
                    waiting.append(request)
            while waiting and len(running) < self.at_once:
                job = waiting.pop(0)
                plan = self._plan(job)
                if isinstance(plan, str):
                    self._reply(encode_reply(JobFellBack(id=job.id, reason=plan)))
                    continue
                pid = self._fork(job, plan)
                running[pid] = _Child(job, time.monotonic(), exit_descriptor(pid))
                self._settle()
            self._await(running, listening=open_input)
            self._reap(running)

    def _cancel(self, ids: set[int], waiting: list[JobRequest], running: dict[int, _Child]) -> None:
        """Answer the cancelled jobs that wait; the running ones are stopped (`_reap`)."""
        for job in [job for job in waiting if job.id in ids]:
            waiting.remove(job)
            self._reply(encode_reply(JobFellBack(id=job.id, reason=CANCELLED)))
        for child in running.values():
            child.cancelled = child.cancelled or child.job.id in ids

    @property
    def at_once(self) -> int:
        """How many children may run: JOBS, more while they mostly wait."""
        return max(self.jobs, min(IDLE_FACTOR * self.jobs, int(self.jobs / max(self.cpu_share, 1e-3))))

    def measured(self, seconds: float, cpu_seconds: float, crowd: int) -> None:
        """A child ran `seconds` and used `cpu_seconds`, ending among `crowd` children: more
        children than JOBS share the cores, so a busy one among them gets less than a core and
        must not read as one that waits (that would keep the crowd)."""
        if seconds >= _MEASURED_FROM_SECONDS:
            share = cpu_seconds / seconds * max(1.0, crowd / self.jobs)
            self.cpu_share = (self.cpu_share + share) / 2

    def _await(self, running: dict[int, _Child], *, listening: bool) -> None:
        """Until a child exits, a job line comes (when `listening`), a child's time is up or
        its memory is due a look: a finished candidate is answered at once, not at a poll."""
        if not running or (listening and self.requests.has_line()) or any(
                child.cancelled for child in running.values()):
            return
        watched = [child.exited for child in running.values() if child.exited is not None]
        if len(watched) < len(running):
            time.sleep(_POLL_SECONDS)
            return
        now = time.monotonic()
        timeout = min(child.started + child.job.timeout - now for child in running.values())
        if any(child.job.memory_bytes for child in running.values()):
            timeout = min(timeout, _MEMORY_LOOK_SECONDS)
        if listening:
            watched.append(self.requests.fd)
        select.select(watched, [], [], max(0.0, timeout))

    def _plan(self, job: JobRequest) -> Swaps | str:
        if job.files:
            self._settle()
        swaps = Swaps()
        for path, before, after in job.files:
            changed = changed_functions(path, before, after)
            if isinstance(changed, str):
                return changed
            live = self._live_in(path)
            if live is None:
                return f"{path} was not imported by the warm session"
            for function in changed:
                functions = live.get(function.old)
                if not functions:
                    return f"{path}: no live function {function.qualname}"
                refused = self._swaps(swaps, path, function, functions, live)
                if refused:
                    return refused
        # A module that failed to collect here has no items; collected again with the swap, it
        # may have them.
        missing = [n for n in job.nodeids if n not in self.items
                   and not (swaps.collect_again and "::" not in n)]
        if missing:
            return f"not collected in the warm session: {missing[0]}"
        return swaps

    @functools.cached_property
    def made_for_tests(self) -> frozenset[types.CodeType]:
        """Of `imported_calls`, what only the tests' collection ran (collection.py): tests
        collected again in a child see the swap. Worked out when a candidate first needs it."""
        return called_only_by_tests(self._warm_up_stats, self.is_test_file)

    def _swaps(self, swaps: Swaps, path: str, function: ChangedFunction,
               functions: list[types.FunctionType], live: dict[Fingerprint, list[types.FunctionType]]
               ) -> str | None:
        """Add the live copies of `function` with its new code to `swaps`, or say why they cannot
        take it. One that ran at import time can if only the tests' collection ran it (the
        child collects them again), or if its own code is unchanged (a decorator): what it
        made then stands, and the functions it made (the wrappers it returned) take their new
        code too."""
        swaps.code.extend((live_function, function.new_code) for live_function in functions)
        ran = [f for f in functions if f.__code__ in self.imported_calls]
        if all(f.__code__ in self.made_for_tests for f in ran):
            swaps.collect_again = swaps.collect_again or bool(ran)
            return None
        if function.inner is None:
            return f"{path}: {function.qualname} runs at import time"
        for inner in function.inner:
            made = [f for f in live.get(inner.old, ()) if f.__code__.co_qualname == inner.qualname]
            refused = self._swaps(swaps, path, inner, made, live)
            if refused:
                return refused
        return None

    def _live_in(self, path: str) -> dict[Fingerprint, list[types.FunctionType]] | None:
        """The function objects of a file by what their code does; worked out the first time a
        candidate patches the file (most files, the tests above all, never are)."""
        real = os.path.realpath(path)
        if real not in self._live:
            if real not in self.functions:
                return None
            by_code: dict[Fingerprint, list[types.FunctionType]] = defaultdict(list)
            for function in self.functions[real]:
                by_code[fingerprint(function.__code__)].append(function)
            self._live[real] = dict(by_code)
        return self._live[real]

    def _fork(self, job: JobRequest, swaps: Swaps) -> int:
        pid = os.fork()
        if pid == 0:
            code = _EXIT_CRASHED
            try:
                os.setpgid(0, 0)
                self._die_with_worker()
                self._let_go_of_pipes()
                code = self._run_child(job, swaps)
            finally:
                os._exit(code)
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)
        return pid

    def _let_go_of_pipes(self) -> None:
        """In a child: close the worker's pipes to the heal, which only the worker uses. A process
        the tests start in a session of their own outlives the child's process group; holding
        the replies pipe, it would keep the heal from seeing the worker's end."""
        for fd in (self.requests.fd, self.replies.fileno()):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _run_child(self, job: JobRequest, swaps: Swaps) -> int:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if job.cpu_seconds:
            # A candidate that loops forever is stopped by the kernel after this much CPU time,
            # however busy the machine is; the wall-clock timeout catches tests that sleep. The
            # limit counts whole seconds, from the fork: it bounds collecting the tests again,
            # and backs up the finer timer armed for the tests themselves.
            limit = max(1, math.ceil(job.cpu_seconds))
            resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 1))
        for function, new_code in swaps.code:
            function.__code__ = new_code  # the object every reference shares
        config = self.session.config
        items = [self.items[nodeid] for nodeid in job.nodeids] if not swaps.collect_again else \
            self._collected_again(job.nodeids)
        if items is None:
            return _EXIT_FELL_BACK
        contexts = self._start_coverage(job.coverage, job.coverage_whole, config)
        recording = self._start_recording(job.record, config)
        if job.cpu_seconds:
            _stop_after_cpu(job.cpu_seconds)
        for index, item in enumerate(items):
            nextitem = items[index + 1] if index + 1 < len(items) else None
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
            if job.stop_first and self.observed.outcomes.get(item.nodeid) == "failed":
                break
        if contexts is not None:
            contexts.save()
        if recording is not None:
            recording.write()
        leaked = observer.leaked_modules() if contexts is not None else []
        self.observed.write(Path(job.observe), leaked=leaked)
        return 1 if "failed" in self.observed.outcomes.values() else _EXIT_OK

    def _collected_again(self, nodeids: tuple[str, ...]) -> list[Any] | None:
        """The items of `nodeids` collected again (collection.py); a module that fails to collect
        now is recorded as failed, as a fresh process would report it, and its tests do not run.
        None when a test is not found again in a module that collected (a fresh process must
        say why)."""
        self.collecting_again = True
        found = collected_again(self.session, nodeids, self.is_test_file)
        if found is None or any(not found[nodeid] and nodeid.split("::", 1)[0] not in self.observed.outcomes
                                for nodeid in nodeids):
            return None
        return [item for nodeid in nodeids for item in found[nodeid]]

    @staticmethod
    def _start_coverage(data_file: str | None, whole: tuple[str, ...], config: Any) -> Any:
        """The probe's per-test coverage contexts, started in this child only."""
        if not data_file:
            return None
        from .contexts import PerTestContexts

        contexts = PerTestContexts(data_file, os.environ[SANDBOX_ENV], whole=whole)
        config.pluginmanager.register(contexts, "selfheal-probe-contexts")
        return contexts

    @staticmethod
    def _start_recording(spec_file: str | None, config: Any) -> Any:
        """The regression stage's call recorder, in this child only."""
        if not spec_file:
            return None
        from .recorder import RecordCalls

        plugin = RecordCalls(spec_file)
        config.pluginmanager.register(plugin, "selfheal-recorder")
        return plugin

    def _reap(self, running: dict[int, _Child]) -> None:
        for pid, child in list(running.items()):
            job, seconds = child.job, time.monotonic() - child.started
            finished, status, usage = os.wait4(pid, os.WNOHANG)
            hoarding = "" if finished else _hoarding(pid, child)
            if not finished and seconds <= job.timeout and not hoarding and not child.cancelled:
                continue
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)  # the child, or what it left running
            if not finished:
                _, status, usage = os.wait4(pid, 0)
            self.measured(seconds, usage.ru_utime + usage.ru_stime, crowd=len(running))
            exit_code = os.waitstatus_to_exitcode(status)
            del running[pid]
            if child.exited is not None:
                os.close(child.exited)
            if child.cancelled:
                self._reply(encode_reply(JobFellBack(id=job.id, reason=CANCELLED)))
                continue
            if finished and exit_code == _EXIT_FELL_BACK:
                self._reply(encode_reply(JobFellBack(
                    id=job.id, reason="the tests could not be collected again with the swap")))
                continue
            self._reply(encode_reply(JobRan(
                id=job.id, exit_code=exit_code, seconds=round(seconds, 4), stopped=hoarding,
                timed_out=(not finished and not hoarding) or -exit_code in CPU_SIGNALS)))


# How a child stopped for its CPU time ends: SIGPROF from its timer, SIGXCPU from its rlimit.
CPU_SIGNALS = (signal.SIGPROF, signal.SIGXCPU)


def _stop_after_cpu(seconds: float) -> None:
    """End this process once its tests have used `seconds` of CPU time, to the millisecond: a
    candidate that loops forever in a loop of a few milliseconds' work cost a whole second
    under the rlimit alone (two such on pathspec were half its time-to-green)."""
    signal.signal(signal.SIGPROF, signal.SIG_DFL)  # its default action ends the process
    signal.setitimer(signal.ITIMER_PROF, seconds)


class LineReader:
    """Lines from a pipe, readable without blocking while children run."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.closed = False

    def readline(self, *, block: bool) -> str | None:
        """The next line; "" at end of input; None if `block` is false and no line is complete."""
        while b"\n" not in self.buffer and not self.closed:
            if not block and not select.select([self.fd], [], [], 0)[0]:
                return None
            chunk = os.read(self.fd, 1 << 16)
            self.closed = not chunk
            self.buffer += chunk
        line, newline, self.buffer = self.buffer.partition(b"\n")
        return (line + newline).decode("utf-8")

    def has_line(self) -> bool:
        """A line (or the end of input) is read already: `readline` answers without reading."""
        return b"\n" in self.buffer or self.closed


def _hoarding(pid: int, child: _Child) -> str:
    """Why `child` must stop for the memory it holds, or "": a candidate that allocates without
    end (an append in a loop that no longer stops) is stopped at its bound, not when it has
    taken the machine's memory or its CPU limit comes."""
    bound = child.job.memory_bytes
    held = resident_memory(str(pid)) if bound else None
    if bound is None or held is None or held <= bound:
        return ""
    return (f"the tests held {held >> 20} MiB of memory, past the bound of {bound >> 20} MiB, "
            "and were stopped")


def _functions_by_file(root: str) -> dict[str, list[types.FunctionType]]:
    """Real path -> the function objects in the heap defined in that file, for files under
    `root`: every closure and decorated copy, not only what modules name. Objects a conftest
    froze (packaging's freezes the collected session) are not listed while frozen: they are
    thawed for this, and the caller freezes the heap again."""
    found: dict[str, list[types.FunctionType]] = defaultdict(list)
    real: dict[str, str | None] = {}  # co_filename -> its real path: a few hundred files, many functions
    gc.unfreeze()
    for obj in gc.get_objects():
        if type(obj) is types.FunctionType:  # a type that cannot be subclassed
            filename = obj.__code__.co_filename
            if filename not in real:
                real[filename] = real_file(filename)
            path = real[filename]
            if path is not None and path.startswith(root):
                found[path].append(obj)
    return dict(found)


def main(argv: list[str]) -> int:
    """Keep private copies of stdin/stdout for the protocol; pytest's output goes to stderr."""
    requests = LineReader(os.dup(0))
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    import pytest

    import_installed_plugins()
    server = Server(requests, replies, int(argv[0]))
    line = requests.readline(block=True)
    if not line:
        return 0  # stopped before the sandbox was ready
    start = decode_start(line)
    _move_into(start.cwd)
    forget_what_the_run_imports_elsewhere()
    args = [*serial_args(start.args), *start.args]  # the session must hold the items itself
    # --tb=line: a child reports only the crash line; formatting whole tracebacks (source lookup
    # for every frame) was most of a failing candidate's time.
    options = ["--no-selfheal", "-q", "--capture=sys", "--tb=line"]
    return int(pytest.main([*options, *args], plugins=[server]))


def _move_into(cwd: str) -> None:
    """Continue as if started in `cwd` of the worktree, which did not exist at the start: the
    script directory `python -m` put first on sys.path, and no import caches of then."""
    started_in = os.getcwd()
    os.chdir(cwd)
    if sys.path and sys.path[0] == started_in:
        sys.path[0] = cwd
    importlib.invalidate_caches()  # also forgets the directories that were missing


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
