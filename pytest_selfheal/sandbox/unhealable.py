"""Checkouts a sandbox cannot be made from, refused before anything is created, each with a
message that names what was found and what to do.

- Unresolved conflicts (a merge, rebase, cherry-pick or revert stopped on them): the files hold
  conflict markers, and a heal would try to repair those.
- A symbolic link to Python code outside the repository: the sandbox's tests would run the
  user's own copy, and a fix there would write outside the checkout.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..errors import SandboxError
from ..git import run_git

# (file or directory in the git dir, what is in progress, how to abort it)
_OPERATIONS = (
    ("MERGE_HEAD", "a merge", "git merge --abort"),
    ("rebase-merge", "a rebase", "git rebase --abort"),
    ("rebase-apply", "a rebase", "git rebase --abort"),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "git cherry-pick --abort"),
    ("REVERT_HEAD", "a revert", "git revert --abort"),
)
_SYMLINK_MODE = "120000"
_NAMED = 3


def refuse_unhealable(user_root: Path, untracked: Sequence[str]) -> None:
    """Raise SandboxError if the checkout has unresolved conflicts or links to code outside it."""
    conflicted = sorted({line.split("\t", 1)[1] for line in _git(user_root, "ls-files", "--unmerged", "-z")
                         .split("\0") if "\t" in line})
    if conflicted:
        git_dir = Path(_git(user_root, "rev-parse", "--absolute-git-dir").strip())
        raise SandboxError(_conflicts_message(git_dir, user_root, conflicted))
    outside = outside_code_links(user_root, [*_tracked_links(user_root), *untracked])
    if outside:
        raise SandboxError(_links_message(user_root, outside))


def _conflicts_message(git_dir: Path, user_root: Path, conflicted: list[str]) -> str:
    state, abort = next(((what, how) for name, what, how in _OPERATIONS if (git_dir / name).exists()),
                        ("a change", None))
    files = ", ".join(conflicted[:_NAMED]) + (f" and {len(conflicted) - _NAMED} more"
                                              if len(conflicted) > _NAMED else "")
    way_out = f"or abort it (`{abort}`)" if abort else "or undo it"
    return (f"{state} is in progress in {user_root} with unresolved conflicts in {files}: the "
            "sandbox would start from files full of conflict markers, so nothing is healed and "
            "your test results stand. Resolve the conflicts (edit the files, then `git add` them) "
            f"{way_out}, then run pytest --selfheal again")


def _git(user_root: Path, *args: str) -> str:
    return run_git(user_root, *args, check=True).stdout


def _tracked_links(user_root: Path) -> list[str]:
    """Paths of the symbolic links in the index."""
    entries = _git(user_root, "ls-files", "--stage", "-z").split("\0")
    return [entry.split("\t", 1)[1] for entry in entries
            if entry.startswith(_SYMLINK_MODE + " ") and "\t" in entry]


def outside_code_links(user_root: Path, paths: Sequence[str]) -> dict[str, Path]:
    """Of `paths` (relative to the checkout), the symbolic links that lead outside it to Python
    code (a .py file, or a directory with .py files in it), and where each leads."""
    root = user_root.resolve()
    found = {}
    for rel in paths:
        link = user_root / rel
        if not link.is_symlink():
            continue
        target = link.resolve()
        if not target.is_relative_to(root) and _is_code(link, target):
            found[rel] = target
    return found


def _is_code(link: Path, target: Path) -> bool:
    if target.is_dir():
        try:
            return any(name.endswith(".py") for name in os.listdir(target))
        except OSError:
            return False
    return link.suffix == ".py" or target.suffix == ".py"


def _links_message(user_root: Path, links: dict[str, Path]) -> str:
    (first, target), *rest = links.items()
    more = f" (and {len(rest)} more such link(s))" if rest else ""
    copy = (f"rm {first} && cp -r {target} {first}" if target.is_dir()
            else f"cp --remove-destination {target} {first}")
    return (f"{first} is a symbolic link to {target}, outside the repository at {user_root}{more}: "
            "the sandbox cannot isolate code outside your checkout (its tests would run your own "
            "copy, and a fix there would change a file outside it), so nothing is healed and "
            f"your test results stand. Replace the link with a copy of what it points to "
            f"(`{copy}`) or move that code into the repository, then run pytest --selfheal again")
