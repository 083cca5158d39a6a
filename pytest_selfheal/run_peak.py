"""The most memory the user's run held in one process: what bounds the memory of the test
processes that run candidates. Read in the session's process; imports nothing of the heal."""

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
        self._before_heal = _peak_bytes(children=False)
        self._resident_before = _resident_bytes()

    def prepared(self) -> None:
        """Call just after the preparation ends (or fails)."""
        now = _resident_bytes()
        if now and self._resident_before:
            self._heal_added = max(0, now - self._resident_before)

    def bytes(self) -> int:
        """The most one process of the user's run held (pytest's own, or a pytest-xdist worker
        it waited for); 0 where the platform cannot tell."""
        own = max(self._before_heal, _peak_bytes(children=False) - self._heal_added)
        return max(own, _peak_bytes(children=True))


def _peak_bytes(*, children: bool) -> int:
    """This process's peak, as /proc has it where it can (VmHWM): Linux keeps in ru_maxrss the
    peak of the process that started this one when it was started by vfork, as Python's
    subprocess does (a pytest run from a 94 MiB Python process had a peak of 94 MiB, not its
    own 46). Its children's, from ru_maxrss: pytest-xdist's workers are started from this one."""
    if not children and (own := _status_bytes("VmHWM")):
        return own
    try:
        import resource
    except ImportError:
        return 0
    unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is in bytes there, KiB elsewhere
    return unit * resource.getrusage(resource.RUSAGE_CHILDREN if children
                                     else resource.RUSAGE_SELF).ru_maxrss


def _status_bytes(field: str) -> int:
    """A memory field of /proc/self/status in bytes; 0 where there is none (not Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _resident_bytes() -> int:
    """Resident bytes of this process now; 0 where /proc cannot tell (not Linux)."""
    from .sandbox.protocol import resident_memory

    return resident_memory("self") or 0
