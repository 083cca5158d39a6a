"""The time budget is a wall, and nothing of the heal outlives it: a test that leaves a process or
a thread running, in the user's session and in the sandbox, delays neither the heal nor the end
of `pytest --selfheal`; what the sandbox's tests leave is killed and reported; what the user's
own tests leave is the user's. A heal killed with its janitor is cleaned up by the next one,
whatever its TMPDIR, and the tests the sandbox runs again do it in a HOME of their own."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import alive, fingerprint, git, init_repo, latest_report, latest_run_dir, run_pytest, user_env

pytestmark = pytest.mark.slow

BUDGET = 20
SLACK = 10  # what the run may take beyond the budget: pytest's start, the session, the report

# Each leftover writes "<pid> <where>" to PIDS: where is the sandbox's worktree, or "user".
RECORD = """\
import os, threading, time

PIDS = {pids!r}


def record():
    with open(PIDS, "a") as out:
        out.write(f"{{os.getpid()}} {{os.environ.get('SELFHEAL_SANDBOX', 'user')}}\\n")
"""

FORKED_CHILD = RECORD + """

def test_leaves_a_forked_child():
    if os.fork() == 0:
        record()
        time.sleep(400)
        os._exit(0)
"""

GRANDCHILD_IN_ITS_OWN_SESSION = RECORD + """

def test_leaves_a_daemon_process():
    child = os.fork()
    if child == 0:
        os.setsid()
        if os.fork() == 0:
            record()
            time.sleep(400)
        os._exit(0)
    os.waitpid(child, 0)
"""

DAEMON_THREAD = RECORD + """

def test_leaves_a_daemon_thread():
    threading.Thread(target=time.sleep, args=(400,), daemon=True).start()
"""

THREAD = RECORD + """

def test_leaves_a_thread():
    threading.Thread(target=time.sleep, args=(400,)).start()
"""


class Leftovers:
    """The processes the tests of one repository leave, as they recorded themselves; all are
    killed when the test ends."""

    def __init__(self, pids: Path) -> None:
        self.pids = pids

    def recorded(self) -> list[tuple[int, str]]:
        if not self.pids.exists():
            return []
        return [(int(pid), where) for pid, where in
                (line.split(" ", 1) for line in self.pids.read_text().splitlines())]

    def users(self) -> list[int]:
        return [pid for pid, where in self.recorded() if where == "user"]

    def sandboxes(self) -> list[int]:
        return [pid for pid, where in self.recorded() if where != "user"]

    def kill(self) -> None:
        for pid, _ in self.recorded():
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def leftovers(tmp_path: Path) -> Iterator[Leftovers]:
    found = Leftovers(tmp_path / "leftovers.txt")
    yield found
    found.kill()


def with_test(example_repo, leftovers: Leftovers, source: str) -> Path:
    repo = example_repo("invoice")
    (repo / "tests" / "test_zz_leftover.py").write_text(source.format(pids=str(leftovers.pids)))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a test that leaves something running")
    return repo


def start_pytest(repo: Path, output: Path, *args: str) -> subprocess.Popen[bytes]:
    """`pytest --selfheal` with its output in a file: a pipe would be held open by whatever the
    user's tests leave, as it would be by a terminal."""
    with output.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--selfheal",
             f"--selfheal-time-budget={BUDGET}", *args],
            cwd=repo, env=user_env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def run_within_the_wall(repo: Path, output: Path) -> float:
    started = time.monotonic()
    proc = start_pytest(repo, output)
    try:
        code = proc.wait(timeout=BUDGET + SLACK + 60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    seconds = time.monotonic() - started
    assert code == 1, output.read_text()
    return seconds


def decisions(repo: Path) -> list[dict]:
    return [json.loads(line) for line in (latest_run_dir(repo) / "decisions.jsonl").read_text().splitlines()]


def heal_processes(repo: Path) -> list[int]:
    """Live processes of a heal of `repo`: its janitor (which names it), and whatever runs with the
    sandbox's environment (which names it too)."""
    marker = f"SELFHEAL_USER_ROOT={repo}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            args = (entry / "cmdline").read_bytes().split(b"\0")
            janitor = b"pytest_selfheal.sandbox.janitor" in args and str(repo).encode() in args
            sandboxed = marker in (entry / "environ").read_bytes().split(b"\0")
            if (janitor or sandboxed) and alive(int(entry.name)):
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize("source", [FORKED_CHILD, GRANDCHILD_IN_ITS_OWN_SESSION],
                         ids=["forked-child", "grandchild-in-its-own-session"])
def test_a_process_the_tests_leave_running_delays_nothing(example_repo, leftovers, tmp_path, source):
    repo = with_test(example_repo, leftovers, source)
    before = fingerprint(repo)
    seconds = run_within_the_wall(repo, tmp_path / "output.txt")
    assert seconds < BUDGET + SLACK, f"the run took {seconds:.1f}s"
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    assert fingerprint(repo) == before
    assert heal_processes(repo) == []
    (user,) = leftovers.users()
    assert alive(user), "what the user's own session left is the user's: it is never killed"
    ran_in_the_sandbox = leftovers.sandboxes()
    assert ran_in_the_sandbox, "the test ran in the sandbox too"
    assert not any(alive(pid) for pid in ran_in_the_sandbox), "the sandbox's leftovers outlived the heal"


def test_what_escapes_the_process_groups_is_killed_and_reported(example_repo, leftovers, tmp_path):
    repo = with_test(example_repo, leftovers, GRANDCHILD_IN_ITS_OWN_SESSION)
    run_within_the_wall(repo, tmp_path / "output.txt")
    (entry,) = [d for d in decisions(repo) if d["kind"] == "leftovers"]
    killed = {int(text.split()[1]) for text in entry["killed"]}
    assert set(leftovers.sandboxes()) <= killed
    assert not killed & set(leftovers.users())


def test_a_daemon_thread_delays_nothing(example_repo, leftovers, tmp_path):
    repo = with_test(example_repo, leftovers, DAEMON_THREAD)
    seconds = run_within_the_wall(repo, tmp_path / "output.txt")
    assert seconds < BUDGET + SLACK, f"the run took {seconds:.1f}s"
    assert latest_report(repo)["status"] == "healed"


def test_a_sandbox_run_that_never_ends_is_killed_at_the_wall(example_repo, leftovers, tmp_path):
    """A thread that is not a daemon keeps every process of the suite from ending, the user's
    own included (which is the user's to wait for); the sandbox's is killed at the budget, and
    the report says so."""
    repo = with_test(example_repo, leftovers, THREAD)
    before = fingerprint(repo)
    started = time.monotonic()
    proc = start_pytest(repo, tmp_path / "output.txt")
    try:
        deadline = started + BUDGET + SLACK
        while not list((repo / ".selfheal" / "runs").glob("*/report.json")):
            assert time.monotonic() < deadline, "the heal outlived its budget"
            assert proc.poll() is None, (tmp_path / "output.txt").read_text()
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the session itself waits for its thread
        proc.wait()
    report = latest_report(repo)
    assert report["status"] == "not-healed"
    assert report["reason"].startswith(f"the time budget of {BUDGET}s ran out, and what was still "
                                       "running was killed: a pytest process (pid ")
    assert "Raise --selfheal-time-budget" in report["reason"]
    (budget,) = [d for d in decisions(repo) if d["kind"] == "budget"]
    assert budget["reason"] == report["reason"]
    assert fingerprint(repo) == before


def sandboxes_in(repo: Path, tmpdir: Path) -> list[Path]:
    listing = git(repo, "worktree", "list", "--porcelain").splitlines()
    return [Path(line.split(" ", 1)[1]) for line in listing
            if line.startswith("worktree ") and Path(line.split(" ", 1)[1]).is_relative_to(tmpdir)]


def janitor_of(worktree: Path) -> int:
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            args = cmdline.read_bytes().split(b"\0")
            if b"pytest_selfheal.sandbox.janitor" in args and str(worktree).encode() in args:
                return int(cmdline.parent.name)
    raise AssertionError(f"no janitor watches {worktree}")


HANGS = """\
import pathlib, time


def test_hangs_until_killed():
    pathlib.Path({started!r}).write_text("")
    time.sleep(400)
"""


def test_a_heal_killed_with_its_janitor_is_cleaned_up_under_another_tmpdir(example_repo, tmp_path):
    """The next heal finds the killed heal's sandbox in the repository's list of worktrees, not in
    its own TMPDIR; the user's own worktrees, a missing one included, are never touched."""
    repo = example_repo("invoice")
    started = tmp_path / "started"
    (repo / "tests" / "test_zz_hang.py").write_text(HANGS.format(started=str(started)))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a test that hangs")
    git(repo, "worktree", "add", "-q", "--detach", str(tmp_path / "selfheal-mine" / "worktree"))
    git(repo, "worktree", "add", "-q", "--detach", str(tmp_path / "unmounted"))
    (tmp_path / "unmounted" / ".git").unlink()  # as if its disk were not mounted
    elsewhere = tmp_path / "first-tmpdir"
    elsewhere.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--selfheal"],
                            cwd=repo, env=user_env({"TMPDIR": str(elsewhere)}),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not (started.exists() and sandboxes_in(repo, elsewhere)):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.1)
        (sandbox,) = sandboxes_in(repo, elsewhere)
        os.kill(janitor_of(sandbox), signal.SIGKILL)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the heal and the session's hanging test
        proc.wait()
    assert sandbox.is_dir()
    (repo / "tests" / "test_zz_hang.py").unlink()
    git(repo, "commit", "-qam", "no more hanging")
    result = run_pytest(repo, "--selfheal")
    assert result.returncode == 1, result.stdout
    listed = git(repo, "worktree", "list", "--porcelain")
    assert str(sandbox) not in listed and not sandbox.parent.exists()
    assert str(tmp_path / "selfheal-mine" / "worktree") in listed, "the user's worktree was removed"
    assert str(tmp_path / "unmounted") in listed, "the user's missing worktree was pruned"
    (cleanup,) = [d for d in decisions(repo) if d["kind"] == "cleanup"]
    assert cleanup["worktrees"] == [str(sandbox)]


def test_a_janitor_outlives_a_pipe_held_by_a_child_the_heal_forked_in_c(tmp_path):
    """A fork that Python's fork handlers never see (C code) leaves the janitor's pipe open in
    the child; the janitor still notices its heal's death, and removes the sandbox."""
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("A = 1\n")
    init_repo(repo)
    child_pid, root = tmp_path / "child.pid", tmp_path / "worktree.txt"
    script = f"""
import ctypes, os, sys, time
from pathlib import Path
from pytest_selfheal.sandbox.janitor import Janitor
from pytest_selfheal.sandbox.lock import new_sandbox_dir
from pytest_selfheal.sandbox.worktree import open_sandbox

tmp = new_sandbox_dir()
sandbox = open_sandbox(Path({str(repo)!r}), tmp).__enter__()
Janitor(Path({str(repo)!r}), None).watch(sandbox.root)
pid = ctypes.CDLL(None).fork()
if pid == 0:
    time.sleep(400)
    os._exit(0)
Path({str(child_pid)!r}).write_text(str(pid))
Path({str(root)!r}).write_text(str(sandbox.root))
os._exit(0)  # dies as a killed heal would, removing nothing
"""
    errors = tmp_path / "errors.txt"
    with errors.open("w") as err:  # a pipe would be held by the child
        done = subprocess.run([sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=err,
                              timeout=60, env=user_env())
    assert done.returncode == 0, errors.read_text()
    worktree = Path(root.read_text())
    try:
        deadline = time.monotonic() + 20
        while worktree.parent.exists() or "selfheal-" in git(repo, "worktree", "list"):
            assert time.monotonic() < deadline, "the janitor waited for the pipe's end"
            time.sleep(0.1)
        assert alive(int(child_pid.read_text())), "the child still holds the pipe"
    finally:
        os.kill(int(child_pid.read_text()), signal.SIGKILL)


APPENDS_TO_HOME = """\
import os
from pathlib import Path


def test_appends_to_home():
    with open(Path.home() / "x", "a") as out:
        out.write("ran\\n")
    with open({seen!r}, "a") as out:
        out.write(os.environ["HOME"] + " " + os.environ.get("TMPDIR", "") + "\\n")
"""


def test_the_sandbox_runs_tests_in_a_home_of_its_own(example_repo, tmp_path):
    repo = example_repo("invoice")
    seen = tmp_path / "seen.txt"
    (repo / "tests" / "test_zz_home.py").write_text(APPENDS_TO_HOME.format(seen=str(seen)))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a test with a side effect under HOME")
    home = tmp_path / "home"
    home.mkdir()
    result = run_pytest(repo, "--selfheal", env={"HOME": str(home)})
    assert result.returncode == 1
    assert latest_report(repo)["status"] == "healed"
    assert (home / "x").read_text() == "ran\n", "only the user's own run wrote to the user's HOME"
    homes = [line.split(" ") for line in seen.read_text().splitlines()]
    assert homes[0][0] == str(home)
    sandbox = homes[1:]
    assert sandbox, "the test ran in the sandbox too"
    for sandbox_home, sandbox_tmp in sandbox:
        assert sandbox_home != str(home) and "selfheal-" in sandbox_home
        assert sandbox_tmp.startswith(str(Path(sandbox_home).parent))
        assert not Path(sandbox_home).exists(), "the sandbox's HOME is removed with it"
