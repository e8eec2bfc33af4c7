"""Long work (imports, the consolidation, a large PDF) on a worker thread, with progress and 中止.

The window waits in a local event loop, so it keeps painting and its timers keep firing. The
work gets a `progress(done, total, what)` callback that raises `Cancelled` once 中止 is pressed;
work that writes does so in one transaction around those calls, so 中止 rolls it all back.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from PySide6.QtCore import QEventLoop, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop_app import operations

log = logging.getLogger("machizukuri.gui.worker")

T = TypeVar("T")
Progress = Callable[[int, int, str], None]


class Cancelled(Exception):
    """The person pressed 中止; whatever the work had begun was rolled back."""


class Worker(QThread, Generic[T]):
    """Runs `work(progress)` once on its own thread and keeps its result or its exception."""

    progressed = Signal(int, int, str)

    def __init__(self, work: Callable[[Progress], T], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._cancel = threading.Event()
        self.result: T | None = None
        self.error: BaseException | None = None

    def cancel(self) -> None:
        self._cancel.set()

    def report(self, done: int, total: int, what: str) -> None:
        """The work's progress callback (called on the worker thread)."""
        if self._cancel.is_set():
            raise Cancelled
        self.progressed.emit(done, total, what)

    def run(self) -> None:
        try:
            self.result = self._work(self.report)
        except BaseException as exc:  # handed to the window's thread, which decides what to say
            self.error = exc


def run_in_background(
    parent: QWidget, title: str, label: str, work: Callable[[Progress], T], *, cancellable: bool = True
) -> T:
    """Run `work` off the window's thread behind a progress dialog with 中止, and return its result.

    Raises `Cancelled` when 中止 stopped it, or the work's own exception.
    """
    dialog = QProgressDialog(label, "中止" if cancellable else "", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if not cancellable:
        dialog.setCancelButton(None)
    worker: Worker[T] = Worker(work, parent)

    def show_progress(done: int, total: int, what: str) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))
        if what:
            dialog.setLabelText(f"{label}\n{what}（{done}/{total}）")

    def cancel() -> None:
        worker.cancel()
        dialog.setLabelText("中止しています…")

    worker.progressed.connect(show_progress)
    dialog.canceled.connect(cancel)
    loop = QEventLoop()
    worker.finished.connect(loop.quit)
    # Python's cycle collector runs on whichever thread happens to allocate; were it to run on the
    # worker, it could finalise a Qt widget there, and Qt widgets may only be destroyed on the
    # window's thread. So no collection while the worker runs; it resumes here right after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        worker.start()
        dialog.show()
        loop.exec()
        worker.wait()
    finally:
        if collecting:
            gc.enable()
    dialog.close()
    dialog.deleteLater()
    worker.deleteLater()
    if worker.error is not None:
        raise worker.error
    return worker.result  # type: ignore[return-value]


def in_own_workspace(owner: operations.Workspace | Path, work: Callable[[operations.Workspace], T]) -> T:
    """`work` with a connection of its own to the database (an SQLite connection belongs to the
    thread that opened it); closed afterwards, committed or rolled back by `work`.

    Given the window's workspace, the work writes under the window's own write lock: taking the
    lock again would find it held (by this very window) and wait, then refuse.
    """
    if isinstance(owner, operations.Workspace):
        workspace = operations.open_workspace(owner.path, seed=False, readonly=owner.readonly, lock=owner.lock)
    else:
        workspace = operations.open_workspace(owner, seed=False)
    try:
        return work(workspace)
    finally:
        workspace.close()
