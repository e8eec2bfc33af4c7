"""Measures the window in its own process on a database: sheet switches, edits, peak memory.

    python benchmarks/window_probe.py DB [--switches 20] [--edits 30]

Prints one JSON object: the sheet-switch and edit times in seconds, and peak RSS in MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication

from desktop_app import operations
from desktop_app.domain import WARDS
from desktop_app.domain.layout import Column
from desktop_app.gui.app import install_japanese
from desktop_app.gui.main_window import MainWindow
from desktop_app.settings import Settings
from desktop_app.storage import list_sheets


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--switches", type=int, default=20)
    parser.add_argument("--edits", type=int, default=30)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    install_japanese(app)
    workspace = operations.open_workspace(args.db)
    sheets = list_sheets(workspace.db)
    years = sorted({s.fiscal_year for s in sheets})
    window = MainWindow(workspace, Settings(ward=WARDS[0].name, last_year=years[-1]))
    window.resize(1280, 800)
    window.show()
    app.processEvents()
    # Sheets spread over the whole 30 years and all wards, as a search result would jump.
    targets = [sheets[(i * 37) % len(sheets)] for i in range(args.switches)]
    switch_times = []
    for summary in targets:
        started = time.perf_counter()
        window.open_sheet(summary.ward, summary.fiscal_year)
        app.processEvents()  # runs the pending paints: the time until the person sees the sheet
        switch_times.append(time.perf_counter() - started)
    memory = peak_rss_mb()
    # Edits: type an amount into the current stage of successive projects (saved, totals updated).
    model = window.model
    column = model.column_of(Column.STAGES, 1)
    assert column is not None
    rows = [i for i, row in enumerate(model.rows) if row.project is not None and not row.project.children]
    edit_times = []
    # A value the cell surely does not hold yet, so every edit really writes.
    base = 1000 + (os.getpid() % 5000) * 10
    for number in range(args.edits):
        index = model.index(rows[number % len(rows)], column)
        started = time.perf_counter()
        assert model.setData(index, str(base + number))
        app.processEvents()
        edit_times.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                "switch_median": statistics.median(switch_times),
                "switch_max": max(switch_times),
                "edit_median": statistics.median(edit_times),
                "edit_max": max(edit_times),
                "peak_rss_mb": memory,
                "peak_rss_after_edits_mb": peak_rss_mb(),
            }
        )
    )
    workspace.close()
    sys.stdout.flush()
    # Skip interpreter teardown: PySide can crash destroying widgets after the app object.
    os._exit(0)


if __name__ == "__main__":
    main()
