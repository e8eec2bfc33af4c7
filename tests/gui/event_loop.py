"""The window's event loop watched while work runs: a loop that keeps turning is a window not frozen."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QTimer


@contextmanager
def loop_ticks() -> Iterator[list[float]]:
    """The moments a 20 ms timer fired on the main thread's event loop while the block ran."""
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    try:
        yield ticks
    finally:
        timer.stop()
