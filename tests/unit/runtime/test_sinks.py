"""The JSON-lines file holds whole lines, one per incident, and stays within its size."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from pytest_selfheal.runtime.incident import Incident, IncidentFrame, RaisedException
from pytest_selfheal.runtime.sinks import JsonLinesFile


def incident(number: int) -> Incident:
    frame = IncidentFrame("shop/cart.py", number, "Cart.total", True, ())
    return Incident(id=f"i{number}", time=1.0, version="v", source="manual", process={"pid": 1},
                    chain=(RaisedException("ValueError", "x" * 100, "raised", (frame,)),))


def write(sink: JsonLinesFile, number: int) -> None:
    sink.write(incident(number), incident(number).to_line())


def test_the_file_rotates_and_keeps_only_so_many(tmp_path: Path) -> None:
    sink = JsonLinesFile(tmp_path / "incidents.jsonl", max_bytes=2000, keep=2)
    for number in range(200):
        write(sink, number)
    sink.close()

    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["incidents.jsonl", "incidents.jsonl.1", "incidents.jsonl.2"]
    lines = []
    for name in reversed(files):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert len(text.encode()) <= 2000
        lines += [Incident.from_line(line).id for line in text.splitlines()]
    # the newest incidents, in order, none cut
    assert lines == [f"i{n}" for n in range(200 - len(lines), 200)]


def test_lines_from_many_threads_never_interleave(tmp_path: Path) -> None:
    sink = JsonLinesFile(tmp_path / "incidents.jsonl")
    def hundred(thread: int) -> None:
        for number in range(100):
            write(sink, thread * 1000 + number)

    threads = [threading.Thread(target=hundred, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    lines = (tmp_path / "incidents.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(
        f"i{t * 1000 + n}" for t in range(8) for n in range(100))


def test_the_file_is_readable_only_by_its_owner(tmp_path: Path) -> None:
    sink = JsonLinesFile(tmp_path / "deep" / "incidents.jsonl")
    write(sink, 1)
    assert (tmp_path / "deep" / "incidents.jsonl").stat().st_mode & 0o077 == 0


def test_after_a_fork_the_file_is_opened_again(tmp_path: Path) -> None:
    sink = JsonLinesFile(tmp_path / "incidents.jsonl")
    write(sink, 1)
    (tmp_path / "incidents.jsonl").rename(tmp_path / "moved.jsonl")
    sink.after_fork()  # as in a forked child: the parent's descriptor is dropped
    write(sink, 2)
    assert (tmp_path / "incidents.jsonl").read_text(encoding="utf-8").count("\n") == 1
