"""A pytest plugin (`-p _own_time`, this directory on PYTHONPATH) that times pytest-selfheal's
own code inside a run: importing its plugin, and every call of its hooks. What a green
`--selfheal` run adds to a plain one, measured where it is spent: the difference of two runs of
a one-second suite is lost in a shared machine's noise, the time inside the plugin's hooks is
not. On exit it writes {"import": s, "hooks": {hook: [s, calls]}} to $OWN_TIME_FILE.

Loaded by `-p`, it is imported before pytest loads the installed plugins, so it imports
pytest-selfheal's plugin module itself, timed, and wraps that module's hook functions before
pluggy registers them; the hooks of what the plugin registers later (its session) are wrapped
once pytest is configured. pluggy's own dispatch to the wrapped functions is not counted.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest

_started = time.perf_counter()
import pytest_selfheal.plugin as _plugin  # noqa: E402  (timed: the import is part of the cost)

_IMPORT_SECONDS = time.perf_counter() - _started
_SPENT: defaultdict[str, list[float]] = defaultdict(lambda: [0.0, 0])
_OWN_PACKAGE = "pytest_selfheal"


def _timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)  # pluggy reads the arguments through __wrapped__
    def call(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent = _SPENT[name]
            spent[0] += time.perf_counter() - started
            spent[1] += 1

    call.own_time = True  # type: ignore[attr-defined]
    return call


for _name in dir(_plugin):
    if _name.startswith("pytest_") and callable(getattr(_plugin, _name)):
        setattr(_plugin, _name, _timed(_name, getattr(_plugin, _name)))


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Wrap the hooks of every plugin object pytest-selfheal registered (its session)."""
    for caller in config.pluginmanager.hook.__dict__.values():
        for impl in getattr(caller, "get_hookimpls", list)():
            function = impl.function
            module = getattr(function, "__module__", "") or ""
            if module.startswith(_OWN_PACKAGE) and not getattr(function, "own_time", False):
                impl.function = _timed(caller.name, function)


@atexit.register
def _write() -> None:
    target = os.environ.get("OWN_TIME_FILE")
    if target:
        with open(target, "w", encoding="utf-8") as out:
            json.dump({"import": _IMPORT_SECONDS, "hooks": dict(_SPENT)}, out)
