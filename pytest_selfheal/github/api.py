"""A small client of GitHub's REST API on urllib: the few calls the review makes.

GITHUB_API_URL (GitHub Enterprise, or a local server in the tests) and GITHUB_TOKEN come from
the job's environment. Errors are values the caller turns into a message: a 403 means the
token lacks a permission, a 422 that GitHub refused what was sent (a line outside the diff).
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import SelfHealError

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
TIMEOUT = 30
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class GitHubError(SelfHealError):
    """GitHub answered with an error status (or could not be reached: status 0)."""

    def __init__(self, status: int, method: str, path: str, message: str) -> None:
        super().__init__(f"GitHub API {method} {path}: {status or 'unreachable'} {message}".strip())
        self.status = status


@dataclass(frozen=True)
class GitHubAPI:
    base_url: str
    token: str

    @classmethod
    def from_environment(cls, env: Mapping[str, str] = os.environ) -> GitHubAPI:
        token = env.get("GITHUB_TOKEN", "")
        if not token:
            raise SelfHealError("GITHUB_TOKEN is not set: pass `github-token` to the action, or "
                                "set `env: GITHUB_TOKEN: ${{ github.token }}` on the step")
        return cls(env.get("GITHUB_API_URL", DEFAULT_API_URL).rstrip("/"), token)

    def get(self, path: str) -> Any:
        return self.request("GET", path)[0]

    def get_all(self, path: str) -> list[Any]:
        """Every page of a list (`per_page=100`, then the `Link: rel="next"` pages)."""
        items: list[Any] = []
        url: str | None = path + ("&" if "?" in path else "?") + "per_page=100"
        while url:
            page, link = self.request("GET", url)
            items += page
            found = _NEXT.search(link)
            url = found[1] if found else None
        return items

    def request(self, method: str, path: str, body: Any = None) -> tuple[Any, str]:
        """The decoded JSON answer and its Link header; `path` is relative to the API's URL or a
        whole URL GitHub handed out (a next page)."""
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION,
            "Authorization": f"Bearer {self.token}", "User-Agent": "pytest-selfheal",
            **({"Content-Type": "application/json"} if data is not None else {}),
        })
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                text = response.read().decode("utf-8")
                return (json.loads(text) if text else None), response.headers.get("Link", "")
        except urllib.error.HTTPError as exc:
            raise GitHubError(exc.code, method, path, _error_message(exc)) from None
        except (urllib.error.URLError, OSError) as exc:
            raise GitHubError(0, method, path, str(exc)) from None


def _error_message(exc: urllib.error.HTTPError) -> str:
    try:
        answer = json.loads(exc.read().decode("utf-8"))
    except (OSError, ValueError):
        return str(exc.reason)
    if not isinstance(answer, dict):
        return str(exc.reason)
    details = [str(e.get("message") or e) if isinstance(e, dict) else str(e)
               for e in answer.get("errors") or ()]
    return "; ".join([str(answer.get("message", exc.reason)), *details])
