"""examples/ci/github-actions.yml: its shell steps, run for real against a healed repository."""

import subprocess
from pathlib import Path

import pytest
import yaml
from helpers import git, latest_run_dir, user_env

pytestmark = pytest.mark.slow

WORKFLOW = Path(__file__).resolve().parents[2] / "examples" / "ci" / "github-actions.yml"


def step(job: str, name: str) -> dict[str, str]:
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    return next(s for s in jobs[job]["steps"] if s.get("name") == name)


def bash(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True,
                          env=user_env(env), timeout=300)


def test_the_jobs_heal_summarise_upload_and_open_a_pull_request(example_repo, tmp_path):
    repo = example_repo("invoice")
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    healed = bash(step("test", "pytest --selfheal")["run"], repo, GITHUB_STEP_SUMMARY=str(summary))
    assert healed.returncode == 1, "the job stays red"
    assert summary.read_text().startswith("## pytest-selfheal: healed")
    upload = step("test", "upload the heal runs")
    assert upload["if"] == "always()" and upload["with"]["path"] == ".selfheal/runs/"

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    pushed = bash(step("propose-fix", "push the fix on a branch")["run"], repo,
                  GITHUB_OUTPUT=str(outputs))
    assert pushed.returncode == 0, pushed.stderr
    run = latest_run_dir(repo).name
    assert outputs.read_text() == (f"branch=selfheal/{run}\n"
                                   f"report=.selfheal/runs/{run}/report.md\n")
    on_remote = git(remote, "show", f"selfheal/{run}:invoice/discounts.py")
    assert "return subtotal >= threshold" in on_remote
    assert (repo / ".selfheal" / "runs" / run / "report.md").is_file()
    pull_request = step("propose-fix", "open a pull request")["run"]
    assert '--body-file "${{ steps.branch.outputs.report }}"' in pull_request
