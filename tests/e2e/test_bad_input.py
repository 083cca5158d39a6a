"""Bad input says what it found and what to do, and changes nothing: an output directory that is
outside the project, is the project, or is collected by pytest (from every place an option can
be set); a merge stopped on conflicts; a link to code outside the repository; a repository git
refuses to read."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import fingerprint, git, latest_report, run_pytest, user_env

pytestmark = pytest.mark.slow


def committed(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def set_in_pyproject(repo: Path, section: str, line: str) -> None:
    """Add `line` to `section` of the repository's pyproject.toml, and commit it."""
    pyproject = repo / "pyproject.toml"
    text = pyproject.read_text()
    header = f"[{section}]\n"
    text = text.replace(header, header + line + "\n") if header in text else text + f"\n{header}{line}\n"
    pyproject.write_text(text)
    committed(repo, f"{section}: {line}")


@pytest.mark.parametrize("source", ["cli", "ini", "pyproject", "env"])
@pytest.mark.parametrize("output, problem, fix", [
    ("/var/tmp/selfheal-elsewhere", "is outside the rootdir", "Use a directory inside it"),
    ("../..", "is outside the rootdir", "Use a directory inside it"),
    (".", "is the rootdir itself", "Use a directory of its own, such as the default .selfheal"),
    ("tests/heal-runs", "is a directory pytest collects tests from",
     "or add 'tests/heal-runs' to norecursedirs"),
])
def test_a_bad_output_directory_is_refused_with_the_fix(example_repo, source, output, problem, fix):
    repo = example_repo("invoice")
    args, env = ["--selfheal"], {}
    if source == "cli":
        args.append(f"--selfheal-output={output}")
    elif source == "ini":
        set_in_pyproject(repo, "tool.pytest.ini_options", f'selfheal_output = "{output}"')
    elif source == "pyproject":
        set_in_pyproject(repo, "tool.selfheal", f'output = "{output}"')
    else:
        env["SELFHEAL_OUTPUT"] = output
    named = {"cli": "command line", "ini": "ini selfheal_output", "pyproject": "[tool.selfheal] output",
             "env": "environment SELFHEAL_OUTPUT"}[source]
    before = fingerprint(repo)
    result = run_pytest(repo, *args, env=env)
    assert result.returncode == 4, result.stdout  # pytest's usage error: no test ran
    assert f"ERROR: selfheal: --selfheal-output '{output}' (from {named}) {problem}" in result.stderr
    assert fix in result.stderr
    assert fingerprint(repo) == before
    assert not (repo / ".selfheal").exists() and not (repo / "runs").exists()
    assert not Path("/var/tmp/selfheal-elsewhere").exists()


def test_the_console_script_refuses_to_clean_an_output_that_is_the_project(example_repo):
    repo = example_repo("invoice")
    set_in_pyproject(repo, "tool.selfheal", 'output = "."')
    before = fingerprint(repo)
    result = subprocess.run([sys.executable, "-m", "pytest_selfheal", "clean", "--all", "--root", str(repo)],
                            capture_output=True, text=True, env=user_env(), timeout=60)
    assert result.returncode == 2
    assert "--selfheal-output '.' (from [tool.selfheal] output) is the rootdir itself" in result.stderr
    assert fingerprint(repo) == before


def test_a_merge_stopped_on_conflicts_is_named_with_what_to_do(example_repo):
    repo = example_repo("invoice")
    money = repo / "invoice" / "money.py"
    git(repo, "checkout", "-qb", "other")
    money.write_text(money.read_text() + "\nCURRENCY = 'EUR'\n")
    committed(repo, "euros")
    git(repo, "checkout", "-q", "-")
    money.write_text(money.read_text() + "\nCURRENCY = 'USD'\n")
    committed(repo, "dollars")
    merge = subprocess.run(["git", "merge", "-q", "other"], cwd=repo, capture_output=True, text=True)
    assert merge.returncode == 1 and "CONFLICT" in merge.stdout
    before = fingerprint(repo)
    result = run_pytest(repo, "--selfheal")
    assert result.returncode != 0
    report = latest_report(repo)
    assert report["status"] == "error"
    assert report["reason"].startswith(f"a merge is in progress in {repo} with unresolved conflicts in "
                                       "invoice/money.py: the sandbox would start from files full of "
                                       "conflict markers")
    assert "(`git merge --abort`), then run pytest --selfheal again" in report["reason"]
    assert report["reason"] in result.stdout
    assert fingerprint(repo) == before
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_a_link_to_code_outside_the_repository_is_named_with_what_to_do(example_repo, tmp_path):
    repo = example_repo("invoice")
    shared = tmp_path / "shared"
    shared.mkdir()
    discounts = repo / "invoice" / "discounts.py"
    (shared / "discounts.py").write_bytes(discounts.read_bytes())
    discounts.unlink()
    discounts.symlink_to(shared / "discounts.py")
    committed(repo, "discounts shared with another project")
    before, outside = fingerprint(repo), (shared / "discounts.py").read_bytes()
    result = run_pytest(repo, "--selfheal")
    assert result.returncode == 1  # the tests' own result
    report = latest_report(repo)
    assert report["status"] == "error"
    assert report["reason"].startswith(
        f"invoice/discounts.py is a symbolic link to {shared / 'discounts.py'}, outside the repository "
        f"at {repo}: the sandbox cannot isolate code outside your checkout")
    assert f"`cp --remove-destination {shared / 'discounts.py'} invoice/discounts.py`" in report["reason"]
    assert fingerprint(repo) == before and (shared / "discounts.py").read_bytes() == outside


def _owned_by(path: Path, uid: int) -> None:
    for entry in [path, *path.rglob("*")]:
        os.lchown(entry, uid, uid)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="gives the files away")
def test_a_repository_git_refuses_to_read_is_named_with_what_to_do(example_repo):
    """A checkout owned by another user, as in a container whose volume the job's user does not
    own: git refuses it (safe.directory) until told to trust it."""
    repo = example_repo("invoice")
    before = fingerprint(repo)
    _owned_by(repo, 54321)
    try:
        result = run_pytest(repo, "--selfheal", env={"GIT_CONFIG_GLOBAL": os.devnull})
    finally:
        _owned_by(repo, 0)
    assert result.returncode == 1  # the tests' own result
    report = latest_report(repo)
    assert report["status"] == "error"
    assert report["reason"].startswith(f"git refuses to read the repository at {repo}: fatal: "
                                       f"detected dubious ownership in repository at '{repo}'")
    assert f"git config --global --add safe.directory {repo}" in report["reason"]
    assert "internal error" not in result.stdout
    assert fingerprint(repo) == before
