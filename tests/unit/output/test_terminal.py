"""The "self-heal" section of pytest's terminal summary, as a user reads it."""

from rich.console import Console

from pytest_selfheal.heal.changes import ChangedLines
from pytest_selfheal.heal.ranking import Evidence
from pytest_selfheal.heal.regression import Regression
from pytest_selfheal.heal.request import Alternative, HealResult
from pytest_selfheal.heal.signature import Signature
from pytest_selfheal.heal.triage import CausalLink, FailureTriage, Triage
from pytest_selfheal.models import Candidate, Edit, Outcome, Suspect, Verdict
from pytest_selfheal.output.terminal import TOP_SUSPECTS, render

NODEID = "tests/test_discounts.py::test_discount_at_threshold"  # the failure of `heal_request`
DIFF = (b"diff --git a/invoice/discounts.py b/invoice/discounts.py\n--- a/invoice/discounts.py\n"
        b"+++ b/invoice/discounts.py\n@@ -12 +12 @@\n-    return subtotal > threshold\n"
        b"+    return subtotal >= threshold\n")


def plausible(after: str) -> Outcome:
    edit = Edit(path="invoice/discounts.py", before="    return subtotal > threshold\n",
                after=after, description="`>` -> `>=`", line=12)
    return Outcome(Candidate(edits=(edit,)), Verdict.PLAUSIBLE, 0.2, fixed=(NODEID,))


def shown(result: HealResult) -> str:
    console = Console(record=True, width=200, force_terminal=False)
    render(result, console)
    return console.export_text()


def test_a_healed_run_shows_the_fix_where_it_is_and_how_to_apply_it(heal_request, tmp_path):
    run_dir = tmp_path / ".selfheal" / "runs" / "20260101-000000-000001"
    fix = plausible("    return subtotal >= threshold\n")
    other = plausible("    return not subtotal <= threshold - 0.01\n")
    suspects = tuple(Suspect("invoice/discounts.py", line, f"f{line}", 1 - line / 100)
                     for line in range(10, 10 + TOP_SUSPECTS + 2))
    text = shown(HealResult(
        "healed", "plausible fix", heal_request, run_dir=run_dir, targets=(NODEID,),
        suspects=suspects, outcomes=(fix, other), fix=fix,
        alternatives=(Alternative(other, Evidence(1, (), 3, None, 1, 0.0)),),
        why_first="the smaller change (2 AST subtrees changed, the runner-up 3)", diff=DIFF, seconds=3.46,
        seconds_to_green=1.3, agent="builtin", details={"stop_reason": "healed"},
        regression=Regression(path="tests/test_regression_qualifies.py",
                              reason="pins the threshold"),
    ))
    assert "1 failure(s) considered" in text
    assert f"  {NODEID}: AssertionError: assert 95.0 == 90.0\n" in text
    assert "top suspects" in text and "invoice/discounts.py:10" in text and "0.90" in text
    assert f"invoice/discounts.py:{10 + TOP_SUSPECTS}" not in text  # only the top ones
    assert ("2 candidate(s) tried in 3.5s with the builtin agent (healed); first complete fix "
            "after 1.3s") in text
    assert "healed: plausible fix" in text
    assert "plausible fix (`>` -> `>=`):" in text
    assert "+    return subtotal >= threshold" in text
    assert f"fix:    {run_dir / 'fix.diff'}" in text
    assert "regression test: tests/test_regression_qualifies.py (pins the threshold)" in text
    assert f"apply:  git apply {run_dir / 'fix.diff'}" in text
    assert f"report: {run_dir / 'report.json'}" in text
    assert f"log:    {run_dir / 'decisions.jsonl'}" in text
    assert ("1 other plausible patch(es) ranked below it in report.json (alternatives); ranked "
            "first: the smaller change (2 AST subtrees changed, the runner-up 3)") in text


def test_a_run_without_a_fix_says_why_and_offers_nothing_to_apply(heal_request, tmp_path):
    text = shown(HealResult("not-healed", "no candidate made the failing tests pass",
                            heal_request, run_dir=tmp_path, agent="builtin"))
    assert "not-healed: no candidate made the failing tests pass" in text
    assert "0 candidate(s) tried in 0.0s with the builtin agent (not-healed)" in text
    assert "apply:" not in text and "fix:" not in text and "top suspects" not in text
    assert f"report: {tmp_path / 'report.json'}" in text


def test_a_skipped_heal_is_one_line(heal_request):
    text = shown(HealResult("skipped", "--selfheal-max-failures exceeded (12 > 10)",
                            heal_request))
    assert text == "self-heal skipped: --selfheal-max-failures exceeded (12 > 10)\n"


def test_many_failures_triage_shows_counts_and_why_the_held_ones_are_held_once(heal_request):
    """humanize without pytest-benchmark: 15 benchmark tests held beside one bug; past ten
    failures the verdicts are counted, and what to install would be in report.json only."""
    unlinked = CausalLink(False, False, "low", ())
    note = ("fixture 'benchmark' not found and no file of the repository defines it: "
            "pytest-benchmark, which provides it, is not installed here")
    held = [FailureTriage(f"tests/test_benchmarks.py::test_{n}", "not-installed", {},
                          Signature(str(n), "x"), "no baseline", None, "", unlinked, False, note)
            for n in range(15)]
    bug = FailureTriage(NODEID, "deterministic", {"failed_alone": 3}, Signature("b", "y"),
                        "no baseline", None, "", CausalLink(True, True, "high", ("a.py:1",)), True, "")
    text = shown(HealResult("healed", "plausible fix", heal_request, targets=(NODEID,),
                            triage=Triage((*held, bug), ChangedLines("HEAD", "HEAD", frozenset()), 0)))
    assert ("  15 not-installed, 1 deterministic; 16 no baseline; 1 with a causal link to a change "
            "(each verdict in report.json)\n") in text
    assert f"  15 held: {note}\n" in text
    assert text.count("held:") == 1
