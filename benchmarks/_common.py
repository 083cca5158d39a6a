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


SDIST_CACHE = Path(os.environ.get("SELFHEAL_SDIST_CACHE",
                                  Path.home() / ".cache" / "selfheal-bench" / "sdists"))
CONFIG_FILES = ("pyproject.toml", "setup.cfg", "tox.ini", "pytest.ini", "conftest.py")


def sdist(requirement: str) -> Path:
    """The unpacked source distribution of `name==version`, downloaded once with pip from the
    package registry and kept in SDIST_CACHE (corpora built on real libraries store no code of
    theirs, only what to take from these)."""
    target = SDIST_CACHE / requirement.replace("==", "-")
    if not target.exists():
        import tarfile
        import zipfile

        download = Path(tempfile.mkdtemp(prefix="selfheal-sdist-"))
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:",
                        "--no-deps", "-d", str(download), requirement], check=True)
        (archive,) = download.iterdir()
        unpacked = download / "unpacked"
        if archive.suffix == ".zip":
            with zipfile.ZipFile(archive) as z:
                z.extractall(unpacked)
        else:
            with tarfile.open(archive) as t:
                t.extractall(unpacked, filter="data")
        (root,) = unpacked.iterdir()
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(root), str(target))
        shutil.rmtree(download, ignore_errors=True)
    return target


def sdist_project(requirement: str, package: str, tests: list[str]) -> Path:
    """A fresh directory (not yet a git repository) laid out like the library's own checkout,
    with only `package` (its import directory or module, taken from `src/` when the sdist has
    that layout and put at the top so that tests import it from the working directory), the
    `tests` files (or data directories) with the conftest.py and __init__.py files above them,
    and the library's config files, all unchanged."""
    source = sdist(requirement)
    repo = git_repo()
    for origin in (source / "src" / package, source / package):
        if origin.is_dir():
            shutil.copytree(origin, repo / package, ignore=shutil.ignore_patterns("__pycache__"))
            break
        if origin.with_suffix(".py").is_file():
            shutil.copy(origin.with_suffix(".py"), repo / f"{package}.py")
            break
    else:
        raise FileNotFoundError(f"{requirement} has no package or module {package!r}")
    for name in CONFIG_FILES:
        if (source / name).exists():
            shutil.copy(source / name, repo / name)
    for test in tests:
        (repo / test).parent.mkdir(parents=True, exist_ok=True)
        if (source / test).is_dir():
            shutil.copytree(source / test, repo / test)
        else:
            shutil.copy(source / test, repo / test)
        for parent in Path(test).parents:
            for extra in ("conftest.py", "__init__.py"):
                if (source / parent / extra).exists() and not (repo / parent / extra).exists():
                    shutil.copy(source / parent / extra, repo / parent / extra)
    return repo
