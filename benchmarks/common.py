"""What the benchmark scripts share: timing a call, and printing a table Japanese text lines up in."""

from __future__ import annotations

import statistics
import time
import unicodedata
from collections.abc import Callable


def median_seconds(action: Callable[[], object], repeats: int, *, warm_up: bool = True) -> float:
    """Median wall time of `action` over `repeats` calls, after one untimed call (imports, caches)."""
    if warm_up:
        action()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def display_width(text: str) -> int:
    """Columns the text takes in a terminal, where Japanese characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def print_rows(rows: list[tuple[str, float, float]]) -> None:
    """(what, median seconds, goal seconds) rows as an aligned table with a verdict."""
    width = max(display_width(what) for what, _, _ in rows)
    print(f"{'what':<{width}}  {'median':>9}  {'goal':>7}")
    for what, seconds, goal in rows:
        verdict = "ok" if seconds <= goal else "SLOW"
        padding = " " * (width - display_width(what))
        print(f"{what}{padding}  {seconds:8.3f}s  {goal:6.2f}s  {verdict}")
