"""A real HTTP server on 127.0.0.1 that speaks enough of the Anthropic Messages API (non-streaming)
to drive the real `anthropic` SDK through a scripted conversation, and records every request.

A script is a list of steps, consumed one per POST /v1/messages:
- `tool("read_file", path="x.py")` or `tools(("read_file", {...}), ...)`: a tool_use reply,
- `text("...")`: an end_turn reply with no tool call,
- `error(429, retry_ms=10)`: an error reply (the SDK retries 429 and 5xx),
- `slow(seconds, step)`: the step, answered after a delay,
- a callable taking the request body and returning one of the above.
When the script is exhausted the server answers 400, so a test that runs past its script fails loudly.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

from local_server import LocalServer

Step = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]
OUTPUT_TOKENS = 50


def tool(name: str, **arguments: Any) -> dict[str, Any]:
    return tools((name, arguments))


def tools(*calls: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    return {"content": [{"type": "tool_use", "name": n, "input": i} for n, i in calls],
            "stop_reason": "tool_use"}


def text(words: str) -> dict[str, Any]:
    return {"content": [{"type": "text", "text": words}], "stop_reason": "end_turn"}


def error(status: int, retry_ms: int = 5, message: str = "scripted failure") -> dict[str, Any]:
    kind = {429: "rate_limit_error", 529: "overloaded_error"}.get(status, "api_error")
    return {"status": status, "retry_ms": retry_ms,
            "body": {"type": "error", "error": {"type": kind, "message": message}}}


def slow(seconds: float, step: dict[str, Any]) -> dict[str, Any]:
    return {**step, "delay": seconds}


class FakeMessagesAPI(LocalServer):
    """Use as a context manager; `url` goes into ANTHROPIC_BASE_URL."""

    def __init__(self, script: list[Step]) -> None:
        self.script = list(script)
        self.requests: list[dict[str, Any]] = []  # parsed bodies, in arrival order
        self.raw: list[bytes] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._ids = 0
        super().__init__(self._handler())

    def all_text(self) -> str:
        return b"\n".join(self.raw).decode("utf-8", errors="replace")

    def _next(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str], float]:
        with self._lock:
            if not self.script:
                return 400, {"type": "error", "error": {
                    "type": "invalid_request_error", "message": "fake server: script exhausted"}}, {}, 0.0
            step = self.script.pop(0)
            self._ids += 1
            number = self._ids
        if callable(step):
            step = step(body)
        delay = float(step.get("delay", 0.0))
        if "status" in step:
            headers = {"retry-after-ms": str(step["retry_ms"])}
            return int(step["status"]), step["body"], headers, delay
        content = [
            {**block, "id": f"toolu_{number}_{i}"} if block["type"] == "tool_use" else block
            for i, block in enumerate(step["content"])
        ]
        prompt_tokens = len(json.dumps(body)) // 4
        return 200, {
            "id": f"msg_{number}", "type": "message", "role": "assistant", "model": body.get("model"),
            "content": content, "stop_reason": step["stop_reason"], "stop_sequence": None,
            "usage": {"input_tokens": prompt_tokens, "output_tokens": OUTPUT_TOKENS,
                      "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0},
        }, {}, delay

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                body = json.loads(raw or b"{}")
                with api._lock:
                    api.raw.append(raw)
                    api.requests.append(body)
                    api.headers.append(dict(self.headers.items()))
                if self.path.split("?")[0] != "/v1/messages":
                    status, reply, headers, delay = 404, {"type": "error", "error": {
                        "type": "not_found_error", "message": self.path}}, {}, 0.0
                else:
                    status, reply, headers, delay = api._next(body)
                time.sleep(delay)
                data = json.dumps(reply).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
