"""A job's exception is recorded with the job's name and raised on unchanged."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_selfheal import runtime
from pytest_selfheal.runtime.incident import Incident


@pytest.fixture
def recorder(tmp_path: Path) -> Iterator[runtime.Recorder]:
    with runtime.install(Path(__file__).parent, path=tmp_path / "i.jsonl", log=False) as installed:
        yield installed


def jobs(tmp_path: Path) -> list[tuple[str, str, str]]:
    lines = (tmp_path / "i.jsonl").read_text(encoding="utf-8").splitlines()
    return [(i.source, i.context["job"], i.exception.type) for i in map(Incident.from_line, lines)]


def test_the_context_manager_records_and_raises(recorder: runtime.Recorder, tmp_path: Path) -> None:
    with runtime.job("nightly-invoices"):
        pass
    with pytest.raises(FileNotFoundError), runtime.job("nightly-invoices"):
        open(tmp_path / "missing.csv")  # noqa: SIM115

    assert jobs(tmp_path) == [("job", "nightly-invoices", "FileNotFoundError")]


@runtime.watch
def sync(count: int) -> int:
    return 10 // count


@runtime.watch("async-sync")
async def sync_async(count: int) -> int:
    return 10 // count


def test_the_decorator_names_the_job_after_the_function_or_as_told(
        recorder: runtime.Recorder, tmp_path: Path) -> None:
    assert sync(5) == 2
    with pytest.raises(ZeroDivisionError):
        sync(0)
    with pytest.raises(ZeroDivisionError):
        asyncio.run(sync_async(0))

    assert jobs(tmp_path) == [("job", "sync", "ZeroDivisionError"),
                              ("job", "async-sync", "ZeroDivisionError")]
    assert sync.__name__ == "sync"
    incident = Incident.from_line((tmp_path / "i.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert incident.exception.frames[-1].arguments == (
        {"name": "count", "kind": "positional", "value": {"literal": "0"}, "default": False},)
