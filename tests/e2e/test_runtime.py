"""The runtime hook in a real program: a service and its jobs, in a git checkout, run as a
subprocess that raises in each of the ways a deployed program does (uncaught, in a thread, logged,
in a WSGI app served on 127.0.0.1 and hit over HTTP, in a job, in a forked child). The incidents
file it leaves reads back with the frames and arguments the reproduction side needs, holds no
secret, and stays within its bounds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import git, make_repo, user_env

from pytest_selfheal.runtime.incident import Incident

SECRET = "sk-live-7Hq2Xz9Lm4Np8Rt6Vw3Yb5"

PROJECT = {
    "pyproject.toml": """
        [project]
        name = "shop"
        version = "1.0"
        """,
    "shop/__init__.py": "",
    "shop/pricing.py": '''
        from decimal import Decimal


        def apply_discount(total: Decimal, code: str, rounding: int = 2) -> Decimal:
            percent = int(code.rstrip("%"))
            return round(total * (100 - percent) / 100, rounding)


        class Tag:
            def __repr__(self):
                raise RuntimeError("no repr")


        def label(tag, price):
            return tag.text + str(price)
        ''',
    "shop/partner.py": '''
        def call_partner(api_key: str, order_id: int) -> None:
            raise PermissionError(f"partner rejected key {api_key} for order {order_id}")
        ''',
    "shop/app.py": '''
        from decimal import Decimal

        from shop.pricing import apply_discount


        def app(environ, start_response):
            code = environ["PATH_INFO"].rsplit("/", 1)[1]
            price = apply_discount(Decimal("20.00"), code)
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [str(price).encode()]
        ''',
    "run.py": '''
        """The deployed program: runs one scenario of how a service or a job fails."""

        import json
        import logging
        import os
        import sys
        import threading
        import urllib.error
        import urllib.request
        from decimal import Decimal
        from wsgiref.simple_server import WSGIRequestHandler, make_server

        from pytest_selfheal import runtime
        from shop.app import app
        from shop.partner import call_partner
        from shop.pricing import Tag, apply_discount, label

        OPTIONS = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
        recorder = runtime.install(**OPTIONS)
        log = logging.getLogger("shop.worker")


        def discount():
            return apply_discount(Decimal("20.00"), "FIFTY")


        def report():
            print(json.dumps({"recorded": recorder.stats.recorded, "failed": recorder.stats.failed,
                              "rate_limited": recorder.stats.rate_limited,
                              "last_failure": recorder.stats.last_failure}), flush=True)


        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass


        scenario = sys.argv[1]
        if scenario == "uncaught":
            discount()
        elif scenario == "thread":
            worker = threading.Thread(target=discount, name="pricing-worker")
            worker.start()
            worker.join()
            report()
        elif scenario == "logged":
            try:
                discount()
            except ValueError:
                log.exception("discount failed")
            report()
        elif scenario == "wsgi":
            server = make_server("127.0.0.1", 0, runtime.WSGIMiddleware(app), handler_class=Quiet)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            base = f"http://127.0.0.1:{server.server_port}/discount/"
            ok = urllib.request.urlopen(base + "25%").read().decode()
            try:
                urllib.request.urlopen(base + "FIFTY")
                status = 200
            except urllib.error.HTTPError as error:
                status = error.code
            server.shutdown()
            print(json.dumps({"ok": ok, "status": status}), flush=True)
        elif scenario == "flask":
            from flask import Flask

            shop = Flask("shop")

            @shop.route("/discount/<code>")
            def discount_view(code):
                return str(apply_discount(Decimal("20.00"), code))

            server = make_server("127.0.0.1", 0, runtime.WSGIMiddleware(shop), handler_class=Quiet)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/discount/FIFTY")
                status = 200
            except urllib.error.HTTPError as error:
                status = error.code
            server.shutdown()
            print(json.dumps({"status": status}), flush=True)
        elif scenario == "job":
            with runtime.job("nightly-discounts"):
                discount()
        elif scenario == "secret":
            call_partner(os.environ["SERVICE_API_KEY"], 7)
        elif scenario == "hostile":
            try:
                label(Tag(), Decimal("1.5"))
            except AttributeError:
                log.exception("label failed")
            report()
        elif scenario == "flood":
            for number in range(int(sys.argv[3])):
                try:
                    apply_discount(Decimal(number), f"{number}x" * 50)
                except ValueError:
                    log.error("flood", exc_info=True)
            report()
        elif scenario == "fork":
            child = os.fork()
            if child == 0:
                try:
                    apply_discount(Decimal("1"), "CHILD")
                except ValueError:
                    log.exception("in the child")
                os._exit(0)
            os.waitpid(child, 0)
            try:
                apply_discount(Decimal("1"), "PARENT")
            except ValueError:
                log.exception("in the parent")
            print(json.dumps({"child": child, "parent": os.getpid()}), flush=True)
        elif scenario == "imports":
            heavy = {"pytest", "_pytest", "opentelemetry", "detect_secrets", "git", "anthropic", "rich",
                     "libcst", "coverage", "requests"}
            before = sorted({m.split(".")[0] for m in sys.modules} & heavy)
            try:
                discount()
            except ValueError:
                log.exception("once")
            after = sorted({m.split(".")[0] for m in sys.modules} & heavy)
            print(json.dumps({"before": before, "after": after}), flush=True)
        ''',
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("deployed") / "shop", PROJECT)


def run(shop: Path, scenario: str, *args: str, options: dict[str, object] | None = None,
        ) -> subprocess.CompletedProcess[str]:
    incidents = shop / ".selfheal"
    for old in incidents.glob("incidents.jsonl*"):
        old.unlink()
    return subprocess.run([sys.executable, "run.py", scenario, json.dumps(options or {}), *args],
                          cwd=shop, env=user_env({"SERVICE_API_KEY": SECRET}), capture_output=True,
                          text=True, timeout=60)


def incidents(shop: Path, name: str = "incidents.jsonl") -> list[Incident]:
    text = (shop / ".selfheal" / name).read_text(encoding="utf-8")
    assert SECRET not in text and SECRET[:10] not in text
    return [Incident.from_line(line) for line in text.splitlines()]


def assert_discount_incident(incident: Incident, shop: Path) -> None:
    raised = incident.exception
    assert (raised.type, raised.message) == ("ValueError", "invalid literal for int() with base 10: 'FIFTY'")
    innermost = raised.frames[-1]
    assert (innermost.path, innermost.function, innermost.in_project) == (
        "shop/pricing.py", "apply_discount", True)
    assert innermost.line == 5
    assert innermost.arguments == (
        {"name": "total", "kind": "positional",
         "value": {"repr": "Decimal('20.00')", "ref": {"module": "decimal", "name": "Decimal"}},
         "default": False},
        {"name": "code", "kind": "positional", "value": {"literal": "'FIFTY'"}, "default": False},
        {"name": "rounding", "kind": "positional", "value": {"literal": "2"}, "default": True},
    )
    assert incident.version == git(shop, "rev-parse", "HEAD").strip()
    assert incident.process["executable"] == Path(sys.executable).name


def test_an_uncaught_exception_is_recorded_and_still_printed(shop: Path) -> None:
    result = run(shop, "uncaught")

    assert result.returncode == 1
    assert result.stderr.rstrip().endswith("ValueError: invalid literal for int() with base 10: 'FIFTY'")
    [incident] = incidents(shop)
    assert incident.source == "excepthook"
    assert_discount_incident(incident, shop)
    assert [(f.path, f.function) for f in incident.exception.frames] == [
        ("run.py", "<module>"), ("run.py", "discount"), ("shop/pricing.py", "apply_discount")]


def test_an_exception_in_a_thread_is_recorded_with_the_branch_in_packed_refs(shop: Path) -> None:
    git(shop, "pack-refs", "--all")  # the deployed commit is read from packed-refs now
    result = run(shop, "thread")

    assert json.loads(result.stdout)["recorded"] == 1
    [incident] = incidents(shop)
    assert (incident.source, dict(incident.context)) == ("thread", {"thread": "pricing-worker"})
    assert_discount_incident(incident, shop)


def test_a_logged_exception_is_recorded(shop: Path) -> None:
    assert json.loads(run(shop, "logged").stdout)["recorded"] == 1
    [incident] = incidents(shop)
    assert (incident.source, dict(incident.context)) == ("logging", {"logger": "shop.worker"})
    assert_discount_incident(incident, shop)


def test_a_wsgi_500_over_real_http_is_recorded(shop: Path) -> None:
    result = run(shop, "wsgi")

    assert json.loads(result.stdout) == {"ok": "15.00", "status": 500}
    [incident] = incidents(shop)
    assert (incident.source, dict(incident.context)) == ("wsgi", {"method": "GET", "path": "/discount/FIFTY"})
    assert incident.exception.frames[-2].function == "app"
    assert_discount_incident(incident, shop)


def test_a_flask_view_turned_into_a_500_is_recorded_from_flasks_log(shop: Path) -> None:
    pytest.importorskip("flask")
    result = run(shop, "flask")

    assert json.loads(result.stdout) == {"status": 500}
    [incident] = incidents(shop)  # Flask logs it and answers 500: the middleware never sees it
    assert (incident.source, dict(incident.context)) == ("logging", {"logger": "shop"})
    view = incident.exception.frames[-2]
    assert (view.function, view.arguments) == (
        "discount_view", ({"name": "code", "kind": "positional", "value": {"literal": "'FIFTY'"},
                           "default": False},))
    assert_discount_incident(incident, shop)


def test_a_job_that_fails_is_recorded_once_under_its_name(shop: Path) -> None:
    result = run(shop, "job")

    assert result.returncode == 1  # raised on, and printed by the previous excepthook
    [incident] = incidents(shop)
    assert (incident.source, dict(incident.context)) == ("job", {"job": "nightly-discounts"})
    assert_discount_incident(incident, shop)


def test_a_secret_in_an_argument_and_the_message_is_written_nowhere(shop: Path) -> None:
    result = run(shop, "secret")

    assert SECRET in result.stderr  # the program's own traceback is the program's business
    [incident] = incidents(shop)  # which asserts the secret is nowhere in the file
    api_key, order_id = incident.exception.frames[-1].arguments or ()
    assert api_key == {"name": "api_key", "kind": "positional", "unrenderable": "it holds a secret, redacted",
                       "type": "str", "repr": "'[REDACTED]'"}
    assert order_id["value"] == {"literal": "7"}
    assert incident.exception.message == "partner rejected key [REDACTED] for order 7"


def test_an_argument_whose_repr_raises_breaks_nothing(shop: Path) -> None:
    result = run(shop, "hostile")

    assert json.loads(result.stdout)["failed"] == 0, result.stdout
    [incident] = incidents(shop)
    tag, price = incident.exception.frames[-1].arguments or ()
    assert (tag["type"], tag["unrenderable"]) == ("shop.pricing.Tag", "argument tag: describing it raised "
                                                                      "RuntimeError: no repr")
    assert price["value"] == {"repr": "Decimal('1.5')", "ref": {"module": "decimal", "name": "Decimal"}}


def test_a_program_that_fails_in_a_loop_cannot_fill_the_disk(shop: Path) -> None:
    options = {"max_bytes": 20_000, "keep": 2, "rate": 1e9, "burst": 10**9}
    stats = json.loads(run(shop, "flood", "2000", options=options).stdout)

    assert (stats["recorded"], stats["failed"]) == (2000, 0)
    files = sorted(p.name for p in (shop / ".selfheal").iterdir())
    assert files == ["incidents.jsonl", "incidents.jsonl.1", "incidents.jsonl.2"]
    assert all((shop / ".selfheal" / name).stat().st_size <= 20_000 for name in files)
    newest = incidents(shop)[-1]
    assert newest.exception.message.startswith("invalid literal for int() with base 10: '1999x1999x")


def test_a_burst_past_the_rate_is_counted_not_written(shop: Path) -> None:
    stats = json.loads(run(shop, "flood", "200", options={"rate": 0.01, "burst": 3}).stdout)

    assert (stats["recorded"], stats["rate_limited"]) == (3, 197)
    assert len(incidents(shop)) == 3


def test_a_forked_child_writes_its_own_incidents(shop: Path) -> None:
    pids = json.loads(run(shop, "fork").stdout)

    by_pid = {i.process["pid"]: i.exception.frames[-1].arguments for i in incidents(shop)}
    assert set(by_pid) == {pids["child"], pids["parent"]}
    assert (by_pid[pids["child"]] or ())[1]["value"] == {"literal": "'CHILD'"}


def test_the_hook_imports_nothing_heavy_until_an_incident(shop: Path) -> None:
    imported = json.loads(run(shop, "imports").stdout)

    assert imported["before"] == []
    # the first incident scans for credential shapes with detect-secrets (which imports requests)
    assert "opentelemetry" not in imported["after"] and "pytest" not in imported["after"]
