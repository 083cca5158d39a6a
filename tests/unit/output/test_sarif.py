"""report.sarif: one SARIF 2.1.0 result per failure, at the suspect, with the traceback and the
fix, valid against the official schema (tests/data/sarif), and holding no secret."""

import json
from pathlib import Path

import jsonschema
import pytest

from pytest_selfheal.config import Settings
from pytest_selfheal.heal.request import HealRequest, HealResult
from pytest_selfheal.models import Candidate, Edit, Failure, Frame, Outcome, Suspect, Verdict
from pytest_selfheal.output.diffs import unified_diff
from pytest_selfheal.output.report import write_run
from pytest_selfheal.output.sarif import primary_location
from pytest_selfheal.redaction import Redactor

SCHEMA = json.loads((Path(__file__).parents[2] / "data" / "sarif" / "sarif-schema-2.1.0.json")
                    .read_text(encoding="utf-8"))
FAILING = "tests/test_discounts.py::test_discount_at_threshold"
OTHER = "tests/test_discounts.py::test_other"
SOURCE = "".join(f"# line {n}\n" for n in range(1, 12)) + "    return subtotal > threshold\n" + "# end\n"
SECRET = "s3cr3t-value-0123456789"


@pytest.fixture(autouse=True)
def outside_github_actions(monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def healed(tmp_path: Path, *, secret_in_patch: bool = False) -> HealResult:
    frames = (Frame("tests/test_discounts.py", 5, "test_discount_at_threshold"),
              Frame("invoice/discounts.py", 12, "qualifies"),
              Frame("/usr/lib/python3.11/functools.py", 40, "wrapper"))
    failures = (Failure(FAILING, "call", "AssertionError", f"assert 95.0 == 90.0 token {SECRET}",
                        frames=frames),
                Failure(OTHER, "call", "KeyError", "'rate'",
                        frames=(Frame("tests/test_discounts.py", 9, "test_other"),
                                Frame("invoice/rates.py", 3, "rate"))))
    request = HealRequest(repo_root=tmp_path, rootdir=tmp_path, failures=failures,
                          outcomes={FAILING: "failed", OTHER: "failed"}, settings=Settings(),
                          make_agent=lambda name: None, run_id="20260101-000000-000001",
                          redactor=Redactor((SECRET,)))
    after = SOURCE.replace(">", ">=") + (f"# {SECRET}\n" if secret_in_patch else "")
    edit = Edit(path="invoice/discounts.py", before="    return subtotal > threshold\n",
                after="    return subtotal >= threshold\n", description="`>` -> `>=`", line=12)
    fix = Outcome(Candidate(edits=(edit,), score=0.9), Verdict.PLAUSIBLE, 0.5, fixed=(FAILING,))
    run_dir = tmp_path / ".selfheal" / "runs" / request.run_id
    run_dir.mkdir(parents=True)
    return HealResult("healed", "plausible fix", request, run_dir=run_dir, targets=(FAILING,),
                      suspects=(Suspect("invoice/discounts.py", 12, "qualifies", 0.8),),
                      outcomes=(fix,), fix=fix, agent="builtin",
                      diff=unified_diff("invoice/discounts.py", SOURCE.encode(), after.encode()))


def written(result: HealResult) -> dict:
    write_run(result)
    assert result.run_dir is not None
    return json.loads((result.run_dir / "report.sarif").read_text(encoding="utf-8"))


def test_report_sarif_is_valid_sarif_2_1_0(tmp_path):
    log = written(healed(tmp_path))
    errors = [e.message for e in jsonschema.Draft4Validator(SCHEMA).iter_errors(log)]
    assert errors == []
    assert log["version"] == "2.1.0"


def test_one_result_per_failure_at_its_suspect_or_innermost_project_frame(tmp_path):
    first, second = written(healed(tmp_path))["runs"][0]["results"]
    where = first["locations"][0]["physicalLocation"]
    assert where["artifactLocation"] == {"uri": "invoice/discounts.py", "uriBaseId": "%SRCROOT%"}
    assert where["region"] == {"startLine": 12}
    # the second failure's traceback does not pass through the suspect's file
    assert second["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "invoice/rates.py"
    assert second["message"]["text"] == f"{OTHER} failed: KeyError: 'rate'"


def test_the_traceback_is_the_related_locations_and_a_code_flow(tmp_path):
    first = written(healed(tmp_path))["runs"][0]["results"][0]
    related = [(r["physicalLocation"]["artifactLocation"]["uri"],
                r["physicalLocation"]["region"]["startLine"]) for r in first["relatedLocations"]]
    assert related == [("tests/test_discounts.py", 5), ("invoice/discounts.py", 12),
                       ("file:///usr/lib/python3.11/functools.py", 40)]
    flow = first["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [step["location"]["message"]["text"] for step in flow] == [
        "test_discount_at_threshold (frame 1 of 3)", "qualifies (frame 2 of 3)", "wrapper (frame 3 of 3)"]


def test_the_fix_replaces_the_faulty_line_and_only_on_the_failure_it_fixes(tmp_path):
    first, second = written(healed(tmp_path))["runs"][0]["results"]
    (fix,) = first["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "invoice/discounts.py"
    assert change["replacements"] == [{"deletedRegion": {"startLine": 12, "endLine": 12},
                                       "insertedContent": {"text": "    return subtotal >= threshold"}}]
    assert "`>` -> `>=`" in fix["description"]["text"]
    assert "fixes" not in second


def test_secrets_are_redacted_as_in_report_json(tmp_path):
    result = healed(tmp_path)
    text = json.dumps(written(result))
    assert SECRET not in text and "[REDACTED]" in text


def test_a_patch_holding_a_secret_is_no_sarif_fix(tmp_path):
    log = written(healed(tmp_path, secret_in_patch=True))
    assert SECRET not in json.dumps(log)
    assert all("fixes" not in result for result in log["runs"][0]["results"])


def test_an_assertion_in_the_test_itself_is_shown_at_the_top_suspect():
    failure = {"nodeid": "tests/test_x.py::test_y",
               "frames": [{"path": "tests/test_x.py", "line": 7, "function": "test_y"}]}
    suspects = [{"path": "pkg/calc.py", "line": 30, "function": "total"}]
    assert primary_location(failure, suspects) == ("pkg/calc.py", 30)
    assert primary_location(failure, ()) == ("tests/test_x.py", 7)


def test_without_any_suspect_or_project_frame_the_test_file_is_the_location():
    failure = {"nodeid": "tests/test_x.py::test_y", "frames": [
        {"path": "/venv/lib/site-packages/lib.py", "line": 3, "function": "f"}]}
    assert primary_location(failure, ()) == ("tests/test_x.py", 1)
