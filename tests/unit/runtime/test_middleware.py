"""The WSGI and ASGI middlewares record what the application lets out and raise it on unchanged;
a request that succeeds goes through untouched."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest

from pytest_selfheal import runtime
from pytest_selfheal.runtime.incident import Incident


@pytest.fixture
def recorder(tmp_path: Path) -> Iterator[runtime.Recorder]:
    with runtime.install(Path(__file__).parent, path=tmp_path / "i.jsonl", log=False) as installed:
        yield installed


def written(tmp_path: Path) -> list[Incident]:
    path = tmp_path / "i.jsonl"
    return [Incident.from_line(line) for line in path.read_text(encoding="utf-8").splitlines()] \
        if path.exists() else []


def environ(path: str) -> dict[str, Any]:
    env: dict[str, Any] = {"PATH_INFO": path, "QUERY_STRING": "token=abc"}
    setup_testing_defaults(env)
    return env


def checkout(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    quantity = int(environ["PATH_INFO"].rsplit("/", 1)[1])
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(10 // quantity).encode()]


class Streamed:
    def __init__(self) -> None:
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        yield b"first"
        raise ConnectionError("stream broke")

    def close(self) -> None:
        self.closed = True


def test_a_wsgi_exception_is_recorded_with_the_request_and_raised_on(
        recorder: runtime.Recorder, tmp_path: Path) -> None:
    app = runtime.WSGIMiddleware(checkout)

    assert list(app(environ("/checkout/5"), lambda *a: None)) == [b"2"]
    with pytest.raises(ZeroDivisionError):
        app(environ("/checkout/0"), lambda *a: None)

    [incident] = written(tmp_path)
    assert (incident.source, dict(incident.context)) == ("wsgi", {"method": "GET", "path": "/checkout/0"})
    assert incident.exception.frames[-1].function == "checkout"


def test_an_exception_while_the_response_streams_is_recorded_and_close_reaches_the_app(
        recorder: runtime.Recorder, tmp_path: Path) -> None:
    body = Streamed()
    response = runtime.WSGIMiddleware(lambda env, start: body)(environ("/feed"), lambda *a: None)

    with pytest.raises(ConnectionError):
        list(response)
    response.close()  # type: ignore[attr-defined]

    assert body.closed
    assert [i.exception.type for i in written(tmp_path)] == ["ConnectionError"]


async def divide(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(1 // scope["state"]["n"]).encode()})


def test_an_asgi_exception_is_recorded_and_raised_on(recorder: runtime.Recorder, tmp_path: Path) -> None:
    app = runtime.ASGIMiddleware(divide)  # type: ignore[arg-type]
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def request(n: int) -> None:
        await app({"type": "http", "method": "POST", "path": "/divide", "state": {"n": n}}, receive, send)

    asyncio.run(request(1))
    with pytest.raises(ZeroDivisionError):
        asyncio.run(request(0))

    assert sent[1]["body"] == b"1"
    [incident] = written(tmp_path)
    assert (incident.source, dict(incident.context)) == ("asgi", {"method": "POST", "path": "/divide"})
    assert incident.exception.frames[-1].function == "divide"


def test_without_an_installed_recorder_the_middleware_only_passes_through(tmp_path: Path) -> None:
    with pytest.raises(ZeroDivisionError):
        runtime.WSGIMiddleware(checkout)(environ("/checkout/0"), lambda *a: None)
    assert written(tmp_path) == []
