"""The review a pull request gets: fix.diff's changes as `suggestion` blocks on the lines the
pull request changed, and the rest in the body with the evidence.

GitHub accepts a review comment only on a line of the pull request's diff (its RIGHT side: the
head's lines in a hunk), and a suggestion replaces every line of the range it is put on. A change
becomes a suggestion when the head's lines it replaces all lie in one hunk of the pull request's
patch and read there as the run saw them (the run may have tested a merge commit whose lines
are shifted; the text places them). Every other change, and the regression test, go in the body.
Built from report.json's cleaned data and the run's files: nothing here calls GitHub.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..git import parse_diff
from ..output.line_changes import LineChange, line_changes
from ..output.sarif import fix_description

MARKER = "<!-- pytest-selfheal:review -->"
SUGGESTION_MARKER = "<!-- pytest-selfheal:suggestion -->"
MAX_BODY = 60_000  # GitHub refuses a body above 65,536 characters
_BACKTICKS = re.compile(r"`{3,}")


@dataclass(frozen=True)
class Suggestion:
    """A review comment whose `suggestion` block replaces head lines `start`..`line` of `path`."""

    path: str
    start: int
    line: int
    change: LineChange
    body: str

    def comment(self) -> dict[str, Any]:
        """The review comment as GitHub's API takes it."""
        place: dict[str, Any] = {"path": self.path, "line": self.line, "side": "RIGHT",
                                 "body": self.body}
        if self.start != self.line:
            place.update(start_line=self.start, start_side="RIGHT")
        return place


@dataclass(frozen=True)
class Review:
    body: str
    suggestions: tuple[Suggestion, ...]


@dataclass(frozen=True)
class ReviewText:
    """What any review of a run says: report.json's cleaned data, fix.diff's text, the regression
    tests (file name -> source) and a footer naming the run."""

    report: dict[str, Any]
    diff: str
    regression_tests: dict[str, str]
    footer: str

    def review(self, suggestions: tuple[Suggestion, ...], rest: tuple[LineChange, ...]) -> Review:
        """The review with these suggestions, and `rest` in its body."""
        return Review(review_body(self, len(suggestions), rest), suggestions)


def head_lines(patch: str) -> list[dict[int, str]]:
    """Each hunk of a pull request file's `patch` as its RIGHT-side lines: number -> text."""
    hunks = []
    for file_diff in parse_diff(f"--- a/f\n+++ b/f\n{patch.rstrip(chr(10))}\n"):
        for hunk in file_diff.hunks:
            number, lines = hunk.new_start, {}
            for text in hunk.lines:
                if not text.startswith("-"):
                    lines[number] = text[1:]
                    number += 1
            hunks.append(lines)
    return hunks


def place(change: LineChange, hunks: list[dict[int, str]]) -> tuple[int, int] | None:
    """Where in the head `change`'s old lines are, inside one hunk: at the lines the run saw
    when they read the same there, else the nearest place they do; None when nowhere."""
    places = []
    for lines in hunks:
        for start in lines:
            if all(lines.get(start + i) == text for i, text in enumerate(change.old)):
                places.append(start)
    if not change.old or not places:
        return None
    start = min(places, key=lambda s: abs(s - change.start))
    return start, start + len(change.old) - 1


def plan(report: dict[str, Any], diff: str, pr_files: list[dict[str, Any]]
         ) -> tuple[tuple[Suggestion, ...], tuple[LineChange, ...]]:
    """The fix's changes as suggestions where GitHub allows them, and the rest. `pr_files` is
    the pull request's files as GitHub lists them (with `patch`)."""
    patches = {str(f.get("filename")): head_lines(str(f.get("patch") or "")) for f in pr_files
               if f.get("status") != "removed"}
    suggestions, rest = [], []
    for change in line_changes(diff) if (report.get("fix") or {}).get("diff") else ():
        where = place(change, patches.get(change.path, []))
        if where is None:
            rest.append(change)
        else:
            suggestions.append(Suggestion(change.path, *where, change,
                                          suggestion_body(report, change)))
    return tuple(suggestions), tuple(rest)


def suggestion_body(report: dict[str, Any], change: LineChange) -> str:
    fixed = len((report.get("fix") or {}).get("fixed", ()))
    fence = _fence("\n".join(change.new))
    return (f"{SUGGESTION_MARKER}\n**pytest-selfheal** proposes this change: "
            f"{fix_description(report) or 'a validated fix'}. It makes {fixed} failing test(s) pass "
            f"and breaks no test that passed.\n\n{fence}suggestion\n" + "\n".join(change.new)
            + f"\n{fence}")


def review_body(text: ReviewText, placed: int, rest: tuple[LineChange, ...]) -> str:
    report, footer = text.report, text.footer
    failures = report.get("failures", ())
    sections = [f"{MARKER}\n### pytest-selfheal: {len(failures)} failing test(s), "
                f"{report.get('status', 'unknown')}\n\n{report.get('reason', '')}",
                _failures(report), _evidence(report)]
    if (report.get("fix") or {}).get("diff"):
        sections.append(f"**The fix** ({fix_description(report) or 'see below'}): "
                        + (f"{placed} suggestion(s) on the lines above, ready to commit. "
                           if placed else "")
                        + ("The rest is not on lines this pull request changed, where GitHub "
                           "takes suggestions:\n\n" + _fenced("diff", _mini_diff(rest))
                           if rest else "")
                        + ("" if rest or placed else "\n\n" + _fenced("diff", text.diff)))
    elif (report.get("fix") or {}).get("withheld"):
        sections.append(f"**The fix is not shown**: {report['fix']['withheld']}.")
    else:
        sections.append("**No plausible fix was found**; the failures are listed above.")
    for name, source in text.regression_tests.items():
        sections.append(f"**Regression test** `{name}` (fails before the fix, passes after):\n\n"
                        + _fenced("python", source))
    sections.append(footer)
    body = "\n\n".join(sections)
    if len(body) > MAX_BODY:
        body = body[:MAX_BODY - 200].rsplit("\n", 1)[0] + "\n\n*(cut: the whole report is in " \
            "the job summary and the artifact)*\n\n" + footer
    return body


def gone_body(head_sha: str, footer: str) -> str:
    """What the earlier review says once the tests pass."""
    return (f"{MARKER}\n### pytest-selfheal: the failure is gone\n\nThe tests pass at "
            f"{head_sha[:12] or 'the latest commit'}; nothing is proposed any more.\n\n{footer}")


def _failures(report: dict[str, Any]) -> str:
    triage = {t.get("nodeid"): t for t in (report.get("triage") or {}).get("failures", ())}
    fixed = set((report.get("fix") or {}).get("fixed", ()))
    lines = []
    for failure in report.get("failures", ())[:20]:
        nodeid = failure.get("nodeid")
        message = (str(failure.get("message", "")).strip().splitlines() or [""])[0][:200]
        verdict = triage.get(nodeid)
        lines.append(f"- `{nodeid}`: `{failure.get('exc_type')}: {message}`"
                     + (" (fixed)" if nodeid in fixed else "")
                     + (f"; triage: **{verdict.get('kind')}**, {verdict.get('history') or 'no history'}"
                        + (", linked to this change" if verdict.get("causal_link") else "")
                        if verdict else ""))
    more = len(report.get("failures", ())) - 20
    return "\n".join(lines) + (f"\n- and {more} more" if more > 0 else "")


def _evidence(report: dict[str, Any]) -> str:
    totals = report.get("totals", {})
    fix = report.get("fix") or {}
    if not fix:
        return (f"{totals.get('candidates', 0)} candidate fix(es) were tried; none made the "
                "failing tests pass.")
    alternatives = report.get("alternatives") or ()
    return (f"**Why this patch**: of {totals.get('candidates', 0)} candidate(s) tried, "
            f"{totals.get('plausible', 0)} made the failing tests pass without breaking one that "
            f"passed ({totals.get('tests_run', 0)} test(s) ran); this one fixes "
            f"{len(fix.get('fixed', ()))} test(s)"
            + (f" and was ranked above {len(alternatives)} alternative(s) by the size of its change"
               if alternatives else "") + ".")


def _mini_diff(changes: tuple[LineChange, ...]) -> str:
    return "\n".join(f"--- a/{c.path}\n+++ b/{c.path}\n@@ -{c.start},{len(c.old)} +{c.start},"
                     f"{len(c.new)} @@\n" + "\n".join([*("-" + t for t in c.old), *("+" + t for t in c.new)])
                     for c in changes)


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in `text`."""
    return "`" * max([3, *(len(run) + 1 for run in _BACKTICKS.findall(text))])


def _fenced(language: str, text: str) -> str:
    fence = _fence(text)
    return f"{fence}{language}\n{text.rstrip()}\n{fence}"
