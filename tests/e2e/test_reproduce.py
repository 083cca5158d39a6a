"""`pytest-selfheal reproduce`: an incident's recorded call becomes a pytest test proven in a
sandbox to fail at HEAD with the incident's exception; an incident fixed since names the commit
that fixed it; frames that cannot be called again say why. The checkout is only read."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import fingerprint, git, make_repo, user_env

from pytest_selfheal.runtime.incident import Incident, IncidentFrame, RaisedException

pytestmark = pytest.mark.slow

PRICING = '''
    """Prices of a shop's carts."""

    from decimal import Decimal


    def parse_discount(text):
        """'15' or '15%' -> Decimal('0.15')."""
        return Decimal(text) / 100


    class Cart:
        def __init__(self, prices):
            self.prices = [Decimal(p) for p in prices]

        def total(self, discount):
            subtotal = sum(self.prices, Decimal(0))
            return subtotal * (1 - parse_discount(discount))
    '''
TESTS = '''
    from decimal import Decimal

    from shop.pricing import Cart


    def test_total_with_a_discount():
        assert Cart(["10", "30"]).total("25") == Decimal("30")
    '''
PYPROJECT = '''
    [tool.pytest.ini_options]
    addopts = ["--strict-config", "--strict-markers"]
    filterwarnings = ["error"]
    testpaths = ["tests"]
    '''


def _shop(root: Path) -> Path:
    return make_repo(root, {"shop/__init__.py": "", "shop/pricing.py": PRICING,
                            "tests/test_pricing.py": TESTS, "pyproject.toml": PYPROJECT})


def _incident(version: str, text_argument: dict[str, object] | None = None) -> Incident:
    """What the runtime hook records when a request with discount '15%' reaches Cart.total."""
    text = text_argument or {"name": "text", "kind": "positional",
                             "value": {"literal": "'15%'"}, "default": False}
    cart = IncidentFrame("shop/pricing.py", 17, "Cart.total", True, (
        {"name": "self", "kind": "positional", "unrenderable": "a Cart object has no constructor "
         "call that rebuilds it", "type": "shop.pricing.Cart", "repr": "<Cart>"},
        {"name": "discount", "kind": "positional", "value": {"literal": "'15%'"}, "default": False},
    ))
    parse = IncidentFrame("shop/pricing.py", 8, "parse_discount", True, (text,))
    handler = IncidentFrame("/srv/venv/lib/python3.11/site-packages/web/app.py", 90, "dispatch", False)
    return Incident(
        id="5f0c2a9e41d84b7a", time=1764900000.0, version=version, source="wsgi",
        process={"pid": 7, "executable": "gunicorn"},
        chain=(RaisedException("decimal.InvalidOperation", "[<class 'decimal.ConversionSyntax'>]",
                               "raised", (handler, cart, parse)),),
    )


def _reproduce(repo: Path, incident: Incident, *args: str) -> subprocess.CompletedProcess[str]:
    incidents = repo.parent / "incidents.jsonl"
    incidents.write_text("not json at all\n" + incident.to_line() + "\n", encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "pytest_selfheal", "reproduce", str(incidents),
                           "--json", *args], cwd=repo, capture_output=True, text=True, timeout=300, env=user_env())


def test_the_innermost_call_is_reproduced_at_head_and_written_as_a_test(tmp_path):
    repo = _shop(tmp_path / "shop")
    head = git(repo, "rev-parse", "HEAD").strip()
    before = fingerprint(repo)

    done = _reproduce(repo, _incident(head))

    assert done.returncode == 0, done.stdout + done.stderr
    assert "incidents.jsonl:1: skipped, not JSON" in done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "reproduced"
    assert result["test_path"] == "tests/test_incident_5f0c2a9e.py"
    assert [(f["function"], f["verdict"]) for f in result["frames"]] == [
        ("parse_discount", "reproduced"), ("Cart.total", "not-rebuildable")]
    assert result["frames"][0]["detail"].startswith("decimal.InvalidOperation")
    written = Path(result["written"])
    source = written.read_text()
    assert "from shop.pricing import parse_discount" in source
    assert "    parse_discount('15%')\n" in source
    # the written test, run by the user's pytest in the checkout, fails as production did
    assert fingerprint(repo) == before
    # the written test, run by the user's pytest in the checkout, fails as production did
    (repo / result["test_path"]).write_text(source)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          result["test_path"]], cwd=repo, capture_output=True, text=True, timeout=120, env=user_env())
    assert run.returncode == 1 and "decimal.InvalidOperation" in run.stdout, run.stdout


def test_an_incident_fixed_since_its_version_names_the_commit_that_fixed_it(tmp_path):
    repo = _shop(tmp_path / "shop")
    deployed = git(repo, "rev-parse", "HEAD").strip()
    (repo / "README.md").write_text("the shop\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "readme")
    (repo / "shop/pricing.py").write_text(
        (repo / "shop/pricing.py").read_text().replace(
            "return Decimal(text) / 100", 'return Decimal(text.rstrip("%")) / 100'))
    git(repo, "commit", "-qam", "accept a percent sign")
    fix = git(repo, "rev-parse", "HEAD").strip()
    (repo / "CHANGES.md").write_text("percent signs\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "changelog")

    done = _reproduce(repo, _incident(deployed), "--id", "5f0c")

    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "fixed", result
    assert result["fixed_by"] == fix
    assert git(repo, "rev-parse", "HEAD").strip() != fix  # the checkout stayed where it was


def test_frames_that_cannot_be_called_again_say_why(tmp_path):
    repo = _shop(tmp_path / "shop")
    socket_argument = {"name": "text", "kind": "positional", "unrenderable": "a socket is not a value",
                       "type": "socket.socket", "repr": "<socket>"}

    done = _reproduce(repo, _incident("", socket_argument))

    assert done.returncode == 1, done.stdout + done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "not-reproduced"
    assert [(f["function"], f["verdict"]) for f in result["frames"]] == [
        ("parse_discount", "not-rebuildable"), ("Cart.total", "not-rebuildable")]
    assert "argument text (socket.socket) cannot be rebuilt" in result["frames"][0]["detail"]
    assert "argument self (shop.pricing.Cart) cannot be rebuilt" in result["frames"][1]["detail"]


def test_an_argument_holding_a_secret_is_never_written_into_a_test(tmp_path):
    repo = _shop(tmp_path / "shop")
    secret = "sk_live_9f8e7d6c5b4a39281706"
    secret_argument = {"name": "text", "kind": "positional", "value": {"literal": repr(secret)},
                       "default": False}
    incident = _incident("", secret_argument)

    incidents = tmp_path / "incidents.jsonl"
    incidents.write_text(incident.to_line() + "\n")
    done = subprocess.run([sys.executable, "-m", "pytest_selfheal", "reproduce", str(incidents)],
                          cwd=repo, capture_output=True, text=True, timeout=300,
                          env=user_env({"PAYMENT_API_KEY": secret}))

    assert done.returncode == 1
    assert "holds a secret" in done.stdout
    written = [p.read_text() for p in (repo / ".selfheal").rglob("*") if p.is_file()]
    assert all(secret not in text for text in [done.stdout, done.stderr, *written])


def test_an_incident_the_collector_carried_is_reproduced_from_its_otlp_file(tmp_path):
    """The hook's OpenTelemetry sink, through the real SDK and its own OTLP encoder, is what the
    Collector's file exporter writes; our log record carries the whole incident."""
    from google.protobuf.json_format import MessageToJson
    from opentelemetry.exporter.otlp.proto.common._log_encoder import encode_logs
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor

    from pytest_selfheal.runtime.otel import opentelemetry_sink

    repo = _shop(tmp_path / "shop")
    exported = InMemoryLogRecordExporter()
    provider = LoggerProvider()
    provider.add_log_record_processor(SimpleLogRecordProcessor(exported))
    incident = _incident("")
    opentelemetry_sink(provider).write(incident, incident.to_line())
    otlp = tmp_path / "otlp.jsonl"
    otlp.write_text(MessageToJson(encode_logs(exported.get_finished_logs()), indent=None) + "\n")

    done = subprocess.run([sys.executable, "-m", "pytest_selfheal", "reproduce", str(otlp),
                           "--json"], cwd=repo, capture_output=True, text=True, timeout=300,
                          env=user_env())

    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["status"] == "reproduced"
