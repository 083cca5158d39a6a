"""report.md from report data: the sections other stages fill in when they ran."""

from pytest_selfheal.output.markdown import render_markdown

REPORT = {
    "run_id": "20260101-000000-000001",
    "status": "healed",
    "reason": "plausible fix",
    "failures": [{"nodeid": "tests/test_a.py::test_x", "exc_type": "AssertionError",
                  "message": "assert 1 | 2 == 3\nmore"}],
    "targets": ["tests/test_a.py::test_x"],
    "candidates": [{"description": "`a > b` -> `a >= b`", "verdict": "plausible"}],
    "fix": {"files": ["a.py"], "candidate": 0, "fixed": ["tests/test_a.py::test_x"]},
    "totals": {"failures": 1, "tests_run": 4, "candidates": 1, "seconds": 2.5},
    "settings": {"time_budget": 120.0, "max_candidates": 200, "output": ".selfheal"},
    "triage": {"base_label": "the last green commit", "failures": [
        {"nodeid": "tests/test_a.py::test_x", "kind": "deterministic", "history": "new regression",
         "causal_link": True, "confidence": "high", "evidence": ["a.py:3"]}]},
    "agent_report": {"spend": {"calls": 3, "input_tokens": 1000, "output_tokens": 200,
                               "dollars": 0.012, "limits": {"calls": 30, "tokens": 400000,
                                                            "dollars": 1.0}}},
    "stop_reason": "healed",
}


def test_every_section_renders_what_the_run_recorded(tmp_path):
    run_dir = tmp_path / REPORT["run_id"]
    run_dir.mkdir()
    (run_dir / "test_regression_a.py").write_text("def test_regression():\n    assert True\n")
    text = render_markdown(run_dir, REPORT, "--- a/a.py\n+++ b/a.py\n")
    assert "| `tests/test_a.py::test_x` | `AssertionError: assert 1 \\| 2 == 3` |" in text
    assert "Changes measured since the last green commit." in text
    assert ("- `tests/test_a.py::test_x`: **deterministic**, new regression, causal link "
            "(high confidence): `a.py:3`") in text
    assert "'a > b' -> 'a >= b'\n\n```diff\n--- a/a.py\n+++ b/a.py\n```" in text
    assert "`git apply .selfheal/runs/20260101-000000-000001/fix.diff`" in text
    assert "`test_regression_a.py`\n\n```python\ndef test_regression():\n    assert True\n```" in text
    assert "- 1 candidate(s) validated against the failing tests, then the 4 test(s) that ran: 1 plausible" in text
    assert ("| time | 2.5 s | 120.0 s |\n| candidates | 1 | 200 |\n| model calls | 3 | 30 |\n"
            "| model tokens | 1200 | 400000 |\n| model dollars | 0.012 | 1.0 |") in text
    assert text.endswith("Stopped: healed.\n\n<sub>run `20260101-000000-000001`, pytest-selfheal</sub>\n")


def test_no_fix_no_triage_no_regression_say_so(tmp_path):
    text = render_markdown(tmp_path, {"status": "not-healed", "reason": "no plausible fix"}, "")
    assert "No plausible fix was found." in text
    assert "No triage verdict was recorded in this run." in text
    assert "No regression test was written in this run." in text
