"""The most memory the user's run held in one process: what bounds the memory of the test
processes that run candidates. Read in the session's process, where a plain run imports
nothing more for it."""

from __future__ import annotations

import sys


class RunPeak:
    """The session's peak, less what the heal's own preparation (its modules and the sandbox,
    begun at the first failing test while the remaining tests run) added to the session's
    process: that is the heal's memory, not what the user's tests needed, and counted in it
    would let a candidate's test process grow past twice the plain run's peak."""

    def __init__(self) -> None:
        self._before_heal = 0  # the peak when the preparation began
        self._resident_before = 0  # the process's resident bytes then
        self._heal_added = 0

    def preparing(self) -> None:
        """Call just before the preparation begins."""
        self._before_heal = _own_peak()
        self._resident_before = _resident_bytes()

    def prepared(self) -> None:
        """Call just after the preparation ends (or fails)."""
        now = _resident_bytes()
        if now and self._resident_before:
            self._heal_added = max(0, now - self._resident_before)

    def bytes(self) -> int:
        """The most one process of the user's run held (pytest's own, or a pytest-xdist worker
        it waited for); 0 where the platform cannot tell."""
        own = max(self._before_heal, _own_peak() - self._heal_added)
        return max(own, _max_rss(children=True))


def _own_peak() -> int:
    """This process's peak as /proc has it (VmHWM), else ru_maxrss: Linux keeps in ru_maxrss the
    peak of the process that started this one when it was started by vfork, as Python's
    subprocess does (a pytest run from a 94 MiB Python process had a peak of 94 MiB, not its
    own 46)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return _max_rss(children=False)


def _max_rss(*, children: bool) -> int:
    """ru_maxrss in bytes, of this process or of the children it waited for (pytest-xdist's
    workers are started from this one); 0 where the platform has none."""
    try:
        import resource
    except ImportError:
        return 0
    unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is in bytes there, KiB elsewhere
    return unit * resource.getrusage(resource.RUSAGE_CHILDREN if children
                                     else resource.RUSAGE_SELF).ru_maxrss


def _resident_bytes() -> int:
    """Resident bytes of this process now; 0 where /proc cannot tell (not Linux)."""
    from .sandbox.protocol import resident_memory

    return resident_memory("self") or 0
