"""What the heal (the controller) and the sandbox's test processes say to each other.

Both sides import this module and nothing else of each other, so it imports only the stdlib: a
test process pays for every import on every candidate, and must not load the heal's code into
the user's tests. Here are the modules the controller starts, the environment variables it sets
for them, the lines on the warm worker's and the standby's pipes, and the observation file every
test run leaves, and the key by which a test process finds a parametrized test of the user's
whose id moved (`case_key`).

The warm worker's pipe, one JSON object per line. In: first a `WorkerStart`, then
`JobRequest`s and `JobCancel`s. Out: first a `WorkerReady`, then a `JobRan` or a `JobFellBack`
per job (a cancelled one too), in the order the jobs finish. A standby reads a single `StandbyRun`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, TypeVar

# The test processes' entry points, as `python -m` modules and `-p` / PYTEST_PLUGINS plugins.
WORKER_MODULE = "pytest_selfheal.testproc.worker"
STANDBY_MODULE = "pytest_selfheal.testproc.standby"
OBSERVER_PLUGIN = "pytest_selfheal.testproc.observer"
RECORDER_PLUGIN = "pytest_selfheal.testproc.recorder"
TESTMAP_PLUGIN = "pytest_selfheal.testproc.testmap"

# Environment variables set by the process that starts a test process.
SANDBOX_ENV = "SELFHEAL_SANDBOX"  # the worktree's root: code under it is the project under test
USER_ROOT_ENV = "SELFHEAL_USER_ROOT"  # the user's checkout: a module imported from there leaked
OBSERVE_ENV = "SELFHEAL_OBSERVE"  # where the observer writes the run's ObservedRun
SELECT_ENV = "SELFHEAL_SELECT"  # a file of node ids, one a line: the tests to run, in order
COVERAGE_ENV = "SELFHEAL_COVERAGE"  # a coverage data file: record per-test contexts (the probe)
# a file of node ids, one a line: the tests traced whole (the others only for their first moments)
COVERAGE_WHOLE_ENV = "SELFHEAL_COVERAGE_WHOLE"
RECORD_ENV = "SELFHEAL_RECORD"  # a recorder spec file: record the calls of one function
TESTMAP_ENV = "SELFHEAL_TESTMAP"  # the pre-commit hook's coverage data file for its test map
CASES_ENV = "SELFHEAL_CASES"  # a JSON file: the user's ids of movable parametrized tests -> case_key
# set (to "1") when the run includes CANARY_FILE, whose one test raises: pytest must report it
# failed, or the code under test has broken pytest itself (pytest_imports.py)
CANARY_ENV = "SELFHEAL_CANARY"
CANARY_FILE = "test_selfheal_canary.py"
CANARY_TEST = "test_selfheal_canary"  # its node id: outside the rootdir, pytest gives no path

_PR_SET_PDEATHSIG = 1

Message = TypeVar("Message")


class ProtocolError(ValueError):
    """A line or file that is not the message the reader expects."""


@dataclass(frozen=True)
class WorkerStart:
    """The warm worker's first line: the worktree directory to start its session in, and the
    session's pytest arguments."""

    cwd: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class JobRequest:
    """Run `nodeids` in a forked child with `files` patched in place, and write the ObservedRun
    to `observe`."""

    id: int
    nodeids: tuple[str, ...]
    files: tuple[tuple[str, str, str], ...]  # (absolute path, text on disk, candidate text)
    observe: str
    timeout: float
    stop_first: bool = False
    cpu_seconds: float | None = None  # the child is stopped after this much CPU time
    memory_bytes: int | None = None  # the child is stopped once it holds more resident memory
    coverage: str | None = None  # record per-test coverage contexts into this data file
    record: str | None = None  # a recorder spec: record the calls of one function
    coverage_whole: tuple[str, ...] = ()  # traced to the end; the rest only for their first moments


CANCELLED = "cancelled"  # the reason a worker answers a cancelled job with


@dataclass(frozen=True)
class JobCancel:
    """The jobs `ids` are no longer wanted: not started, or stopped if running (candidates
    screened ahead that the search will not judge)."""

    ids: tuple[int, ...]


@dataclass(frozen=True)
class WorkerReady:
    """The worker's first line: its session is collected and it takes jobs."""

    items: int


@dataclass(frozen=True)
class JobRan:
    """The job ran; its outcomes are in the job's observation file."""

    id: int
    exit_code: int
    timed_out: bool
    seconds: float
    stopped: str = ""  # why the worker stopped the child, when it did for more than time


@dataclass(frozen=True)
class JobFellBack:
    """The job cannot run in the warm session (the reason says why): a fresh process must."""

    id: int
    reason: str


JobReply = JobRan | JobFellBack


@dataclass(frozen=True)
class StandbyRun:
    """A standby's one line: the run's pytest arguments and the environment to add."""

    args: tuple[str, ...]
    env: Mapping[str, str]


@dataclass(frozen=True)
class ObservedRun:
    """What the observer saw of one run, written to the file OBSERVE_ENV names."""

    outcomes: dict[str, str] = field(default_factory=dict)  # node id -> passed, failed, skipped
    failures: dict[str, str] = field(default_factory=dict)  # node id -> short failure text
    durations: dict[str, float] = field(default_factory=dict)  # node id -> setup + call + teardown
    leaked: tuple[str, ...] = ()  # modules imported from the user's checkout
    canary: str = ""  # how the canary test was reported: "failed", "passed", or "" (not at all)


def encode_start(start: WorkerStart) -> str:
    return _line({"cwd": start.cwd, "args": list(start.args)})


def decode_start(line: str | bytes) -> WorkerStart:
    return _decode(line, lambda message: WorkerStart(cwd=str(message["cwd"]),
                                                     args=_strings(message["args"])))


def encode_job(job: JobRequest) -> str:
    return _line({
        "id": job.id, "nodeids": list(job.nodeids), "observe": job.observe,
        "files": [list(patch) for patch in job.files], "stop_first": job.stop_first,
        "timeout": job.timeout, "coverage": job.coverage, "cpu_seconds": job.cpu_seconds,
        "memory_bytes": job.memory_bytes,
        "record": job.record, "coverage_whole": list(job.coverage_whole),
    })


def decode_job(line: str | bytes) -> JobRequest:
    return _decode(line, _job)


def _job(message: dict[str, Any]) -> JobRequest:
    return JobRequest(
        id=int(message["id"]), nodeids=_strings(message["nodeids"]), observe=str(message["observe"]),
        files=tuple((str(path), str(before), str(after)) for path, before, after in message["files"]),
        timeout=float(message["timeout"]), stop_first=bool(message["stop_first"]),
        coverage=_optional_str(message["coverage"]), cpu_seconds=_optional_float(message["cpu_seconds"]),
        memory_bytes=_optional_int(message["memory_bytes"]),
        record=_optional_str(message["record"]), coverage_whole=_strings(message["coverage_whole"]),
    )


def encode_cancel(cancel: JobCancel) -> str:
    return _line({"cancel": list(cancel.ids)})


def decode_request(line: str | bytes) -> JobRequest | JobCancel:
    """A job line or a cancel line, whichever `line` is."""
    return _decode(line, lambda message: JobCancel(ids=tuple(int(i) for i in message["cancel"]))
                   if "cancel" in message else _job(message))


def encode_ready(ready: WorkerReady) -> str:
    return _line({"ready": ready.items})


def decode_ready(line: str | bytes) -> WorkerReady:
    return _decode(line, lambda message: WorkerReady(items=int(message["ready"])))


def encode_reply(reply: JobReply) -> str:
    if isinstance(reply, JobFellBack):
        return _line({"id": reply.id, "status": "fallback", "reason": reply.reason})
    return _line({"id": reply.id, "status": "ran", "exit_code": reply.exit_code,
                  "timed_out": reply.timed_out, "seconds": reply.seconds, "stopped": reply.stopped})


def decode_reply(line: str | bytes) -> JobReply:
    return _decode(line, _reply)


def _reply(message: dict[str, Any]) -> JobReply:
    if message["status"] == "fallback":
        return JobFellBack(id=int(message["id"]), reason=str(message["reason"]))
    if message["status"] == "ran":
        return JobRan(id=int(message["id"]), exit_code=int(message["exit_code"]),
                      timed_out=bool(message["timed_out"]), seconds=float(message["seconds"]),
                      stopped=str(message["stopped"]))
    raise ValueError(f"unknown status {message['status']!r}")


def encode_standby_run(run: StandbyRun) -> str:
    return _line({"args": list(run.args), "env": dict(run.env)})


def decode_standby_run(line: str | bytes) -> StandbyRun:
    return _decode(line, lambda message: StandbyRun(
        args=_strings(message["args"]),
        env={str(name): str(value) for name, value in dict(message["env"]).items()},
    ))


def encode_observed(run: ObservedRun) -> str:
    return json.dumps({"outcomes": run.outcomes, "failures": run.failures,
                       "durations": run.durations, "leaked": list(run.leaked), "canary": run.canary})


def decode_observed(text: str | bytes) -> ObservedRun:
    """Parts a writer left out are empty."""
    return _decode(text, lambda message: ObservedRun(
        outcomes=dict(message.get("outcomes", {})), failures=dict(message.get("failures", {})),
        durations=dict(message.get("durations", {})), leaked=_strings(message.get("leaked", ())),
        canary=str(message.get("canary", "")),
    ))


def case_key(item: Any) -> str | None:
    """The name of a parametrized test (a pytest item, read without importing pytest) that holds
    in any process: its function's node id and a digest of its parameters' reprs, by argument
    name. None for a test without parameters, or one with a repr that another process would
    write differently (one that holds an address, ` at 0x`) or that cannot be made."""
    function = parametrized_function(item)
    if function is None:
        return None
    shown = []
    for name in sorted(item.callspec.params):
        try:
            text = repr(item.callspec.params[name])
        except Exception:  # the project's own __repr__: a case it cannot show has no key
            return None
        if " at 0x" in text:
            return None
        shown.append(f"{name}={text}")
    digest = hashlib.blake2b("\0".join(shown).encode("utf-8", "backslashreplace"), digest_size=12)
    return f"{function}[{digest.hexdigest()}]"


def keyed_function(key: str) -> str:
    """The node id of the function whose case `key` (a case_key) names."""
    return key.rpartition("[")[0]


def parametrized_function(item: Any) -> str | None:
    """The node id of a parametrized test without its parameters' id; None if it has none."""
    callspec = getattr(item, "callspec", None)
    suffix = f"[{callspec.id}]" if callspec is not None else ""
    if not suffix or not item.nodeid.endswith(suffix):
        return None
    return str(item.nodeid).removesuffix(suffix)


def movable_cases(items: Iterable[Any]) -> dict[str, str]:
    """Node id -> case_key of the tests (pytest items) whose ids another process may give to other
    cases: those of a function whose parameters come from a set and that pytest numbered some
    case of by its position (`expected6`, the id of a value it cannot name), which then follows
    the set's order. Cases without a key, or that share one (equal reprs), are left out: nothing
    tells them apart, and `diagnosis.reordered_parameters` says so when they are missed."""
    by_function: dict[str, list[Any]] = {}
    for item in items:
        function = parametrized_function(item)
        if function is not None:
            by_function.setdefault(function, []).append(item)
    keys: dict[str, str] = {}
    for cases in by_function.values():  # the reprs only of the functions pytest numbered
        if _from_a_set(cases[0]) and any(_numbered(item.callspec.id, item.callspec.params)
                                         for item in cases):
            keys.update((item.nodeid, key) for item in cases if (key := case_key(item)) is not None)
    shared = {key for key, count in Counter(keys.values()).items() if count > 1}
    return {nodeid: key for nodeid, key in keys.items() if key not in shared}


def _from_a_set(item: Any) -> bool:
    """Some `parametrize` of the test takes its values from a set: their order, and so the
    positions pytest numbers them by, can change between processes. Values in a list keep their
    ids, which are then trusted as they are: a repr is the project's code, which a fix may
    change (a bug in `__init__` shows in `__repr__`)."""
    for mark in item.iter_markers(name="parametrize"):
        values = mark.kwargs.get("argvalues", mark.args[1] if len(mark.args) > 1 else None)
        if isinstance(values, set | frozenset):
            return True
    return False


def _numbered(case_id: str, argnames: Iterable[str]) -> bool:
    """pytest made a part of `case_id` from an argument's name and the case's position."""
    return any(re.search(rf"(?:^|-){re.escape(name)}\d+(?:-|$)", case_id) for name in argnames)


def encode_cases(cases: Mapping[str, str]) -> str:
    return json.dumps(dict(cases))


def decode_cases(text: str | bytes) -> dict[str, str]:
    return _decode(text, lambda message: {str(nodeid): str(key) for nodeid, key in message.items()})


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_memory(pid: str) -> int | None:
    """Bytes resident in process `pid`; None where /proc cannot tell (not Linux). What
    `JobRequest.memory_bytes` bounds, on either side, measured as the user's run's peak was
    (ru_maxrss): a thread's untouched stack is not resident, so tests that start many threads
    are not taken for a candidate that allocates without end."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            fields = statm.read().split()
        return int(fields[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return None


def exit_descriptor(pid: int) -> int | None:
    """A descriptor that select() finds readable once child `pid` has exited (a pidfd), so that
    a wait wakes at the exit, not at its next poll; None where the platform has none (Linux
    before 5.3, macOS): the caller polls. The caller closes it."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def die_with_parent(parent: int) -> Callable[[], None]:
    """A `preexec_fn` (also called in forked children): on Linux, the kernel kills this process
    when the one that started it dies, even by SIGKILL, so no test outlives its heal. Call this
    in the parent: it imports ctypes there, once, not in every child."""
    import ctypes  # not at the top: the observer imports this module into every test run

    def arrange() -> None:
        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return arrange


def serial_args(options: Sequence[str] = ()) -> list[str]:
    """`-n 0` where pytest-xdist is installed and `options` (the user's, repeated) do not turn it
    off: a sandbox run keeps its tests in one process (so its observer and coverage see them),
    whatever the project's addopts say."""
    off = "-pno:xdist" in options or any(
        a == "-p" and b == "no:xdist" for a, b in pairwise(options))
    return ["-n", "0"] if not off and importlib.util.find_spec("xdist") is not None else []


def _line(message: dict[str, Any]) -> str:
    return json.dumps(message) + "\n"


def _decode(line: str | bytes, build: Callable[[dict[str, Any]], Message]) -> Message:
    """The message `build` makes of the JSON object on `line`; anything else (not JSON, not an
    object, a field missing or of the wrong type) is a ProtocolError that quotes the line."""
    try:
        message = json.loads(line)
        if not isinstance(message, dict):
            raise TypeError("not a JSON object")
        return build(message)
    except (KeyError, TypeError, ValueError) as exc:  # ValueError: also bytes that are not UTF-8
        raise ProtocolError(f"{type(exc).__name__} {exc} in {line[:200]!r}") from None


def _strings(values: Any) -> tuple[str, ...]:
    if isinstance(values, str):
        raise TypeError("a list of strings expected, not a string")
    return tuple(str(value) for value in values)


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)
