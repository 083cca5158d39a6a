"""The gate (the whole suite from disk that confirms a fix) runs on the engine the user's session
ran on: under pytest-xdist with the same worker count after `pytest -n 2`, in one process
otherwise, as `--selfheal-gate-workers` says when given. Triage reruns stay serial whatever the
addopts say, and their number grows with the kinds of failure, not with the failures. A gate that
cannot start ends the heal as an error that quotes it.

Every test of these projects appends what it ran in to a trace file: the xdist worker, the
directory (the user's checkout or the sandbox's worktree) and when it started and ended.
"""

from __future__ import annotations

import itertools
import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from helpers import fingerprint, git, init_repo, latest_report, latest_run_dir, run_pytest

from pytest_selfheal.heal.probe import read_contexts
from pytest_selfheal.sandbox.runner import PytestCommand, run_tests

pytestmark = pytest.mark.slow

MONEY = '''\
def discount(total, percent):
    """The total after taking `percent` off, rounded down to the cent."""
    return total + total * percent // 100


def tax(total, permille):
    return total + total * permille // 1000
'''

CART = '''\
from .money import discount, tax


def checkout(total, percent):
    reduced = discount(total, percent)
    if reduced > total:
        raise ValueError(f"discounted total {reduced} exceeds the total {total}")
    return tax(reduced, 21)
'''

TRACE_CONFTEST = '''\
import json
import os
import time

import pytest


@pytest.fixture(autouse=True)
def trace(request):
    started = time.time()
    yield
    line = json.dumps({"test": request.node.nodeid, "worker": os.environ.get("PYTEST_XDIST_WORKER"),
                       "cwd": os.getcwd(), "pid": os.getpid(), "start": started, "end": time.time()})
    with open(os.environ["SHOP_TRACE"], "a", encoding="utf-8") as out:
        out.write(line + "\\n")
'''


def shop_tests(count: int) -> dict[str, str]:
    """Test modules: `count` tests asserting the discount and tests of the tax, which always pass;
    `count` tests calling the checkout. Two kinds of failure while the bug is in."""
    money = ["from shop.money import discount, tax", ""]
    cart = ["from shop.cart import checkout", ""]
    for n in range(count):
        total = 100 + n
        money += [f"def test_discount_{n}():",
                  f"    assert discount({total}, 5) == {total - total * 5 // 100}", ""]
        reduced = total - total * 10 // 100
        cart += [f"def test_checkout_{n}():",
                 f"    assert checkout({total}, 10) == {reduced + reduced * 21 // 1000}", ""]
    for n in range(3):
        money += [f"def test_tax_{n}():", f"    assert tax({1000 * (n + 1)}, 21) == {1021 * (n + 1)}", ""]
    return {"tests/test_money.py": "\n".join(money), "tests/test_cart.py": "\n".join(cart)}


def make_shop(root: Path, *, tests: int = 2, addopts: str = "", conftest: str = TRACE_CONFTEST) -> Path:
    files = {
        "shop/__init__.py": "",
        "shop/money.py": MONEY.replace("total + total * percent", "total - total * percent"),
        "shop/cart.py": CART,
        "tests/conftest.py": conftest,
        **shop_tests(tests),
        "pyproject.toml": textwrap.dedent(f"""\
            [tool.pytest.ini_options]
            testpaths = ["tests"]
            {f'addopts = "{addopts}"' if addopts else ""}
            """),
    }
    root.mkdir(parents=True)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    init_repo(root)
    (root / "shop/money.py").write_text(MONEY, encoding="utf-8")
    git(root, "commit", "-qam", "discount: add what is taken off")  # the bug, as the last commit
    return root


def heal(repo: Path, trace: Path, *args: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`pytest --selfheal ARGS` on the repository: its report and its decision log."""
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal", "--selfheal-agent=builtin", *args,
                        env={"SHOP_TRACE": str(trace)})
    assert result.returncode == 1, result.stdout + result.stderr  # red stays red
    assert fingerprint(repo) == before
    decisions = [json.loads(line) for line in
                 (latest_run_dir(repo) / "decisions.jsonl").read_text(encoding="utf-8").splitlines()]
    return latest_report(repo), decisions


def sandbox_runs(repo: Path, trace: Path) -> list[dict[str, Any]]:
    """The traced test runs in the sandbox's worktree, not in the user's checkout."""
    runs = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    return [run for run in runs if Path(run["cwd"]).resolve() != repo.resolve()]


def gates(decisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in decisions if d["kind"] == "gate"]


def test_after_pytest_n_2_the_gate_runs_under_xdist_with_two_workers(tmp_path):
    repo, trace = make_shop(tmp_path / "repo"), tmp_path / "trace.jsonl"
    report, decisions = heal(repo, trace, "-n", "2")
    assert report["status"] == "healed"
    assert decisions[0]["settings"]["gate_workers"] == 2
    assert gates(decisions) and all(g["xdist_workers"] == 2 for g in gates(decisions))
    # every test of the suite ran in the sandbox in one of two xdist workers: the gate
    suite = {*(f"tests/test_money.py::{name}" for name in
               ("test_discount_0", "test_discount_1", "test_tax_0", "test_tax_1", "test_tax_2")),
             "tests/test_cart.py::test_checkout_0", "tests/test_cart.py::test_checkout_1"}
    in_workers = [run for run in sandbox_runs(repo, trace) if run["worker"]]
    assert {run["test"] for run in in_workers} >= suite
    assert {run["worker"] for run in in_workers} == {"gw0", "gw1"}
    # the probe, every failing test's first run in the sandbox, ran the two failing modules in
    # two processes too (warm children, a module each)
    assert len(probe_processes(repo, trace)) == 2


def test_a_serial_session_gets_a_serial_gate(tmp_path):
    repo, trace = make_shop(tmp_path / "repo"), tmp_path / "trace.jsonl"
    report, decisions = heal(repo, trace)
    assert report["status"] == "healed"
    assert decisions[0]["settings"]["gate_workers"] == 0
    assert gates(decisions) and all(g["xdist_workers"] == 0 for g in gates(decisions))
    assert sandbox_runs(repo, trace) and not any(run["worker"] for run in sandbox_runs(repo, trace))
    assert len(probe_processes(repo, trace)) == 1


def probe_processes(repo: Path, trace: Path) -> set[int]:
    """The processes of the failing tests' first runs in the sandbox: the probe's."""
    first: dict[str, dict[str, Any]] = {}
    for run in sorted(sandbox_runs(repo, trace), key=lambda run: run["start"]):
        first.setdefault(run["test"], run)
    failing = ("tests/test_money.py::test_discount_0", "tests/test_cart.py::test_checkout_0")
    return {first[nodeid]["pid"] for nodeid in failing}


@pytest.mark.parametrize(("args", "workers"), [
    (("-n", "2", "--selfheal-gate-workers=0"), 0),
    (("--selfheal-gate-workers=2",), 2),
])
def test_selfheal_gate_workers_overrides_the_sessions_engine(tmp_path, args, workers):
    repo, trace = make_shop(tmp_path / "repo"), tmp_path / "trace.jsonl"
    report, decisions = heal(repo, trace, *args)
    assert report["status"] == "healed"
    assert gates(decisions) and all(g["xdist_workers"] == workers for g in gates(decisions))
    in_workers = {run["worker"] for run in sandbox_runs(repo, trace) if run["worker"]}
    assert in_workers == ({"gw0", "gw1"} if workers else set())


def test_with_n_auto_in_addopts_triage_reruns_a_test_alone_never_beside_itself(tmp_path):
    repo, trace = make_shop(tmp_path / "repo", tests=1, addopts="-n auto"), tmp_path / "trace.jsonl"
    report, decisions = heal(repo, trace)
    assert report["status"] == "healed"
    workers = decisions[0]["settings"]["gate_workers"]
    assert workers >= 1 and all(g["xdist_workers"] == workers for g in gates(decisions))
    verdicts = {f["nodeid"]: f for f in report["triage"]["failures"]}
    for nodeid in ("tests/test_money.py::test_discount_0", "tests/test_cart.py::test_checkout_0"):
        assert (verdicts[nodeid]["kind"], verdicts[nodeid]["counts"]) == (
            "deterministic", {"failed_alone": 3})
        runs = sorted((run for run in sandbox_runs(repo, trace) if run["test"] == nodeid),
                      key=lambda run: run["start"])
        # the probe and the three reruns come before any candidate: in one process each, -n auto
        # notwithstanding, and one after another
        serial = [run for run in runs if not run["worker"]][:4]
        assert len(serial) == 4
        assert all(a["end"] <= b["start"] for a, b in itertools.pairwise(serial))


def test_a_hundred_and_twenty_failures_of_two_kinds_are_triaged_with_twelve_reruns(tmp_path):
    repo, trace = make_shop(tmp_path / "repo", tests=60), tmp_path / "trace.jsonl"
    report, decisions = heal(repo, trace, "--selfheal-reruns=2")
    assert report["status"] == "healed"
    triage = next(d for d in decisions if d["kind"] == "triage")
    assert len(triage["targets"]) == 120
    reruns = triage["verdicts"]["reruns"]
    assert reruns["runs"] == 2 * 3 * 2  # two groups, a sample of three each, rerun twice
    assert sorted((g["failures"], g["inherited"]) for g in reruns["groups"]) == [
        (60, "deterministic"), (60, "deterministic")]
    assert {g["alike"] for g in reruns["groups"]} == {
        "AssertionError: assert <n> == <n> + where <n> = discount(<n>, <n>) @ the test",
        "ValueError: discounted total <n> exceeds the total <n> @ shop/cart.py::checkout",
    }
    failures = triage["verdicts"]["failures"]
    assert sum(f["inherited"] for f in failures) == 120 - 6
    assert all(f["kind"] == "deterministic" for f in failures)


REFUSES_XDIST = TRACE_CONFTEST + '''

def pytest_configure(config):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        raise RuntimeError("this suite shares one database: run it without -n")
'''


def test_a_gate_that_cannot_start_even_without_the_fix_ends_the_heal_as_an_error_quoting_it(tmp_path):
    repo = make_shop(tmp_path / "repo", conftest=REFUSES_XDIST)
    report, decisions = heal(repo, tmp_path / "trace.jsonl", "--selfheal-gate-workers=2")
    assert report["status"] == "error"
    reason = report["reason"]
    assert reason.startswith("the gate could not run the tests in the sandbox: its pytest process "
                             "exited with code 3 before any test reported")
    assert "RuntimeError: this suite shares one database: run it without -n" in reason
    assert "your tests are not to blame" in reason
    # the candidate's suite first, then the unpatched one, which stopped the same way
    assert [g["candidate"] for g in gates(decisions)] == [1, None]
    assert not any(d["kind"] == "candidate" and d["verdict"] != "still-failing" for d in decisions)


def test_a_run_under_xdist_reports_every_test_its_coverage_and_leaks_from_every_worker(tmp_path):
    """What the gate and a probe in a fresh process rely on: the controller writes the outcomes,
    each worker its own coverage data, and imports from the user's checkout are seen in workers."""
    sandbox, user = tmp_path / "sandbox", tmp_path / "checkout"
    (sandbox / "pkg").mkdir(parents=True)
    user.mkdir()
    (user / "leaky.py").write_text("X = 1\n")
    (sandbox / "pkg" / "__init__.py").write_text("")
    (sandbox / "pkg" / "calc.py").write_text("def double(n):\n    return 2 * n\n\n\ndef half(n):\n    return n // 2\n")
    (sandbox / "test_calc.py").write_text(
        "from pkg.calc import double, half\n\n"
        + "".join(f"def test_double_{n}():\n    assert double({n}) == {2 * n}\n\n" for n in range(6))
        + "def test_half():\n    assert half(4) == 3\n")
    (sandbox / "test_leak.py").write_text(
        f"import sys\nsys.path.insert(0, {str(user)!r})\nimport leaky\n\n\ndef test_x():\n    pass\n")
    command = PytestCommand(sandbox_root=sandbox, user_root=user, cwd=sandbox, scratch=tmp_path / "scratch")
    data_file = command.scratch / "probe.coverage"
    run = run_tests(command, ["test_calc.py", "test_leak.py"], timeout=120, coverage_file=data_file,
                    workers=2)
    assert run.outcomes == {**{f"test_calc.py::test_double_{n}": "passed" for n in range(6)},
                            "test_calc.py::test_half": "failed", "test_leak.py::test_x": "passed"}
    assert "assert 2 == 3" in run.failures["test_calc.py::test_half"]
    assert sorted(p.name for p in command.scratch.glob("probe.coverage.*")) == [
        "probe.coverage.gw0", "probe.coverage.gw1"]
    covered = read_contexts(data_file, sandbox)
    assert covered["test_calc.py::test_half"] >= {("pkg/calc.py", 6)}
    assert ("pkg/calc.py", 2) in covered["test_calc.py::test_double_5"]
    assert run.leaked_modules and run.leaked_modules[0].startswith("leaky (")
