"""fix.diff's hunks as suggestions: only on the RIGHT-side lines of a hunk of the pull request,
placed by their text when the run saw shifted lines, and everything else in the body."""

from pytest_selfheal.github.review import (
    MARKER,
    SUGGESTION_MARKER,
    ReviewText,
    head_lines,
    place,
    plan,
)
from pytest_selfheal.output.diffs import unified_diff
from pytest_selfheal.output.line_changes import LineChange

BASE = "".join(f"line {n}\n" for n in range(1, 41))
# the pull request changes line 10 and adds a line after 30
HEAD = BASE.replace("line 10\n", "line ten\n").replace("line 30\n", "line 30\nadded\n")
PR_PATCH = unified_diff("pkg/mod.py", BASE.encode(), HEAD.encode()).decode().split("@@", 1)[1]
PR_FILES = [{"filename": "pkg/mod.py", "status": "modified", "patch": "@@" + PR_PATCH}]
FIXED = "tests/test_mod.py::test_ten"
REPORT = {"status": "healed", "reason": "plausible fix",
          "failures": [{"nodeid": FIXED, "exc_type": "AssertionError", "message": "assert 'line ten' == 'line 10'"}],
          "fix": {"diff": "fix.diff", "fixed": [FIXED], "candidate": 0},
          "candidates": [{"description": "restore line 10"}],
          "totals": {"candidates": 3, "plausible": 2, "tests_run": 40},
          "alternatives": [{"candidate": 1}],
          "triage": {"failures": [{"nodeid": FIXED, "kind": "deterministic", "history": "new",
                                   "causal_link": True}]}}


def fix_diff(after: str) -> str:
    return unified_diff("pkg/mod.py", HEAD.encode(), after.encode()).decode()


def test_the_head_lines_of_each_hunk_are_numbered_as_on_the_right_side():
    first, second = head_lines(PR_FILES[0]["patch"])
    assert first[10] == "line ten" and min(first) == 7 and max(first) == 13
    assert second[31] == "added" and second[32] == "line 31"


def test_a_change_on_a_line_the_pull_request_changed_becomes_a_suggestion():
    suggestions, rest = plan(REPORT, fix_diff(HEAD.replace("line ten\n", "line 10\n")), PR_FILES)
    assert rest == ()
    (suggestion,) = suggestions
    assert suggestion.comment() == {"path": "pkg/mod.py", "line": 10, "side": "RIGHT",
                                    "body": suggestion.body}
    assert suggestion.body.startswith(SUGGESTION_MARKER)
    assert "```suggestion\nline 10\n```" in suggestion.body
    assert "restore line 10" in suggestion.body


def test_a_multi_line_change_is_a_range_the_block_replaces_whole():
    after = HEAD.replace("line 30\nadded\n", "line 30\nadded again\nand more\n")
    (suggestion,), _ = plan(REPORT, fix_diff(after), PR_FILES)
    assert suggestion.comment()["line"] == 31 and "start_line" not in suggestion.comment()
    after = HEAD.replace("line 29\nline 30\nadded\n", "line 29 fixed\nline 30\nadded fixed\n")
    (suggestion,), _ = plan(REPORT, fix_diff(after), PR_FILES)
    comment = suggestion.comment()
    assert (comment["start_line"], comment["line"], comment["start_side"]) == (29, 31, "RIGHT")
    assert "```suggestion\nline 29 fixed\nline 30\nadded fixed\n```" in comment["body"]


def test_a_change_outside_the_pull_requests_hunks_goes_in_the_body():
    after = HEAD.replace("line 20\n", "line twenty\n").replace("line ten\n", "line 10\n")
    suggestions, rest = plan(REPORT, fix_diff(after), PR_FILES)
    assert [s.line for s in suggestions] == [10]
    assert [(c.start, c.new) for c in rest] == [(20, ("line twenty",))]
    body = ReviewText(REPORT, fix_diff(after), {}, "<sub>run</sub>").review(suggestions, rest).body
    assert "-line 20\n+line twenty" in body
    assert "1 suggestion(s) on the lines above" in body


def test_lines_the_run_saw_shifted_are_placed_by_their_text():
    change = LineChange("pkg/mod.py", 12, 12, ("line ten",), ("line 10",))  # a merge commit's lines
    assert place(change, head_lines(PR_FILES[0]["patch"])) == (10, 10)
    stale = LineChange("pkg/mod.py", 10, 10, ("something else",), ("x",))
    assert place(stale, head_lines(PR_FILES[0]["patch"])) is None


def test_the_body_carries_the_marker_and_the_evidence_and_the_regression_test():
    suggestions, rest = plan(REPORT, fix_diff(HEAD.replace("line ten\n", "line 10\n")), PR_FILES)
    text = ReviewText(REPORT, "", {"test_regression_mod.py": "def test_regression():\n    assert f() == 1\n"},
                      "<sub>run `r1`</sub>")
    body = text.review(suggestions, rest).body
    assert body.startswith(MARKER)
    assert f"`{FIXED}`: `AssertionError: assert 'line ten' == 'line 10'` (fixed); triage: **deterministic**, new, linked to this change" in body
    assert "of 3 candidate(s) tried, 2 made the failing tests pass" in body
    assert "ranked above 1 alternative(s)" in body
    assert "`test_regression_mod.py`" in body and "```python\ndef test_regression():" in body
    assert body.endswith("<sub>run `r1`</sub>")


def test_a_fix_holding_backticks_gets_a_longer_fence():
    after = HEAD.replace("line ten\n", 'doc = """```python"""\n')
    (suggestion,), _ = plan(REPORT, fix_diff(after), PR_FILES)
    assert '````suggestion\ndoc = """```python"""\n````' in suggestion.body


def test_without_a_fix_there_is_nothing_to_suggest():
    report = {**REPORT, "fix": None}
    assert plan(report, "", PR_FILES) == ((), ())
    assert "No plausible fix was found" in ReviewText(report, "", {}, "").review((), ()).body
