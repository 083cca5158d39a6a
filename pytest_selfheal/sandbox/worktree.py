"""A detached git worktree that holds exactly what the user ran; the user's checkout is only read.

The worktree is HEAD plus the user's uncommitted tracked changes (staged and unstaged) plus the
untracked files git does not ignore, plus the checked-out content of submodules, with the
bytecode caches the user's session wrote for identical sources (nothing is compiled twice). It is
added locked, in the heal's name (lock.sandbox_reason), so that a later heal can tell it from the
user's own worktrees, and removed with git's record of it on every exit path: Ctrl-C, SIGTERM
(turned into KeyboardInterrupt while a heal runs, see terminate_as_interrupt) and a second signal
during cleanup (deferred until the worktree is gone). A checkout it cannot be made from is
refused first (unhealable.py).

A repository with no commits yet (the first commit, where a pre-commit hook is often added) has
no HEAD to add a worktree from: the sandbox is then a repository of its own, with no commit
either, holding the files in the user's index and the untracked ones, as they are in the working
tree. Its objects and index are its own, so nothing is written into the user's repository; the
janitor removes it as it removes a worktree (a failed `git worktree remove`, then its temp dir).
"""

from __future__ import annotations

import contextlib
import importlib.util
import marshal
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from types import CodeType, FrameType
from typing import Any

import git

from ..errors import SandboxError
from ..git import GIT_ENV, TIMEOUT, commit_of
from .lock import SANDBOX_NAME, new_sandbox_dir, sandbox_reason
from .paths import Sandbox
from .unhealable import refuse_unhealable

_PYC_HEADER = 16  # magic, flags, then mtime and size or a source hash (PEP 552)


def _open_repo(user_root: Path) -> git.Repo:
    try:
        repo = git.Repo(user_root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise SandboxError(
            f"no git repository at {user_root}: run `git init` there, "
            "or run without --selfheal"
        ) from None
    repo.git.update_environment(**GIT_ENV)
    try:
        repo.git.rev_parse("--git-dir")
    except git.GitCommandError as exc:  # a repository git will not read: safe.directory, ...
        said = " ".join(exc.stderr.replace("stderr:", "").strip(" '\n").split())
        raise SandboxError(f"git refuses to read the repository at {user_root}: {said}; "
                           "do what git says, then run again") from None
    return repo


def _changed_paths(repo: git.Repo, born: bool) -> tuple[list[str], list[str]]:
    """(tracked paths that differ from HEAD, untracked paths git does not ignore); before the
    first commit every path in the index differs from the nothing HEAD holds."""
    tracked = (repo.git.diff("HEAD", "--name-only", "--no-renames", "-z") if born
               else repo.git.ls_files("--cached", "-z")).split("\0")
    untracked = repo.git.ls_files("--others", "--exclude-standard", "-z").split("\0")
    return list(dict.fromkeys(p for p in tracked if p)), [p for p in untracked if p]


BUILT_FILE_LIMIT = 20 * 1024 * 1024  # bytes: a larger ignored file is data, not a build product


def _built_files(repo: git.Repo, user_root: Path) -> list[str]:
    """Files git ignores inside the project's packages: what a build or an editable install
    wrote there (a `_version.py` from setuptools-scm or hatch-vcs, compiled extensions,
    compiled translations). The user's tests import them, so the sandbox's must find them too;
    ignored directories (virtualenvs, build/) are not entered."""
    listed = repo.git.ls_files("--others", "--ignored", "--exclude-standard", "--directory", "-z")
    ignored = [p for p in listed.split("\0") if p and not p.endswith("/") and not _is_bytecode(p)]
    if not ignored:
        return []
    inits = repo.git.ls_files("-z", "--", "*__init__.py").split("\0")
    packages = {str(PurePosixPath(p).parent) for p in inits if p}
    return [rel for rel in ignored
            if any(str(parent) in packages for parent in PurePosixPath(rel).parents)
            and (user_root / rel).is_file() and (user_root / rel).stat().st_size <= BUILT_FILE_LIMIT]


def _is_bytecode(rel: str) -> bool:
    return "__pycache__/" in rel or rel.endswith((".pyc", ".pyo"))


def _replicate(user_root: Path, worktree: Path, paths: list[str]) -> None:
    """Make each path in the worktree equal to the user's copy (or absent, if deleted)."""
    for rel in paths:
        if _is_bytecode(rel):
            continue
        src, dst = user_root / rel, worktree / rel
        if dst.is_symlink() or dst.is_file():
            dst.unlink()
        if src.is_symlink():
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.symlink_to(os.readlink(src))
        elif src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


def _submodules(repo: git.Repo, user_root: Path) -> tuple[str, ...]:
    if not (user_root / ".gitmodules").is_file():
        return ()
    try:
        listing = repo.git.config("-f", ".gitmodules", "--get-regexp", r"^submodule\..*\.path$")
    except git.GitCommandError:
        return ()
    return tuple(line.split(" ", 1)[1] for line in listing.splitlines() if " " in line)


def _copy_submodules(user_root: Path, worktree: Path, paths: tuple[str, ...]) -> None:
    """`git worktree add` leaves submodules empty; tests need the content the user has."""
    for rel in paths:
        if (user_root / rel).is_dir():
            shutil.copytree(user_root / rel, worktree / rel, symlinks=True, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".git", "__pycache__"))


# What hypothesis keeps under `.hypothesis` (which it gitignores) and reads back in the next run:
# the failing examples it saved, replayed before it searches anew (without them a property that
# failed in the user's run may pass in the sandbox, and the failure would not reproduce), and the
# Unicode tables it builds once per Unicode version (building the codec table took a gate's
# process on attrs' suite to 194 MiB, twice the user's run, and seconds).
HYPOTHESIS_STATE = (PurePosixPath(".hypothesis/examples"), PurePosixPath(".hypothesis/unicode_data"))


def _copy_hypothesis_state(user_root: Path, worktree: Path) -> None:
    """The sandbox's runs start from the user's hypothesis state and write to their copy only.
    Added to what the copy holds: its files are named by what they hold (an example, a Unicode
    version's table), so a file the copy has already is left as it is, not copied again."""
    for kept in HYPOTHESIS_STATE:
        source = user_root / kept
        if source.is_dir():
            shutil.copytree(source, worktree / kept, symlinks=True, dirs_exist_ok=True,
                            copy_function=_copy_if_absent)


def _copy_if_absent(source: str, copy: str) -> str:
    return copy if os.path.lexists(copy) else shutil.copy2(source, copy)


def refresh_hypothesis_state(sandbox: Sandbox) -> None:
    """Add what hypothesis saved since the sandbox was made. A session makes it at its first
    failure, while the rest of the suite runs: a property that failed later had not saved its
    example then, and the sandbox's runs would search and shrink anew (a state machine's search
    and shrink took 34 s on bidict; its saved example fails again in 1.5 s)."""
    _copy_hypothesis_state(sandbox.user_root, sandbox.root)


def _seed_bytecode(user_root: Path, worktree: Path) -> None:
    """Copy the checkout's bytecode caches into the worktree, so that the sandbox's first test
    process reuses what the user's session just compiled (pytest's assertion rewriting of a
    large test module costs more than starting pytest). A cache is only an optimization: one
    that cannot be copied is left behind."""
    tag = sys.implementation.cache_tag
    if tag is None:
        return
    for directory, subdirs, files in os.walk(worktree):
        subdirs[:] = [d for d in subdirs if d not in (".git", "__pycache__")]
        rel = Path(directory).relative_to(worktree)
        cache = user_root / rel / "__pycache__"
        sources = [name for name in files if name.endswith(".py")]
        if not sources or not cache.is_dir() or cache.is_symlink():
            continue
        compiled: dict[str, list[Path]] = {}  # module name -> its caches for this interpreter
        for entry in os.listdir(cache):
            module, _, rest = entry.partition(".")
            if rest.startswith(tag) and rest.endswith(".pyc"):
                compiled.setdefault(module, []).append(cache / entry)
        for name in sources:
            if name[:-3] in compiled:
                with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
                    _seed_module(user_root / rel / name, Path(directory) / name, compiled[name[:-3]])


def _seed_module(source: Path, copy: Path, compiled: list[Path]) -> None:
    """Python checks a plain .pyc by its source's mtime and size, so the copy takes the
    source's mtime, and only when its bytes are the same. pytest checks its rewritten modules
    by mtime or by hash (by version), and not every version corrects the file name recorded in
    them, so those are rewritten to name the worktree's file: tracebacks and coverage must
    point into the sandbox."""
    if source.is_symlink() or copy.is_symlink() or source.read_bytes() != copy.read_bytes():
        return
    cache = copy.parent / "__pycache__"
    cache.mkdir(exist_ok=True)
    for pyc in compiled:
        data = pyc.read_bytes()
        if "-pytest-" in pyc.name:
            if data[:4] != importlib.util.MAGIC_NUMBER:
                continue
            header, code = data[:_PYC_HEADER], marshal.loads(data[_PYC_HEADER:])
            data = header + marshal.dumps(_located(code, str(copy)))
        (cache / pyc.name).write_bytes(data)
    stat = source.stat()
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _located(code: CodeType, filename: str) -> CodeType:
    """`code` and the code nested in it, recorded as compiled from `filename`."""
    return code.replace(co_filename=filename, co_consts=tuple(
        _located(const, filename) if isinstance(const, CodeType) else const
        for const in code.co_consts
    ))


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


_Handler = Callable[[int, FrameType | None], Any] | int | None


@contextmanager
def _signals(handlers: dict[signal.Signals, _Handler]) -> Iterator[None]:
    """Install signal handlers for the block (main thread only: elsewhere Python forbids it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, handler) for signum, handler in handlers.items()}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt in the block, as SIGINT does, so that a heal told to
    stop removes its sandbox on the way out."""
    with _signals({signal.SIGTERM: _raise_interrupt}):
        yield


@contextmanager
def open_sandbox(user_root: Path, tmp: Path | None = None) -> Iterator[Sandbox]:
    """Create the worktree (in `tmp`, from lock.new_sandbox_dir, if given), yield it, and always
    remove it, its temp dir and git's record of it."""
    user_root = user_root.resolve()
    try:
        repo = _open_repo(user_root)
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    tmp = tmp or new_sandbox_dir()
    worktree = tmp / SANDBOX_NAME
    try:
        yield _populate(repo, user_root, worktree, tmp)
    finally:
        with _signals({signal.SIGINT: signal.SIG_IGN, signal.SIGTERM: signal.SIG_IGN}):
            _remove(repo, worktree, tmp)


def _populate(repo: git.Repo, user_root: Path, worktree: Path, tmp: Path) -> Sandbox:
    born = commit_of(user_root, "HEAD") is not None
    tracked, untracked = _changed_paths(repo, born)
    refuse_unhealable(user_root, untracked)
    if born:
        _add_worktree(repo, user_root, worktree)
    else:
        _init_without_commits(repo, user_root, worktree)
    _replicate(user_root, worktree, tracked + untracked + _built_files(repo, user_root))
    submodules = _submodules(repo, user_root)
    _copy_submodules(user_root, worktree, submodules)
    _copy_hypothesis_state(user_root, worktree)
    _seed_bytecode(user_root, worktree)
    return Sandbox(user_root=user_root, root=worktree, tmp=tmp, submodules=submodules)


def _add_worktree(repo: git.Repo, user_root: Path, worktree: Path) -> None:
    try:
        repo.git.worktree("add", "--detach", "--lock", "--reason", sandbox_reason(os.getpid()),
                          "--quiet", str(worktree), "HEAD")
    except git.GitCommandError as exc:
        raise SandboxError(
            f"`git worktree add` failed in {user_root}: {exc.stderr.strip()}; "
            "check that git can write to .git/worktrees"
        ) from None


# variables that point git at a repository (a hook's, the caller's): `git init` must not follow
# them, or it would reinitialize the user's instead of making the sandbox's
_GIT_LOCATION_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
                    "GIT_COMMON_DIR", "GIT_ALTERNATE_OBJECT_DIRECTORIES")


def _init_without_commits(repo: git.Repo, user_root: Path, worktree: Path) -> None:
    """The sandbox of a repository with no commits: an empty repository of its own (no hook
    templates), ignoring what the user's `info/exclude` ignores, so that the same files are
    untracked in it as in the user's."""
    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION_ENV} | dict(GIT_ENV)
    done = subprocess.run(["git", "init", "--quiet", "--template=", str(worktree)], env=env,
                          capture_output=True, text=True, errors="replace", timeout=TIMEOUT)
    if done.returncode != 0:
        raise SandboxError(f"`git init` of the sandbox failed in {worktree.parent}: "
                           f"{done.stderr.strip()}; check that the temp directory is writable")
    exclude = user_root / repo.git.rev_parse("--git-path", "info/exclude")
    if exclude.is_file():
        (worktree / ".git" / "info").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(exclude, worktree / ".git" / "info" / "exclude")


def _remove(repo: git.Repo, worktree: Path, tmp: Path) -> None:
    """Remove the worktree (locked: forced twice) and its record, and the temp dir. Never
    `git worktree prune`: it would drop the user's own worktrees whose directory is missing."""
    try:
        repo.git.worktree("remove", "--force", "--force", str(worktree))
    except git.GitCommandError:
        pass  # never added, or git failed: the next heal's clean_stale removes the record
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        repo.close()
