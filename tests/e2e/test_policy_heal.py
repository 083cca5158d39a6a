"""Policy and decision log through `pytest --selfheal`: rejected candidates never run, and
decisions.jsonl tells why this patch and not another."""

import json

import pytest
from helpers import fingerprint, latest_report, latest_run_dir, run_pytest

pytestmark = pytest.mark.slow

REAL_FIX = {"description": "inclusive threshold", "edits": [
    {"path": "invoice/discounts.py", "find": "subtotal > threshold", "replace": "subtotal >= threshold"}]}
CHEATS = [
    {"description": "edit the test", "edits": [
        {"path": "tests/test_discounts.py", "find": 'Decimal("90.00")', "replace": 'Decimal("100.00")'}]},
    {"description": "skip it", "edits": [
        {"path": "invoice/discounts.py", "find": "    if subtotal < 0:",
         "replace": "    import pytest\n    pytest.skip('flaky')\n    if subtotal < 0:"}]},
    {"description": "special-case the input", "edits": [
        {"path": "invoice/discounts.py", "find": "subtotal > threshold",
         "replace": 'subtotal > threshold or subtotal == Decimal("100.00")'}]},
    {"description": "swallow errors", "edits": [
        {"path": "invoice/discounts.py", "find": "    return subtotal > threshold",
         "replace": "    try:\n        return subtotal > threshold\n    except Exception:\n        return True"}]},
    {"description": "exit early", "edits": [
        {"path": "invoice/discounts.py", "find": "    if subtotal < 0:",
         "replace": "    import os\n    os._exit(0)\n    if subtotal < 0:"}]},
]


def decisions(repo):
    return [json.loads(line) for line in (latest_run_dir(repo) / "decisions.jsonl").read_text().splitlines()]


def test_cheating_candidates_are_rejected_before_any_test_runs(example_repo, tmp_path):
    repo = example_repo("invoice")
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"candidates": [*CHEATS, REAL_FIX]}))
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal", f"--selfheal-agent=scripted:{script}")
    assert result.returncode == 1
    assert fingerprint(repo) == before
    report = latest_report(repo)
    assert report["status"] == "healed"
    verdicts = [(c["verdict"], c["detail"].split(":")[:2]) for c in report["candidates"]]
    assert verdicts == [
        ("rejected", ["policy", " forbidden-path"]),
        ("rejected", ["policy", " adds-skip"]),
        ("rejected", ["policy", " special-cases-test-input"]),
        ("rejected", ["policy", " broad-except"]),
        ("rejected", ["policy", " adds-exit"]),
        ("plausible", [""]),
    ]
    assert all(c["seconds"] == 0.0 for c in report["candidates"][:5]), "rejected means never run"

    log = decisions(repo)
    assert [e["seq"] for e in log] == list(range(1, len(log) + 1))
    kinds = [e["kind"] for e in log]
    assert kinds[0] == "start" and kinds[-1] == "result"
    assert kinds.count("candidate") == 6 and "triage" in kinds and "suspects" in kinds
    assert "agent" in kinds
    candidates = [e for e in log if e["kind"] == "candidate"]
    assert candidates[0]["policy"].startswith("rejected: forbidden-path: tests/test_discounts.py")
    assert candidates[-1]["policy"] == "allowed" and candidates[-1]["verdict"] == "plausible"
    assert len(candidates[-1]["edits"][0]["after"]) == 16, "edits are logged by content hash"
    triage = next(e for e in log if e["kind"] == "triage")
    assert "tests/test_discounts.py::test_discount_at_threshold" in triage["targets"]
    assert log[-1]["status"] == "healed"


def test_limits_from_the_command_line(example_repo, tmp_path):
    repo = example_repo("invoice")
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"candidates": [REAL_FIX]}))
    run_pytest(repo, "--selfheal", f"--selfheal-agent=scripted:{script}",
               "--selfheal-forbidden-paths=invoice/disc*.py")
    report = latest_report(repo)
    assert report["status"] == "not-healed"
    assert report["candidates"][0]["detail"] == (
        "policy: forbidden-path: invoice/discounts.py matches forbidden_paths")
