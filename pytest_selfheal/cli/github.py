"""`github`: after `pytest --selfheal` in a GitHub Actions job, show the run where people look.

Annotations on the failing lines and on the fix, report.md as the job summary, and on a pull
request of the same repository one review whose suggestions are the fix (updated on re-runs;
told that the failure is gone once the tests pass). A fork's pull request gets nothing written:
its token is read-only and no secret is needed. Everything shown is from the run's cleaned
report.json and report.md, and every message passes the Redactor (the token is a secret).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..github.annotations import escape_data, workflow_annotations
from ..github.api import GitHubAPI, GitHubError
from ..github.event import Event, PullRequest, read_event
from ..github.propose import open_fix_pull_request
from ..github.publish import publish, resolve
from ..github.review import ReviewText, gone_body, plan
from ..output import runstore
from ..output.rundir import REPORT_MD
from ..output.summary import job_summary, write_job_summary
from ..redaction import Redactor
from .exit_codes import EXIT_OK

PERMISSION_NEEDED = ("the workflow's token may not write a review on this pull request: give the "
                     "job `permissions: pull-requests: write`; the proposal is in the job summary")


def github_command(root: Path, run_id: str | None, pytest_exit_code: int, artifact: str,
                   open_pr: bool = False) -> int:
    """Annotations, job summary and review for the latest run (or `run_id`); with
    `pytest_exit_code` 0 the tests passed, and only an earlier review is told so. With `open_pr`
    the fix's branch is pushed and a pull request opened (never for a fork's pull request)."""
    redactor = Redactor.from_environment()
    event = read_event()
    if pytest_exit_code == 0:
        _log(redactor, "notice", _resolve(event))
        return EXIT_OK
    run = runstore.find_run(runstore.output_dir(root), run_id)
    # what the heal wrote is clean of its secrets; this step's environment may hold others
    for annotation in workflow_annotations(run.report, run.diff):
        print(redactor.hide(annotation.command()))
    report_md = run.path / REPORT_MD
    markdown = redactor.hide(report_md.read_text(encoding="utf-8")) if report_md.is_file() else ""
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path and markdown:
        write_job_summary(Path(summary_path), job_summary(markdown, run.run_id, artifact))
    pull = event.pull_request
    if pull is not None and pull.from_fork:
        _log(redactor, "notice", f"pull request #{pull.number} comes from the fork "
             f"{pull.head_repo or '(deleted)'}: nothing is written to it or pushed (its token is "
             "read-only); the proposal is in the job summary and the artifact")
        return EXIT_OK
    if pull is not None:
        _log(redactor, *_review(event.repository, pull, run, artifact, redactor))
    if open_pr:
        base_ref = pull.head_ref if pull else os.environ.get("GITHUB_REF_NAME", "")
        _log(redactor, "notice", open_fix_pull_request(
            GitHubAPI.from_environment(), root, event.repository, run.report, base_ref, markdown,
            run.run_id, artifact))
    return EXIT_OK


def _review(repository: str, pull: PullRequest, run: runstore.Run, artifact: str,
            redactor: Redactor) -> tuple[str, str]:
    """Create or update the pull request's review: the level and text of what happened. Its
    text hides this step's secrets too; the fix's lines are fix.diff's, which holds none."""
    footer = (f"<sub>pytest-selfheal run `{run.run_id}`: the whole report is in the job summary "
              f"and the `{artifact}` artifact.</sub>")
    tests = {path.name: redactor.hide(path.read_text(encoding="utf-8"))
             for path in sorted(run.path.glob("test_regression_*.py"))}
    text = ReviewText(redactor.hide_tree(run.report), run.diff, tests, footer)
    try:
        api = GitHubAPI.from_environment()
        files = api.get_all(f"/repos/{repository}/pulls/{pull.number}/files")
        published = publish(api, repository, pull, text, *plan(run.report, run.diff, files))
    except GitHubError as exc:
        return "warning", (PERMISSION_NEEDED if exc.status == 403 else
                           f"the review could not be written ({exc}); the proposal is in the job summary")
    return "notice", f"pull request #{pull.number}: {published.message}"


def _resolve(event: Event) -> str:
    pull = event.pull_request
    if pull is None or pull.from_fork:
        return "the tests pass: nothing to show"
    try:
        api = GitHubAPI.from_environment()
        footer = "<sub>pytest-selfheal</sub>"
        return resolve(api, event.repository, pull, gone_body(pull.head_sha, footer)).message
    except GitHubError as exc:
        return PERMISSION_NEEDED if exc.status == 403 else \
            f"the earlier review could not be updated ({exc})"


def _log(redactor: Redactor, level: str, message: str) -> None:
    """A `::notice::`/`::warning::` line; its text is cleaned and escaped like any test output."""
    print(f"::{level}::{escape_data(redactor.clean(message))}", file=sys.stdout)
