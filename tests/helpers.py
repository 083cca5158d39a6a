"""Shared test helpers: real git repositories made from the bundled examples, fingerprints of a
checkout that prove a heal changed nothing the user owns, and the environment of the processes
the tests start."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import site
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

from pytest_selfheal.models import Failure, Frame, Spectrum

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


# a binary search whose `lo = mid` (for `mid + 1`) never advances: some lookups hang, the rest pass
SEARCH_THAT_NEVER_ADVANCES = '''
    """Lookups in sorted sequences."""


    def find(items, target):
        """The index of `target` in the sorted `items`, or -1."""
        lo, hi = 0, len(items)
        while lo < hi:
            mid = (lo + hi) // 2
            if items[mid] < target:
                lo = mid
            else:
                hi = mid
        if lo < len(items) and items[lo] == target:
            return lo
        return -1
    '''


def make_repo(root: Path, files: dict[str, str]) -> Path:
    """A committed git repository at `root` holding `files` (relative path -> text, dedented)."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return init_repo(root)


def copy_example(name: str, dest: Path) -> Path:
    """The example's files, without the bytecode this checkout's runs left beside them."""
    shutil.copytree(EXAMPLES / name, dest, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
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


def failure(message: str, exc_type: str = "ValueError", **kw: object) -> Failure:
    """A failure of tests/test_a.py::test_a, raised in pkg/mod.py's load() (line 10) as called
    from the test's line 3; keyword arguments replace the frames or add Failure's other fields."""
    frames = (Frame("tests/test_a.py", 3, "test_a"), Frame("pkg/mod.py", 10, "load"))
    return Failure(nodeid="tests/test_a.py::test_a", phase="call", exc_type=exc_type,
                   message=message, frames=kw.pop("frames", frames), **kw)  # type: ignore[arg-type]


def latest_report(root: Path) -> dict[str, object]:
    reports = sorted((root / ".selfheal" / "runs").glob("*/report.json"))
    assert reports, f"no report.json under {root / '.selfheal'}"
    return json.loads(reports[-1].read_text())


def triage_verdicts(report: dict[str, object]) -> dict[str, dict[str, object]]:
    """The triage verdicts of a report.json, by node id."""
    triage = report["triage"]
    assert isinstance(triage, dict)
    return {f["nodeid"]: f for f in triage["failures"]}


def latest_run_dir(root: Path) -> Path:
    return sorted((root / ".selfheal" / "runs").iterdir())[-1]


def run_pytest(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """A real `python -m pytest` in `cwd`, as a user would type it."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd, capture_output=True, text=True, env=user_env(env), timeout=timeout,
    )


def user_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a user's shell would give a command: without the variables this test run
    sets for itself (its addopts, its xdist worker id), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    return env | (extra or {})


def offline_env(scratch: Path) -> dict[str, str]:
    """Variables under which the virtualenvs that venv, tox and pre-commit create import what this
    interpreter imports, and pip builds and installs without the network.

    `--system-site-packages` would only lend them the base interpreter's packages, which lack the
    test dependencies when this suite runs in a virtualenv. Instead, a `sitecustomize` on
    PYTHONPATH adds this interpreter's site directories (their .pth files too, so editable
    installs resolve) after the environment's own packages, as system site-packages would be;
    it hides a base interpreter's own sitecustomize (Debian's reports crashes), which no test needs.
    A command run with `python -I` ignores PYTHONPATH: it sees only its own environment.
    """
    scratch.mkdir(parents=True, exist_ok=True)
    visible = [d for d in (*site.getsitepackages(), site.getusersitepackages()) if d in sys.path]
    (scratch / "sitecustomize.py").write_text(
        "import site\n\n" + "".join(f"site.addsitedir({d!r})\n" for d in visible), encoding="utf-8")
    return {
        "PYTHONPATH": os.pathsep.join(filter(None, (str(scratch), os.environ.get("PYTHONPATH")))),
        "PIP_NO_INDEX": "1",
        # pip sets its build_isolation to this value: off, so builds use the packages above
        "PIP_NO_BUILD_ISOLATION": "0",
    }


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


# A small program and the coverage spectrum of its tests, for localization tests.
SAMPLE_SOURCE = """\
def outer(x):
    y = x + 1
    return inner(y)


def inner(y):
    if y > 3:
        return y * 2
    return y


class Box:
    def size(self):
        return 1
"""


def sample_spectrum() -> Spectrum:
    """Coverage of SAMPLE_SOURCE: one failing test runs line 8, passing tests do not."""
    covered = {
        "tests/test_m.py::test_fail": frozenset({("m.py", 2), ("m.py", 3), ("m.py", 7), ("m.py", 8)}),
        "tests/test_m.py::test_pass1": frozenset({("m.py", 2), ("m.py", 3), ("m.py", 7), ("m.py", 9)}),
        "tests/test_m.py::test_pass2": frozenset({("m.py", 7), ("m.py", 9),
                                                   ("tests/test_m.py", 5)}),
    }
    outcomes = {"tests/test_m.py::test_fail": "failed", "tests/test_m.py::test_pass1": "passed",
                "tests/test_m.py::test_pass2": "passed"}
    return Spectrum(covered=covered, outcomes=outcomes)


def under_tests(path: str) -> bool:
    return path.startswith("tests/")


class ParametrizedItem:
    """What protocol.case_key reads of a pytest item of a parametrized test: its node id (kept in
    `_nodeid`, as pytest before 9.2 does), its callspec's id and parameters, and its parametrize
    mark, whose values come from a set unless `from_set` is false."""

    def __init__(self, function: str, case_id: str, from_set: bool = True, **params: object) -> None:
        self._nodeid = f"{function}[{case_id}]"
        self.callspec = SimpleNamespace(id=case_id, params=params)
        values = set(params) if from_set else list(params)
        self._marks = [SimpleNamespace(name="parametrize", args=(",".join(params), values), kwargs={})]

    @property
    def nodeid(self) -> str:
        return self._nodeid

    def iter_markers(self, name: str) -> list[SimpleNamespace]:
        return [mark for mark in self._marks if mark.name == name]
