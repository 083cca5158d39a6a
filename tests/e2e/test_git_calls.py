"""The one git runner against real repositories: its environment, its failures, and the diff
options that keep the parser's input the same whatever the user's git configuration says."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers import git, init_repo

from pytest_selfheal.git import (
    DIFF_OPTIONS,
    commit_of,
    find_repo_root,
    git_ok,
    git_output,
    parse_diff,
    run_git,
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "a.py").write_text("one\ntwo\n")
    return init_repo(tmp_path)


def test_run_git_passes_the_environment_and_stdin(repo):
    done = run_git(repo, "var", "GIT_AUTHOR_IDENT", env={"GIT_AUTHOR_NAME": "Someone Else"})
    assert done.returncode == 0 and done.stdout.startswith("Someone Else <")
    blob = run_git(repo, "hash-object", "--stdin", stdin="one\ntwo\n").stdout.strip()
    assert blob == git(repo, "rev-parse", "HEAD:a.py").strip()


def test_a_failing_call_is_reported_not_raised_unless_checked(repo):
    assert run_git(repo, "rev-parse", "no-such-commit").returncode != 0
    assert git_output(repo, "rev-parse", "no-such-commit") is None
    assert not git_ok(repo, "cat-file", "-e", "0" * 40)
    assert git_ok(repo, "rev-parse", "HEAD")
    with pytest.raises(subprocess.CalledProcessError) as raised:
        run_git(repo, "rev-parse", "--verify", "no-such-commit", check=True)
    assert raised.value.returncode != 0 and raised.value.stderr.startswith("fatal:")


def test_a_commit_is_named_by_its_id_a_prefix_a_branch_or_a_tag_and_nothing_else_is_one(repo, tmp_path):
    head = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "tag", "-a", "v1", "-m", "release")  # an annotated tag: its object is no commit
    branch = git(repo, "branch", "--show-current").strip()
    assert {commit_of(repo, name) for name in (head, head[:8], branch, "v1", "HEAD")} == {head}
    tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
    assert commit_of(repo, tree) is None and commit_of(repo, "0" * 40) is None
    assert commit_of(repo, "--all") is None and commit_of(repo, "-h") is None
    empty = tmp_path / "unborn"
    empty.mkdir()
    git(empty, "init", "-q")
    assert commit_of(empty, "HEAD") is None


def test_outside_a_repository_there_is_no_root_and_no_output(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert find_repo_root(tmp_path) is None
    assert git_output(tmp_path, "rev-parse", "HEAD") is None
    assert git_output(tmp_path / "missing", "status") is None  # no such directory: OSError


def test_find_repo_root_walks_up_to_the_work_tree(repo):
    nested = repo / "pkg" / "sub"
    nested.mkdir(parents=True)
    assert find_repo_root(nested) == repo


@pytest.mark.parametrize("config", [
    (), ("diff.noprefix=true",), ("diff.mnemonicPrefix=true",), ("core.quotePath=false",),
    ("diff.external=false", "color.diff=always"),
])
def test_the_parser_reads_git_diff_the_same_whatever_the_user_configured(repo, config):
    for name in ("sp ace.py", "café.py", "ta\tb.py"):
        (repo / name).write_text("x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "names")
    for setting in config:
        key, value = setting.split("=")
        git(repo, "config", key, value)
    for name in ("sp ace.py", "café.py", "ta\tb.py"):
        (repo / name).write_text("x\ny\n")
    (repo / "a.py").write_text("-- one\ntwo\n")
    diff = run_git(repo, "diff", *DIFF_OPTIONS, "HEAD", check=True).stdout
    assert {f.path: [list(h.new_lines) for h in f.hunks] for f in parse_diff(diff)} == {
        "a.py": [[1]], "café.py": [[2]], "sp ace.py": [[2]], "ta\tb.py": [[2]],
    }
