"""What Qt needs from the PC before a window can open, and where Qt's own chatter goes."""

from __future__ import annotations

import ctypes
import logging
import os
import sys
from pathlib import Path
from typing import Final

from PySide6.QtCore import QLibraryInfo, QMessageLogContext, QtMsgType, qInstallMessageHandler

qt_log = logging.getLogger("machizukuri.qt")

# What Qt 6's xcb platform plugin links against, by Debian/Ubuntu package (a fresh Debian 12 has
# libxcb-cursor0 but lacks libxcb-icccm4 and libxcb-keysyms1: found with ldd on libqxcb.so).
XCB_PACKAGES: Final = (
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-keysyms1",
    "libxcb-image0",
    "libxcb-render-util0",
    "libxcb-randr0",
    "libxcb-shape0",
    "libxcb-xkb1",
    "libxkbcommon-x11-0",
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libdbus-1-3",
)


def xcb_problem() -> str | None:
    """One Japanese line naming the missing system packages, when Qt's xcb plugin could not load.

    Qt itself would abort with a long English message that names libxcb-cursor0 even when that is
    installed; loading the plugin first finds the library that is really missing.
    """
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None
    if not platform and os.environ.get("WAYLAND_DISPLAY"):
        return None  # Qt picks Wayland there, and the xcb plugin is not needed
    plugin = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms" / "libqxcb.so"
    if not plugin.is_file():
        return None
    try:
        ctypes.CDLL(str(plugin))
    except OSError as exc:
        missing = str(exc).split(":", 1)[0]
        return (
            f"画面を開けません: Qt に必要なライブラリ {missing} がありません"
            f"（Debian/Ubuntu では sudo apt install {' '.join(XCB_PACKAGES)}）。"
        )
    return _display_problem()


def _display_problem() -> str | None:
    """One line when there is no X display to show the window on (Qt would abort with its own words)."""
    display = os.environ.get("DISPLAY", "")
    if not display:
        return "画面を開けません: 表示先の画面（X ディスプレイ）がありません（環境変数 DISPLAY が設定されていません）。"
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return None  # the plugin loaded, so libxcb is there; if not, let Qt say what it finds
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(None, None)
    try:
        if xcb.xcb_connection_has_error(connection):
            return f"画面を開けません: 表示先の画面（X ディスプレイ「{display}」）に接続できません。"
    finally:
        xcb.xcb_disconnect(connection)
    return None


_LEVELS: Final = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _to_log(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    qt_log.log(_LEVELS.get(kind, logging.WARNING), "%s", message)


def route_qt_messages_to_log() -> None:
    """Qt's warnings ("This plugin does not support propagateSizeHints()") go to the log file, not
    the person's terminal, where they would read like errors of ours."""
    qInstallMessageHandler(_to_log)
