"""`pytest-selfheal incidents` on a real repository with two deployed versions, the second of
which brings a bug: our JSON lines written from realistic frames, and OTLP JSON made by the real
OpenTelemetry SDK and its own OTLP encoder, as the Collector's file exporter writes it."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import fingerprint, git, init_repo, user_env

from pytest_selfheal.runtime.incident import SCHEMA, Incident, IncidentFrame, RaisedException

HOUR = 3600.0
DEPLOYED_AT = 1_764_000_000.0  # the second version's first incident
SECRET = "sk-live-9Qx7Lm2Vw8Rt4Zp6Ns3K"  # an API token an older hook let into a message
PRICING_V1 = '''\
"""Prices of the shop's catalog."""


def unit_price(catalog, sku):
    price = catalog[sku]
    return round(price * 1.2, 2)


def average(prices):
    return sum(prices) / len(prices)
'''
# the deploy normalizes the SKU, but the catalog's keys are lowercase: every lookup now fails
PRICING_V2 = PRICING_V1.replace("catalog[sku]", "catalog[sku.strip().upper()]")
APP = '''\
"""The shop's request handlers."""

from . import pricing, rates


def handle(request, catalog):
    if request["path"] == "/rates":
        return rates.fetch_rates(request["currency"])
    if request["path"] == "/average":
        return pricing.average(request["prices"])
    return pricing.unit_price(catalog, request["sku"])
'''
RATES = '''\
"""Exchange rates from the upstream service."""

import socket


def fetch_rates(currency):
    with socket.create_connection(("rates.internal", 443), timeout=2) as conn:
        return conn.recv(1024)
'''
SERVER = IncidentFrame("/usr/lib/python3.11/wsgiref/handlers.py", 137, "BaseHandler.run", False)


def frame(path: str, line: int, function: str, **arguments: Any) -> IncidentFrame:
    return IncidentFrame(path, line, function, True, tuple(
        {"name": name, "kind": "positional", "value": value} for name, value in arguments.items()))


def incident(n: int, time: float, version: str, exc_type: str, message: str,
             frames: tuple[IncidentFrame, ...]) -> str:
    return Incident(id=f"inc-{n:05d}", time=time, version=version, source="wsgi",
                    process={"pid": 4100 + n % 7, "executable": "gunicorn", "host": "web-1"},
                    chain=(RaisedException(exc_type, message, "raised", frames),)).to_line()


def chronic(n: int, time: float, version: str) -> str:
    """Empty price lists divide by zero, at the same rate on both versions."""
    return incident(n, time, version, "ZeroDivisionError", "division by zero", (
        SERVER, frame("shop/app.py", 10, "handle", request={"path": "/average", "prices": []}),
        frame("shop/pricing.py", 10, "average", prices=[])))


def transient(n: int, time: float, version: str) -> str:
    """The rates service refuses connections, more often since the deploy."""
    return incident(n, time, version, "ConnectionRefusedError", "[Errno 111] Connection refused", (
        SERVER, frame("shop/app.py", 8, "handle", request={"path": "/rates", "currency": "EUR"}),
        frame("shop/rates.py", 7, "fetch_rates", currency="EUR"),
        IncidentFrame("/usr/lib/python3.11/socket.py", 851, "create_connection", False)))


def unpriced(n: int, time: float, version: str) -> str:
    """A product without a price: raised on a line the deploy left, in the function it changed."""
    return incident(n, time, version, "TypeError",
                    "unsupported operand type(s) for *: 'NoneType' and 'float'", (
                        SERVER, frame("shop/app.py", 11, "handle", request={"path": "/price"}),
                        frame("shop/pricing.py", 6, "unit_price", sku="gift")))


def regression(n: int, time: float, version: str) -> str:
    return incident(n, time, version, "KeyError", f"'ABC-{n}'", (
        SERVER, frame("shop/app.py", 11, "handle", request={"path": "/price", "sku": f"abc-{n}"}),
        frame("shop/pricing.py", 5, "unit_price", sku=f"abc-{n}")))


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """The service's repository: v1 deployed, then v2 (HEAD) with the bug."""
    repo = tmp_path_factory.mktemp("shop") / "repo"
    (repo / "shop").mkdir(parents=True)
    (repo / "shop" / "__init__.py").write_text("")
    (repo / "shop" / "app.py").write_text(APP)
    (repo / "shop" / "rates.py").write_text(RATES)
    (repo / "shop" / "pricing.py").write_text(PRICING_V1)
    init_repo(repo)
    v1 = git(repo, "rev-parse", "HEAD").strip()
    (repo / "shop" / "pricing.py").write_text(PRICING_V2)
    git(repo, "commit", "-qam", "normalize SKUs")
    v2 = git(repo, "rev-parse", "HEAD").strip()
    return repo, v1, v2


def jsonl_incidents(v1: str, v2: str) -> list[str]:
    """24 h of v1, then 12 h of v2: a chronic error every hour, refused connections now and then
    before and a burst after, and the new KeyError after the deploy only."""
    lines, n = [], 0
    for hour in range(-24, 12):
        version = v1 if hour < 0 else v2
        n += 1
        lines.append(chronic(n, DEPLOYED_AT + hour * HOUR, version))
        if hour in (-20, -9):
            n += 1
            lines.append(transient(n, DEPLOYED_AT + hour * HOUR + 60, version))
    for minute in range(0, 600, 20):
        n += 1
        lines.append(regression(n, DEPLOYED_AT + 300 + minute * 60, v2))
    for minute in range(0, 200, 10):
        n += 1
        lines.append(transient(n, DEPLOYED_AT + 400 + minute * 60, v2))
    lines += [unpriced(n + 1, DEPLOYED_AT + 4 * HOUR, v2), unpriced(n + 2, DEPLOYED_AT + 5 * HOUR, v2)]
    n += 3
    lines.append(incident(n, DEPLOYED_AT + 2 * HOUR, v2, "PermissionError",
                          f"upstream rejected token {SECRET}", (
                              SERVER, frame("shop/app.py", 11, "handle", request={"path": "/price"}))))
    return lines


def otlp_lines(repo: Path, v1: str, v2: str) -> list[str]:
    """What the Collector's file exporter writes: spans from other instrumentation (exception
    events raised by the repository's own code, a span without one from v1) and log records
    (our incident, and another tool's record without an exception)."""
    from google.protobuf.json_format import MessageToJson
    from opentelemetry._logs import LogRecord, SeverityNumber
    from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
    from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    spec = importlib.util.spec_from_file_location("deployed_pricing", repo / "shop" / "pricing.py")
    assert spec is not None and spec.loader is not None
    pricing = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pricing)

    lines = []
    for version, calls in ((v1, 0), (v2, 6)):
        spans = InMemorySpanExporter()
        tracer_provider = TracerProvider(resource=Resource.create(
            {"service.name": "shop", "service.version": version}))
        tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
        tracer = tracer_provider.get_tracer("opentelemetry.instrumentation.wsgi")
        for call in range(max(calls, 1)):
            at = int((DEPLOYED_AT + (HOUR if calls else -HOUR) + call * 60) * 1e9)
            with tracer.start_as_current_span("GET /price", start_time=at, end_on_exit=False,
                                              record_exception=False) as span:
                if calls:
                    try:
                        pricing.unit_price({"abc-1": 3}, f"abc-{call}")
                    except KeyError as exc:
                        span.record_exception(exc, timestamp=at + 1000)
                span.end(end_time=at + 5000)
        lines.append(MessageToJson(encode_spans(spans.get_finished_spans()), indent=None))

    records = InMemoryLogRecordExporter()
    logger_provider = LoggerProvider(resource=Resource.create({"service.name": "shop",
                                                               "service.version": v2}))
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(records))
    ours = Incident.from_line(regression(9001, DEPLOYED_AT + 3 * HOUR, v2))
    innermost = ours.project_frames()[-1]
    logger = logger_provider.get_logger("pytest_selfheal.runtime")
    logger.emit(LogRecord(
        timestamp=int(ours.time * 1e9), severity_number=SeverityNumber.ERROR,
        body=f"{ours.exception.type}: {ours.exception.message}",
        attributes={"selfheal.incident": ours.to_line(), "selfheal.incident.version": SCHEMA,
                    "exception.type": ours.exception.type, "exception.message": ours.exception.message,
                    "exception.stacktrace": "Traceback (most recent call last): ...",
                    "code.function.name": innermost.function, "code.file.path": innermost.path,
                    "code.line.number": innermost.line}))
    logger.emit(LogRecord(timestamp=int(DEPLOYED_AT * 1e9), severity_number=SeverityNumber.INFO,
                          body="GET /health 200", attributes={"http.route": "/health"}))
    lines.append(MessageToJson(encode_logs(records.get_finished_logs()), indent=None))
    return lines


def cli(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest_selfheal", "incidents", *args], cwd=repo,
                          capture_output=True, text=True, timeout=120,
                          env=user_env({"SHOP_API_TOKEN": SECRET, "COLUMNS": "200", **(env or {})}))


@pytest.fixture(scope="module")
def files(shop: tuple[Path, str, str]) -> tuple[Path, Path]:
    """The hook's rotated JSON lines (with a broken line, and a last line cut short as a full disk
    leaves it) and the Collector's file, outside the repository."""
    repo, v1, v2 = shop
    lines = jsonl_incidents(v1, v2)
    where = repo.parent / "incidents"
    where.mkdir()
    older, newer = lines[:20], lines[20:]
    (where / "incidents.jsonl.1").write_text("\n".join(older) + "\n")
    broken = [*newer[:4], "{this is not json", *newer[4:], '{"schema": "pytest-selfheal/incident/1"}']
    cut_short = regression(999, DEPLOYED_AT + 11 * HOUR, v2)[:70]
    (where / "incidents.jsonl").write_text("\n".join(broken) + "\n" + cut_short)
    collector = repo.parent / "otel-collector.json"
    collector.write_text("\n".join(otlp_lines(repo, v1, v2)) + "\n")
    return where / "incidents.jsonl", collector


@pytest.fixture(scope="module")
def triaged(shop: tuple[Path, str, str], files: tuple[Path, Path]
            ) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    repo, _, _ = shop
    before = fingerprint(repo)
    result = cli(repo, str(files[0]), str(files[1]), "--json")
    assert fingerprint(repo) == before
    return result, json.loads(result.stdout)


def verdict(report: dict[str, Any], starts: str) -> dict[str, Any]:
    found = [v for v in report["verdicts"] if v["signature"].startswith(starts)]
    assert len(found) == 1, [v["signature"] for v in report["verdicts"]]
    return found[0]


def test_a_regression_after_the_deploy_is_flagged_with_its_changed_line(triaged, shop):
    result, report = triaged
    _, v1, v2 = shop
    assert result.returncode == 1, result.stderr  # a regression fails the gate
    assert report["deploy"]["version"] == v2 and report["deploy"]["previous"] == v1
    bug = verdict(report, "KeyError: 'ABC-<n>' @ shop/pricing.py::unit_price")
    assert bug["status"] == "regression" and bug["p_value"] < 0.05
    assert bug["is_runtime_change"] and bug["causal_link"] and bug["confidence"] == "high"
    assert bug["evidence"] == ["shop/pricing.py:5"]
    # 30 JSON lines, 6 span events from the real SDK (their frames' deployed paths are the
    # repository's files) and our log record carried by OpenTelemetry: one signature
    assert bug["counts"] == {"before": 0, "after": 37, "total": 37}
    assert bug["versions"] == [v2] and bug["transient"] is None
    assert len(bug["examples"]) == 3


def test_a_frame_in_a_function_the_deploy_changed_is_linked_with_less_confidence(triaged):
    _, report = triaged
    unpriced = verdict(report, "TypeError: unsupported operand")
    assert unpriced["causal_link"] and unpriced["confidence"] == "medium"
    assert unpriced["evidence"] == ["shop/pricing.py:5"]
    assert unpriced["link_note"] == "a frame is in a function the deploy changed"


def test_a_chronic_signature_is_not_a_regression(triaged):
    _, report = triaged
    steady = verdict(report, "ZeroDivisionError: division by zero @ shop/pricing.py::average")
    assert steady["status"] == "chronic" and steady["p_value"] > 0.05
    assert steady["counts"]["before"] == 24 and steady["counts"]["after"] == 12
    assert not steady["is_runtime_change"] and not steady["causal_link"]


def test_refused_connections_are_transient_not_the_deploys(triaged):
    _, report = triaged
    refused = verdict(report, "ConnectionRefusedError")
    assert refused["transient"] == "ConnectionRefusedError is a network error"
    assert refused["counts"] == {"before": 2, "after": 20, "total": 22}
    assert refused["status"] == "regression"  # more frequent, but the network's
    assert not refused["is_runtime_change"]


def test_broken_lines_are_reported_where_they_are_and_the_rest_is_read(triaged, files):
    _, report = triaged
    jsonl, collector = files
    read = report["read"]
    assert read["files"] == [str(jsonl), f"{jsonl}.1", str(collector)]
    assert read["malformed"] == 3
    problems = read["problems"]
    last = len(jsonl.read_text().split("\n"))  # the line cut short has no line end
    assert problems[0].startswith(f"{jsonl}:5: not JSON: ")
    assert problems[1] == (f"{jsonl}:{last - 1}: not an incident of pytest-selfheal/incident/1: "
                           "chain is not a list")
    assert problems[2].startswith(f"{jsonl}:{last}: not JSON (the last line, cut short?): ")
    # spans without an exception event and the other tool's log record are skipped, counted
    assert read["skipped"] == 2
    # every incident but the one cut short: 36 chronic, 22 refused, 30 KeyErrors, 2 TypeErrors,
    # the token one, 6 span events and our OpenTelemetry log record
    assert read["incidents"] == 36 + 22 + 30 + 2 + 1 + 6 + 1


def test_the_table_names_each_signature_and_its_changed_line(shop, files):
    repo, _, _ = shop
    result = cli(repo, str(files[0]), str(files[1]))
    assert result.returncode == 1, result.stderr
    assert "3 line(s) not readable" in result.stdout
    assert f"{files[0]}:5: not JSON" in result.stdout
    row = next(line for line in result.stdout.splitlines() if "KeyError: 'ABC-<n>'" in line)
    assert [cell.strip() for cell in row.split("│")[2:-1]] == [
        "regression", "0", "37", "<1e-15", "logic", "shop/pricing.py:5"]
    assert "transient" in result.stdout
    assert SECRET not in result.stdout + result.stderr


def test_a_secret_in_a_message_never_appears(triaged):
    result, report = triaged
    assert SECRET not in result.stdout + result.stderr
    assert any(v["signature"].startswith("PermissionError: upstream rejected token")
               for v in report["verdicts"])


def test_a_version_that_is_not_a_commit_is_said_plainly(shop, tmp_path):
    repo, v1, _ = shop
    unknown = "0badc0ffee" * 4
    path = tmp_path / "incidents.jsonl"
    path.write_text("\n".join([chronic(1, DEPLOYED_AT - HOUR, v1),
                               regression(2, DEPLOYED_AT, unknown),
                               regression(3, DEPLOYED_AT + 60, unknown)]) + "\n")
    result = cli(repo, str(path), "--json")
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    problem = f"version {unknown} is not a commit of this repository: fetch it"
    assert report["deploy"]["problem"].startswith(problem)
    bug = verdict(report, "KeyError")
    assert not bug["causal_link"] and bug["link_note"].startswith(problem)
    table = cli(repo, str(path))
    assert problem in table.stdout


def test_a_missing_file_is_a_usage_error_naming_the_fix(shop, tmp_path):
    repo, _, _ = shop
    result = cli(repo, str(tmp_path / "nowhere.jsonl"))
    assert result.returncode == 2
    assert f"no incident file at {tmp_path / 'nowhere.jsonl'}: give the file" in result.stderr


def test_incidents_piped_on_stdin_without_a_deploy_say_so(shop):
    repo, v1, _ = shop
    lines = "\n".join(chronic(n, DEPLOYED_AT + n, v1) for n in range(3)) + "\n"
    result = subprocess.run([sys.executable, "-m", "pytest_selfheal", "incidents", "-"], cwd=repo,
                            input=lines, capture_output=True, text=True, timeout=120,
                            env=user_env({"COLUMNS": "200"}))
    assert result.returncode == 0, result.stderr
    assert "read 3 incident(s)" in result.stdout
    assert "no deploy to judge" in result.stdout
    assert "ZeroDivisionError: division by zero @ shop/pricing.py::average" in result.stdout


def test_outside_a_repository_signatures_are_judged_and_the_link_says_why_not(files, tmp_path):
    result = cli(tmp_path, str(files[0]), "--json", "--window", "6h")
    report = json.loads(result.stdout)
    assert report["deploy"]["problem"].startswith(f"no git repository at {tmp_path}: run the "
                                                  "command in the service's repository")
    bug = verdict(report, "KeyError: 'ABC-<n>'")
    assert bug["status"] == "regression" and not bug["causal_link"]
    assert bug["counts"]["after"] == 18  # the 6 h window holds 18 of the 30 after the deploy
    assert report["deploy"]["window_seconds"] == 6 * HOUR
