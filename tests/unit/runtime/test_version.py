"""The deployed version: the environment first, else the checkout's HEAD read from disk."""

from __future__ import annotations

from pathlib import Path

from pytest_selfheal.runtime.version import deployed_version

COMMIT = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def git_dir(root: Path, head: str) -> Path:
    (root / ".git" / "refs" / "heads").mkdir(parents=True)
    (root / ".git" / "HEAD").write_text(head + "\n", encoding="utf-8")
    return root / ".git"


def test_the_first_variable_set_wins(tmp_path: Path) -> None:
    env = {"HEROKU_SLUG_COMMIT": "heroku", "GIT_COMMIT": "jenkins", "SELFHEAL_VERSION": " "}
    assert deployed_version(tmp_path, env) == "jenkins"


def test_a_detached_head_is_the_commit(tmp_path: Path) -> None:
    git_dir(tmp_path, COMMIT)
    assert deployed_version(tmp_path, {}) == COMMIT


def test_a_branch_is_read_from_its_ref_file_or_packed_refs(tmp_path: Path) -> None:
    dot_git = git_dir(tmp_path, "ref: refs/heads/main")
    (dot_git / "packed-refs").write_text(f"# pack-refs with: peeled\n{COMMIT} refs/heads/main\n",
                                         encoding="utf-8")
    assert deployed_version(tmp_path, {}) == COMMIT
    (dot_git / "refs" / "heads" / "main").write_text("f" * 40 + "\n", encoding="utf-8")
    assert deployed_version(tmp_path, {}) == "f" * 40


def test_a_linked_worktree_reads_branches_from_the_common_directory(tmp_path: Path) -> None:
    main = git_dir(tmp_path / "main", "ref: refs/heads/main")
    (main / "refs" / "heads" / "feature").write_text(COMMIT + "\n", encoding="utf-8")
    linked = main / "worktrees" / "wt"
    linked.mkdir(parents=True)
    (linked / "HEAD").write_text("ref: refs/heads/feature\n", encoding="utf-8")
    (linked / "commondir").write_text("../..\n", encoding="utf-8")
    (tmp_path / "wt").mkdir()
    (tmp_path / "wt" / ".git").write_text(f"gitdir: {linked}\n", encoding="utf-8")
    assert deployed_version(tmp_path / "wt", {}) == COMMIT


def test_no_checkout_and_no_variable_is_unknown(tmp_path: Path) -> None:
    assert deployed_version(tmp_path, {}) == ""
    git_dir(tmp_path, "ref: refs/heads/unborn")
    assert deployed_version(tmp_path, {}) == ""
