"""The parts behind the safety guarantees, one by one: the decision log, the lock, stale
cleanup, the mode flags, and a sandbox that keeps non-UTF-8 bytes intact."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import git, init_repo

from pytest_selfheal.config import mode_from_flags, parse_mode
from pytest_selfheal.errors import ConfigError
from pytest_selfheal.heal.fix_modes import Fix
from pytest_selfheal.models import Candidate, Edit, Outcome, Verdict
from pytest_selfheal.output.decisions import DecisionLog, text_hash
from pytest_selfheal.sandbox.lock import LockBusy, clean_stale, heal_lock, stale_worktrees
from pytest_selfheal.sandbox.worktree import open_sandbox


def test_decision_log_appends_and_never_rewrites(tmp_path):
    (tmp_path / "decisions.jsonl").write_text('{"seq": 0, "kind": "earlier"}\n')
    log = DecisionLog(tmp_path)
    edit = Edit("pkg/a.py", "A = 1\n", "A = 2\n", "bump", template="constant", line=1)
    log.candidate(1, Outcome(Candidate((edit,)), Verdict.REJECTED, 0.0, detail="policy: x"), "x")
    log.agent_turn("the prompt", "the reply", input_tokens=120, output_tokens=30)
    lines = [json.loads(line) for line in (tmp_path / "decisions.jsonl").read_text().splitlines()]
    assert [e["kind"] for e in lines] == ["earlier", "candidate", "agent-turn"]
    assert lines[1]["policy"] == "rejected: x" and lines[1]["verdict"] == "rejected"
    assert lines[1]["edits"][0]["after"] == text_hash("A = 2\n")
    assert lines[2] | {"t": 0} == {"seq": 2, "kind": "agent-turn", "t": 0, "pid": os.getpid(),
                                   "prompt": text_hash("the prompt"), "reply": text_hash("the reply"),
                                   "input_tokens": 120, "output_tokens": 30}


def test_decision_log_survives_an_unwritable_directory(tmp_path):
    log = DecisionLog(tmp_path / "missing")
    log.record("start")  # no exception: the heal goes on
    assert log.path is None


def test_lock_is_exclusive_and_released(tmp_path):
    with heal_lock(tmp_path):
        assert (tmp_path / "heal.lock").read_text() == str(os.getpid())
        other = subprocess.run(
            [sys.executable, "-c", "import sys; from pathlib import Path; "
             "from pytest_selfheal.sandbox.lock import heal_lock\n"
             "try:\n    heal_lock(Path(sys.argv[1])).__enter__()\n"
             "except Exception as exc:\n    print(exc)", str(tmp_path)],
            capture_output=True, text=True)
        assert f"another pytest --selfheal (pid {os.getpid()}) is healing" in other.stdout
    with heal_lock(tmp_path):
        pass  # free again


def test_lock_in_the_same_process_is_busy(tmp_path):
    with heal_lock(tmp_path), pytest.raises(LockBusy), heal_lock(tmp_path):
        pass


def test_stale_worktree_of_a_dead_process_is_removed(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("A = 1\n")
    init_repo(repo)
    dead = subprocess.Popen(["true"])
    dead.wait()
    with open_sandbox(repo) as live:
        (live.tmp / "owner.pid").write_text(str(dead.pid))  # as if its owner had died
        assert stale_worktrees(repo) == [live.root]
        (live.tmp / "owner.pid").write_text(str(os.getpid()))
        assert stale_worktrees(repo) == [], "a live owner's worktree is never touched"
        (live.tmp / "owner.pid").write_text(str(dead.pid))
        (tmp_path / "out" / "runs" / "old").mkdir(parents=True)
        cleaned = clean_stale(repo, tmp_path / "out", keep=tmp_path / "out" / "runs" / "new")
        assert cleaned == {"worktrees": [str(live.root)], "runs": ["old"]}
        assert not live.tmp.exists()
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert json.loads((tmp_path / "out" / "runs" / "old" / "report.json").read_text())["status"] \
        == "interrupted"


def test_sandbox_round_trips_non_utf8_bytes(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    raw = b"# -*- coding: latin-1 -*-\nNAME = '\xe9t\xe9'\n"
    (repo / "legacy.py").write_bytes(raw)
    init_repo(repo)
    with open_sandbox(repo) as sandbox:
        text = sandbox.read("legacy.py")
        sandbox.write("legacy.py", text.replace("NAME", "TITLE"))
        assert (sandbox.root / "legacy.py").read_bytes() == raw.replace(b"NAME", b"TITLE")
        sandbox.write("legacy.py", text)
        assert (sandbox.root / "legacy.py").read_bytes() == raw


@pytest.mark.parametrize("apply, branch, mode", [
    (True, None, "apply"), (None, True, "branch"), (None, None, None), (False, False, None)])
def test_mode_flags(apply, branch, mode):
    assert mode_from_flags(apply, branch) == mode


def test_mode_errors_name_the_fix():
    with pytest.raises(ConfigError, match="exclude each other: pass only one"):
        mode_from_flags(True, True)
    with pytest.raises(ConfigError, match="use report, apply"):
        parse_mode("merge")
    assert parse_mode(" Branch ") == "branch"


def test_sandbox_owner_file_names_this_process(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("A = 1\n")
    init_repo(repo)
    with open_sandbox(repo) as sandbox:
        assert Path(sandbox.tmp / "owner.pid").read_text() == str(os.getpid())


def test_fix_paths_come_from_the_diff(tmp_path):
    diff = ("diff --git a/pkg/a.py b/pkg/a.py\n--- a/pkg/a.py\n+++ b/pkg/a.py\n@@ -1 +1 @@\n-A = 1\n+A = 2\n"
            "diff --git a/tests/test_regression_a.py b/tests/test_regression_a.py\nnew file mode 100644\n")
    fix = Fix(diff=diff, diff_file=tmp_path / "fix.diff", run_id="r", message="s")
    assert fix.paths == ("pkg/a.py", "tests/test_regression_a.py")
