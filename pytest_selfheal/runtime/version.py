"""The deployed version: the commit a running program was built from, read once at install.

Deploy platforms name it in an environment variable (VERSION_VARIABLES, first set wins); else the
checkout the program runs from says it in `.git/HEAD` (a commit, or a branch whose commit is in
its ref file or in packed-refs), read from disk: git is not run, and may not be installed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

# SELFHEAL_VERSION first (set it yourself); then Jenkins (GIT_COMMIT), Heroku builds
# (SOURCE_VERSION, HEROKU_SLUG_COMMIT with dyno metadata), GitHub Actions, GitLab CI, Render,
# Vercel and common container conventions.
VERSION_VARIABLES = ("SELFHEAL_VERSION", "GIT_COMMIT", "SOURCE_VERSION", "HEROKU_SLUG_COMMIT",
                     "GITHUB_SHA", "CI_COMMIT_SHA", "RENDER_GIT_COMMIT", "VERCEL_GIT_COMMIT_SHA",
                     "COMMIT_SHA")


def deployed_version(root: Path, env: Mapping[str, str] = os.environ) -> str:
    """The commit (or whatever the variable holds) the program runs, "" when nothing says."""
    for name in VERSION_VARIABLES:
        value = env.get(name, "").strip()
        if value:
            return value
    try:
        return _checkout_commit(root)
    except (OSError, ValueError, UnicodeDecodeError):
        return ""


def _checkout_commit(root: Path) -> str:
    git_dir = _git_dir(root)
    if git_dir is None:
        return ""
    head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
    if not head.startswith("ref:"):
        return head  # a detached HEAD is the commit itself
    ref = head[len("ref:"):].strip()
    # a linked worktree keeps its HEAD apart; branches live in the common directory
    common = git_dir
    if (git_dir / "commondir").is_file():
        common = (git_dir / (git_dir / "commondir").read_text(encoding="utf-8").strip()).resolve()
    for place in dict.fromkeys((git_dir, common)):
        ref_file = place / ref
        if ref_file.is_file():
            return ref_file.read_text(encoding="utf-8").strip()
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text(encoding="utf-8").splitlines():
            commit, _, name = line.partition(" ")
            if name == ref:
                return commit
    return ""  # a branch with no commit yet


def _git_dir(root: Path) -> Path | None:
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    if dot_git.is_file():  # a worktree or submodule: `gitdir: <path>`
        text = dot_git.read_text(encoding="utf-8").strip()
        if text.startswith("gitdir:"):
            return (root / text[len("gitdir:"):].strip()).resolve()
    return None
