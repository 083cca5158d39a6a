"""Progress while a heal works: a line per stage in logs, one live line on a terminal, one line
with -q and none with -qq."""

import os
import pty
import subprocess
import sys

import pytest
from helpers import run_pytest, user_env

pytestmark = pytest.mark.slow

STAGES = ["probe", "triage", "localize", "repair", "regression test", "report"]


def progress_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("self-heal: ")]


def test_without_a_terminal_each_stage_is_one_plain_line(example_repo):
    repo = example_repo("inventory")
    lines = progress_lines(run_pytest(repo, "--selfheal").stdout)
    assert [line.split(";")[0].removeprefix("self-heal: ") for line in lines] == STAGES
    assert all(line.endswith("s left; Ctrl-C stops it safely") for line in lines)
    assert "candidate(s); best fixes 3 of 3" in lines[-1]


@pytest.mark.parametrize(("flag", "count"), [("-q", 1), ("-qq", 0)])
def test_quiet_keeps_progress_to_one_line_and_very_quiet_to_none(example_repo, flag, count):
    repo = example_repo("inventory")
    assert len(progress_lines(run_pytest(repo, "--selfheal", flag).stdout)) == count


def test_on_a_terminal_one_line_is_rewritten_in_place_and_gone_before_the_summary(example_repo):
    repo = example_repo("inventory")
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--selfheal"], cwd=repo,
        stdin=secondary, stdout=secondary, stderr=secondary, env=user_env({"COLUMNS": "150"}))
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the pseudo-terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=300)
    os.close(primary)
    output = b"".join(chunks).decode("utf-8", "replace")
    assert "self-heal: repair" in output and "Ctrl-C stops it safely" in output
    assert "\x1b[2K" in output  # the live line erased as it is redrawn
    summary = output[output.index("= self-heal ="):]
    assert "Ctrl-C stops it safely" not in summary  # gone before the summary
