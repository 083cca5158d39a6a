"""Shared test helpers: real git repositories made from the bundled examples, and fingerprints
of a checkout that prove a heal changed nothing the user owns."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
GIT_ENV = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=GIT_ENV
    ).stdout


def init_repo(path: Path) -> Path:
    git(path, "init", "-q")
    git(path, "config", "user.email", "tests@selfheal.invalid")
    git(path, "config", "user.name", "tests")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "initial")
    return path


def copy_example(name: str, dest: Path) -> Path:
    shutil.copytree(EXAMPLES / name, dest, dirs_exist_ok=True)
    return dest


def fingerprint(repo: Path) -> dict[str, object]:
    """Everything a heal must leave unchanged: files, index, refs, stash, HEAD, status."""
    files = {}
    for directory, subdirs, names in os.walk(repo):
        # git's and the heal's own directories are compared below, or not at all; a heal's
        # janitor may be pruning .git/worktrees while this walks
        top = Path(directory) == repo
        subdirs[:] = [d for d in subdirs
                      if d != "__pycache__" and not (top and d in (".git", ".selfheal"))]
        for name in names:
            path = Path(directory, name)
            files[path.relative_to(repo).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    files = dict(sorted(files.items()))
    git_dir = repo / ".git"
    return {
        "files": files,
        "index": hashlib.sha256((git_dir / "index").read_bytes()).hexdigest()
        if (git_dir / "index").exists() else None,
        "refs": git(repo, "for-each-ref", "--format=%(refname) %(objectname)"),
        "stash": git(repo, "stash", "list"),
        "head": (git_dir / "HEAD").read_text(),
        # the user's own pytest run writes bytecode (unless PYTHONDONTWRITEBYTECODE is set), in
        # submodules too; their files are compared above
        "status": "".join(line for line in git(repo, "status", "--porcelain", "--untracked-files=all",
                                               "--ignore-submodules=untracked")
                          .splitlines(keepends=True) if "__pycache__/" not in line),
        "worktrees": git(repo, "worktree", "list", "--porcelain").count("worktree "),
    }


def latest_report(root: Path) -> dict[str, object]:
    reports = sorted((root / ".selfheal" / "runs").glob("*/report.json"))
    assert reports, f"no report.json under {root / '.selfheal'}"
    return json.loads(reports[-1].read_text())


def latest_run_dir(root: Path) -> Path:
    return sorted((root / ".selfheal" / "runs").iterdir())[-1]


def run_pytest(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """A real `python -m pytest` in `cwd`, as a user would type it."""
    import sys

    full_env = {**os.environ, **(env or {})}
    full_env.pop("PYTEST_ADDOPTS", None)
    full_env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd, capture_output=True, text=True, env=full_env, timeout=timeout,
    )


def readme_snippet(heading: str, language: str) -> str:
    """The first ```language block after `heading` in README.md: tests run what users copy."""
    text = (EXAMPLES.parent / "README.md").read_text(encoding="utf-8")
    after = text[text.index(heading):]
    start = after.index(f"```{language}\n") + len(language) + 4
    return after[start:after.index("```", start)]


def alive(pid: int) -> bool:
    """The process exists and is not a zombie waiting for its parent."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def gone_within(pid: int, seconds: float) -> bool:
    """Wait up to `seconds` for `pid` to die."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and alive(pid):
        time.sleep(0.1)
    return not alive(pid)
