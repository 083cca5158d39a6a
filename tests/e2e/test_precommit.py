"""The pre-commit hook, through real `pre-commit` in temp git repositories, with this checkout as
the hook repository; and the coverage-based selection of the tests a staged change affects."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import (
    copy_example,
    fingerprint,
    git,
    init_repo,
    offline_env,
    readme_snippet,
    user_env,
)

from pytest_selfheal.precommit import selection as select

CHECKOUT = Path(__file__).resolve().parents[2]
HOOK_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "pytest_selfheal", "examples")


def test_parse_changes_maps_hunks_to_the_old_lines():
    diff = (
        "diff --git a/pkg/mod.py b/pkg/mod.py\n--- a/pkg/mod.py\n+++ b/pkg/mod.py\n"
        "@@ -12 +12 @@ def f():\n-    a\n+    b\n"
        "@@ -20,3 +20,0 @@\n-x\n-y\n-z\n"
        "@@ -30,0 +28,2 @@\n+p\n+q\n"
        "@@ -40 +40 @@\n--- a comment line\n+++ b comment line\n"
        "diff --git a/tests/test_new.py b/tests/test_new.py\nnew file mode 100644\n"
        "--- /dev/null\n+++ b/tests/test_new.py\n@@ -0,0 +1 @@\n+def test(): pass\n"
        "diff --git a/old.py b/old.py\ndeleted file mode 100644\n--- a/old.py\n+++ /dev/null\n"
        "@@ -1 +0,0 @@\n-x = 1\n"
    )
    assert select.parse_changes(diff) == {
        "pkg/mod.py": frozenset({12, 20, 21, 22, 30, 31, 40}),
        "tests/test_new.py": None,
        "old.py": None,
    }


def test_affected_tests_are_those_that_ran_a_touched_line(tmp_path):
    repo = init_repo(copy_example("invoice", tmp_path / "repo"))
    blob = git(repo, "rev-parse", "HEAD:invoice/discounts.py").strip()
    test_map = {
        "files": {"invoice/discounts.py": blob, "invoice/money.py": "0" * 40},
        "tests": {
            "tests/test_discounts.py::test_at": {"invoice/discounts.py": [12, 20]},
            "tests/test_discounts.py::test_rate": {"invoice/discounts.py": [20]},
            "tests/test_money.py::test_round": {"invoice/money.py": [5]},
            "tests/test_invoice.py::test_total": {"invoice/invoice.py": [9]},
        },
    }
    changes = {"invoice/discounts.py": frozenset({12}), "invoice/money.py": frozenset({40}),
               "tests/test_new.py": None}
    (repo / "tests" / "test_new.py").write_text("def test_new():\n    pass\n")
    assert select.affected_tests(repo, changes, test_map) == [
        "tests/test_new.py",  # a changed test module runs whole
        "tests/test_discounts.py::test_at",  # ran line 12
        "tests/test_money.py::test_round",  # money.py changed since the map: any test of it
    ]


def test_a_changed_module_the_maps_test_ids_name_runs_whole_whatever_its_name(tmp_path):
    repo = init_repo(copy_example("invoice", tmp_path / "repo"))
    (repo / "tests" / "check_totals.py").write_text("def test_sum():\n    assert 1 + 1 == 2\n")
    (repo / "tests" / "helpers.py").write_text("ONE = 1\n")
    (repo / "tests" / "conftest.py").write_text("")
    test_map = {"files": {}, "tests": {"tests/check_totals.py::test_sum": {}}}
    changes = {"tests/check_totals.py": frozenset({1}), "tests/helpers.py": frozenset({1}),
               "tests/conftest.py": None}
    assert select.affected_tests(repo, changes, test_map) == ["tests/check_totals.py"]


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str, dict[str, str]]:
    """This checkout's files as a git repository pre-commit can clone, and the environment of
    `pre-commit` and `git commit`: offline, the hook's virtualenv sees this interpreter's packages."""
    base = tmp_path_factory.mktemp("precommit")
    repo = base / "hook-repo"
    repo.mkdir()
    for name in HOOK_FILES:
        source = CHECKOUT / name
        if source.is_dir():
            shutil.copytree(source, repo / name,
                            ignore=shutil.ignore_patterns("__pycache__", ".selfheal"))
        else:
            shutil.copy(source, repo / name)
    init_repo(repo)
    env = user_env({"PRE_COMMIT_HOME": str(base / "cache"), **offline_env(base / "site")})
    return repo, git(repo, "rev-parse", "HEAD").strip(), env


def user_repo(tmp_path: Path, hook_repo: tuple[Path, str, dict[str, str]], args: str) -> Path:
    """The invoice example, correct, committed with a config that uses the hook; hook installed."""
    repo = copy_example("invoice", tmp_path / "repo")
    discounts = repo / "invoice" / "discounts.py"
    discounts.write_text(discounts.read_text().replace("subtotal > threshold", "subtotal >= threshold"))
    configure_hook(repo, hook_repo, args)
    init_repo(repo)
    precommit(repo, hook_repo, "install")
    return repo


def configure_hook(repo: Path, hook_repo: tuple[Path, str, dict[str, str]], args: str) -> None:
    """The README's snippet as the repository's .pre-commit-config.yaml, pointed at this checkout."""
    path, rev, _ = hook_repo
    config = readme_snippet("### pre-commit", "yaml")
    config = config.replace("https://github.com/pytest-selfheal/pytest-selfheal", str(path))
    config = config.replace("rev: v0.1.0", f"rev: {rev}").replace("args: []", f"args: {args}")
    (repo / ".pre-commit-config.yaml").write_text(config + "        verbose: true\n")


def precommit(repo: Path, hook_repo: tuple[Path, str, dict[str, str]], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=repo, check=True,
                   capture_output=True, env=hook_repo[2], timeout=300)


def commit(repo: Path, hook_repo: tuple[Path, str, dict[str, str]], message: str
           ) -> tuple[int, str]:
    """Exit status and output of `git commit` (git sends a hook's output to stderr)."""
    git(repo, "add", "-A")
    done = subprocess.run(["git", "commit", "-m", message], cwd=repo, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, env=hook_repo[2], timeout=300)
    return done.returncode, done.stdout


def break_discounts(repo: Path) -> None:
    """A change worth committing (a new constant) that also breaks the threshold."""
    discounts = repo / "invoice" / "discounts.py"
    discounts.write_text(discounts.read_text().replace("subtotal >= threshold", "subtotal > threshold")
                         + "\nMAX_RATE = 50\n")


@pytest.mark.slow
def test_breaking_commit_is_blocked_and_the_fix_is_printed(tmp_path, hook_repo):
    repo = user_repo(tmp_path, hook_repo, "[]")
    head = git(repo, "rev-parse", "HEAD")
    break_discounts(repo)
    status, output = commit(repo, hook_repo, "break the threshold")
    assert status != 0, output
    match = re.search(r"selfheal hook: commit blocked; proposed fix: (\S+/fix\.diff)", output)
    assert match, output
    assert "+    return subtotal >= threshold" in Path(match[1]).read_text()
    assert "+    return subtotal >= threshold" in output
    assert git(repo, "rev-parse", "HEAD") == head
    assert "subtotal > threshold" in (repo / "invoice" / "discounts.py").read_text()


@pytest.mark.slow
def test_apply_mode_runs_affected_tests_first_and_the_fixed_commit_passes(tmp_path, hook_repo):
    repo = user_repo(tmp_path, hook_repo, "[--apply]")
    money = repo / "invoice" / "money.py"
    money.write_text(money.read_text() + "\n# rounding is half-up, as on paper\n")
    status, output = commit(repo, hook_repo, "a comment")
    assert status == 0, output
    assert "no test map yet; running the whole suite" in output
    assert (repo / ".selfheal" / "testmap.json").is_file()

    break_discounts(repo)
    status, output = commit(repo, hook_repo, "break the threshold")
    assert status != 0, output
    affected = int(re.search(r"(\d+) test\(s\) or module\(s\) affected", output)[1])
    assert 0 < affected < 22, "only tests that ran the changed line run first"
    assert f"2 failed, {affected - 2} passed" in output
    assert "running the suite" not in output, "a red selection stops before the suite"
    assert "the fix is in your working tree" in output
    assert "subtotal >= threshold" in (repo / "invoice" / "discounts.py").read_text()

    status, output = commit(repo, hook_repo, "break the threshold, fixed")
    assert status == 0, output
    assert "23 passed" in output, "the suite plus the fix's regression test"
    assert git(repo, "status", "--porcelain") == ""


@pytest.mark.slow
def test_hook_passes_pytest_arguments_and_a_green_suite_records_the_map(tmp_path):
    repo = copy_example("invoice", tmp_path / "repo")
    discounts = repo / "invoice" / "discounts.py"
    discounts.write_text(discounts.read_text().replace("subtotal > threshold", "subtotal >= threshold"))
    init_repo(repo)
    done = subprocess.run([sys.executable, "-m", "pytest_selfheal", "hook", "--", "-k", "discount"],
                          cwd=repo, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    recorded = select.load_map(repo / ".selfheal" / "testmap.json")
    assert recorded is not None and recorded["tests"]
    assert all("discount" in nodeid for nodeid in recorded["tests"])
    assert git(repo, "status", "--porcelain") == "", ".selfheal/ ignores itself"


def no_commits(repo: Path) -> bool:
    return subprocess.run(["git", "rev-parse", "--verify", "--quiet", "HEAD"], cwd=repo).returncode != 0


@pytest.mark.slow
def test_the_first_commit_is_healed_and_the_repository_keeps_no_commit(tmp_path, hook_repo):
    repo = copy_example("invoice", tmp_path / "repo")  # shipped with its bug: `subtotal > threshold`
    configure_hook(repo, hook_repo, "[--apply]")
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "tests@selfheal.invalid")
    git(repo, "config", "user.name", "tests")
    precommit(repo, hook_repo, "install")
    git(repo, "add", "-A")
    staged, before = git(repo, "ls-files", "--stage"), fingerprint(repo)

    done = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--hook-stage", "pre-commit"],
                          cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=hook_repo[2], timeout=300)
    assert done.returncode != 0, done.stdout
    assert "no commits yet" not in done.stdout
    assert "the fix is in your working tree" in done.stdout, done.stdout
    assert no_commits(repo)
    # pre-commit itself rewrites the index file (its cache-tree), not its entries; that the
    # hook leaves the file byte for byte is in test_first_commit.py
    assert git(repo, "ls-files", "--stage") == staged
    after = fingerprint(repo)
    assert after["refs"] == "" and after["head"] == before["head"] and after["stash"] == ""
    changed = {p for p, h in after["files"].items() if before["files"].get(p) != h}
    assert {p for p in changed if not p.startswith(".pytest_cache/")} == {  # the user's pytest's
        "invoice/discounts.py", "tests/test_regression_qualifies.py"}, "the fix and its test only"

    status, output = commit(repo, hook_repo, "initial")  # the fix staged with the rest
    assert status == 0, output
    assert "running the whole suite" in output and "23 passed" in output
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"
    assert "subtotal >= threshold" in git(repo, "show", "HEAD:invoice/discounts.py")


@pytest.mark.slow
def test_git_commit_of_a_first_commit_is_blocked_with_the_fix_and_nothing_committed(tmp_path,
                                                                                   hook_repo):
    repo = copy_example("invoice", tmp_path / "repo")
    configure_hook(repo, hook_repo, "[]")
    git(repo, "init", "-q")
    precommit(repo, hook_repo, "install")
    git(repo, "add", "-A")
    staged = git(repo, "ls-files", "--stage")
    status, output = commit(repo, hook_repo, "initial")
    assert status != 0, output
    match = re.search(r"selfheal hook: commit blocked; proposed fix: (\S+/fix\.diff)", output)
    assert match, output
    assert no_commits(repo)
    assert git(repo, "ls-files", "--stage") == staged
    git(repo, "apply", "--check", match[1])  # the fix applies to the working tree
    assert "subtotal > threshold" in (repo / "invoice" / "discounts.py").read_text()
