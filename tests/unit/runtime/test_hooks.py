"""The hooks record what reaches them, once, within the rate, never raising into the program, and
the previous hooks still run."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest

from pytest_selfheal import redaction, runtime
from pytest_selfheal.redaction import MASK
from pytest_selfheal.runtime.hooks import IncidentLogHandler
from pytest_selfheal.runtime.incident import Incident

HERE = Path(__file__).resolve().parent
SECRET = "sk-live-9f8e7d6c5b4a39281706"


class Previous:
    """Stands in for the hooks that were there before install(): they must still be called."""

    def __init__(self) -> None:
        self.seen: list[BaseException | None] = []

    def excepthook(self, kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        self.seen.append(value)

    def thread_hook(self, args: threading.ExceptHookArgs) -> None:
        self.seen.append(args.exc_value)


@pytest.fixture
def previous(monkeypatch: pytest.MonkeyPatch) -> Previous:
    hooks = Previous()
    monkeypatch.setattr(sys, "excepthook", hooks.excepthook)
    monkeypatch.setattr(threading, "excepthook", hooks.thread_hook)
    return hooks


@pytest.fixture
def recorder(tmp_path: Path, previous: Previous) -> Iterator[runtime.Recorder]:
    with runtime.install(HERE, path=tmp_path / "incidents.jsonl", version="v1",
                         env={"SERVICE_API_KEY": SECRET}) as installed:
        yield installed


def written(recorder: runtime.Recorder) -> list[Incident]:
    sink = recorder.sinks[0]
    assert isinstance(sink, runtime.JsonLinesFile)
    if not sink.path.exists():
        return []
    return [Incident.from_line(line) for line in sink.path.read_text(encoding="utf-8").splitlines()]


def fail(order: str) -> None:
    raise KeyError(order)


def caught(order: str) -> BaseException:
    try:
        fail(order)
    except KeyError as exc:
        return exc
    raise AssertionError


def test_an_uncaught_exception_is_recorded_and_the_previous_hook_runs(
        recorder: runtime.Recorder, previous: Previous) -> None:
    exc = caught("A-17")
    sys.excepthook(type(exc), exc, exc.__traceback__)

    [incident] = written(recorder)
    assert (incident.source, incident.version, incident.exception.type) == ("excepthook", "v1", "KeyError")
    assert incident.exception.frames[-1].arguments == (
        {"name": "order", "kind": "positional", "value": {"literal": "'A-17'"}, "default": False},)
    assert previous.seen == [exc]
    assert recorder.stats.recorded == 1


def test_an_exception_in_a_thread_is_recorded_with_the_thread(
        recorder: runtime.Recorder, previous: Previous) -> None:
    thread = threading.Thread(target=fail, args=("B-2",), name="worker-1")
    thread.start()
    thread.join()

    [incident] = written(recorder)
    assert (incident.source, dict(incident.context)) == ("thread", {"thread": "worker-1"})
    assert incident.exception.frames[-1].function == "fail"
    assert len(previous.seen) == 1


def test_logged_exceptions_at_error_are_recorded_once(recorder: runtime.Recorder, previous: Previous) -> None:
    log = logging.getLogger("shop.orders")
    exc = caught("C-3")
    log.warning("retrying", exc_info=exc)
    log.error("no exception here")
    log.error("order failed", exc_info=exc)
    log.exception("again", exc_info=exc)
    sys.excepthook(type(exc), exc, exc.__traceback__)  # and then uncaught: the same incident

    [incident] = written(recorder)
    assert (incident.source, dict(incident.context)) == ("logging", {"logger": "shop.orders"})
    assert previous.seen == [exc]


def test_a_log_record_made_by_hand_with_odd_exc_info_is_ignored(recorder: runtime.Recorder) -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "odd", None, exc_info=None)
    record.exc_info = True  # type: ignore[assignment]
    [ours] = [h for h in logging.getLogger().handlers if isinstance(h, IncidentLogHandler)]
    ours.handle(record)  # pytest's own handlers would fail formatting it
    assert written(recorder) == [] and recorder.stats.failed == 0


def test_a_burst_past_the_rate_is_counted_not_written(tmp_path: Path, previous: Previous) -> None:
    with runtime.install(HERE, path=tmp_path / "i.jsonl", rate=0.001, burst=5) as recorder:
        for number in range(20):
            recorder.record(caught(str(number)))

        assert len(written(recorder)) == 5
        assert (recorder.stats.recorded, recorder.stats.rate_limited) == (5, 15)


class BrokenSink:
    def write(self, incident: Incident, line: str) -> None:
        raise OSError(28, "No space left on device")

    def after_fork(self) -> None: ...

    def close(self) -> None:
        raise OSError("close failed")


def test_a_failing_sink_never_raises_into_the_program(previous: Previous) -> None:
    recorder = runtime.install(HERE, sinks=[BrokenSink()])
    exc = caught("D-4")
    sys.excepthook(type(exc), exc, exc.__traceback__)
    logging.getLogger("x").exception("boom", exc_info=caught("D-5"))
    recorder.uninstall()

    assert recorder.stats.failed == 3
    assert recorder.stats.last_failure == "OSError: close failed"
    assert previous.seen == [exc]


def test_uninstall_puts_the_previous_hooks_back(tmp_path: Path, previous: Previous) -> None:
    recorder = runtime.install(HERE, path=tmp_path / "i.jsonl")
    assert sys.excepthook != previous.excepthook
    assert any(isinstance(h, IncidentLogHandler) for h in logging.getLogger().handlers)

    recorder.uninstall()

    assert sys.excepthook == previous.excepthook and threading.excepthook == previous.thread_hook
    assert not any(isinstance(h, IncidentLogHandler) for h in logging.getLogger().handlers)
    assert runtime.current() is None
    assert recorder.record(caught("E")) is None


def test_an_exception_raised_while_recording_is_not_recorded(recorder: runtime.Recorder) -> None:
    class Noisy:
        def __repr__(self) -> str:
            logging.getLogger("noisy").exception("in repr", exc_info=caught("inner"))
            return "Noisy()"

    def handle(thing: Any) -> None:
        raise RuntimeError("outer")

    try:
        handle(Noisy())
    except RuntimeError as exc:
        recorder.record(exc)

    assert [i.exception.message for i in written(recorder)] == ["outer"]


def test_the_secret_of_the_environment_given_is_hidden(recorder: runtime.Recorder) -> None:
    recorder.record(caught(SECRET))

    assert SECRET not in recorder.sinks[0].path.read_text(encoding="utf-8")  # type: ignore[attr-defined]
    assert written(recorder)[0].exception.message == "'[REDACTED]'"


def test_the_version_comes_from_the_environment(tmp_path: Path, previous: Previous) -> None:
    env = {"GIT_COMMIT": "0123abc", "SELFHEAL_VERSION": "release-7"}
    with runtime.install(HERE, path=tmp_path / "i.jsonl", env=env) as recorder:
        assert recorder.version == "release-7"


def test_the_path_comes_from_the_environment(tmp_path: Path, previous: Previous) -> None:
    env = {"SELFHEAL_INCIDENTS": str(tmp_path / "elsewhere.jsonl")}
    with runtime.install(HERE, env=env) as recorder:
        recorder.record(caught("F"))
    assert (tmp_path / "elsewhere.jsonl").read_text(encoding="utf-8").count("\n") == 1


def test_threads_recording_at_once_each_write_whole_incidents(tmp_path: Path, previous: Previous) -> None:
    with runtime.install(HERE, path=tmp_path / "i.jsonl", rate=1e9, burst=10**9) as recorder:
        def fifty(thread: int) -> None:
            for number in range(50):
                recorder.record(caught(f"{thread}-{number}"))

        threads = [threading.Thread(target=fifty, args=(t,)) for t in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        messages = sorted(i.exception.message for i in written(recorder))
        assert messages == sorted(f"'{t}-{n}'" for t in range(8) for n in range(50))
        assert (recorder.stats.recorded, recorder.stats.failed) == (400, 0)


def test_one_recorder_hammered_by_threads_redacts_every_record_and_its_memo_stays_bounded(
        tmp_path: Path, previous: Previous, monkeypatch: pytest.MonkeyPatch) -> None:
    bound = 5_000  # a few dozen of the texts below: the memo starts over many times meanwhile
    monkeypatch.setattr(redaction, "MEMO_CHARACTERS", bound)
    with runtime.install(HERE, path=tmp_path / "i.jsonl", rate=1e9, burst=10**9,
                         env={"SERVICE_API_KEY": SECRET}) as recorder:
        memo = recorder.redactor._hidden
        peaks: list[int] = []

        def fifty(thread: int) -> None:
            for number in range(50):
                recorder.record(caught(f"order {thread}-{number} of {SECRET} " + "x" * 300))
                peaks.append(memo.characters)

        threads = [threading.Thread(target=fifty, args=(t,)) for t in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert (recorder.stats.recorded, recorder.stats.failed) == (400, 0)
        assert SECRET not in recorder.sinks[0].path.read_text(encoding="utf-8")  # type: ignore[attr-defined]
        incidents = written(recorder)
        assert sorted(i.exception.message.split(" of ")[0] for i in incidents) == sorted(
            f"'order {t}-{n}" for t in range(8) for n in range(50))
        for incident in incidents:
            assert incident.exception.message.startswith("'order ") and MASK in incident.exception.message
            [order] = incident.exception.frames[-1].arguments or ()
            assert order["unrenderable"] == "it holds a secret, redacted" and MASK in order["repr"]
        assert 0 < max(peaks) <= bound
        assert memo.characters == sum(len(text) for text in memo._texts) <= bound
