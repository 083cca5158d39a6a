"""The environment of the sandbox's test processes: a HOME and a temp dir of their own, and the
user's tools still found."""

import time
from pathlib import Path

from pytest_selfheal.sandbox.runner import PytestCommand, own_home, run_tests
from pytest_selfheal.sandbox.testruns import TestRuns


def test_home_and_temp_dir_are_the_sandboxs_and_tool_roots_stay_the_users(tmp_path: Path):
    user = tmp_path / "user"
    for tool in (".cache", ".pyenv", ".cargo"):
        (user / tool).mkdir(parents=True)
    env = own_home(tmp_path / "h", tmp_path / "t", {"HOME": str(user), "RUSTUP_HOME": "/opt/rustup"})
    assert env["HOME"] == str(tmp_path / "h") and (tmp_path / "h").is_dir()
    assert env["TMPDIR"] == env["TEMP"] == env["TMP"] == str(tmp_path / "t") and (tmp_path / "t").is_dir()
    assert env["XDG_CACHE_HOME"] == str(user / ".cache")
    assert env["PYENV_ROOT"] == str(user / ".pyenv")
    assert env["CARGO_HOME"] == str(user / ".cargo")
    assert "RUSTUP_HOME" not in env, "a variable the user set is left as it is"
    assert "GOPATH" not in env, "no ~/go, nothing to keep"
    assert env["PYTHONUSERBASE"], "the user's site-packages stay importable"


def test_a_users_pythonuserbase_is_kept(tmp_path: Path):
    env = own_home(tmp_path / "h", tmp_path / "t", {"HOME": str(tmp_path), "PYTHONUSERBASE": "/opt/base"})
    assert env["PYTHONUSERBASE"] == "/opt/base"


def test_test_processes_get_it_under_the_scratch_dir(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    command = PytestCommand(sandbox_root=tmp_path / "w", user_root=tmp_path / "u", cwd=tmp_path / "w",
                            scratch=tmp_path / "s")
    env = command.environment({"EXTRA": "1"})
    assert env["HOME"] == str(tmp_path / "s" / "home")
    assert env["TMPDIR"] == str(tmp_path / "s" / "tmp")
    assert env["SELFHEAL_SANDBOX"] == str(tmp_path / "w") and env["EXTRA"] == "1"


def test_past_the_wall_no_test_process_is_started(tmp_path: Path):
    command = PytestCommand(sandbox_root=tmp_path, user_root=tmp_path / "u", cwd=tmp_path,
                            scratch=tmp_path / "s")
    command.wall.set(time.monotonic() - 1.0, 5.0)
    run = run_tests(command, ["tests/test_a.py::test_a"], timeout=60.0)
    assert run.timed_out and run.outcomes == {} and run.seconds == 0.0
    assert not (tmp_path / "s").exists(), "nothing was prepared for a process"
    assert command.wall.killed == [], "nothing was running, nothing was killed"


def test_past_the_wall_the_waiting_test_process_is_ended_and_no_other_started(tmp_path: Path):
    """A process let go of while it runs warns (ResourceWarning) when it is collected: at the end
    of a user's session under `filterwarnings = error`, pytest raised it after a heal's budget
    ran out. The one waiting is ended and waited for."""
    (tmp_path / "w").mkdir()
    command = PytestCommand(sandbox_root=tmp_path / "w", user_root=tmp_path / "u", cwd=tmp_path / "w",
                            scratch=tmp_path / "s")
    runs = TestRuns(command)
    runs.stand_by()
    assert runs._standby is not None
    waiting = runs._standby.proc
    try:
        command.wall.set(time.monotonic() - 1.0, 5.0)
        run = runs.fresh(["tests/test_a.py::test_a"], timeout=60.0)
        assert run.timed_out and run.outcomes == {}
        assert waiting.returncode is not None, "the waiting process still runs, let go of"
        assert runs._standby is None, "another was started past the wall"
    finally:
        runs.close()
        if waiting.returncode is None:
            waiting.kill()
            waiting.wait()


def test_for_a_project_pytest_itself_imports_no_process_is_started_ahead(tmp_path: Path):
    """pluggy: a process started before its run imports pytest, and with it the pluggy of that
    moment, the user's checkout's rather than the candidate written since."""
    (tmp_path / "w").mkdir()
    command = PytestCommand(sandbox_root=tmp_path / "w", user_root=tmp_path / "u", cwd=tmp_path / "w",
                            scratch=tmp_path / "s", pytest_imports=("pluggy",))
    runs = TestRuns(command)
    runs.stand_by()
    assert runs._standby is None
