"""`pytest-selfheal github` in-process, for the cases that need no GitHub API: outside a job,
no run, a push (annotations and the job summary only), and secrets of this step's environment."""

import json
from pathlib import Path

import pytest

from pytest_selfheal.cli.exit_codes import EXIT_NOTHING, EXIT_OK, EXIT_USAGE
from pytest_selfheal.cli.main import main

EVENTS = Path(__file__).parents[2] / "data" / "github"
TOKEN = "ghs_unittoken0123456789abcdefABCD"


@pytest.fixture
def in_a_job(monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_EVENT_NAME", "push")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(EVENTS / "push.json"))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "summary.md"))
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    return tmp_path / "summary.md"


def test_outside_a_job_it_says_where_it_runs(project, monkeypatch, capsys):
    monkeypatch.delenv("GITHUB_EVENT_NAME", raising=False)
    monkeypatch.delenv("GITHUB_EVENT_PATH", raising=False)
    assert main(["github", "--root", str(project)]) == EXIT_USAGE
    assert "runs in a GitHub Actions job" in capsys.readouterr().err


def test_failing_tests_without_a_run_is_nothing_there(project, in_a_job, capsys):
    assert main(["github", "--root", str(project)]) == EXIT_NOTHING
    assert "run `pytest --selfheal` first" in capsys.readouterr().err


def test_a_push_gets_annotations_and_the_summary_without_this_steps_secrets(project, add_run, in_a_job,
                                                                           capsys):
    run_dir = add_run("20260101-000000-000001", "not-healed")
    report = json.loads((run_dir / "report.json").read_text())
    report["failures"][0].update(message=f"token {TOKEN} leaked\n::add-mask::x",
                                 frames=[{"path": "pkg/a.py", "line": 4, "function": "f"}])
    (run_dir / "report.json").write_text(json.dumps(report))
    (run_dir / "report.md").write_text(f"## pytest-selfheal: not-healed\n\n{TOKEN}\n")
    assert main(["github", "--root", str(project)]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("::error file=pkg/a.py,line=4,title=tests/test_a.py%3A%3Atest_x failed::")
    assert TOKEN not in out and "[REDACTED]" in out
    assert out.count("\n") == 1  # one command, the test output inside it escaped
    assert in_a_job.read_text() == "## pytest-selfheal: not-healed\n\n[REDACTED]\n"


def test_green_tests_on_a_push_write_nothing(project, in_a_job, capsys):
    assert main(["github", "--root", str(project), "--pytest-exit-code", "0"]) == EXIT_OK
    assert capsys.readouterr().out == "::notice::the tests pass: nothing to show\n"
    assert not in_a_job.exists()


def test_the_review_hides_this_steps_secrets_and_a_fork_gets_nothing(project, add_run, in_a_job,
                                                                    monkeypatch, tmp_path):
    from fake_github_api import FakeGitHubAPI

    run_dir = add_run("20260101-000000-000001", "not-healed")
    report = json.loads((run_dir / "report.json").read_text())
    report["failures"][0]["message"] = f"token {TOKEN} leaked"
    (run_dir / "report.json").write_text(json.dumps(report))
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request")
    with FakeGitHubAPI("acme/shop", TOKEN, {7: []}) as fake:
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        for payload in ("pull_request_fork.json", "pull_request.json"):
            monkeypatch.setenv("GITHUB_EVENT_PATH", str(EVENTS / payload))
            assert main(["github", "--root", str(project)]) == EXIT_OK
            if payload == "pull_request_fork.json":
                assert fake.calls == []
    (review,) = fake.reviews[7]
    assert TOKEN not in review["body"] and "token [REDACTED] leaked" in review["body"]
    assert "No plausible fix was found" in review["body"]
