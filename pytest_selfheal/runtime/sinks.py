"""Where incidents go. JsonLinesFile is the default: one `Incident.to_line()` per line, in a file
that rotates at a size and keeps a few old ones, so a program that raises in a loop cannot fill
the disk. The OpenTelemetry sink is in otel.py (it imports the SDK when it is built).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Protocol

from pytest_selfheal.runtime.incident import Incident


class Sink(Protocol):
    def write(self, incident: Incident, line: str) -> None:
        """Send one incident; `line` is its JSON line (without the line end)."""

    def after_fork(self) -> None:
        """In a forked child: locks and handles of the parent are not this process's."""

    def close(self) -> None: ...


class JsonLinesFile:
    """Appends each line with one `write` on a descriptor opened with O_APPEND, under a lock, so
    lines from threads (and from processes sharing the file) never interleave; nothing is
    buffered. When the file would grow past `max_bytes` it becomes `<name>.1` (`.1` becomes
    `.2`, ... up to `keep`; the oldest is removed). Rotation is per process: processes sharing one
    file may each rotate it, which loses no line but may leave a file shorter than the bound."""

    def __init__(self, path: Path, max_bytes: int = 10 * 1024 * 1024, keep: int = 3) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.keep = keep
        self._lock = threading.Lock()
        self._fd: int | None = None

    def write(self, incident: Incident, line: str) -> None:
        data = (line + "\n").encode("utf-8")
        with self._lock:
            fd = self._open()
            size = os.fstat(fd).st_size
            if size and size + len(data) > self.max_bytes:
                self._rotate()
                fd = self._open()
            os.write(fd, data)

    def _open(self) -> int:
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return self._fd

    def _rotate(self) -> None:
        self._close_fd()
        if self.keep <= 0:
            self.path.unlink(missing_ok=True)
            return
        for number in range(self.keep - 1, 0, -1):
            older = self.backup(number)
            if older.exists():
                os.replace(older, self.backup(number + 1))
        if self.path.exists():
            os.replace(self.path, self.backup(1))

    def backup(self, number: int) -> Path:
        return self.path.with_name(f"{self.path.name}.{number}")

    def after_fork(self) -> None:
        self._lock = threading.Lock()
        self._close_fd()

    def close(self) -> None:
        with self._lock:
            self._close_fd()

    def _close_fd(self) -> None:
        if self._fd is not None:
            try:
                os.close(self._fd)
            finally:
                self._fd = None
