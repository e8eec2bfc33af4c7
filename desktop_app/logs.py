"""Logging to a rotating file in the data folder, so a user never sees a traceback but we can."""

from __future__ import annotations

import logging
from pathlib import Path

from desktop_app.paths import log_dir

LOG_NAME = "machizukuri.log"
_handler: logging.Handler | None = None
_handler_path: Path | None = None


def log_file() -> Path:
    return log_dir() / LOG_NAME


class _RotatingOnFirstRecord(logging.Handler):
    """A rotating log file (1 MB × 5) opened when the first record comes, not at every start-up."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._file is None:
            import logging.handlers

            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = logging.handlers.RotatingFileHandler(
                    self.path, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
                )
            except OSError:
                # An unwritable data folder must not stop the app; the log then goes nowhere.
                self._file = logging.NullHandler()
            self._file.setFormatter(self.formatter)
        self._file.emit(record)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        super().close()


def setup_logging(*, console: bool = False, level: int = logging.INFO) -> None:
    """Send the app's loggers (`machizukuri.*`) to a rotating log file (1 MB × 5).

    Calling it again is harmless; it follows the data folder if that has moved.
    """
    global _handler, _handler_path
    if _handler is not None and _handler_path == log_file():
        return
    root = logging.getLogger("machizukuri")
    root.setLevel(level)
    if _handler is not None:
        root.removeHandler(_handler)
        _handler.close()
    handler: logging.Handler = _RotatingOnFirstRecord(log_file())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    _handler, _handler_path = handler, log_file()
    if console:
        root.addHandler(logging.StreamHandler())
