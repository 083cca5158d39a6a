"""The wire between the heal and the sandbox's test processes: every message survives its trip,
a line that is not a message is refused, and both sides speak through these functions."""

import importlib.util
import io
import os
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers import ParametrizedItem

from pytest_selfheal.sandbox import protocol
from pytest_selfheal.sandbox.protocol import (
    JobCancel,
    JobFellBack,
    JobRan,
    JobRequest,
    ObservedRun,
    ProtocolError,
    StandbyRun,
    WorkerReady,
    WorkerStart,
    decode_job,
    decode_observed,
    decode_ready,
    decode_reply,
    decode_request,
    decode_standby_run,
    decode_start,
    encode_cancel,
    encode_job,
    encode_observed,
    encode_ready,
    encode_reply,
    encode_standby_run,
    encode_start,
)
from pytest_selfheal.sandbox.runner import observed_result
from pytest_selfheal.sandbox.testruns import Job
from pytest_selfheal.sandbox.warm import job_request
from pytest_selfheal.testproc.observer import Observations
from pytest_selfheal.testproc.worker import LineReader, Server

FULL_JOB = JobRequest(
    id=3, nodeids=("tests/test_a.py::test_one", "tests/test_a.py::test_two[ü]"),
    files=(("/sandbox/pkg/a.py", "def f():\n    return 1\n", "def f():\n    return 2\n"),),
    observe="/scratch/warm-1.json", timeout=12.5, stop_first=True, cpu_seconds=3.0,
    memory_bytes=256 << 20, coverage="/scratch/probe.coverage", record="/scratch/spec.json",
    coverage_whole=("tests/test_a.py::test_one",),
)
SIMPLE_JOB = JobRequest(id=4, nodeids=("t.py::t",), files=(), observe="/o.json", timeout=1.0)


@pytest.mark.parametrize(("message", "encode", "decode"), [
    (WorkerStart(cwd="/sandbox", args=("@/scratch/warm-args.txt",)), encode_start, decode_start),
    (FULL_JOB, encode_job, decode_job),
    (SIMPLE_JOB, encode_job, decode_job),
    (FULL_JOB, encode_job, decode_request),  # the worker reads jobs and cancels alike
    (JobCancel(ids=(3, 4)), encode_cancel, decode_request),
    (WorkerReady(items=412), encode_ready, decode_ready),
    (JobRan(id=3, exit_code=1, timed_out=False, seconds=0.25), encode_reply, decode_reply),
    (JobRan(id=5, exit_code=-24, timed_out=True, seconds=9.5), encode_reply, decode_reply),
    (JobRan(id=6, exit_code=-9, timed_out=False, seconds=0.1, stopped="held 300 MiB"),
     encode_reply, decode_reply),
    (JobFellBack(id=4, reason="a.py: the change runs at import time"), encode_reply, decode_reply),
    (StandbyRun(args=("-q", "@/scratch/args.txt"), env={"SELFHEAL_OBSERVE": "/o.json"}),
     encode_standby_run, decode_standby_run),
    (ObservedRun(outcomes={"t.py::a": "failed"}, failures={"t.py::a": "assert 1 == 2"},
                 durations={"t.py::a": 0.01}, leaked=("leaky (/home/u/leaky.py)",), canary="failed"),
     encode_observed, decode_observed),
    (ObservedRun(), encode_observed, decode_observed),
], ids=lambda value: type(value).__name__ if not callable(value) else value.__name__)
def test_every_message_survives_the_round_trip(message, encode, decode):
    line = encode(message)
    assert decode(line) == message
    assert decode(line.encode("utf-8")) == message  # the controller reads bytes


@pytest.mark.parametrize("encode", [encode_start, encode_job, encode_ready, encode_reply,
                                    encode_standby_run])
def test_a_pipe_message_is_one_line(encode):
    message = {encode_start: WorkerStart(cwd="/a\nb", args=("x\ny",)), encode_job: FULL_JOB,
               encode_ready: WorkerReady(items=1), encode_reply: JobFellBack(id=1, reason="a\nb"),
               encode_standby_run: StandbyRun(args=("a\nb",), env={})}[encode]
    line = encode(message)
    assert line.endswith("\n") and line.count("\n") == 1


@pytest.mark.parametrize(("decode", "line"), [
    (decode_job, "Traceback (most recent call last):\n"),  # something printed to the pipe
    (decode_job, b"\xff\xfe\n"),  # not UTF-8
    (decode_ready, "[1, 2]\n"),  # JSON, not an object
    (decode_ready, '{"items": 3}\n'),  # the field is "ready"
    (decode_start, '{"cwd": "/s", "args": "@args.txt"}\n'),  # a string is not a list of args
    (decode_job, encode_job(FULL_JOB).replace('"timeout": 12.5', '"timeout": "soon"')),
    (decode_job, encode_job(FULL_JOB).replace('"/sandbox/pkg/a.py", ', "")),  # two of three parts
    (decode_reply, '{"id": 1, "status": "crashed"}\n'),
    (decode_reply, '{"id": 1, "status": "ran", "exit_code": 0}\n'),
    (decode_standby_run, '{"args": []}\n'),
    (decode_observed, "{truncated"),
])
def test_a_malformed_line_is_a_protocol_error_that_quotes_it(decode, line):
    with pytest.raises(ProtocolError) as raised:
        decode(line)
    assert repr(line[:20])[1:-1] in str(raised.value)


def test_a_reply_is_not_read_as_a_ready_line_nor_the_other_way_round():
    with pytest.raises(ProtocolError):
        decode_ready(encode_reply(JobRan(id=1, exit_code=0, timed_out=False, seconds=0.1)))
    with pytest.raises(ProtocolError):
        decode_reply(encode_ready(WorkerReady(items=1)))


def test_the_controller_sends_the_job_the_worker_reads(tmp_path):
    job = Job(("tests/test_a.py::test_one",), {"pkg/a.py": ("old\n", "new\n")}, timeout=7.0,
              stop_at_first_failure=True, coverage=tmp_path / "probe.coverage", cpu_seconds=2.0,
              memory_bytes=1 << 30, record=tmp_path / "spec.json", coverage_whole=("tests/test_a.py::test_one",))
    sent = encode_job(job_request(job, job_id=9, observe=tmp_path / "o.json", sandbox_root=tmp_path))
    received = decode_job(sent)
    assert received == JobRequest(
        id=9, nodeids=("tests/test_a.py::test_one",), observe=str(tmp_path / "o.json"),
        files=((str(tmp_path / "pkg/a.py"), "old\n", "new\n"),), timeout=7.0, stop_first=True,
        cpu_seconds=2.0, memory_bytes=1 << 30, coverage=str(tmp_path / "probe.coverage"),
        record=str(tmp_path / "spec.json"), coverage_whole=("tests/test_a.py::test_one",),
    )


def test_the_worker_answers_a_controller_job_with_a_reply_the_controller_reads(tmp_path):
    """The worker's serving loop, fed through a real pipe: a test it did not collect cannot run
    warm, and the reply says so in the controller's terms."""
    job = Job(("tests/test_a.py::test_gone",), {}, timeout=5.0)
    read_end, write_end = os.pipe()
    os.write(write_end, encode_job(job_request(job, job_id=4, observe=tmp_path / "o.json",
                                               sandbox_root=tmp_path)).encode("utf-8"))
    os.close(write_end)
    replies = io.StringIO()
    try:
        Server(LineReader(read_end), replies, jobs=1)._serve()
    finally:
        os.close(read_end)
    assert decode_reply(replies.getvalue()) == JobFellBack(
        id=4, reason="not collected in the warm session: tests/test_a.py::test_gone")


def test_what_a_test_process_observed_is_what_the_controller_reports(tmp_path):
    observe = tmp_path / "outcomes.json"
    observations = Observations(outcomes={"t.py::a": "failed", "t.py::b": "passed"},
                                failures={"t.py::a": "assert 1 == 2"},
                                durations={"t.py::a": 0.5, "t.py::b": 0.25})
    observations.write(observe, leaked=["leaky (/home/u/leaky.py)"])
    result = observed_result(observe, exit_code=1, seconds=1.0, timed_out=False)
    assert result.outcomes == {"t.py::a": "failed", "t.py::b": "passed"}
    assert result.failures == {"t.py::a": "assert 1 == 2"}
    assert result.durations == {"t.py::a": 0.5, "t.py::b": 0.25}
    assert result.leaked_modules == ("leaky (/home/u/leaky.py)",)
    assert not observe.exists(), "the controller removes the file it has read"


@pytest.mark.parametrize("content", [None, "", "{truncated", "[]"])
def test_a_run_that_left_no_readable_observations_has_no_outcomes(tmp_path, content):
    observe = tmp_path / "outcomes.json"
    if content is not None:
        observe.write_text(content, encoding="utf-8")
    result = observed_result(observe, exit_code=2, seconds=1.0, timed_out=True)
    assert (result.outcomes, result.failures, result.leaked_modules) == ({}, {}, ())
    assert (result.exit_code, result.timed_out) == (2, True)


@pytest.mark.parametrize("name", [protocol.WORKER_MODULE, protocol.STANDBY_MODULE,
                                  protocol.OBSERVER_PLUGIN, protocol.RECORDER_PLUGIN,
                                  protocol.TESTMAP_PLUGIN])
def test_every_entry_point_the_controller_names_is_a_test_process_module(name):
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None
    assert Path(spec.origin).parent.name == "testproc"


def test_every_environment_name_is_distinct_and_selfheal_prefixed():
    names = [value for key, value in vars(protocol).items() if key.endswith("_ENV")]
    assert len(names) == 10
    assert len(set(names)) == len(names)
    assert all(name.startswith("SELFHEAL_") for name in names)


PARSE = "tests/test_date.py::test_parse"


def test_a_case_is_keyed_by_its_function_and_parameters_whatever_its_position():
    here = ParametrizedItem(PARSE, "1985-expected3-None", text="1985", expected=date(1985, 1, 1), fmt=None)
    there = ParametrizedItem(PARSE, "1985-expected7-None", fmt=None, text="1985", expected=date(1985, 1, 1))
    other = ParametrizedItem(PARSE, "1985-expected3-None", text="1985", expected=date(1986, 1, 1), fmt=None)
    elsewhere = ParametrizedItem("tests/test_time.py::test_parse", "1985-expected3-None", text="1985",
                                 expected=date(1985, 1, 1), fmt=None)

    key = protocol.case_key(here)

    assert key is not None and key.startswith(f"{PARSE}[")
    assert protocol.case_key(there) == key
    assert protocol.case_key(other) != key
    assert protocol.case_key(elsewhere) != key


def test_a_case_whose_repr_another_process_writes_otherwise_has_no_key():
    class Unshowable:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    assert protocol.case_key(ParametrizedItem(PARSE, "value0", value=object())) is None
    assert protocol.case_key(ParametrizedItem(PARSE, "value0", value=len)) is not None  # <built-in function len>
    assert protocol.case_key(ParametrizedItem(PARSE, "value0", value=lambda: 0)) is None
    assert protocol.case_key(ParametrizedItem(PARSE, "value0", value=Unshowable())) is None
    assert protocol.case_key(ParametrizedItem(PARSE, "value0")) is not None
    assert protocol.case_key(SimpleNamespace(nodeid="tests/test_date.py::test_plain")) is None


def test_the_movable_cases_are_those_of_functions_pytest_numbered_with_a_key_of_their_own():
    numbered = [ParametrizedItem(PARSE, f"{text}-expected{index}", text=text, expected=(index,))
                for index, text in enumerate(["a", "b", "c"])]
    repeated = [ParametrizedItem(PARSE, f"d-expected{index}", text="d", expected=None)
                for index in (3, 4)]
    unshowable = ParametrizedItem(PARSE, "e-expected5", text="e", expected=object())
    named = [ParametrizedItem("tests/test_date.py::test_named", text, text=text) for text in "ab"]

    cases = protocol.movable_cases([*numbered, *repeated, unshowable, *named])

    assert cases == {item.nodeid: protocol.case_key(item) for item in numbered}
    assert protocol.decode_cases(protocol.encode_cases(cases)) == cases
    with pytest.raises(ProtocolError):
        protocol.decode_cases("[1, 2]")


def test_cases_numbered_from_a_list_keep_their_ids_as_they_are():
    """A list's order holds in every process, and the reprs are the project's code, which a fix
    may change: a bug stored in __init__ shows in __repr__, and the fixed code's cases would match
    none of the user's."""
    listed = [ParametrizedItem(PARSE, f"version{index}", from_set=False, version=(index,))
              for index in range(3)]
    assert protocol.movable_cases(listed) == {}


def test_more_children_run_at_once_while_they_wait_and_no_more_once_they_crowd_the_cores():
    server = Server(LineReader(0), io.StringIO(), jobs=2)
    assert server.at_once == 2, "busy until measured"
    for _ in range(4):
        server.measured(1.0, cpu_seconds=0.02, crowd=2)
    assert server.at_once == 8
    for _ in range(4):  # eight busy children on two cores get a quarter of a core each
        server.measured(1.0, cpu_seconds=0.25, crowd=8)
    assert server.at_once == 2
    server.measured(0.01, cpu_seconds=0.0, crowd=2)
    assert server.at_once == 2, "a child too short to tell is not counted"
