"""`log`: the decision log as a timeline, one line per decision."""

import json

from pytest_selfheal.cli.exit_codes import EXIT_NOTHING, EXIT_OK
from pytest_selfheal.cli.log import log_command, timeline_line


def test_a_timeline_line_puts_time_kind_and_text_first_and_the_rest_in_parentheses():
    line = timeline_line({"seq": 4, "pid": 77, "t": 12.34, "kind": "candidate",
                          "detail": "plausible", "number": 4, "fixed": ["t1"]})
    assert line == '   12.3s  candidate  plausible  (number=4, fixed=["t1"])'
    assert timeline_line({"message": "not json"}) == "          -  not json"


def test_log_prints_each_decision_of_the_run(project, add_run, capsys):
    add_run("20260101-000000-000001", "healed", decisions="\n".join([
        json.dumps({"seq": 1, "t": 0.5, "kind": "start"}),
        "not json",
        json.dumps({"seq": 2, "t": 3.25, "kind": "result", "reason": "healed"}),
    ]) + "\n")
    assert log_command(project, None) == EXIT_OK
    assert capsys.readouterr().out.splitlines() == [
        "decisions of run 20260101-000000-000001",
        "    0.5s  start",
        "          -  not json",
        "    3.2s  result  healed",
    ]


def test_a_run_without_a_decision_log_has_nothing_to_show(project, add_run, capsys):
    add_run("20260101-000000-000001", "error")
    assert log_command(project, None) == EXIT_NOTHING
    assert capsys.readouterr().out == ("run 20260101-000000-000001 has no decision log "
                                       "(decisions.jsonl is absent or empty)\n")
