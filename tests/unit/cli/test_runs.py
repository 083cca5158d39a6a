"""`runs`, `show` and `clean` read and remove what heals left under `.selfheal/runs`."""

import json

from pytest_selfheal.cli.exit_codes import EXIT_NOTHING, EXIT_OK
from pytest_selfheal.cli.runs import clean_command, runs_command, show_command

DIFF = "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"


def test_runs_lists_every_run_oldest_first(project, add_run, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")  # a table row per run, as in a terminal that wide
    add_run("20260102-000000-000001", "healed", DIFF)
    add_run("20260101-000000-000001", "not-healed")
    assert runs_command(project, as_json=True) == EXIT_OK
    listed = json.loads(capsys.readouterr().out)
    assert [(r["run_id"], r["started"], r["status"], r["failures"], r["fix"]) for r in listed] == [
        ("20260101-000000-000001", "2026-01-01 00:00:00", "not-healed", 1, False),
        ("20260102-000000-000001", "2026-01-02 00:00:00", "healed", 1, True),
    ]
    assert runs_command(project, as_json=False) == EXIT_OK
    rows = capsys.readouterr().out.splitlines()
    healed = next(row for row in rows if "20260102-000000-000001" in row)
    assert "healed" in healed and "fix.diff" in healed


def test_runs_without_runs_says_how_to_make_one(project, capsys):
    assert runs_command(project, as_json=False) == EXIT_NOTHING
    assert capsys.readouterr().out == (
        f"no runs under {project / '.selfheal' / 'runs'}: run `pytest --selfheal` first\n")


def test_show_prints_the_summary_and_the_diff_of_the_latest_run(project, add_run, capsys):
    add_run("20260101-000000-000001", "not-healed")
    add_run("20260102-000000-000001", "healed", DIFF)
    assert show_command(project, None, as_json=False) == EXIT_OK
    out = capsys.readouterr().out
    assert "run 20260102-000000-000001 (2026-01-02 00:00:00): healed" in out
    assert "  failed: tests/test_a.py::test_x: AssertionError: assert 1 == 2\n" in out
    assert "  3 candidate(s) tried in 1.5s with the builtin agent" in out
    assert "+x = 2" in out
    assert "apply: pytest-selfheal apply 20260102-000000-000001" in out
    assert show_command(project, "20260101", as_json=False) == EXIT_OK
    assert "no fix in this run" in capsys.readouterr().out


def test_clean_removes_the_runs_and_keeps_the_history_unless_all(project, add_run, capsys):
    add_run("20260101-000000-000001", "healed", DIFF)
    (project / ".selfheal" / "history.db").write_bytes(b"kept")
    assert clean_command(project, everything=False) == EXIT_OK
    assert "removed 1 run(s)" in capsys.readouterr().out
    assert not (project / ".selfheal" / "runs").exists()
    assert (project / ".selfheal" / "history.db").exists()
    assert clean_command(project, everything=False) == EXIT_OK
    assert "nothing to clean" in capsys.readouterr().out
    assert clean_command(project, everything=True) == EXIT_OK
    assert not (project / ".selfheal").exists()
