"""Opt-in: push the branch `pytest --selfheal --selfheal-branch` committed the fix on, and open a
pull request from it. Only in the base repository: a fork's pull request never gets here.

The branch was made without touching the checkout (heal/fix_modes.py); pushing it writes only
the remote's new branch (not even a remote-tracking ref here). Its pull request targets the
branch the tests ran on (a pull request's head branch, or the pushed branch), with report.md as
its body.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..git import run_git
from ..output.summary import job_summary
from .api import GitHubAPI, GitHubError
from .review import MAX_BODY

NEEDS = "give the job `permissions: contents: write` and `pull-requests: write`"


def open_fix_pull_request(api: GitHubAPI, repo_root: Path, repository: str, report: dict[str, Any],
                          base_ref: str, report_md: str, run_id: str, artifact: str) -> str:
    """What was done, in words for the job's log; never raises for git or API errors."""
    mode = report.get("mode") or {}
    branch = str(mode.get("branch") or "")
    if mode.get("mode") != "branch" or not mode.get("done") or not branch:
        return ("no pull request opened: the run committed no fix on a branch ("
                + (str(mode.get("message")) or "run pytest with --selfheal-branch") + ")")
    if not base_ref:
        return "no pull request opened: the branch the tests ran on is unknown (GITHUB_REF_NAME)"
    # to origin's URL, not its name: no remote-tracking ref of the checkout changes
    url = run_git(repo_root, "remote", "get-url", "--push", "origin").stdout.strip()
    pushed = run_git(repo_root, "push", url or "origin", f"refs/heads/{branch}:refs/heads/{branch}",
                     timeout=None)
    if pushed.returncode != 0:
        return f"the fix's branch {branch} was not pushed ({pushed.stderr.strip()}); {NEEDS}"
    try:
        answer, _ = api.request("POST", f"/repos/{repository}/pulls", {
            "title": f"Fix from pytest-selfheal run {run_id}", "head": branch, "base": base_ref,
            "body": job_summary(report_md, run_id, artifact, limit=MAX_BODY),
        })
    except GitHubError as exc:
        why = NEEDS if exc.status == 403 else str(exc)
        return f"pushed {branch}, but no pull request was opened: {why}"
    return f"pushed {branch} and opened pull request #{answer.get('number')} into {base_ref}"
