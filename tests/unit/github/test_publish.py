"""The review through the REST client against the fake GitHub API on 127.0.0.1: created once,
updated in place on a re-run, told when the failure is gone, sent again without suggestions on
a 422, and a 403 left to the caller."""

import pytest
from fake_github_api import FakeGitHubAPI

from pytest_selfheal.github.api import GitHubAPI, GitHubError
from pytest_selfheal.github.event import PullRequest
from pytest_selfheal.github.publish import publish, resolve
from pytest_selfheal.github.review import MARKER, ReviewText, gone_body, plan
from pytest_selfheal.output.diffs import unified_diff

BASE = "".join(f"line {n}\n" for n in range(1, 41))
HEAD = BASE.replace("line 10\n", "line ten\n")
PATCH = "@@" + unified_diff("pkg/mod.py", BASE.encode(), HEAD.encode()).decode().split("@@", 1)[1]
FILES = [{"filename": "pkg/mod.py", "status": "modified", "patch": PATCH}]
TOKEN = "ghs_faketoken0123456789abcdef"
PULL = PullRequest(7, "acme/shop", "acme/shop", "a" * 40, "threshold")
REPORT = {"status": "healed", "failures": [{"nodeid": "t.py::t", "exc_type": "E", "message": "m"}],
          "fix": {"diff": "fix.diff", "fixed": ["t.py::t"], "candidate": 0},
          "candidates": [{"description": "restore line 10"}], "totals": {}}


def text_for(after: str) -> tuple[ReviewText, str]:
    diff = unified_diff("pkg/mod.py", HEAD.encode(), after.encode()).decode()
    return ReviewText(REPORT, diff, {}, "<sub>run</sub>"), diff


def publish_fix(fake: FakeGitHubAPI, after: str, files=FILES):
    text, diff = text_for(after)
    return publish(GitHubAPI(fake.url, TOKEN), "acme/shop", PULL, text, *plan(REPORT, diff, files))


@pytest.fixture
def fake():
    with FakeGitHubAPI("acme/shop", TOKEN, {7: FILES}, per_page_cap=1) as server:
        yield server


def test_one_review_with_the_suggestion_on_the_changed_line(fake):
    published = publish_fix(fake, HEAD.replace("line ten\n", "line 10\n"))
    assert published.action == "created"
    (review,) = fake.reviews[7]
    assert review["body"].startswith(MARKER) and review["commit_id"] == "a" * 40
    (comment,) = fake.review_comments[review["id"]]
    assert (comment["path"], comment["line"]) == ("pkg/mod.py", 10)
    assert "```suggestion\nline 10\n```" in comment["body"]


def test_a_rerun_updates_the_review_instead_of_adding_one(fake):
    fake.reviews[7].append({"id": 1, "body": "LGTM", "state": "APPROVED"})  # a person's review
    first = publish_fix(fake, HEAD.replace("line ten\n", "line 10\n"))
    second = publish_fix(fake, HEAD.replace("line ten\n", "line 10 # restored\n"))
    assert (second.action, second.review_id) == ("updated", first.review_id)
    assert [r["id"] for r in fake.reviews[7]] == [1, first.review_id]  # the list was paged
    (comment,) = fake.review_comments[first.review_id]
    assert "```suggestion\nline 10 # restored\n```" in comment["body"]
    assert [c[0] for c in fake.writes()] == ["POST", "PATCH", "PUT"]


def test_once_the_tests_pass_the_review_says_the_failure_is_gone(fake):
    first = publish_fix(fake, HEAD.replace("line ten\n", "line 10\n"))
    gone = resolve(GitHubAPI(fake.url, TOKEN), "acme/shop", PULL, gone_body("b" * 40, "<sub>run</sub>"))
    assert (gone.action, gone.review_id) == ("resolved", first.review_id)
    (review,) = fake.reviews[7]
    assert "the failure is gone" in review["body"] and "bbbbbbbbbbbb" in review["body"]
    (comment,) = fake.review_comments[review["id"]]
    assert "suggestion" not in comment["body"].split("-->", 1)[1]
    assert "no longer proposes this change: the tests pass" in comment["body"]


def test_without_an_earlier_review_a_green_run_writes_nothing(fake):
    gone = resolve(GitHubAPI(fake.url, TOKEN), "acme/shop", PULL, gone_body("b" * 40, ""))
    assert gone.action == "nothing" and fake.writes() == []


def test_a_422_sends_the_review_again_with_the_changes_in_its_body(fake):
    # the run placed its suggestion on the head's lines, but GitHub's diff has moved on
    stale = [{"filename": "pkg/mod.py", "status": "modified", "patch": "@@ -30,3 +30,3 @@\n line 30\n-x\n+y\n line 32"}]
    text, diff = text_for(HEAD.replace("line ten\n", "line 10\n"))
    published = publish(GitHubAPI(fake.url, TOKEN), "acme/shop", PULL, text, *plan(REPORT, diff, FILES))
    assert published.action == "created"  # the fake still holds FILES: accepted
    fake.files[7] = stale
    fake.reviews[7].clear()
    published = publish(GitHubAPI(fake.url, TOKEN), "acme/shop", PULL, text, *plan(REPORT, diff, FILES))
    assert published.action == "created-without-suggestions"
    (review,) = fake.reviews[7]
    assert fake.review_comments[review["id"]] == []
    assert "-line ten\n+line 10" in review["body"]


def test_a_403_is_left_to_the_caller():
    with FakeGitHubAPI("acme/shop", TOKEN, {7: FILES}, writable=False) as fake, \
            pytest.raises(GitHubError) as raised:
        publish_fix(fake, HEAD.replace("line ten\n", "line 10\n"))
    assert raised.value.status == 403
    assert "Resource not accessible by integration" in str(raised.value)


def test_a_rerun_proposing_other_lines_withdraws_the_old_suggestion_and_puts_the_new_in_the_body(fake):
    two_hunks = [{"filename": "pkg/mod.py", "status": "modified",
                  "patch": "@@" + unified_diff("pkg/mod.py", BASE.encode(),
                                               HEAD.replace("line 30\n", "line thirty\n").encode()
                                               ).decode().split("@@", 1)[1]}]
    fake.files[7] = two_hunks
    first = publish_fix(fake, HEAD.replace("line ten\n", "line 10\n"), files=two_hunks)
    again = publish_fix(fake, HEAD.replace("line 20\n", "line twenty\n"), files=two_hunks)
    assert again.action == "updated" and len(fake.reviews[7]) == 1
    (comment,) = fake.review_comments[first.review_id]
    assert "no longer proposes this change: a later run proposes something else" in comment["body"]
    assert "-line 20\n+line twenty" in fake.reviews[7][0]["body"]
