"""The event that started the workflow, from the payload `$GITHUB_EVENT_PATH` names: what the
review needs of a pull request, and whether it comes from a fork (its token cannot write)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SelfHealError


class EventError(SelfHealError):
    """The event payload is missing or unreadable."""


@dataclass(frozen=True)
class PullRequest:
    number: int
    base_repo: str  # owner/name
    head_repo: str
    head_sha: str
    head_ref: str  # the pull request's branch

    @property
    def from_fork(self) -> bool:
        """A fork's pull request runs with a read-only token and no secrets: nothing is written."""
        return self.head_repo != self.base_repo


@dataclass(frozen=True)
class Event:
    name: str  # pull_request, push, workflow_dispatch, ...
    repository: str  # owner/name
    pull_request: PullRequest | None


PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")


def read_event(env: Mapping[str, str] = os.environ) -> Event:
    """The event of the running workflow, from GITHUB_EVENT_NAME and GITHUB_EVENT_PATH."""
    name = env.get("GITHUB_EVENT_NAME", "")
    path = env.get("GITHUB_EVENT_PATH", "")
    if not name or not path:
        raise EventError("GITHUB_EVENT_NAME and GITHUB_EVENT_PATH are not set: "
                         "`pytest-selfheal github` runs in a GitHub Actions job")
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EventError(f"cannot read the event payload {path}: {exc}") from None
    return parse_event(name, payload, env.get("GITHUB_REPOSITORY", ""))


def parse_event(name: str, payload: dict[str, Any], repository: str = "") -> Event:
    repository = str((payload.get("repository") or {}).get("full_name") or repository)
    pull = payload.get("pull_request") if name in PULL_REQUEST_EVENTS else None
    if not pull:
        return Event(name, repository, None)
    base = str(pull["base"]["repo"]["full_name"])
    head_repo = (pull.get("head") or {}).get("repo") or {}  # null when the fork was deleted
    return Event(name, repository or base, PullRequest(
        number=int(pull["number"]), base_repo=base,
        head_repo=str(head_repo.get("full_name") or ""), head_sha=str(pull["head"]["sha"]),
        head_ref=str(pull["head"].get("ref") or "")))
