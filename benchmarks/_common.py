"""Helpers shared by the benchmark scripts: temp git repos and timed pytest runs."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def git_repo(source: Path | None = None) -> Path:
    """A fresh committed git repository, optionally a copy of `source`."""
    path = Path(tempfile.mkdtemp(prefix="selfheal-bench-")) / "repo"
    if source is not None:
        shutil.copytree(source, path)
    else:
        path.mkdir()
    return path


def commit_all(path: Path) -> None:
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=bench", "-c", "user.email=bench@selfheal.invalid",
                  "commit", "-q", "-m", "bench"]):
        subprocess.run(["git", *args], cwd=path, check=True, stdout=subprocess.DEVNULL)


def timed_pytest(cwd: Path, *args: str) -> float:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                   cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def environment() -> str:
    """What the figures depend on besides the code: the interpreter, the pytest plugins every test
    process loads, and whether Python may write bytecode (without it, each process recompiles)."""
    from importlib.metadata import entry_points

    plugins = sorted({ep.dist.name for ep in entry_points(group="pytest11") if ep.dist})
    bytecode = "off (PYTHONDONTWRITEBYTECODE)" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "on"
    return (f"# python {sys.version.split()[0]} at {sys.executable}; {os.cpu_count()} cores; "
            f"bytecode cache {bytecode}; pytest plugins: {', '.join(plugins)}")


def summary(values: list[float]) -> str:
    return (f"median {statistics.median(values):.2f}s "
            f"(min {min(values):.2f}, max {max(values):.2f}, n={len(values)})")


def spread(values: list[float], unit: str = "s", digits: int = 2) -> str:
    """median (min-max, n) with a unit; the form every perf_* script prints."""
    return (f"median {statistics.median(values):.{digits}f}{unit} "
            f"(min {min(values):.{digits}f}, max {max(values):.{digits}f}, n={len(values)})")


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def green_suite(tests: int, per_file: int = 50) -> Path:
    """A committed repository of `tests` fast passing tests."""
    repo = git_repo()
    for index in range(tests // per_file):
        body = "\n".join(
            f"def test_{index}_{n}():\n    assert sum(range({n})) == {n * (n - 1) // 2}\n"
            for n in range(per_file)
        )
        (repo / f"test_generated_{index}.py").write_text(body)
    commit_all(repo)
    return repo


def measured_pytest(cwd: Path, *args: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+sys) of one `pytest -q` run and everything it started.

    CPU time barely moves when other work shares the machine; wall time does.
    """
    import resource

    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                   cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
