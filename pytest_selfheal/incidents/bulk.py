"""Building a million records without the garbage collector: every object made while incidents
are read and grouped is kept (none is garbage), and the collector's full passes over the
records already built would cost more than the reading."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
