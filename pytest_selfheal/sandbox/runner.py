"""Run pytest in the sandbox as a subprocess, with a timeout that kills the whole process group.

The sandbox's test processes run the user's tests a second time, so they get a HOME and a temp
dir of their own, inside the sandbox's temp dir and removed with it: a test that writes under
`~` or `$TMPDIR` writes there, not into the user's. What tools need from the user's HOME to
work stays visible through the variables that locate it (`TOOL_ROOTS`): the user's
site-packages and caches, pyenv, cargo and rustup, the Go module cache. Configuration under
HOME (git identity, pip.conf, ~/.netrc, credentials) is not: the tests run as on a fresh account.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import site
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..models import TestRunResult
from . import fds
from .protocol import (
    CANARY_ENV,
    CANARY_FILE,
    CANARY_TEST,
    CASES_ENV,
    COVERAGE_ENV,
    COVERAGE_WHOLE_ENV,
    OBSERVE_ENV,
    OBSERVER_PLUGIN,
    RECORD_ENV,
    RECORDER_PLUGIN,
    SANDBOX_ENV,
    SELECT_ENV,
    STANDBY_MODULE,
    USER_ROOT_ENV,
    ObservedRun,
    ProtocolError,
    StandbyRun,
    decode_observed,
    die_with_parent,
    encode_standby_run,
    exit_descriptor,
    resident_memory,
    serial_args,
)
from .wall import Wall

_OUTPUT_TAIL = 12_000  # characters: under xdist each worker prints its own traceback
# Variables that locate what tools need under the user's HOME, with where it is when unset:
# kept pointing at the user's, so that a HOME of the sandbox's own does not hide it.
TOOL_ROOTS = {
    "XDG_CACHE_HOME": ".cache",  # pip, uv, pre-commit, Hugging Face, matplotlib, go-build
    "PYENV_ROOT": ".pyenv",  # its shims on PATH find the interpreters here
    "CARGO_HOME": ".cargo",
    "RUSTUP_HOME": ".rustup",
    "GOPATH": "go",  # the Go module cache
}


@dataclass(frozen=True)
class PytestCommand:
    """Where and how test subprocesses run for one heal."""

    sandbox_root: Path
    user_root: Path
    cwd: Path  # the worktree's rootdir, so nodeids resolve as in the user's run
    scratch: Path  # the heal's files for these processes; the tests' HOME and TMPDIR are in it
    import_roots: tuple[Path, ...] = ()  # worktree dirs to put first on sys.path
    options: tuple[str, ...] = ()  # the user's command-line options, repeated (options.py)
    cases: Path | None = None  # the user's movable parametrized tests (protocol.movable_cases)
    # the project's modules pytest itself imports (pytest_imports.py): while there are any, no
    # test process is started ahead of its run
    pytest_imports: tuple[str, ...] = ()
    wall: Wall = field(default_factory=Wall, compare=False)

    def environment(self, extra: Mapping[str, str]) -> dict[str, str]:
        """The user's environment, with the sandbox's HOME and TMPDIR (made here)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE_")}
        env.pop("PYTEST_XDIST_WORKER", None)
        paths = [str(p) for p in self.import_roots]
        if env.get("PYTHONPATH"):
            paths.append(env["PYTHONPATH"])
        if paths:
            env["PYTHONPATH"] = os.pathsep.join(paths)
        env.update(own_home(self.scratch / "home", self.scratch / "tmp", env))
        env.update({SANDBOX_ENV: str(self.sandbox_root), USER_ROOT_ENV: str(self.user_root)})
        if self.cases is not None:
            env[CASES_ENV] = str(self.cases)
        env.update(extra)
        return env


def own_home(home: Path, temp: Path, env: Mapping[str, str]) -> dict[str, str]:
    """Variables that give test processes `home` as HOME and `temp` as their temp dir (both made
    here), while what tools need from the user's HOME stays visible (TOOL_ROOTS)."""
    for directory in (home, temp):
        directory.mkdir(parents=True, exist_ok=True)
    user_home = Path(env.get("HOME") or Path.home())
    kept = {name: str(user_home / default) for name, default in TOOL_ROOTS.items()
            if not env.get(name) and (user_home / default).is_dir()}
    kept["PYTHONUSERBASE"] = env.get("PYTHONUSERBASE") or site.getuserbase()
    return {**kept, "HOME": str(home), "TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp)}


def run_tests(
    command: PytestCommand,
    nodeids: Sequence[str],
    *,
    timeout: float,
    stop_at_first_failure: bool = False,
    coverage_file: Path | None = None,
    coverage_whole: Sequence[str] = (),
    record_spec: Path | None = None,
    standby: Standby | None = None,
    workers: int = 0,
    memory_bytes: int | None = None,
) -> TestRunResult:
    """Run the given tests once, in `standby` if it is still waiting, else in a process started
    now, under pytest-xdist with `workers` workers (0: in the one process); never raises for test
    failures, hangs or crashes. A process of the run (a worker too) that holds more than
    `memory_bytes` stops the run, which says so. Past the wall nothing is started: the run comes
    back timed out at once."""
    if command.wall.passed():
        if standby is not None:  # ended and waited for: a process let go of running warns
            standby.discard()
        return TestRunResult(outcomes={}, exit_code=-signal.SIGKILL, seconds=0.0, timed_out=True,
                             output_tail="not started: the time budget had run out")
    command.scratch.mkdir(parents=True, exist_ok=True)
    stamp = f"{time.monotonic_ns()}"
    observe = command.scratch / f"outcomes-{stamp}.json"
    args_file = command.scratch / f"args-{stamp}.txt"
    selection = command.scratch / f"select-{stamp}.txt"
    # pytest is given the tests' files, and the observer keeps the selected tests: pytest matches
    # every node id given against every test of its module, seconds for a few thousand tests.
    files = dict.fromkeys(nodeid.split("::", 1)[0] for nodeid in nodeids)
    canary = _canary(command.scratch) if command.pytest_imports else None
    args_file.write_text("\n".join([*files, *([str(canary)] if canary else [])]) + "\n", encoding="utf-8")
    selection.write_text("\n".join(nodeids) + "\n", encoding="utf-8")
    args = [*command.options, "--no-selfheal", "-p", OBSERVER_PLUGIN, "-q", "--tb=short",
            f"--rootdir={command.cwd}",
            *(["-n", str(workers)] if workers else serial_args(command.options)), f"@{args_file}"]
    if stop_at_first_failure:
        args.append("-x")
    extra = {OBSERVE_ENV: str(observe), SELECT_ENV: str(selection), **({CANARY_ENV: "1"} if canary else {})}
    if coverage_file is not None:
        whole = command.scratch / f"whole-{stamp}.txt"
        whole.write_text("".join(f"{nodeid}\n" for nodeid in coverage_whole), encoding="utf-8")
        extra.update({COVERAGE_ENV: str(coverage_file), COVERAGE_WHOLE_ENV: str(whole)})
    if record_spec is not None:
        plugins = [p for p in os.environ.get("PYTEST_PLUGINS", "").split(",") if p]
        extra.update({"PYTEST_PLUGINS": ",".join([*plugins, RECORDER_PLUGIN]),
                      RECORD_ENV: str(record_spec)})
    started = time.monotonic()
    waiting = standby.start(args, extra) if standby is not None else None
    proc, log = waiting or _spawn(command, [sys.executable, "-m", "pytest", *args], extra,
                                  stdin=subprocess.DEVNULL)
    limit = command.wall.cap(timeout)
    timed_out, stopped = False, ""
    try:
        stopped = _wait(proc, max(limit, 0.1), memory_bytes)
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        kill_group(proc)
    seconds = time.monotonic() - started
    tail = log.read_text(encoding="utf-8", errors="replace")[-_OUTPUT_TAIL:]
    if stopped:
        tail = f"{tail}\n{stopped}"
    run = observed_result(observe, exit_code=proc.returncode, seconds=seconds, timed_out=timed_out,
                          output_tail=tail)
    if canary is not None and run.outcomes:
        run = replace(run, canary=run.canary or "missing")
    if timed_out and limit < timeout:
        # how far it got is not known: its observer writes the outcomes when the session ends
        command.wall.hit(f"a pytest process (pid {proc.pid}) running {len(nodeids)} test(s) of "
                         f"{_named(list(files))}, after {seconds:.1f}s")
    return run


# Seconds between two looks at a bounded run's memory: a process that allocates without end
# gains little past the bound before it is seen.
MEMORY_POLL = 0.02


def _wait(proc: subprocess.Popen[bytes], timeout: float, memory_bytes: int | None) -> str:
    """Wait for `proc` (TimeoutExpired past `timeout`), waking at its exit (exit_descriptor)
    rather than at Popen.wait's next poll, up to 50 ms later; with a bound, look at its
    processes' memory meanwhile and return why the run must stop when one holds more, else ""."""
    deadline = time.monotonic() + timeout
    exited = exit_descriptor(proc.pid)
    try:
        while True:
            remaining = deadline - time.monotonic()
            step = max(0.0, remaining if memory_bytes is None else min(MEMORY_POLL, remaining))
            if exited is None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=step)
            else:
                select.select([exited], [], [], step)
            if proc.poll() is not None:
                return ""
            if time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired(proc.args, timeout)
            if memory_bytes is None:
                continue
            held = max((resident_memory(pid) or 0 for pid in _tree(proc.pid)), default=0)
            if held > memory_bytes:
                return (f"a test process held {held >> 20} MiB of memory, past the bound of "
                        f"{memory_bytes >> 20} MiB, and the run was stopped")
    finally:
        if exited is not None:
            os.close(exited)


def _tree(pid: int) -> list[str]:
    """`pid` and its descendants (pytest-xdist's workers), as /proc lists their children."""
    found, waiting = [], [str(pid)]
    while waiting:
        current = waiting.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as children:
                waiting.extend(children.read().split())
        except OSError:
            continue
    return found


class Standby:
    """A test process started before it is needed (standby.py): the interpreter is up, pytest and
    the installed plugins imported, nothing of the project, and it waits for its arguments.
    That start-up is a third or more of a small run; a heal starts the next one ahead."""

    def __init__(self, command: PytestCommand) -> None:
        self.proc, self.log = _spawn(command, [sys.executable, "-m", STANDBY_MODULE], {},
                                     stdin=subprocess.PIPE)
        assert self.proc.stdin is not None
        fds.keep_private(self.proc.stdin.fileno())

    def start(self, args: Sequence[str], extra: Mapping[str, str]
              ) -> tuple[subprocess.Popen[bytes], Path] | None:
        """Hand this process its run: the process and its log; None (and it is discarded) if it
        has died meanwhile."""
        request = encode_standby_run(StandbyRun(args=tuple(args), env=dict(extra)))
        try:
            if self.proc.stdin is None or self.proc.poll() is not None:
                raise OSError("the waiting test process is gone")
            self.proc.stdin.write(request.encode("utf-8"))
            self._close_stdin()
        except OSError:
            self.discard()
            return None
        return self.proc, self.log

    def discard(self) -> None:
        """Stop it unused."""
        with contextlib.suppress(OSError):
            self._close_stdin()
        kill_group(self.proc)

    def _close_stdin(self) -> None:
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            fds.forget(self.proc.stdin.fileno())
            self.proc.stdin.close()


def _spawn(command: PytestCommand, argv: Sequence[str], extra: Mapping[str, str], *,
           stdin: int) -> tuple[subprocess.Popen[bytes], Path]:
    """A test process in its own process group, its output in a log file of the scratch dir."""
    command.scratch.mkdir(parents=True, exist_ok=True)
    log = command.scratch / f"log-{time.monotonic_ns()}.txt"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, cwd=command.cwd, env=command.environment(extra), stdout=out,
            stderr=subprocess.STDOUT, stdin=stdin, start_new_session=True,
            preexec_fn=die_with_parent(os.getpid()),
        )
    return proc, log


def _named(files: list[str]) -> str:
    return ", ".join(files[:3]) + (f" and {len(files) - 3} more file(s)" if len(files) > 3 else "")


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the test process and anything it spawned; tests must not outlive their run."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _canary(scratch: Path) -> Path:
    """A test file whose one test raises, for a run of a project pytest itself imports: if the
    code under test breaks pytest's own reporting (a patch to pluggy's hook calls), every test
    could pass, and this one with them."""
    path = scratch / "canary" / CANARY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"def {CANARY_TEST}():\n"
                        "    raise AssertionError('reported failed by a pytest that works')\n",
                        encoding="utf-8")
    return path


def observed_result(observe: Path, *, exit_code: int, seconds: float, timed_out: bool,
                    output_tail: str = "") -> TestRunResult:
    """The TestRunResult of a run whose observer wrote `observe` (removed here); a run that died
    before pytest finished has no outcomes."""
    try:
        observed = decode_observed(observe.read_text(encoding="utf-8"))
    except (OSError, ProtocolError):
        observed = ObservedRun()
    observe.unlink(missing_ok=True)
    return TestRunResult(
        outcomes=observed.outcomes,
        exit_code=exit_code,
        seconds=seconds,
        timed_out=timed_out,
        output_tail=output_tail,
        failures=observed.failures,
        leaked_modules=observed.leaked,
        durations=observed.durations,
        canary=observed.canary,
    )
