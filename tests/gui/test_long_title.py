"""A sheet's long title never stretches the window (issue 11, item 8)."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from desktop_app import operations
from desktop_app.gui.main_window import MainWindow
from desktop_app.settings import Settings
from desktop_app.storage import load_sheet, replace_sheets


def _window_on(qtbot: QtBot, workspace: operations.Workspace, title: str, vision: str) -> MainWindow:
    sheet = load_sheet(workspace.db, "東区", 2020)
    replace_sheets(workspace.db, [replace(sheet, title=title, vision=vision)], source="test")
    window = MainWindow(workspace, Settings(ward="東区", last_year=2020))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.mark.parametrize("length", [300, 2_000_000])
def test_a_long_title_is_shortened_and_the_window_stays_on_the_screen(
    qtbot: QtBot, workspace: operations.Workspace, length: int
) -> None:
    title = ("令和2年度 東区まちづくりの取組" * (length // 15 + 1))[:length]
    vision = "\n".join(["自然豊かな 笑顔あふれる未来のまち" * 20] * 50)
    started = time.perf_counter()
    window = _window_on(qtbot, workspace, title, vision)
    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert window.width() <= screen.width()
    assert window.minimumSizeHint().width() <= screen.width()
    assert window.height() <= screen.height()
    shown = window.title_label.text()
    assert shown.startswith("令和2年度 東区まちづくりの取組") and shown.endswith("…")
    assert window.title_label.fontMetrics().horizontalAdvance(shown) <= window.title_label.width()
    window.resize(screen.width(), window.height())
    qtbot.wait(10)
    assert window.width() <= screen.width()
    window.grab()  # the whole window paints
    assert time.perf_counter() - started < 20
    window.close()
