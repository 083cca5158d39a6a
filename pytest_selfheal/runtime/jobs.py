"""Jobs (a cron task, a queue worker's unit of work): the exception that ends one is recorded
with the job's name, and raised on unchanged.

    with runtime.job("nightly-invoices"):
        ...

    @runtime.watch            # the job is named after the function
    def sync(): ...

    @runtime.watch("sync")    # or named
    async def sync(): ...
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar, overload

from pytest_selfheal.runtime.hooks import Recorder, current

F = TypeVar("F", bound=Callable[..., Any])


class job:  # lower case: it reads as a function, `with runtime.job("nightly"):`
    """Records an exception that leaves the block (the installed Recorder unless given one); a
    class rather than a generator-based context manager: entering and leaving costs less."""

    __slots__ = ("name", "recorder")

    def __init__(self, name: str, recorder: Recorder | None = None) -> None:
        self.name = name
        self.recorder = recorder

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if isinstance(exc, Exception):
            found = self.recorder or current()
            if found is not None:
                found.record(exc, "job", {"job": self.name})


@overload
def watch(target: F) -> F: ...
@overload
def watch(target: str) -> Callable[[F], F]: ...


def watch(target: F | str) -> F | Callable[[F], F]:
    """A function (sync or async) as a job: `@watch` or `@watch("name")`."""
    if isinstance(target, str):
        return lambda function: _watched(function, target)
    return _watched(target, target.__qualname__)


def _watched(function: F, name: str) -> F:
    if inspect.iscoroutinefunction(function):
        @functools.wraps(function)
        async def run_async(*args: Any, **kwargs: Any) -> Any:
            with job(name):
                return await function(*args, **kwargs)
        return run_async  # type: ignore[return-value]

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        with job(name):
            return function(*args, **kwargs)
    return run  # type: ignore[return-value]
