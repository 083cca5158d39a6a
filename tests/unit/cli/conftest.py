import json
from pathlib import Path

import pytest


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project root whose output is the default `.selfheal`, whatever the environment says."""
    monkeypatch.delenv("SELFHEAL_OUTPUT", raising=False)
    return tmp_path


@pytest.fixture
def add_run(project):
    """Write a run directory as a heal leaves it: report.json, and fix.diff when there is a fix."""

    def add(run_id: str, status: str, diff: str = "", decisions: str = "") -> Path:
        run_dir = project / ".selfheal" / "runs" / run_id
        run_dir.mkdir(parents=True)
        report = {"status": status, "reason": f"the run ended {status}", "agent": "builtin",
                  "failures": [{"nodeid": "tests/test_a.py::test_x", "exc_type": "AssertionError",
                                "message": "assert 1 == 2\nmore"}],
                  "totals": {"candidates": 3, "seconds": 1.5},
                  "fix": {"files": ["a.py"]} if diff else None}
        (run_dir / "report.json").write_text(json.dumps(report))
        if diff:
            (run_dir / "fix.diff").write_text(diff)
        if decisions:
            (run_dir / "decisions.jsonl").write_text(decisions)
        return run_dir

    return add
