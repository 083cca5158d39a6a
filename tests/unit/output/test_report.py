"""report.json's fields and the files write_run leaves in the run directory, for the three ways
a heal ends: healed, not healed, error."""

import json
from pathlib import Path

import pytest

from pytest_selfheal.heal.fix_modes import ModeAction
from pytest_selfheal.heal.ranking import Evidence
from pytest_selfheal.heal.regression import Regression
from pytest_selfheal.heal.request import HealRequest, HealResult
from pytest_selfheal.models import Candidate, Edit, Outcome, Suspect, Verdict
from pytest_selfheal.output.report import REPORT_VERSION, report_json, write_run

NODEID = "tests/test_discounts.py::test_discount_at_threshold"  # the failure of `heal_request`
DIFF = b"diff --git a/invoice/discounts.py b/invoice/discounts.py\n--- a/x\n+++ b/x\n"


@pytest.fixture(autouse=True)
def outside_github_actions(monkeypatch):
    """report.md would also be appended to the job summary of a CI run of these tests."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def outcome(after: str, verdict: Verdict, fixed: tuple[str, ...] = ()) -> Outcome:
    edit = Edit(path="invoice/discounts.py", before="    return subtotal > threshold\n",
                after=after, description=f"`>` -> `{after.split()[2]}`", line=12)
    return Outcome(Candidate(edits=(edit,), score=0.9), verdict, 0.25, fixed=fixed)


def run_dir(tmp_path: Path) -> Path:
    path = tmp_path / ".selfheal" / "runs" / "20260101-000000-000001"
    path.mkdir(parents=True)
    return path


def healed(heal_request: HealRequest) -> HealResult:
    wrong = outcome("    return subtotal < threshold\n", Verdict.STILL_FAILING)
    fix = outcome("    return subtotal >= threshold\n", Verdict.PLAUSIBLE, fixed=(NODEID,))
    return HealResult(
        "healed", "plausible fix", heal_request, run_dir=run_dir(heal_request.rootdir),
        targets=(NODEID,), suspects=(Suspect("invoice/discounts.py", 12, "qualifies", 0.8),),
        outcomes=(wrong, fix), fix=fix, fix_evidence=Evidence(1, (), 6, None, 1, 0.9),
        why_first="the only plausible patch", diff=DIFF, seconds=3.5, seconds_to_green=2.0,
        agent="builtin", details={"stop_reason": "healed"},
        action=ModeAction("report", False, "proposal only"),
        regression=Regression(path="tests/test_regression_qualifies.py",
                              source="def test_regression():\n    assert True\n",
                              function="test_regression", reason="pins the threshold"),
    )


def test_a_healed_run_reports_the_fix_and_the_candidates(heal_request):
    data = report_json(healed(heal_request))
    assert data["version"] == REPORT_VERSION and data["run_id"] == "20260101-000000-000001"
    assert (data["status"], data["reason"], data["agent"]) == ("healed", "plausible fix", "builtin")
    assert data["fix"] == {"files": ["invoice/discounts.py"], "diff": "fix.diff", "candidate": 1,
                           "fixed": [NODEID],
                           "ranking": {"why": "the only plausible patch", "restored": 0,
                                       "antipatterns": [], "ast_change": 6, "ast_growth": 0,
                                       "bits_per_token": None, "changed_calls": None}}
    assert [c["verdict"] for c in data["candidates"]] == ["still-failing", "plausible"]
    assert data["candidates"][1]["edits"] == [{"path": "invoice/discounts.py", "line": 12,
                                               "template": "manual", "description": "`>` -> `>=`"}]
    assert data["suspects"][0]["function"] == "qualifies"
    assert data["totals"] == {"failures": 1, "tests_run": 2, "candidates": 2, "plausible": 1,
                              "seconds": 3.5, "seconds_to_green": 2.0, "candidate_seconds": 0.5}
    assert data["mode"] == {"mode": "report", "done": False, "message": "proposal only",
                            "branch": "", "commit": ""}
    assert data["decisions"] == "decisions.jsonl"
    assert data["regression"]["path"] == "tests/test_regression_qualifies.py"
    assert data["stop_reason"] == "healed"
    assert data["alternatives"] == []
    json.dumps(data)  # report.json must serialise as it is


def test_write_run_leaves_fix_report_markdown_and_the_regression_test(heal_request):
    result = healed(heal_request)
    write_run(result)
    assert result.run_dir is not None
    assert sorted(p.name for p in result.run_dir.iterdir()) == [
        "fix.diff", "report.json", "report.md", "report.sarif", "test_regression_qualifies.py"]
    assert (result.run_dir / "fix.diff").read_bytes() == DIFF
    assert json.loads((result.run_dir / "report.json").read_text())["status"] == "healed"
    markdown = (result.run_dir / "report.md").read_text()
    assert "## pytest-selfheal: healed" in markdown
    assert "Ranked first of 1 plausible patch(es): the only plausible patch." in markdown
    assert "assert True" in (result.run_dir / "test_regression_qualifies.py").read_text()


def test_a_run_without_a_fix_writes_no_diff(heal_request, tmp_path):
    tried = outcome("    return subtotal < threshold\n", Verdict.STILL_FAILING)
    result = HealResult("not-healed", "no candidate made the failing tests pass",
                        heal_request, run_dir=run_dir(tmp_path), targets=(NODEID,),
                        outcomes=(tried,), agent="builtin")
    data = report_json(result)
    assert data["fix"] is None and data["regression"] is None and data["triage"] is None
    assert data["mode"] == {"mode": "report", "done": False, "message": ""}
    assert data["totals"]["plausible"] == 0
    write_run(result)
    assert result.run_dir is not None
    assert sorted(p.name for p in result.run_dir.iterdir()) == ["report.json", "report.md", "report.sarif"]
    assert "No plausible fix was found." in (result.run_dir / "report.md").read_text()


def test_an_error_is_reported_with_its_reason_and_no_run_dir_means_no_files(heal_request, tmp_path):
    result = HealResult("error", "no git repository at /x: run `git init`", heal_request)
    data = report_json(result)
    assert (data["status"], data["reason"]) == ("error", "no git repository at /x: run `git init`")
    assert data["candidates"] == [] and data["fix"] is None
    write_run(result)
    assert list(tmp_path.iterdir()) == []
