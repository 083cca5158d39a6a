"""A real HTTP server on 127.0.0.1 that answers the GitHub REST API calls the Action makes, as
GitHub does, and records every call.

It holds one repository's pull requests: their files with `patch` (hunks as GitHub shows them),
reviews with their comments, and issue comments. Like GitHub it answers 401 without the token,
403 when the token may not write (`writable=False`, as a fork's or a read-only token), and 422
when a review comment's lines are not on the RIGHT side of one hunk of the pull request's diff.
Lists are paginated (`per_page`, `page`, a `Link: rel="next"` header).
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from helpers import copy_example, git, init_repo
from local_server import LocalServer

HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@", re.MULTILINE)
NOT_ACCESSIBLE = {"message": "Resource not accessible by integration",
                  "documentation_url": "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request",
                  "status": "403"}


EVENTS = Path(__file__).parent / "data" / "github"
FAULTY_LINE = "    return subtotal > threshold"  # invoice/discounts.py on the pull request's branch


def breaking_pull_request(dest: Path) -> Path:
    """The invoice example as a repository green on `main`, checked out on the branch
    `threshold`, the pull request: its commit makes the discount start strictly above the
    threshold (two tests fail) and edits the module's docstring."""
    repo = copy_example("invoice", dest)
    discounts = repo / "invoice" / "discounts.py"
    source = discounts.read_text()
    discounts.write_text(source.replace(FAULTY_LINE, "    return subtotal >= threshold"))
    init_repo(repo)
    git(repo, "branch", "-M", "main")
    git(repo, "switch", "-q", "-c", "threshold")
    discounts.write_text(source.replace('"""Volume discount', '"""Volume discount (strictly above)'))
    git(repo, "commit", "-q", "-am", "Discount strictly above the threshold")
    return repo


def event_payload(repo: Path, fixture: str, dest: Path) -> Path:
    """tests/data/github/`fixture` with the repository's commits in it, written to `dest`."""
    text = (EVENTS / fixture).read_text()
    text = text.replace("HEAD_SHA", git(repo, "rev-parse", "HEAD").strip())
    dest.write_text(text.replace("BASE_SHA", git(repo, "rev-parse", "main").strip()))
    return dest


def pull_files(repo: Path, base: str, head: str) -> list[dict[str, Any]]:
    """A pull request's files as GitHub lists them, from a real `git diff base...head`."""
    names = subprocess.run(["git", "diff", "--name-status", "--no-renames", f"{base}...{head}"],
                           cwd=repo, check=True, capture_output=True, text=True).stdout
    files = []
    for line in names.splitlines():
        status, filename = line.split("\t", 1)
        diff = subprocess.run(["git", "diff", "--no-color", f"{base}...{head}", "--", filename],
                              cwd=repo, check=True, capture_output=True, text=True).stdout
        patch = diff[diff.index("@@"):].rstrip("\n") if "@@" in diff else ""
        files.append({"filename": filename, "patch": patch,
                      "status": {"A": "added", "D": "removed"}.get(status, "modified")})
    return files


def diff_lines(patch: str) -> list[set[int]]:
    """Each hunk's RIGHT-side line numbers, where GitHub accepts a review comment."""
    hunks = []
    for match in HUNK.finditer(patch):
        number, lines = int(match[1]), set()
        for text in patch[match.end():].split("\n")[1:]:
            if text.startswith("@@"):
                break
            if not text.startswith(("-", "\\")):
                lines.add(number)
                number += 1
        hunks.append(lines)
    return hunks


class FakeGitHubAPI(LocalServer):
    """Use as a context manager; `url` goes into GITHUB_API_URL."""

    def __init__(self, repo: str, token: str, pulls: dict[int, list[dict[str, Any]]],
                 writable: bool = True, per_page_cap: int = 100) -> None:
        self.repo, self.token, self.writable = repo, token, writable
        self.files = pulls
        self.per_page_cap = per_page_cap
        self.reviews: dict[int, list[dict[str, Any]]] = {n: [] for n in pulls}
        self.review_comments: dict[int, list[dict[str, Any]]] = {}  # review id -> comments
        self.issue_comments: dict[int, list[dict[str, Any]]] = {n: [] for n in pulls}
        self.opened: list[dict[str, Any]] = []  # pull requests opened through the API
        self.calls: list[tuple[str, str, Any]] = []  # method, path with query, body
        self._ids = 1000
        self._lock = threading.Lock()
        super().__init__(self._handler())

    def writes(self) -> list[tuple[str, str, Any]]:
        return [call for call in self.calls if call[0] != "GET"]

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    # --- the endpoints -------------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict[str, list[str]], body: Any
               ) -> tuple[int, Any]:
        prefix = f"/repos/{self.repo}"
        if not path.startswith(prefix + "/"):
            return 404, {"message": "Not Found"}
        route = path[len(prefix):]
        if method != "GET" and not self.writable:
            return 403, NOT_ACCESSIBLE
        for pattern, handler in self._routes():
            found = re.fullmatch(pattern, f"{method} {route}")
            if found:
                return handler(*map(int, found.groups()), body=body)
        return 404, {"message": "Not Found"}

    def _routes(self) -> list[tuple[str, Any]]:
        return [
            (r"POST /pulls", self._open_pull),
            (r"GET /pulls/(\d+)/files", lambda n, body: (200, self.files[n])),
            (r"GET /pulls/(\d+)/reviews", lambda n, body: (200, self.reviews[n])),
            (r"POST /pulls/(\d+)/reviews", self._create_review),
            (r"PUT /pulls/(\d+)/reviews/(\d+)", self._update_review),
            (r"GET /pulls/(\d+)/reviews/(\d+)/comments",
             lambda n, r, body: (200, self.review_comments.get(r, []))),
            (r"PATCH /pulls/comments/(\d+)", self._update_comment),
            (r"GET /issues/(\d+)/comments", lambda n, body: (200, self.issue_comments[n])),
            (r"POST /issues/(\d+)/comments", self._create_issue_comment),
        ]

    def _create_review(self, number: int, body: Any) -> tuple[int, Any]:
        if not body.get("commit_id") or body.get("event") not in (None, "COMMENT", "APPROVE",
                                                                  "REQUEST_CHANGES"):
            return 422, {"message": "Unprocessable Entity", "errors": ["invalid review"]}
        patches = {f["filename"]: diff_lines(f.get("patch", "")) for f in self.files[number]}
        for comment in body.get("comments", []):
            line = comment["line"]
            start = comment.get("start_line", line)
            if comment.get("side", "RIGHT") != "RIGHT" or start > line or not any(
                    start in hunk and line in hunk for hunk in patches.get(comment["path"], [])):
                return 422, {"message": "Unprocessable Entity",
                             "errors": ["Pull request review thread line must be part of the diff"]}
        review_id = self._next_id()
        review = {"id": review_id, "body": body.get("body", ""), "state": "COMMENTED",
                  "commit_id": body["commit_id"], "user": {"login": "github-actions[bot]"}}
        self.reviews[number].append(review)
        self.review_comments[review_id] = [
            {"id": self._next_id(), "pull_request_review_id": review_id, "path": c["path"],
             "line": c["line"], "start_line": c.get("start_line"), "side": "RIGHT",
             "body": c["body"], "commit_id": body["commit_id"]}
            for c in body.get("comments", [])]
        return 200, review

    def _update_review(self, number: int, review_id: int, body: Any) -> tuple[int, Any]:
        for review in self.reviews[number]:
            if review["id"] == review_id:
                review["body"] = body["body"]
                return 200, review
        return 404, {"message": "Not Found"}

    def _update_comment(self, comment_id: int, body: Any) -> tuple[int, Any]:
        for comments in self.review_comments.values():
            for comment in comments:
                if comment["id"] == comment_id:
                    comment["body"] = body["body"]
                    return 200, comment
        return 404, {"message": "Not Found"}

    def _open_pull(self, body: Any) -> tuple[int, Any]:
        if any(p["head"] == body.get("head") for p in self.opened):
            return 422, {"message": "Validation Failed",
                         "errors": [{"message": f"A pull request already exists for {body.get('head')}."}]}
        number = 100 + len(self.opened)
        self.opened.append({**body, "number": number})
        return 201, {"number": number, "html_url": f"https://github.com/{self.repo}/pull/{number}"}

    def _create_issue_comment(self, number: int, body: Any) -> tuple[int, Any]:
        comment = {"id": self._next_id(), "body": body["body"]}
        self.issue_comments[number].append(comment)
        return 201, comment

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                with api._lock:
                    api.calls.append((self.command, self.path, body))
                    if self.headers.get("Authorization") != f"Bearer {api.token}":
                        status, answer = 401, {"message": "Bad credentials"}
                    else:
                        status, answer = api.answer(self.command, parts.path, query, body)
                link = ""
                if status == 200 and isinstance(answer, list):
                    per_page = min(int(query.get("per_page", ["30"])[0]), api.per_page_cap)
                    page = int(query.get("page", ["1"])[0])
                    if len(answer) > page * per_page:
                        link = (f'<{api.url}{parts.path}?per_page={per_page}&page={page + 1}>; '
                                'rel="next"')
                    answer = answer[(page - 1) * per_page:page * per_page]
                data = json.dumps(answer).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                if link:
                    self.send_header("Link", link)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = _serve

        return Handler
