"""The heal's own file descriptors, kept from every process that user code runs in.

A process the heal starts gets only its stdio: subprocess closes everything else, and every
descriptor Python opens is close-on-exec. A fork is different. The session's tests run in the
process that heals (the heal begins at the first failing test), and a child they fork
(`os.fork`, multiprocessing) inherits every descriptor, close-on-exec or not: a child left
sleeping held the janitor's pipe open, so the heal waited for it at the end, and it held the
repository's lock. So the heal registers its descriptors here, and in every child forked from
Python each of them is pointed at /dev/null at once: the child holds nothing of the heal, and
whatever the child's copy of the heal later closes is harmless.
"""

from __future__ import annotations

import contextlib
import os

_private: dict[int, tuple[int, int]] = {}  # fd -> (st_dev, st_ino) of what it was opened on


def keep_private(fd: int) -> int:
    """Register `fd`; returns it."""
    stat = os.fstat(fd)
    _private[fd] = (stat.st_dev, stat.st_ino)
    return fd


def forget(fd: int) -> None:
    """Call before closing a registered descriptor."""
    _private.pop(fd, None)


def _blind_in_child() -> None:
    """Runs in the child of every fork. A descriptor closed without `forget`, its number since
    reused by something else, is left alone: it no longer refers to what was registered."""
    if not _private:
        return
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        for fd, identity in _private.items():
            with contextlib.suppress(OSError):
                stat = os.fstat(fd)
                if (stat.st_dev, stat.st_ino) == identity:
                    os.dup2(devnull, fd, inheritable=False)
    finally:
        os.close(devnull)
    _private.clear()


os.register_at_fork(after_in_child=_blind_in_child)
