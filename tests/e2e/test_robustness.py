"""Bad input gets a clear message, the pytest result is unchanged, and nothing is lost."""

import subprocess
import sys

import pytest
from helpers import (
    copy_example,
    fingerprint,
    git,
    init_repo,
    latest_report,
    offline_env,
    run_pytest,
    user_env,
)

pytestmark = pytest.mark.slow


def test_not_a_git_repository_is_one_clear_line(tmp_path):
    copy_example("invoice", tmp_path)
    result = run_pytest(tmp_path, "--selfheal")
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if "self-heal skipped" in line]
    assert lines == [f"self-heal skipped: no git repository at {tmp_path}: run `git init`, or run "
                     "without --selfheal"]
    assert not (tmp_path / ".selfheal").exists()


def test_uncommitted_changes_are_what_gets_healed(tmp_path):
    """The committed code is correct; the bug and a new test exist only in the working tree."""
    repo = copy_example("invoice", tmp_path / "repo")
    discounts = repo / "invoice" / "discounts.py"
    discounts.write_text(discounts.read_text().replace("subtotal > threshold", "subtotal >= threshold"))
    init_repo(repo)
    money = repo / "invoice" / "money.py"
    money.write_text(money.read_text().replace('CENT = Decimal("0.01")', 'CENT = Decimal("0.01")  # cents'))
    git(repo, "add", "invoice/money.py")  # staged
    discounts.write_text(discounts.read_text().replace("subtotal >= threshold", "subtotal > threshold"))
    (repo / "tests" / "test_untracked.py").write_text(
        "from decimal import Decimal\nfrom invoice import apply_discount\n\n"
        "def test_threshold_again():\n    assert apply_discount(Decimal('100')) == Decimal('90.00')\n"
    )
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal")
    assert result.returncode == 1
    assert fingerprint(repo) == before
    report = latest_report(repo)
    assert report["status"] == "healed"
    assert "tests/test_untracked.py::test_threshold_again" in report["targets"]
    fix = sorted((repo / ".selfheal" / "runs").glob("*/fix.diff"))[-1]
    git(repo, "apply", str(fix))  # applies to the dirty checkout the user ran
    assert run_pytest(repo).returncode == 0


def test_editable_install_imports_the_worktree(tmp_path):
    repo = copy_example("textstats", tmp_path / "repo")
    ini = repo / "pyproject.toml"
    ini.write_text(ini.read_text().replace('pythonpath = ["src"]\n', ""))
    init_repo(repo)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    env = user_env(offline_env(tmp_path / "site"))
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "-e", str(repo)],
                   check=True, capture_output=True, env=env)
    where = subprocess.run([python, "-c", "import textstats; print(textstats.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path, env=env).stdout
    assert where.startswith(str(repo)), "the example must be imported from the checkout"
    before = fingerprint(repo)
    result = subprocess.run([python, "-m", "pytest", "-p", "no:cacheprovider", "--selfheal"],
                            cwd=repo, capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert latest_report(repo)["status"] == "healed", result.stdout
    assert fingerprint(repo) == before


def test_code_imported_from_the_checkout_is_refused(example_repo):
    repo = example_repo("invoice")
    (repo / "tests" / "conftest.py").write_text(
        f"import sys\nsys.path.insert(0, {str(repo)!r})\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "hard-coded path")
    result = run_pytest(repo, "--selfheal")
    assert result.returncode == 1
    assert "cannot isolate the sandbox" in result.stdout
    report = latest_report(repo)
    assert report["status"] == "error" and report["candidates"] == []


def test_crashing_agent_leaves_nothing_behind(example_repo, tmp_path):
    repo = example_repo("invoice")
    (repo / "conftest.py").write_text(
        "class Crashing:\n"
        "    name = 'crashing'\n"
        "    def repair(self, bench):\n"
        "        raise RuntimeError('agent exploded')\n\n"
        "def pytest_selfheal_make_agent(name, settings):\n"
        "    return Crashing()\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "custom agent")
    before = fingerprint(repo)
    scratch = tmp_path / "tmp"  # the heal's own temp root, so concurrent heals don't interfere
    scratch.mkdir()
    result = run_pytest(repo, "--selfheal", env={"TMPDIR": str(scratch)})
    assert result.returncode == 1
    assert "internal error (RuntimeError: agent exploded)" in result.stdout
    assert "checkout is unchanged" in result.stdout
    assert fingerprint(repo) == before
    assert list(scratch.iterdir()) == [], "the worktree's temp dir was left behind"
    assert "agent exploded" in latest_report(repo)["traceback"]


def test_only_collection_errors_are_reported_not_crashed_on(example_repo):
    repo = example_repo("invoice")
    (repo / "invoice" / "money.py").write_text("def broken(:\n")
    result = run_pytest(repo, "--selfheal", "--selfheal-reruns=1")
    assert result.returncode == 2  # pytest's own status for collection errors
    report = latest_report(repo)
    assert {f["kind"] for f in report["triage"]["failures"]} == {"collection-error"}
    top = report["suspects"][0]
    assert (top["path"], top["line"]) == ("invoice/money.py", 1)
    assert any(e.startswith("raises SyntaxError") for e in top["evidence"])
    assert report["status"] == "not-healed"  # no template edits a file that does not parse


def test_unwritable_output_directory(example_repo):
    repo = example_repo("invoice")
    (repo / "out").write_text("a file where a directory should be")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "blocker")
    result = run_pytest(repo, "--selfheal", "--selfheal-output=out/heal")
    assert result.returncode == 1
    assert "cannot write the run output to" in result.stdout
    assert "--selfheal-output DIR" in result.stdout
