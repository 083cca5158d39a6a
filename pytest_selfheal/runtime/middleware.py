"""WSGI and ASGI middlewares: an exception the application lets out, which the server would turn
into a 500, is recorded and raised on unchanged. Wrap the application outermost (Flask's and
Django's own handlers catch what their views raise and log it: the logging hook records those).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, MutableMapping
from typing import Any

from pytest_selfheal.runtime.hooks import Recorder, current

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
                   Awaitable[None]]


def _record(recorder: Recorder | None, exc: Exception, source: str, method: object,
            path: object) -> None:
    recorder = recorder or current()
    if recorder is not None:
        recorder.record(exc, source, {"method": str(method), "path": str(path)})


class WSGIMiddleware:
    """`app = WSGIMiddleware(app)`: records what the application raises, while it is called and
    while its response is iterated. Uses the installed Recorder unless given one."""

    def __init__(self, app: WSGIApp, recorder: Recorder | None = None) -> None:
        self.app = app
        self.recorder = recorder

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            body = self.app(environ, start_response)
        except Exception as exc:
            self._record(exc, environ)
            raise
        if isinstance(body, list | tuple):
            return body  # made already: iterating it raises nothing
        return _Body(body, self, environ)

    def _record(self, exc: Exception, environ: dict[str, Any]) -> None:
        _record(self.recorder, exc, "wsgi", environ.get("REQUEST_METHOD", ""),
                environ.get("PATH_INFO", ""))


class _Body:
    """The response, iterated with its exceptions recorded; `close()` reaches the application's."""

    def __init__(self, body: Iterable[bytes], middleware: WSGIMiddleware, environ: dict[str, Any]) -> None:
        self.body, self.middleware, self.environ = body, middleware, environ

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.body
        except Exception as exc:
            self.middleware._record(exc, self.environ)
            raise

    def close(self) -> None:
        close = getattr(self.body, "close", None)
        if close is not None:
            close()


class ASGIMiddleware:
    """`app = ASGIMiddleware(app)`: records what an HTTP or WebSocket request raises out of the
    application (Starlette's and FastAPI's error middleware send the 500, then raise it on)."""

    def __init__(self, app: ASGIApp, recorder: Recorder | None = None) -> None:
        self.app = app
        self.recorder = recorder

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            if scope.get("type") in ("http", "websocket"):
                _record(self.recorder, exc, "asgi", scope.get("method", "WEBSOCKET"), scope.get("path", ""))
            raise
