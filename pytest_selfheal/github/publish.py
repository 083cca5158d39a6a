"""Put the review on the pull request, or update the one an earlier run left.

An earlier review is found by the hidden marker in its body. GitHub cannot add comments to a
submitted review: on a re-run its body is replaced, its suggestions that still stand are
rewritten in place, those that no longer do say so, and new ones go in the body. A 403 means the
token may not write reviews (`pull-requests: write`): left to the caller. A 422 means GitHub
refused a suggestion's line: the review is sent again with every suggestion in its body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..output.line_changes import LineChange
from .api import GitHubAPI, GitHubError
from .event import PullRequest
from .review import MARKER, SUGGESTION_MARKER, Review, ReviewText, Suggestion

WITHDRAWN = SUGGESTION_MARKER + "\n*pytest-selfheal no longer proposes this change: {why}.*"


@dataclass(frozen=True)
class Published:
    """What was done, for the job's log."""

    action: str  # created, created-without-suggestions, updated, resolved, nothing
    review_id: int | None
    message: str


def publish(api: GitHubAPI, repo: str, pull: PullRequest, text: ReviewText,
            suggestions: tuple[Suggestion, ...], rest: tuple[LineChange, ...]) -> Published:
    """Create the review, or update the earlier one."""
    base = f"/repos/{repo}/pulls/{pull.number}"
    earlier = find_earlier(api, base)
    if earlier is not None:
        return _update(api, base, earlier, text, suggestions, rest)
    try:
        created = _create(api, base, pull, text.review(suggestions, rest))
        return Published("created", created,
                         f"review {created} with {len(suggestions)} suggestion(s)")
    except GitHubError as exc:
        if exc.status != 422 or not suggestions:
            raise
    created = _create(api, base, pull, text.review((), rest + tuple(s.change for s in suggestions)))
    return Published("created-without-suggestions", created, f"review {created}: GitHub refused "
                     "the suggestions' lines, so the changes are in its body")


def resolve(api: GitHubAPI, repo: str, pull: PullRequest, body: str) -> Published:
    """The tests pass: the earlier review, if there is one, says the failure is gone."""
    base = f"/repos/{repo}/pulls/{pull.number}"
    earlier = find_earlier(api, base)
    if earlier is None:
        return Published("nothing", None, "the tests pass and there is no earlier review to update")
    api.request("PUT", f"{base}/reviews/{earlier}", {"body": body})
    for comment in _own_comments(api, base, earlier):
        api.request("PATCH", f"/repos/{repo}/pulls/comments/{comment['id']}",
                    {"body": WITHDRAWN.format(why="the tests pass")})
    return Published("resolved", earlier, f"review {earlier} updated: the failure is gone")


def find_earlier(api: GitHubAPI, base: str) -> int | None:
    """The newest review of this pull request that carries the marker."""
    ours = [r for r in api.get_all(f"{base}/reviews") if MARKER in str(r.get("body") or "")]
    return int(ours[-1]["id"]) if ours else None


def _create(api: GitHubAPI, base: str, pull: PullRequest, review: Review) -> int:
    answer, _ = api.request("POST", f"{base}/reviews", {
        "commit_id": pull.head_sha, "body": review.body, "event": "COMMENT",
        "comments": [s.comment() for s in review.suggestions],
    })
    return int(answer["id"])


def _update(api: GitHubAPI, base: str, earlier: int, text: ReviewText,
            suggestions: tuple[Suggestion, ...], rest: tuple[LineChange, ...]) -> Published:
    """Each earlier suggestion rewritten with the one now on the same lines, or withdrawn; the
    body replaced, holding the changes no earlier comment stands for."""
    repo_base = base.rsplit("/pulls/", 1)[0]
    on_lines = {(s.path, s.start, s.line): s for s in suggestions}
    kept: list[Suggestion] = []
    for comment in _own_comments(api, base, earlier):
        line = int(comment.get("line") or 0)
        start = int(comment.get("start_line") or line)
        suggestion = on_lines.pop((str(comment.get("path")), start, line), None)
        if suggestion is not None:
            kept.append(suggestion)
        body = suggestion.body if suggestion else \
            WITHDRAWN.format(why="a later run proposes something else; see the review")
        api.request("PATCH", f"{repo_base}/pulls/comments/{comment['id']}", {"body": body})
    review = text.review(tuple(kept), rest + tuple(s.change for s in on_lines.values()))
    api.request("PUT", f"{base}/reviews/{earlier}", {"body": review.body})
    return Published("updated", earlier,
                     f"review {earlier} updated in place ({len(kept)} suggestion(s) standing)")


def _own_comments(api: GitHubAPI, base: str, review_id: int) -> list[dict[str, Any]]:
    return [c for c in api.get_all(f"{base}/reviews/{review_id}/comments")
            if SUGGESTION_MARKER in str(c.get("body") or "")]
