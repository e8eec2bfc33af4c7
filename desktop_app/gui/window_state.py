"""Where the window sits and how it is split: restored as the person left it, or fitted to the screen."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QSize
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget

from desktop_app.settings import Settings


def _decoded(text: str) -> QByteArray:
    return QByteArray.fromBase64(text.encode("ascii"))


def _encoded(data: QByteArray) -> str:
    return bytes(data.toBase64().data()).decode("ascii")


def available_screen(window: QWidget) -> QRect:
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 800)


def place_on_screen(
    window: QMainWindow,
    area: QSplitter,
    panel: QWidget,
    fold_action: QAction,
    settings: Settings,
    screen: QRect | None = None,
) -> None:
    """As the person left it, or fitted to the screen it opens on (a 1366×768 notebook shows
    the whole toolbar and the status bar)."""
    # The native window first: until it exists its frame (the title bar) is unknown and counted as
    # nothing, and the fitted window would reach under the taskbar by that much.
    window.winId()
    available = screen or available_screen(window)
    restored = bool(settings.window_geometry) and window.restoreGeometry(_decoded(settings.window_geometry))
    if not restored or not available.contains(window.frameGeometry().center()):
        frame = window.frameGeometry().size() - window.geometry().size()
        if frame.width() <= 0 or frame.height() <= 0:
            # The window manager has not said how big its frame is: allow for Windows 10/11's
            # (8 px borders, a 31 px title bar) rather than run off the screen.
            frame = QSize(16, 40)
        width = min(1280, available.width() - frame.width())
        height = min(800, available.height() - frame.height())
        window.resize(width, height)
        window.move(
            available.left() + (available.width() - width - frame.width()) // 2,
            available.top() + (available.height() - height - frame.height()) // 2,
        )
    if settings.splitter_state:
        area.restoreState(_decoded(settings.splitter_state))
    fold_action.setChecked(not settings.panel_folded)
    panel.setVisible(not settings.panel_folded)


def remember_layout(window: QMainWindow, area: QSplitter, settings: Settings) -> None:
    settings.window_geometry = _encoded(window.saveGeometry())
    settings.splitter_state = _encoded(area.saveState())


def toggle_panel(panel: QWidget, settings: Settings, shown: bool) -> None:
    """Fold the lower panel away (the table gets the height) or show it again."""
    panel.setVisible(shown)
    settings.panel_folded = not shown
    if shown:
        panel.setFocus()
