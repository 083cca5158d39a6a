"""The worktree equals what the user ran, and it always goes away."""

import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import fingerprint, git, init_repo, latest_report, run_pytest

from pytest_selfheal.errors import SandboxError
from pytest_selfheal.sandbox.worktree import open_sandbox, refresh_hypothesis_state


def _compiled_env() -> dict[str, str]:
    """Bytecode written beside the sources, whatever this machine's environment says."""
    return {k: v for k, v in os.environ.items()
            if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}


@pytest.fixture
def dirty_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg" / "a.py").write_text("A = 1\n")
    (repo / "pkg" / "b.py").write_text("B = 1\n")
    (repo / "gone.py").write_text("GONE = 1\n")
    (repo / ".gitignore").write_text("ignored.txt\n")
    init_repo(repo)
    (repo / "pkg" / "a.py").write_text("A = 2\n")  # staged
    git(repo, "add", "pkg/a.py")
    (repo / "pkg" / "b.py").write_text("B = 2\n")  # unstaged
    (repo / "pkg" / "new.py").write_text("NEW = 1\n")  # untracked
    (repo / "ignored.txt").write_text("secret\n")  # ignored
    (repo / "gone.py").unlink()  # deleted
    git(repo, "stash", "list")
    return repo


def test_worktree_reproduces_staged_unstaged_untracked_and_deleted(dirty_repo):
    before = fingerprint(dirty_repo)
    with open_sandbox(dirty_repo) as sandbox:
        root = sandbox.root
        assert (root / "pkg" / "a.py").read_text() == "A = 2\n"
        assert (root / "pkg" / "b.py").read_text() == "B = 2\n"
        assert (root / "pkg" / "new.py").read_text() == "NEW = 1\n"
        assert not (root / "gone.py").exists()
        assert not (root / "ignored.txt").exists()
        sandbox.write("pkg/a.py", "A = 3\n")
    assert not root.exists()
    assert fingerprint(dirty_repo) == before


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_worktree_removed_on_exceptions(dirty_repo, error):
    before = fingerprint(dirty_repo)
    with pytest.raises(error), open_sandbox(dirty_repo) as sandbox:
        root = sandbox.root
        raise error()
    assert not root.exists() and not root.parent.exists()
    assert fingerprint(dirty_repo) == before
    assert git(dirty_repo, "worktree", "list").count("\n") == 1


def test_no_git_repository(tmp_path):
    with pytest.raises(SandboxError, match=r"no git repository at .*run `git init`"), \
            open_sandbox(tmp_path):
        pass


def test_a_repository_without_commits_gets_a_sandbox_of_its_index_and_working_tree(tmp_path):
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    git(repo, "init", "-q")
    for rel, text in {"pkg/a.py": "A = 1\n", "pkg/b.py": "B = 1\n", "gone.py": "GONE = 1\n",
                      ".gitignore": "ignored.txt\n"}.items():
        (repo / rel).write_text(text)
    git(repo, "add", "-A")
    (repo / "pkg" / "b.py").write_text("B = 2\n")  # staged, then edited
    (repo / "pkg" / "new.py").write_text("NEW = 1\n")  # untracked
    (repo / "ignored.txt").write_text("secret\n")  # ignored by .gitignore
    (repo / "local.txt").write_text("mine\n")
    (repo / ".git" / "info" / "exclude").write_text("local.txt\n")  # ignored by info/exclude
    (repo / "gone.py").unlink()  # staged, then deleted
    before, objects = fingerprint(repo), git(repo, "count-objects")
    with open_sandbox(repo) as sandbox:
        root = sandbox.root
        assert (root / "pkg" / "a.py").read_text() == "A = 1\n"
        assert (root / "pkg" / "b.py").read_text() == "B = 2\n"
        assert (root / "pkg" / "new.py").read_text() == "NEW = 1\n"
        assert not (root / "gone.py").exists()
        assert not (root / "ignored.txt").exists() and not (root / "local.txt").exists()
        sandbox.write("pkg/a.py", "A = 3\n")
        # a repository of its own: the changed-lines signal sees every file as new
        assert git(root, "rev-parse", "--show-toplevel").strip() == str(root)
        assert sorted(git(root, "ls-files", "--others", "--exclude-standard").split()) == [
            ".gitignore", "pkg/a.py", "pkg/b.py", "pkg/new.py"]
    assert not root.exists() and not root.parent.exists()
    assert fingerprint(repo) == before
    assert git(repo, "count-objects") == objects, "nothing written into the user's object store"
    assert (repo / "pkg" / "a.py").read_text() == "A = 1\n"


def test_same_size_rewrites_within_a_second_never_reuse_a_stale_bytecode_cache(dirty_repo):
    """Sandbox test processes write bytecode; every write must still be what the next one runs."""

    read = [sys.executable, "-c", "import sys; sys.path.insert(0, '.'); import pkg.b; print(pkg.b.B)"]
    env = _compiled_env()
    with open_sandbox(dirty_repo) as sandbox:
        seen = []
        for value in "3456":  # each version the same size, written within a second
            sandbox.write("pkg/b.py", f"B = {value}\n")
            seen.append(subprocess.run(read, cwd=sandbox.root, env=env, capture_output=True,
                                       text=True, check=True).stdout.strip())
        assert list(sandbox.root.glob("pkg/__pycache__/b.*.pyc")), "bytecode was written"
    assert seen == ["3", "4", "5", "6"]


def test_the_worktree_reuses_the_sessions_bytecode_for_identical_sources_only(dirty_repo):

    env = _compiled_env()
    subprocess.run([sys.executable, "-c", "import pkg.a, pkg.b"], cwd=dirty_repo, env=env, check=True)
    b = dirty_repo / "pkg" / "b.py"
    compiled_at = b.stat().st_mtime_ns
    b.write_text("B = 9\n")  # edited after it was compiled, same size
    os.utime(b, ns=(compiled_at + 5_000_000_000, compiled_at + 5_000_000_000))
    before = fingerprint(dirty_repo)
    read = [sys.executable, "-v", "-c", "import pkg.a, pkg.b; print(pkg.a.A, pkg.b.B)"]
    with open_sandbox(dirty_repo) as sandbox:
        run = subprocess.run(read, cwd=sandbox.root, env=env, capture_output=True, text=True,
                             check=True)
        cached_a = sandbox.root / "pkg" / "__pycache__" / f"a.{sys.implementation.cache_tag}.pyc"
    assert run.stdout.split() == ["2", "9"]
    assert f"code object from '{cached_a}'" in run.stderr, "a.py was not compiled again"
    assert f"code object from '{cached_a.with_name(cached_a.name.replace('a.', 'b.'))}'" \
        not in run.stderr, "the stale cache of b.py was not used"
    assert fingerprint(dirty_repo) == before


def test_pytests_rewritten_test_modules_are_reused_and_name_the_worktree(tmp_path):

    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "tests" / "test_one.py").write_text("def test_one():\n    assert 1 + 1 == 2\n")
    init_repo(repo)
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=repo,
                   env=_compiled_env(), check=True, capture_output=True)
    [rewritten] = (repo / "tests" / "__pycache__").glob("test_one.*-pytest-*.pyc")
    with open_sandbox(repo) as sandbox:
        copy = sandbox.root / "tests" / "__pycache__" / rewritten.name
        code = marshal.loads(copy.read_bytes()[16:])
        source = sandbox.root / "tests" / "test_one.py"
        nested = [c for c in code.co_consts if hasattr(c, "co_filename")]
        assert code.co_filename == str(source)
        assert nested and all(c.co_filename == str(source) for c in nested)
        assert marshal.loads(rewritten.read_bytes()[16:]).co_filename == str(repo / "tests" / "test_one.py")


def test_files_a_build_wrote_into_a_package_and_git_ignores_reach_the_sandbox(tmp_path):
    """setuptools-scm and hatch-vcs write `_version.py` at install time, ignored by git; the
    package imports it, so without it the sandbox could not even collect the tests."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text(
        "from pkg._version import VERSION\n\n\ndef half(n):\n    return n // 3\n")
    (tmp_path / "pkg" / "_version.py").write_text('VERSION = "1.0"\n')
    (tmp_path / ".gitignore").write_text("pkg/_version.py\n.venv/\n")
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / ".venv" / "lib" / "__init__.py").write_text("")
    (tmp_path / "tests" / "test_half.py").write_text(
        "from pkg import half\n\n\ndef test_half():\n    assert half(8) == 4\n")
    repo = init_repo(tmp_path)
    before = fingerprint(repo)
    run_pytest(repo, "--selfheal")
    report = latest_report(repo)
    assert report["status"] == "healed", report["reason"]
    assert fingerprint(repo) == before


def test_what_hypothesis_reads_back_reaches_the_sandbox_and_nothing_else_of_its_cache(tmp_path):
    """Its saved failing examples and the Unicode tables it builds once, under `.hypothesis`,
    which it gitignores; not its scratch files. The sandbox writes to its copy only."""
    (tmp_path / "m.py").write_text("X = 1\n")
    (tmp_path / ".gitignore").write_text(".hypothesis/\n")
    kept = {".hypothesis/examples/3f2a/9c1b": b"\x00\x01", ".hypothesis/unicode_data/15.0.0/charmap.json.gz": b"gz",
            ".hypothesis/tmp/tmpx1y2": b"half-written"}
    for rel, data in kept.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    repo = init_repo(tmp_path)
    before = fingerprint(repo)
    with open_sandbox(repo) as sandbox:
        copied = {p.relative_to(sandbox.root).as_posix()
                  for p in (sandbox.root / ".hypothesis").rglob("*") if p.is_file()}
        assert copied == set(list(kept)[:2])
        (sandbox.root / ".hypothesis/examples/3f2a/9c1b").write_bytes(b"rewritten")
    assert fingerprint(repo) == before


def test_examples_hypothesis_saved_after_the_sandbox_was_made_reach_it_when_the_heal_begins(tmp_path):
    """The sandbox is made at the session's first failure; a property failing later saves its
    example to the user's database after that."""
    (tmp_path / "m.py").write_text("X = 1\n")
    (tmp_path / ".gitignore").write_text(".hypothesis/\n")
    (tmp_path / ".hypothesis/examples/3f2a").mkdir(parents=True)
    (tmp_path / ".hypothesis/examples/3f2a/9c1b").write_bytes(b"first")
    repo = init_repo(tmp_path)
    with open_sandbox(repo) as sandbox:
        (sandbox.root / ".hypothesis/examples/3f2a/77aa").write_bytes(b"the sandbox's own")
        (repo / ".hypothesis/examples/3f2a/5d5d").write_bytes(b"saved later")
        (repo / ".hypothesis/examples/e0e0").mkdir()
        (repo / ".hypothesis/examples/e0e0/1111").write_bytes(b"another test's")
        before = fingerprint(repo)
        refresh_hypothesis_state(sandbox)
        copied = {p.relative_to(sandbox.root / ".hypothesis/examples").as_posix(): p.read_bytes()
                  for p in (sandbox.root / ".hypothesis/examples").rglob("*") if p.is_file()}
        assert copied == {"3f2a/9c1b": b"first", "3f2a/77aa": b"the sandbox's own",
                          "3f2a/5d5d": b"saved later", "e0e0/1111": b"another test's"}
        assert fingerprint(repo) == before


def test_a_hooks_git_dir_does_not_lead_the_sandbox_into_the_users_repository(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("A = 1\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    before = fingerprint(repo)
    config = (repo / ".git" / "config").read_bytes()
    monkeypatch.setenv("GIT_DIR", str(repo / ".git"))  # as git sets it for a hook
    with open_sandbox(repo) as sandbox:
        assert (sandbox.root / ".git" / "HEAD").is_file(), "the sandbox has a repository of its own"
        assert (sandbox.root / "a.py").read_text() == "A = 1\n"
    monkeypatch.delenv("GIT_DIR")
    assert fingerprint(repo) == before
    assert (repo / ".git" / "config").read_bytes() == config
