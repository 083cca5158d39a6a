"""Hangs and runaway recursion through `pytest --selfheal`: a logic failure that fails the same way
every time is repaired, whatever its exception says about time; only the network's errors are
transient."""

from __future__ import annotations

import pytest
from helpers import (
    SEARCH_THAT_NEVER_ADVANCES,
    fingerprint,
    latest_report,
    latest_run_dir,
    make_repo,
    run_pytest,
    triage_verdicts,
)

pytestmark = pytest.mark.slow

HEAL = ("--selfheal", "--selfheal-agent=builtin", "--selfheal-reruns=1")
CONFIG = """
    [project]
    name = "{name}"
    version = "0.1"

    [tool.pytest.ini_options]
    testpaths = ["tests"]
    filterwarnings = ["error"]
    """


def test_a_search_that_never_advances_times_out_and_is_healed(tmp_path):
    repo = make_repo(tmp_path / "repo", {
        "pyproject.toml": CONFIG.format(name="bsearch") + "    timeout = 1\n",  # pytest-timeout
        "bsearch/__init__.py": "",
        "bsearch/search.py": SEARCH_THAT_NEVER_ADVANCES,
        "tests/test_search.py": """
            from bsearch.search import find


            def test_first():
                assert find([1, 3, 5, 7], 1) == 0


            def test_missing_below():
                assert find([1, 3, 5, 7], 0) == -1


            def test_middle():
                assert find([1, 3, 5, 7], 5) == 2


            def test_missing_above():
                assert find([1, 3, 5, 7], 9) == -1
            """,
    })
    before = fingerprint(repo)
    # the candidate after the fix is judged too: it still hangs
    result = run_pytest(repo, *HEAL, "--selfheal-alternatives=1", "--selfheal-time-budget=40", timeout=120)
    assert result.returncode == 1
    assert fingerprint(repo) == before
    report = latest_report(repo)
    hung = ["tests/test_search.py::test_middle", "tests/test_search.py::test_missing_above"]
    assert "Timeout (>1.0s) from pytest-timeout" in result.stdout
    verdicts = triage_verdicts(report)
    assert sorted(verdicts) == hung
    assert all(v["kind"] == "deterministic" and v["repair"] for v in verdicts.values())
    assert report["status"] == "healed", report["reason"]
    assert sorted(report["fix"]["fixed"]) == hung
    diff = (latest_run_dir(repo) / "fix.diff").read_text()
    assert "-            lo = mid\n+            lo = mid + 1\n" in diff
    # candidates that still hang were stopped by the project's own timeout and judged, and the
    # heal went on
    hanging = [c for c in report["candidates"] if "Timeout (>1.0s)" in c["detail"]]
    assert hanging and all(c["verdict"] in ("still-failing", "breaks-others") for c in hanging)


def test_a_base_case_never_reached_recurses_until_python_stops_it_and_is_healed(tmp_path):
    repo = make_repo(tmp_path / "repo", {
        "pyproject.toml": CONFIG.format(name="binary"),
        "binary/__init__.py": "",
        "binary/digits.py": '''
            """Binary digits of non-negative integers."""


            def bit_length(n):
                """How many binary digits n >= 0 has (0 has none)."""
                if n < 0:
                    return 0
                return 1 + bit_length(n // 2)
            ''',
        "tests/test_digits.py": """
            from binary.digits import bit_length


            def test_zero():
                assert bit_length(0) == 0


            def test_powers_of_two():
                assert [bit_length(2 ** k) for k in range(5)] == [1, 2, 3, 4, 5]


            def test_agrees_with_int():
                assert all(bit_length(n) == n.bit_length() for n in range(100))
            """,
    })
    before = fingerprint(repo)
    result = run_pytest(repo, *HEAL, "--selfheal-alternatives=0", "--selfheal-time-budget=30",
                        timeout=120)
    assert result.returncode == 1
    assert fingerprint(repo) == before
    assert "RecursionError: maximum recursion depth exceeded" in result.stdout
    report = latest_report(repo)
    verdicts = triage_verdicts(report)
    assert len(verdicts) == 3
    assert all(v["kind"] == "deterministic" and v["repair"] for v in verdicts.values())
    assert report["status"] == "healed", report["reason"]
    assert len(report["fix"]["fixed"]) == 3
    diff = (latest_run_dir(repo) / "fix.diff").read_text()
    assert "-    if n < 0:\n+    if n <= 0:\n" in diff or "-    if n < 0:\n+    if n < 1:\n" in diff


def test_candidates_that_hang_under_pytest_timeouts_thread_method_are_judged_and_the_search_goes_on(tmp_path):
    """The thread method ends the whole test process of a candidate under which a test hangs
    (after 0.4 s of wall time: before the candidate's own CPU bound, half a second, stops it;
    a test's CPU time never runs ahead of its wall time. Shorter, the user's own run under a
    loaded machine could meet it)."""
    repo = make_repo(tmp_path / "repo", {
        "pyproject.toml": CONFIG.format(name="binary") + '    timeout = 0.4\n    timeout_method = "thread"\n',
        "binary/__init__.py": "",
        "binary/digits.py": '''
            """Binary digits of non-negative integers."""


            def bit_length(n):
                """How many binary digits n >= 0 has (0 has none)."""
                count = 0
                while n > 0:
                    n //= 2
                    count += 2
                return count
            ''',
        "tests/test_digits.py": """
            from binary.digits import bit_length


            def test_zero():
                assert bit_length(0) == 0


            def test_powers_of_two():
                assert [bit_length(2 ** k) for k in range(5)] == [1, 2, 3, 4, 5]
            """,
    })
    before = fingerprint(repo)
    result = run_pytest(repo, *HEAL, "--selfheal-alternatives=0", "--selfheal-time-budget=30",
                        timeout=120)
    assert result.returncode == 1
    assert fingerprint(repo) == before
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    assert "-        count += 2\n+        count += 1\n" in (latest_run_dir(repo) / "fix.diff").read_text()
    ended = [c for c in report["candidates"] if c["detail"] == (
        "the test process ended with exit code 1 before any of these tests reported")]
    # `n //= 1` never reaches 0: a hang, ended with its process, and the search went on
    assert ended and all(c["verdict"] == "still-failing" for c in ended)
    assert report["candidates"].index(ended[0]) < len(report["candidates"]) - 1


def test_a_refused_connection_and_a_network_read_timeout_stay_transient(tmp_path):
    repo = make_repo(tmp_path / "repo", {
        "pyproject.toml": CONFIG.format(name="status"),
        "status/__init__.py": "",
        "status/client.py": '''
            """The health endpoint of a service on this machine."""

            import http.client


            def health(port):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=0.5)
                try:
                    connection.request("GET", "/health")
                    return connection.getresponse().status
                finally:
                    connection.close()
            ''',
        "tests/test_client.py": """
            import socket

            import pytest

            from status.client import health


            @pytest.fixture
            def closed_port():
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", 0))
                    return sock.getsockname()[1]


            @pytest.fixture
            def silent_port():
                with socket.socket() as sock:  # accepts connections, never answers
                    sock.bind(("127.0.0.1", 0))
                    sock.listen()
                    yield sock.getsockname()[1]


            def test_service_is_down(closed_port):
                assert health(closed_port) == 200


            def test_service_does_not_answer(silent_port):
                assert health(silent_port) == 200
            """,
    })
    before = fingerprint(repo)
    result = run_pytest(repo, *HEAL, "--selfheal-alternatives=0", "--selfheal-time-budget=30",
                        timeout=120)
    assert result.returncode == 1
    assert fingerprint(repo) == before
    report = latest_report(repo)
    verdicts = triage_verdicts(report)
    down = verdicts["tests/test_client.py::test_service_is_down"]
    silent = verdicts["tests/test_client.py::test_service_does_not_answer"]
    assert (down["kind"], down["repair"], down["counts"]) == ("transient", False, {})
    assert down["note"].startswith("transient: ConnectionRefusedError is a network error;")
    assert (silent["kind"], silent["repair"]) == ("transient", False)
    assert silent["note"].startswith("transient: timed out inside networking code (socket);")
    assert report["status"] == "not-healed" and report["candidates"] == []
    assert report["reason"] == "nothing to repair: 2 transient"
    assert "test_service_is_down: transient" in result.stdout
    assert "ConnectionRefusedError is a network error; the network or a service failed" in result.stdout
