"""action.yml: checked by actionlint with the README's usage and the example workflow, and its
shell steps run for real on a repository where a pull request breaks a test, against the fake
GitHub API on 127.0.0.1."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import yaml
from fake_github_api import FakeGitHubAPI, breaking_pull_request, event_payload, pull_files
from helpers import git, readme_snippet, user_env

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
TOKEN = "ghs_actiontoken0123456789abcdefAB"


def actionlint(repo: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("actionlint")
    assert binary, "actionlint is in the test extra: pip install -e '.[test]'"
    return subprocess.run([binary, "-no-color"], cwd=repo, capture_output=True, text=True, timeout=120)


def workflow_repo(tmp_path: Path, steps: str) -> Path:
    """A repository with action.yml at its root and a workflow whose job runs `steps`."""
    repo = tmp_path / "lint"
    (repo / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ACTION, repo / "action.yml")
    job = "\n".join("      " + line for line in steps.strip("\n").splitlines())
    (repo / ".github" / "workflows" / "tests.yml").write_text(
        "name: tests\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    permissions:\n      contents: read\n      pull-requests: write\n    steps:\n" + job + "\n")
    git(repo, "init", "-q")
    return repo


def test_the_readme_usage_with_this_action_yml_passes_actionlint(tmp_path):
    usage = readme_snippet("### GitHub Actions", "yaml")
    assert len(usage.strip().splitlines()) == 4
    assert "pytest-selfheal/pytest-selfheal@v1" in usage
    # the local copy stands for the published action, so its inputs are checked too
    steps = usage.replace("pytest-selfheal/pytest-selfheal@v1", "./") + \
        "  with:\n    pytest-args: -n 2\n    agent: builtin\n    budget: 60\n    mode: branch\n"
    result = actionlint(workflow_repo(tmp_path, steps))
    assert result.returncode == 0, result.stdout


def test_actionlint_catches_an_input_the_action_does_not_have(tmp_path):
    steps = "- uses: actions/checkout@v4\n- uses: ./\n  with:\n    pytest-arguments: -x\n"
    result = actionlint(workflow_repo(tmp_path, steps))
    assert result.returncode == 1
    assert 'input "pytest-arguments" is not defined in action "pytest-selfheal"' in result.stdout


def test_the_example_workflow_passes_actionlint(tmp_path):
    repo = tmp_path / "example"
    (repo / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "ci" / "github-actions.yml", repo / ".github" / "workflows")
    git(repo, "init", "-q")
    result = actionlint(repo)
    assert result.returncode == 0, result.stdout


def expand(value: str, inputs: dict[str, str], outputs: dict[str, str]) -> str:
    """The few expressions action.yml uses, as the runner evaluates them."""
    def one(match: re.Match[str]) -> str:
        expression = match[1].strip()
        if expression.startswith("inputs."):
            return inputs[expression.removeprefix("inputs.")]
        if expression == "steps.pytest.outputs.exit-code":
            return outputs.get("exit-code", "")
        if expression == "github.token":
            return TOKEN
        raise AssertionError(f"an expression this test does not know: {expression}")
    return re.sub(r"\$\{\{(.*?)\}\}", one, value)


def test_the_action_steps_heal_review_and_keep_the_job_red(tmp_path):
    repo = breaking_pull_request(tmp_path / "shop")
    event = event_payload(repo, "pull_request.json", tmp_path / "event.json")

    action = yaml.safe_load(ACTION.read_text())
    assert action["runs"]["using"] == "composite"
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    inputs["github-token"] = TOKEN
    outputs: dict[str, str] = {}
    github_output, summary = tmp_path / "github_output", tmp_path / "summary.md"
    ran = []
    with FakeGitHubAPI("acme/shop", TOKEN, {7: pull_files(repo, "main", "threshold")}) as fake:
        for step in action["runs"]["steps"]:
            if "run" not in step:
                assert step["uses"].startswith("actions/upload-artifact@")
                assert expand(step["with"]["path"], inputs, outputs) == "./.selfheal/runs/"
                assert step["if"] == "always()"
                continue
            condition = expand(step.get("if", "true"), inputs, outputs)
            env = {k: expand(str(v), inputs, outputs) for k, v in step.get("env", {}).items()}
            env.update(GITHUB_OUTPUT=str(github_output), GITHUB_STEP_SUMMARY=str(summary),
                       GITHUB_EVENT_NAME="pull_request", GITHUB_EVENT_PATH=str(event),
                       GITHUB_REPOSITORY="acme/shop", GITHUB_API_URL=fake.url)
            if condition.endswith("!= '0'") and outputs.get("exit-code") == "0":
                continue
            cwd = repo / expand(step.get("working-directory", "."), inputs, outputs)
            result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, capture_output=True,
                                    text=True, env=user_env(env), timeout=600)
            ran.append((step["name"], result.returncode, result.stdout))
            if github_output.exists():
                outputs.update(line.split("=", 1) for line in github_output.read_text().splitlines())
    names = [(name, code) for name, code, _ in ran]
    assert names == [("pytest --selfheal", 0), ("annotations, job summary and review", 0),
                     ("the job stays red when tests fail", 1)], ran
    assert outputs["exit-code"] == "1"
    (review,) = fake.reviews[7]
    (comment,) = fake.review_comments[review["id"]]
    assert comment["path"] == "invoice/discounts.py" and "subtotal >= threshold" in comment["body"]
    # the pytest step wrote no summary of its own: the one summary is the github step's
    assert summary.read_text().count("## pytest-selfheal: healed") == 1
    assert "::error file=invoice/discounts.py" in ran[1][2]


def pytest_step(repo: Path, tmp_path: Path, **given: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """The action's pytest step run as the runner runs it, with the inputs' defaults and `given`;
    its result and what it wrote to GITHUB_OUTPUT."""
    action = yaml.safe_load(ACTION.read_text())
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()} | given
    (step,) = [s for s in action["runs"]["steps"] if s.get("id") == "pytest"]
    github_output = tmp_path / "github_output"
    github_output.touch()
    env = {k: expand(str(v), inputs, {}) for k, v in step["env"].items()}
    env.update(GITHUB_OUTPUT=str(github_output), CI="true", GITHUB_ACTIONS="true")
    result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, capture_output=True,
                            text=True, env=user_env(env), timeout=600)
    return result, github_output.read_text()


def test_mode_branch_commits_the_fix_on_a_branch_and_leaves_the_checkout(example_repo, tmp_path):
    repo = example_repo("invoice")  # shipped with its bug: `subtotal > threshold`
    head, status = git(repo, "rev-parse", "HEAD"), git(repo, "status", "--porcelain")
    result, outputs = pytest_step(repo, tmp_path, mode="branch")
    assert result.returncode == 0 and outputs == "exit-code=1\n", result.stdout + result.stderr
    (branch,) = git(repo, "branch", "--list", "selfheal/*", "--format=%(refname:short)").split()
    assert "return subtotal >= threshold" in git(repo, "show", f"{branch}:invoice/discounts.py")
    assert git(repo, "rev-parse", "HEAD") == head and git(repo, "status", "--porcelain") == status


def test_mode_report_is_the_default_and_creates_no_branch(example_repo, tmp_path):
    repo = example_repo("invoice")
    result, outputs = pytest_step(repo, tmp_path)
    assert outputs == "exit-code=1\n", result.stdout + result.stderr
    assert git(repo, "branch", "--list", "selfheal/*") == ""


def test_an_unknown_mode_stops_the_step_before_pytest_runs(example_repo, tmp_path):
    repo = example_repo("invoice")
    result, outputs = pytest_step(repo, tmp_path, mode="apply")
    assert result.returncode == 2 and outputs == ""
    assert "the mode input is apply; use report or branch (apply is refused in CI)" in result.stderr
    assert not (repo / ".selfheal").exists(), "pytest never ran"
