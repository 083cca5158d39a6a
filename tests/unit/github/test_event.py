"""The event payload: a pull request from the same repository or a fork, push, dispatch."""

import json
from pathlib import Path

import pytest

from pytest_selfheal.github.event import EventError, read_event

EVENTS = Path(__file__).parents[2] / "data" / "github"


def event(name: str, payload: str, tmp_path: Path):
    return read_event({"GITHUB_EVENT_NAME": name, "GITHUB_EVENT_PATH": str(EVENTS / payload),
                       "GITHUB_REPOSITORY": "acme/shop"})


def test_a_pull_request_from_the_same_repository(tmp_path):
    found = event("pull_request", "pull_request.json", tmp_path)
    assert found.repository == "acme/shop"
    assert found.pull_request is not None
    assert (found.pull_request.number, found.pull_request.head_sha) == (7, "HEAD_SHA")
    assert not found.pull_request.from_fork


def test_a_pull_request_from_a_fork(tmp_path):
    found = event("pull_request", "pull_request_fork.json", tmp_path)
    assert found.pull_request is not None and found.pull_request.from_fork
    assert found.pull_request.head_repo == "mallory/shop"


@pytest.mark.parametrize(("name", "payload"), [("push", "push.json"),
                                               ("workflow_dispatch", "workflow_dispatch.json")])
def test_other_events_have_no_pull_request(name, payload, tmp_path):
    found = event(name, payload, tmp_path)
    assert (found.name, found.repository, found.pull_request) == (name, "acme/shop", None)


def test_a_fork_that_was_deleted_counts_as_a_fork(tmp_path):
    payload = json.loads((EVENTS / "pull_request_fork.json").read_text())
    payload["pull_request"]["head"]["repo"] = None
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload))
    found = read_event({"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(path)})
    assert found.pull_request is not None and found.pull_request.from_fork


def test_outside_github_actions_the_message_says_where_it_runs():
    with pytest.raises(EventError, match="runs in a GitHub Actions job"):
        read_event({})
