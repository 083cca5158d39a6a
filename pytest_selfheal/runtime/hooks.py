"""`install()`: the hooks that see a program's exceptions, and the Recorder they hand them to.

Nothing here runs until an exception reaches a hook: `sys.excepthook` (uncaught),
`threading.excepthook` (uncaught in a thread), a logging handler on the root logger (records at
ERROR and above logged with `exc_info`, as Flask and Django log the exceptions they turn into a
500), and the WSGI/ASGI middlewares and the job guard (middleware.py, jobs.py). The previous
hooks still run after ours. A hook never raises into the program: the Recorder catches and
counts its own errors, and drops incidents past its rate (a token bucket), counting them too.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from pytest_selfheal.redaction import Redactor
from pytest_selfheal.runtime.capture import Limits, Project, capture, find_root, type_name
from pytest_selfheal.runtime.incident import Incident
from pytest_selfheal.runtime.sinks import JsonLinesFile, Sink
from pytest_selfheal.runtime.version import deployed_version

PATH_VARIABLE = "SELFHEAL_INCIDENTS"  # where the JSON lines go, when install() is not told
DEFAULT_PATH = Path(".selfheal") / "incidents.jsonl"  # under the project root
_MARK = "__selfheal_incident__"  # set on an exception once recorded: the next hook skips it


@dataclass
class Stats:
    """What the Recorder did: incidents written, dropped past the rate, and failures of its own
    (the last one's type and message, to see what went wrong)."""

    recorded: int = 0
    rate_limited: int = 0
    failed: int = 0
    last_failure: str = ""


class _TokenBucket:
    """`rate` incidents a second, bursts up to `burst`."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._tokens = float(burst)
        self._at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


class Recorder:
    """The installed runtime hook: `record` an exception by hand, read `stats`, `uninstall()`.
    Also a context manager that uninstalls on exit."""

    def __init__(self, project: Project, version: str, sinks: Sequence[Sink], redactor: Redactor,
                 limits: Limits, rate: float, burst: int) -> None:
        self.project, self.version, self.sinks = project, version, tuple(sinks)
        self.limits = limits
        self.stats = Stats()
        self.redactor = redactor  # one for the program's life, shared by its threads
        self._rate, self._burst = rate, burst
        self._bucket = _TokenBucket(rate, burst)
        self._lock = threading.Lock()  # the bucket and the stats; each sink has its own
        self._busy = threading.local()  # recording: an exception raised meanwhile is not recorded
        self._undo: list[Callable[[], None]] = []
        self.active = False

    def record(self, exc: BaseException, source: str = "manual",
               context: Mapping[str, str] | None = None) -> Incident | None:
        """Write the incident `exc` leaves; None when it was not written (recorded before, past
        the rate, uninstalled, or a failure of the recorder's own, counted in `stats`)."""
        if not self.active or getattr(self._busy, "on", False) or getattr(exc, _MARK, None):
            return None
        self._busy.on = True
        try:
            with contextlib.suppress(Exception):  # one that takes no attributes may come twice
                setattr(exc, _MARK, True)
            with self._lock:
                if not self._bucket.take():
                    self.stats.rate_limited += 1
                    return None
            incident = capture(exc, source=source, project=self.project, version=self.version,
                               redactor=self.redactor, limits=self.limits, context=context)
            line = incident.to_line()
            for sink in self.sinks:
                sink.write(incident, line)
            with self._lock:
                self.stats.recorded += 1
            return incident
        except Exception as failure:
            self._failed(failure)
            return None
        finally:
            self._busy.on = False

    def _failed(self, failure: BaseException) -> None:
        try:
            with self._lock:
                self.stats.failed += 1
                self.stats.last_failure = f"{type_name(type(failure))}: {failure}"[:500]
        except Exception:
            pass

    def uninstall(self) -> None:
        """Put the previous hooks back (when another hook was installed over ours, ours stays
        in its chain but records nothing) and close the sinks."""
        global _installed
        self.active = False
        for undo in reversed(self._undo):
            undo()
        self._undo.clear()
        for sink in self.sinks:
            try:
                sink.close()
            except Exception as failure:
                self._failed(failure)
        if _installed is self:
            _installed = None

    def __enter__(self) -> Recorder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.uninstall()

    def _after_fork(self) -> None:
        self._lock = threading.Lock()
        self.redactor = Redactor(self.redactor.values)  # its memo's lock may be held by a thread gone
        self._busy = threading.local()
        self._bucket = _TokenBucket(self._rate, self._burst)
        self.stats = Stats()
        for sink in self.sinks:
            try:
                sink.after_fork()
            except Exception as failure:
                self._failed(failure)

    def _hook(self, log: bool) -> None:
        previous_excepthook = sys.excepthook
        previous_thread_hook = threading.excepthook

        def excepthook(kind: type[BaseException], value: BaseException,
                       tb: TracebackType | None) -> None:
            if isinstance(value, Exception):
                self.record(value, "excepthook")
            previous_excepthook(kind, value, tb)

        def thread_hook(args: threading.ExceptHookArgs) -> None:
            if isinstance(args.exc_value, Exception):
                name = args.thread.name if args.thread is not None else ""
                self.record(args.exc_value, "thread", {"thread": name})
            previous_thread_hook(args)

        sys.excepthook = excepthook
        threading.excepthook = thread_hook
        self._undo.append(lambda: _restore(sys, "excepthook", excepthook, previous_excepthook))
        self._undo.append(lambda: _restore(threading, "excepthook", thread_hook, previous_thread_hook))
        if log:
            handler = IncidentLogHandler(self)
            logging.getLogger().addHandler(handler)
            self._undo.append(lambda: logging.getLogger().removeHandler(handler))


def _restore(owner: Any, name: str, ours: object, previous: object) -> None:
    if getattr(owner, name) is ours:
        setattr(owner, name, previous)


class IncidentLogHandler(logging.Handler):
    """Records the exception of each record at ERROR or above logged with `exc_info`
    (`logger.exception(...)`, `logger.error(..., exc_info=True)`)."""

    def __init__(self, recorder: Recorder) -> None:
        super().__init__(logging.ERROR)
        self.recorder = recorder

    def emit(self, record: logging.LogRecord) -> None:
        exc_info = record.exc_info
        exc = exc_info[1] if isinstance(exc_info, tuple) and len(exc_info) == 3 else None
        if isinstance(exc, Exception):
            self.recorder.record(exc, "logging", {"logger": str(record.name)})

    def handleError(self, record: logging.LogRecord) -> None:
        """Never reached (emit raises nothing); never prints to the program's stderr."""


_installed: Recorder | None = None
_fork_hook_registered = False


def current() -> Recorder | None:
    """The installed Recorder, which the middlewares and jobs use when given none."""
    return _installed


def install(root: str | os.PathLike[str] | None = None, *, path: str | os.PathLike[str] | None = None,
            sinks: Sequence[Sink] | None = None, version: str | None = None, rate: float = 10.0,
            burst: int = 50, limits: Limits | None = None, log: bool = True,
            max_bytes: int = 10 * 1024 * 1024, keep: int = 3,
            env: Mapping[str, str] = os.environ) -> Recorder:
    """Start recording this program's incidents; one Recorder per process (installing again
    uninstalls the previous one).

    root: the project (frames under it are the project's, and their paths are written relative
      to it); by default the nearest directory up from the caller's file holding `.git` or
      `pyproject.toml`.
    path: the JSON-lines file, when `sinks` is not given; by default $SELFHEAL_INCIDENTS, else
      `<root>/.selfheal/incidents.jsonl`. It rotates at `max_bytes`, keeping `keep` old files.
    sinks: where incidents go instead, e.g. `[JsonLinesFile(...), opentelemetry_sink()]`.
    version: the deployed commit; by default from the environment or the checkout (version.py).
    rate, burst: incidents a second past which they are dropped (and counted).
    log: also record what is logged at ERROR with exc_info (a handler on the root logger).
    env: where secret values are read from (the variables whose names say secret).
    """
    global _installed, _fork_hook_registered
    if _installed is not None:
        _installed.uninstall()
    project = Project.at(Path(root) if root is not None else _caller_root())
    if sinks is None:
        file = Path(path) if path is not None else Path(env.get(PATH_VARIABLE) or project.root / DEFAULT_PATH)
        sinks = [JsonLinesFile(file, max_bytes=max_bytes, keep=keep)]
    recorder = Recorder(project, version if version is not None else deployed_version(project.root, env),
                        sinks, Redactor.from_environment(env), limits or Limits(), rate, burst)
    recorder._hook(log)
    recorder.active = True
    _installed = recorder
    if not _fork_hook_registered:
        os.register_at_fork(after_in_child=_after_fork)
        _fork_hook_registered = True
    return recorder


def _after_fork() -> None:
    if _installed is not None:
        _installed._after_fork()


def _caller_root() -> Path:
    """The project root of the code that called install()."""
    frame = inspect.currentframe()
    here = __file__
    while frame is not None and frame.f_code.co_filename == here:
        frame = frame.f_back
    filename = frame.f_code.co_filename if frame is not None else ""
    start = Path(filename).parent if os.path.isabs(filename) else Path.cwd()
    return find_root(start)
