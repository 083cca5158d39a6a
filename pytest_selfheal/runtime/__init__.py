"""Production incidents: what a running program (a service, a job) records when it raises.

Runs INSIDE the user's deployed program: imports only the standard library on import (no pytest,
no git, nothing heavy), never raises into the host program. `incident.py` is the record and its
JSON-lines form, the one format shared with the command-line side that ingests incidents.

    from pytest_selfheal import runtime
    runtime.install()                       # sys/threading excepthooks, logging at ERROR
    app = runtime.WSGIMiddleware(app)       # or runtime.ASGIMiddleware(app)
    with runtime.job("nightly"): ...        # or @runtime.watch
"""

from pytest_selfheal.runtime.capture import Limits
from pytest_selfheal.runtime.hooks import Recorder, Stats, current, install
from pytest_selfheal.runtime.jobs import job, watch
from pytest_selfheal.runtime.middleware import ASGIMiddleware, WSGIMiddleware
from pytest_selfheal.runtime.sinks import JsonLinesFile

__all__ = ["ASGIMiddleware", "JsonLinesFile", "Limits", "Recorder", "Stats", "WSGIMiddleware",
           "current", "install", "job", "watch"]
