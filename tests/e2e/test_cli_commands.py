"""The console script after a heal: runs, show, apply, log, clean, --json, --help, exit codes,
and report.md (also written where $GITHUB_STEP_SUMMARY points)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import copy_example, fingerprint, git, init_repo, latest_run_dir, run_pytest

pytestmark = pytest.mark.slow


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest_selfheal", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def healed(tmp_path_factory) -> tuple[Path, Path]:
    """An invoice repository healed once, and the job summary file that run appended to."""
    repo = init_repo(copy_example("invoice", tmp_path_factory.mktemp("healed") / "repo"))
    step_summary = repo.parent / "step-summary.md"
    step_summary.write_text("earlier step\n")
    result = run_pytest(repo, "--selfheal", env={"GITHUB_STEP_SUMMARY": str(step_summary)})
    assert result.returncode == 1 and "healed: plausible fix" in result.stdout, result.stdout
    return repo, step_summary


@pytest.fixture
def healed_copy(healed, tmp_path) -> Path:
    """A private copy (working tree, .git and .selfheal) for commands that change things."""
    return Path(shutil.copytree(healed[0], tmp_path / "repo", symlinks=True))


def test_report_md_is_written_and_appended_to_the_step_summary(healed):
    repo, step_summary = healed
    report_md = (latest_run_dir(repo) / "report.md").read_text()
    for heading in ("## pytest-selfheal: healed", "### Failures", "### Triage", "### Fix",
                    "### Regression test", "### Validation", "### Budget"):
        assert heading in report_md
    assert "`tests/test_discounts.py::test_discount_at_threshold`" in report_md
    assert "```diff\ndiff --git a/invoice/discounts.py" in report_md
    assert "+    return subtotal >= threshold" in report_md
    assert report_md.endswith("\n") and step_summary.read_text() == "earlier step\n" + report_md


def test_runs_lists_time_failures_and_outcome(healed):
    repo, _ = healed
    text = cli(repo, "runs")
    assert text.returncode == 0, text.stderr
    run_id = latest_run_dir(repo).name
    row = next(line for line in text.stdout.splitlines() if run_id in line)
    assert "healed" in row and " 2 " in row and "fix.diff" in row
    listed = json.loads(cli(repo, "runs", "--json").stdout)
    assert [(r["run_id"], r["status"], r["failures"], r["fix"]) for r in listed] == [
        (run_id, "healed", 2, True)]


def test_show_prints_summary_and_diff_latest_by_default(healed):
    repo, _ = healed
    run_id = latest_run_dir(repo).name
    for args in ((), (run_id,), (run_id[:15],)):
        shown = cli(repo, "show", *args)
        assert shown.returncode == 0, shown.stderr
        assert f"run {run_id}" in shown.stdout and ": healed" in shown.stdout
        assert "failed: tests/test_discounts.py::test_discount_at_threshold" in shown.stdout
        assert "+    return subtotal >= threshold" in shown.stdout
    data = json.loads(cli(repo, "show", "--json").stdout)
    assert data["run_id"] == run_id and data["report"]["status"] == "healed"
    assert data["diff"] == (latest_run_dir(repo) / "fix.diff").read_text()


def test_unknown_run_and_no_runs_exit_3_with_the_fix(healed, tmp_path):
    repo, _ = healed
    missing = cli(repo, "show", "nope")
    assert missing.returncode == 3
    assert "'nope' matches no run; `pytest-selfheal runs` lists the run ids" in missing.stderr
    empty = cli(tmp_path, "runs")
    assert empty.returncode == 3 and "run `pytest --selfheal` first" in empty.stdout
    assert json.loads(cli(tmp_path, "runs", "--json").stdout) == []


def test_apply_writes_the_fix_and_the_suite_passes(healed_copy):
    before = fingerprint(healed_copy)
    applied = cli(healed_copy, "apply")
    assert applied.returncode == 0, applied.stderr
    assert "to invoice/discounts.py" in applied.stdout
    after = fingerprint(healed_copy)
    changed = {p for p in before["files"] if before["files"][p] != after["files"][p]}
    assert changed == {"invoice/discounts.py"}
    assert run_pytest(healed_copy).returncode == 0
    again = cli(healed_copy, "apply")
    assert again.returncode == 0 and "already in your working tree" in again.stdout


def test_apply_refuses_on_conflict_and_changes_nothing(healed_copy):
    discounts = healed_copy / "invoice" / "discounts.py"
    discounts.write_text(discounts.read_text().replace("subtotal > threshold",
                                                       "threshold < subtotal"))
    before = fingerprint(healed_copy)
    refused = cli(healed_copy, "apply")
    assert refused.returncode == 4
    assert "does not apply to your working tree" in refused.stderr
    assert "nothing was changed; rerun `pytest --selfheal`" in refused.stderr
    assert fingerprint(healed_copy) == before


def test_log_without_and_with_a_decision_log(healed_copy):
    real = cli(healed_copy, "log")
    assert real.returncode == 0, real.stderr
    kinds = [line.split()[1] for line in real.stdout.splitlines()[1:]]
    assert kinds[0] == "start" and kinds[-1] == "result" and "candidate" in kinds
    assert "seq=" not in real.stdout
    (latest_run_dir(healed_copy) / "decisions.jsonl").unlink()
    absent = cli(healed_copy, "log")
    assert absent.returncode == 3 and "has no decision log" in absent.stdout
    (latest_run_dir(healed_copy) / "decisions.jsonl").write_text(
        json.dumps({"t": 0.5, "stage": "localize", "message": "top suspect discounts.py:12"}) + "\n"
        + json.dumps({"t": 3.25, "stage": "validate", "reason": "plausible", "candidate": 1}) + "\n"
        + "not json\n"
    )
    log = cli(healed_copy, "log")
    assert log.returncode == 0, log.stderr
    lines = log.stdout.splitlines()[1:]
    assert lines == ["    0.5s  localize  top suspect discounts.py:12",
                     "    3.2s  validate  plausible  (candidate=1)",
                     "          -  not json"]


def test_clean_keeps_history_unless_all(healed_copy):
    output = healed_copy / ".selfheal"
    (output / "history.db").write_bytes(b"kept")
    cleaned = cli(healed_copy, "clean")
    assert cleaned.returncode == 0 and "removed 1 run(s)" in cleaned.stdout
    assert not (output / "runs").exists() and (output / "history.db").exists()
    assert cli(healed_copy, "clean", "--all").returncode == 0
    assert not output.exists()
    assert git(healed_copy, "status", "--porcelain") == ""


@pytest.mark.parametrize("command", ["demo", "runs", "show", "apply", "log", "clean", "hook"])
def test_every_command_has_help_with_exit_codes(command, tmp_path):
    shown = cli(tmp_path, command, "--help")
    assert shown.returncode == 0
    assert "exit codes: 0 done, 1 not healed or tests failed, 2 usage error" in shown.stdout
