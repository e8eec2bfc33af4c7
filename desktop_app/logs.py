"""Logging to a rotating file in the data folder, so a user never sees a traceback but we can."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from desktop_app.paths import log_dir

LOG_NAME = "machizukuri.log"
_handler: logging.Handler | None = None
_handler_path: Path | None = None


def log_file() -> Path:
    return log_dir() / LOG_NAME


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
    try:
        log_dir().mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            log_file(), maxBytes=1_000_000, backupCount=5, encoding="utf-8", delay=True
        )
    except OSError:
        # An unwritable data folder must not stop the app; the log then goes nowhere.
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    _handler, _handler_path = handler, log_file()
    if console:
        root.addHandler(logging.StreamHandler())
