"""`pytest --selfheal`, then `pytest-selfheal github`, on a real repository where a pull request
breaks a test, against the fake GitHub API on 127.0.0.1: what a reviewer would see."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from fake_github_api import FAULTY_LINE, FakeGitHubAPI, breaking_pull_request, event_payload, pull_files
from helpers import fingerprint, git, latest_run_dir, run_pytest, user_env

from pytest_selfheal.github.review import MARKER, SUGGESTION_MARKER

TOKEN = "ghs_e2etoken0123456789abcdefABCDEF"


@pytest.fixture(scope="module")
def healed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The invoice example, green on `main`; the branch `threshold` (the pull request) changes
    the threshold test to `>` and a docstring; `pytest --selfheal` has run on the branch."""
    repo = breaking_pull_request(tmp_path_factory.mktemp("pr") / "shop")
    result = run_pytest(repo, "--selfheal", "--selfheal-agent=builtin",
                        env={"GITHUB_STEP_SUMMARY": ""})
    assert result.returncode == 1, result.stdout[-3000:]
    assert (latest_run_dir(repo) / "fix.diff").is_file(), result.stdout[-3000:]
    return repo


def github(repo: Path, tmp_path: Path, fake: FakeGitHubAPI | None, payload: str = "pull_request.json",
           name: str = "pull_request", exit_code: int = 1, token: str = TOKEN, *extra: str
           ) -> subprocess.CompletedProcess[str]:
    env = {"GITHUB_EVENT_NAME": name, "GITHUB_EVENT_PATH": str(event_payload(repo, payload, tmp_path / "event.json")),
           "GITHUB_REPOSITORY": "acme/shop", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
           "GITHUB_API_URL": fake.url if fake else "http://127.0.0.1:9", "GITHUB_TOKEN": token}
    if not token:
        del env["GITHUB_TOKEN"]
    env["GITHUB_REF_NAME"] = "threshold"
    return subprocess.run([sys.executable, "-m", "pytest_selfheal", "github",
                           "--pytest-exit-code", str(exit_code), *extra],
                          cwd=repo, capture_output=True, text=True, env=user_env(env), timeout=120)


def applied(text: str, start: int, end: int, block: str) -> str:
    lines = text.splitlines(keepends=True)
    return "".join([*lines[:start - 1], block, *lines[end:]])


def suggestion_block(body: str) -> str:
    after = body.split("```suggestion\n", 1)[1]
    return after[:after.index("```")]


def test_a_pull_request_gets_one_review_whose_suggestion_heals_the_suite(healed, tmp_path):
    before = fingerprint(healed)
    with FakeGitHubAPI("acme/shop", TOKEN, {7: pull_files(healed, "main", "threshold")}) as fake:
        first = github(healed, tmp_path, fake)
        assert first.returncode == 0, first.stderr
        again = github(healed, tmp_path, fake)  # the job is re-run
        assert again.returncode == 0, again.stderr
    assert fingerprint(healed) == before

    faulty = next(n for n, line in enumerate((healed / "invoice/discounts.py").read_text().splitlines(), 1)
                  if line == FAULTY_LINE)
    (review,) = fake.reviews[7]
    assert review["body"].startswith(MARKER)
    assert "tests/test_discounts.py::test_discount_at_threshold" in review["body"]
    (comment,) = fake.review_comments[review["id"]]
    assert comment["body"].startswith(SUGGESTION_MARKER)
    assert (comment["path"], comment["start_line"] or comment["line"]) == ("invoice/discounts.py", faulty)
    assert [(method, path.split("?")[0]) for method, path, _ in fake.writes()] == [
        ("POST", "/repos/acme/shop/pulls/7/reviews"),
        ("PATCH", f"/repos/acme/shop/pulls/comments/{comment['id']}"),
        ("PUT", f"/repos/acme/shop/pulls/7/reviews/{review['id']}")]
    assert "updated in place" in again.stdout
    # annotations: the fix's line first, then the failing test's innermost project frame
    commands = [line for line in first.stdout.splitlines() if line.startswith("::error ")]
    assert commands[0].startswith(f"::error file=invoice/discounts.py,line={faulty},title=pytest-selfheal")
    assert TOKEN not in first.stdout + first.stderr
    assert (tmp_path / "summary.md").read_text().startswith("## pytest-selfheal: healed")

    # a reviewer commits the suggestion: the suite passes
    accepted = tmp_path / "accepted"
    shutil.copytree(healed, accepted, ignore=shutil.ignore_patterns(".selfheal"))
    target = accepted / comment["path"]
    target.write_text(applied(target.read_text(), comment["start_line"] or comment["line"],
                              comment["line"], suggestion_block(comment["body"])))
    green = run_pytest(accepted, "-q")
    assert green.returncode == 0, green.stdout[-2000:]

    # the next run is green: the review says the failure is gone, and nothing new is added
    with FakeGitHubAPI("acme/shop", TOKEN, {7: fake.files[7]}) as later:
        later.reviews, later.review_comments = fake.reviews, fake.review_comments
        gone = github(accepted, tmp_path, later, exit_code=0)
    assert gone.returncode == 0, gone.stderr
    assert len(later.reviews[7]) == 1 and "the failure is gone" in later.reviews[7][0]["body"]
    assert [m for m, _, _ in later.writes()] == ["PUT", "PATCH"]


def test_the_run_left_a_valid_report_sarif_with_the_fix_on_the_faulty_line(healed):
    schema = json.loads((Path(__file__).parents[1] / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text())
    log = json.loads((latest_run_dir(healed) / "report.sarif").read_text())
    assert [e.message for e in jsonschema.Draft4Validator(schema).iter_errors(log)] == []
    results = log["runs"][0]["results"]
    report = json.loads((latest_run_dir(healed) / "report.json").read_text())
    assert [r["properties"]["nodeid"] for r in results] == [f["nodeid"] for f in report["failures"]]
    faulty = (healed / "invoice/discounts.py").read_text().splitlines().index(FAULTY_LINE) + 1
    # the first failure is an assertion in the test: it is shown at the suspect, the faulty line
    where = results[0]["locations"][0]["physicalLocation"]
    assert (where["artifactLocation"]["uri"], where["region"]["startLine"]) == ("invoice/discounts.py", faulty)
    (change,) = results[0]["fixes"][0]["artifactChanges"]
    assert change["replacements"] == [{"deletedRegion": {"startLine": faulty, "endLine": faulty},
                                       "insertedContent": {"text": "    return subtotal >= threshold"}}]


def test_a_fork_pull_request_gets_nothing_written_and_needs_no_token(healed, tmp_path):
    with FakeGitHubAPI("acme/shop", TOKEN, {7: pull_files(healed, "main", "threshold")}) as fake:
        result = github(healed, tmp_path, fake, payload="pull_request_fork.json", token="")
    assert result.returncode == 0, result.stderr
    assert fake.calls == []
    assert "comes from the fork mallory/shop: nothing is written" in result.stdout
    assert (tmp_path / "summary.md").read_text().startswith("## pytest-selfheal: healed")
    assert "::error file=invoice/discounts.py" in result.stdout


def test_without_pull_requests_write_it_says_so_and_the_summary_still_has_the_fix(healed, tmp_path):
    with FakeGitHubAPI("acme/shop", TOKEN, {7: pull_files(healed, "main", "threshold")},
                       writable=False) as fake:
        result = github(healed, tmp_path, fake)
    assert result.returncode == 0, result.stderr
    assert "::warning::" in result.stdout and "pull-requests: write" in result.stdout
    assert fake.reviews[7] == []
    assert "```diff" in (tmp_path / "summary.md").read_text()


@pytest.mark.parametrize(("name", "payload"), [("push", "push.json"),
                                               ("workflow_dispatch", "workflow_dispatch.json")])
def test_other_events_get_annotations_and_the_summary_only(healed, tmp_path, name, payload):
    with FakeGitHubAPI("acme/shop", TOKEN, {7: []}) as fake:
        result = github(healed, tmp_path, fake, payload=payload, name=name)
    assert result.returncode == 0, result.stderr
    assert fake.calls == []
    assert "::error file=invoice/discounts.py" in result.stdout
    assert "::notice::" not in result.stdout  # no review to speak of


@pytest.mark.parametrize(("payload", "opened"), [("pull_request.json", True),
                                                 ("pull_request_fork.json", False)])
def test_open_pr_pushes_the_fix_branch_and_opens_a_pull_request_but_never_for_a_fork(
        tmp_path, payload, opened):
    repo = breaking_pull_request(tmp_path / "shop")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main", "threshold")
    result = run_pytest(repo, "--selfheal", "--selfheal-agent=builtin", "--selfheal-branch",
                        env={"GITHUB_STEP_SUMMARY": ""})
    assert result.returncode == 1, result.stdout[-3000:]
    branch = f"selfheal/{latest_run_dir(repo).name}"
    before = fingerprint(repo)
    with FakeGitHubAPI("acme/shop", TOKEN, {7: pull_files(repo, "main", "threshold")}) as fake:
        done = github(repo, tmp_path, fake, payload, "pull_request", 1, TOKEN, "--open-pr")
    assert done.returncode == 0, done.stderr
    assert fingerprint(repo) == before
    on_remote = git(remote, "branch", "--list").split()
    if not opened:
        assert branch not in on_remote and fake.calls == []
        return
    assert branch in on_remote
    assert "return subtotal >= threshold" in git(remote, "show", f"{branch}:invoice/discounts.py")
    (pull,) = fake.opened
    assert (pull["head"], pull["base"]) == (branch, "threshold")
    assert pull["body"].startswith("## pytest-selfheal: healed")
    assert f"opened pull request #{pull['number']} into threshold" in done.stdout
