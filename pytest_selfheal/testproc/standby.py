"""A test subprocess started before it is needed (`sandbox.runner.Standby`): run as
`python -m pytest_selfheal.testproc.standby`.

It imports pytest and the installed pytest plugins, and waits. Its run arrives as one line on
stdin, a `protocol.StandbyRun` (arguments and environment); then it runs `pytest.main(args)` as
`python -m pytest args` would, and exits with its status. Nothing of the project is imported
before the line arrives, so the run sees the files on disk as they are then: it is as clean as a
process started at that moment. It exits as Python would, waiting for the threads the tests left
and running the atexit handlers, but without freeing every object first: for a few hundred tests
that teardown takes about as long as importing pytest, and nothing can see it. pytest is imported
in `main`, after that exit is registered, so that the exit runs after the handlers pytest and
the plugins register.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Iterator
from importlib.metadata import distributions, entry_points
from typing import Any, cast

from ..sandbox.protocol import SANDBOX_ENV, USER_ROOT_ENV, decode_standby_run

_status: int | None = None  # pytest's exit status, once its run has returned


def main() -> int:
    global _status
    atexit.register(_exit_now)  # registered first, so it runs after every other handler
    import pytest

    import_installed_plugins()
    line = sys.stdin.readline()
    if not line:
        return 0  # discarded before it was used
    run = decode_standby_run(line)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # the tests read from nothing, as with a new process
    os.close(devnull)
    os.environ.update(run.env)
    forget_what_the_run_imports_elsewhere()
    sys.argv = [sys.argv[0], *run.args]
    _status = int(pytest.main(list(run.args)))
    return _status


def _exit_now() -> None:
    """The end of interpreter shutdown, once the threads are done and atexit has run: flush the
    output, and skip freeing the heap. Without a status (no run, or it raised) Python ends as
    usual."""
    if _status is None:
        return
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(_status)


def import_installed_plugins() -> None:
    """Import the plugins pytest would load from entry points, while nothing is asked of this
    process yet (also the warm worker's): importing them is a good part of a small run (anyio's,
    which comes with the anthropic SDK, more than collecting a few hundred tests). A plugin whose
    code is in the sandbox or the user's checkout is the project's own, left for the run to
    import from disk. They are imported through pytest's assertion rewriting, as the run would
    import them (see `_rewritten_as_pytest_would`); where that cannot be set up, none is. What
    each brought in is kept for `forget_what_the_run_imports_elsewhere`."""
    if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        return
    project = _project_roots()
    with _rewritten_as_pytest_would() as rewriting:
        if not rewriting:
            return
        for entry in entry_points(group="pytest11"):
            if not _left_for_the_run(entry.module, project):
                before = set(sys.modules)
                with contextlib.suppress(Exception):  # the run imports it again, and reports the error
                    importlib.import_module(entry.module)
                _preimported.update(name for name in set(sys.modules) - before
                                    if name.partition(".")[0] not in sys.stdlib_module_names)


_preimported: set[str] = set()  # the modules the plugins brought in, the standard library's aside


def forget_what_the_run_imports_elsewhere() -> None:
    """Once the run's directory and path are in place: if a plugin brought in a module the run
    would import from another file (the project under test itself, which anyio's plugin imports
    when the project is idna, from site-packages or the user's checkout instead of the
    worktree), every plugin and all they brought in are left for the run to import, so that no
    plugin keeps the other copy. Compiled extension modules stay: most cannot be loaded twice
    in one process, and none is the project's Python code."""
    project = _project_roots()
    if any(_imported_elsewhere(name, project) for name in _preimported):
        for name in _preimported:
            if not _is_extension(sys.modules.get(name)):
                sys.modules.pop(name, None)
    _preimported.clear()


def _is_extension(module: object) -> bool:
    file = getattr(module, "__file__", None)
    return isinstance(file, str) and file.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def _project_roots() -> tuple[str, ...]:
    """The sandbox's and the user's checkout's real paths, each ending in a separator."""
    return tuple(os.path.join(os.path.realpath(os.environ[name]), "")
                 for name in (SANDBOX_ENV, USER_ROOT_ENV) if name in os.environ)


def _inside(real_path: str, project: tuple[str, ...]) -> bool:
    """A real path is the project's: the root itself (a package directory) or under it."""
    return os.path.join(real_path, "").startswith(project)


def _imported_elsewhere(name: str, project: tuple[str, ...]) -> bool:
    """The module came from the project (the run imports the worktree's copy), or a top-level
    name the run's path now finds in another file."""
    file = getattr(sys.modules.get(name), "__file__", None)
    if not isinstance(file, str):
        return False
    loaded = os.path.realpath(file)
    if _inside(loaded, project):
        return True
    if "." in name:
        return False
    origin = _origin_on_the_path(name)
    return origin is not None and os.path.realpath(origin) != loaded


def _origin_on_the_path(name: str) -> str | None:
    """The file a fresh `import name` would load, asked of the import system's finders."""
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if find is None:
            continue
        try:
            spec = find(name, None)
        except Exception:
            continue
        if spec is not None:
            return spec.origin if spec.has_location else None
    return None


def _left_for_the_run(module: str, project: tuple[str, ...]) -> bool:
    """A plugin the run imports itself: the project's own (its top-level package is under the
    sandbox or the user's checkout), or one that cannot be found (the run reports it)."""
    try:
        spec = importlib.util.find_spec(module.split(".")[0])
    except (ImportError, ValueError):
        return True
    if spec is None:
        return True
    places = [spec.origin, *(spec.submodule_search_locations or ())]
    return any(_inside(os.path.realpath(place), project) for place in places if place)


@contextlib.contextmanager
def _rewritten_as_pytest_would() -> Iterator[bool]:
    """While it lasts, the modules of every distribution with a pytest11 entry point are imported
    through pytest's assertion-rewriting hook, as pytest imports them in a run: the same code,
    and a run that finds them imported does not warn that it could not rewrite them (an error
    under `filterwarnings = error`). Yields False when pytest's hook cannot be set up."""
    try:
        from _pytest.assertion.rewrite import AssertionRewritingHook, assertstate_key
        from _pytest.config import _iter_rewritable_modules

        settings = _DefaultRewriteSettings()
        settings.stash[assertstate_key] = cast(Any, _RewriteState())
        hook = AssertionRewritingHook(settings)  # type: ignore[arg-type]
        files = (str(file) for dist in distributions()
                 if any(entry.group == "pytest11" for entry in dist.entry_points)
                 for file in dist.files or ())
        hook.mark_rewrite(*(name for name in _iter_rewritable_modules(files) if name not in sys.modules))
    except Exception:
        yield False
        return
    sys.meta_path.insert(0, hook)
    try:
        yield True
    finally:
        sys.meta_path.remove(hook)


class _DefaultRewriteSettings:
    """What pytest's rewriting hook reads of a configuration, at pytest's defaults: the run's own
    configuration does not exist yet."""

    def __init__(self) -> None:
        import pytest

        self.stash = pytest.Stash()

    def getini(self, name: str) -> object:
        if name == "python_files":
            raise ValueError(name)  # the hook then uses pytest's default patterns
        return False  # enable_assertion_pass_hook


class _RewriteState:
    """pytest's assertion state, without tracing."""

    mode = "rewrite"
    hook = None

    @staticmethod
    def trace(*message: object) -> None:
        return None


if __name__ == "__main__":
    sys.exit(main())
