"""The decision log: appended to, never rewritten, hashes instead of texts, and never a reason
for a heal to fail."""

import json
import os

from pytest_selfheal.models import Candidate, Edit, Outcome, Verdict
from pytest_selfheal.output.decisions import DecisionLog, text_hash


def test_decision_log_appends_and_never_rewrites(tmp_path):
    (tmp_path / "decisions.jsonl").write_text('{"seq": 0, "kind": "earlier"}\n')
    log = DecisionLog(tmp_path)
    edit = Edit("pkg/a.py", "A = 1\n", "A = 2\n", "bump", template="constant", line=1)
    log.candidate(1, Outcome(Candidate((edit,)), Verdict.REJECTED, 0.0, detail="policy: x"), "x")
    log.agent_turn("the prompt", "the reply", input_tokens=120, output_tokens=30)
    lines = [json.loads(line) for line in (tmp_path / "decisions.jsonl").read_text().splitlines()]
    assert [e["kind"] for e in lines] == ["earlier", "candidate", "agent-turn"]
    assert lines[1]["policy"] == "rejected: x" and lines[1]["verdict"] == "rejected"
    assert lines[1]["edits"][0]["after"] == text_hash("A = 2\n")
    assert lines[2] | {"t": 0} == {"seq": 2, "kind": "agent-turn", "t": 0, "pid": os.getpid(),
                                   "prompt": text_hash("the prompt"), "reply": text_hash("the reply"),
                                   "input_tokens": 120, "output_tokens": 30}


def test_decision_log_survives_an_unwritable_directory(tmp_path):
    log = DecisionLog(tmp_path / "missing")
    log.record("start")  # no exception: the heal goes on
    assert log.path is None
