"""`pytest-selfheal demo incident`: from a production exception to a validated fix, offline.

The bundled ratings service (examples/service) runs in a fresh git repository with the runtime
hook installed; a few requests reach it and one answers 500. Then the three commands a user runs:
`incidents` (the table), and `heal`, which reproduces the incident at HEAD as a test and heals it
with the builtin agent; its section prints fix.diff with the reproduction test in it.
"""

from __future__ import annotations

import select
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from ..runtime.hooks import DEFAULT_PATH
from .exit_codes import EXIT_NOT_HEALED, EXIT_OK

REQUESTS = ("/products/lamp-01/rating", "/products/desk-02/rating", "/products/sofa-99/rating",
            "/products/shelf-04/rating", "/products/chair-03/rating")
SERVER_START = 30.0  # seconds for the service to say where it listens


def incident_demo(example: Path, target: Path, commit: Callable[[Path], None]) -> int:
    """Copy the service to `target`, commit it (`commit(target)`), serve it, send REQUESTS, then
    triage and heal what it recorded."""
    shutil.copytree(example, target)
    commit(target)
    print(f"serving the ratings service from {target} with the incident hook\n", flush=True)
    _serve_and_request(target)
    incidents = target / DEFAULT_PATH
    if not incidents.is_file():
        print("the service recorded no incident", file=sys.stderr)
        return EXIT_NOT_HEALED
    print(f"\n$ pytest-selfheal incidents {DEFAULT_PATH}", flush=True)
    subprocess.run([sys.executable, "-m", "pytest_selfheal", "incidents", str(incidents)],
                   cwd=target)
    print(f"\n$ pytest-selfheal heal {DEFAULT_PATH}", flush=True)
    healed = subprocess.run([sys.executable, "-m", "pytest_selfheal", "heal", str(incidents),
                             "--", "--selfheal-agent=builtin", "-p", "no:cacheprovider",
                             "--color=yes"], cwd=target).returncode
    print(f"\ndemo repository: {target}  (incident {'healed' if healed == EXIT_OK else 'not healed'})")
    return EXIT_OK if healed == EXIT_OK else EXIT_NOT_HEALED


def _serve_and_request(target: Path) -> None:
    for path, status in serve_and_request(target, REQUESTS):
        print(f"GET {path}  ->  {status}", flush=True)


def serve_and_request(target: Path, paths: Sequence[str]) -> list[tuple[str, str]]:
    """Serve the example in `target` (serve.py, the hook installed), GET each path, stop it;
    each path with its answer's status (and body when it succeeded)."""
    server = subprocess.Popen([sys.executable, "serve.py"], cwd=target, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], SERVER_START)
        address = server.stdout.readline().strip().rsplit(" ", 1)[-1] if ready else ""
        if not address.startswith("http://"):
            raise RuntimeError(f"the service did not start (it said {address!r})")
        return [(path, _status(address + path)) for path in paths]
    finally:
        server.terminate()
        server.wait(timeout=SERVER_START)


def _status(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=SERVER_START) as answer:
            return f"{answer.status} {answer.read().decode()}"
    except urllib.error.HTTPError as error:
        return f"{error.code} {error.reason}"
