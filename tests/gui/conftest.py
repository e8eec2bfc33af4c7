"""A main window on a fresh database with the sample sheets, 東区 FY2020 open."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop_app import operations
from desktop_app.gui.main_window import MainWindow
from desktop_app.settings import Settings


@pytest.fixture
def window(qtbot: QtBot, workspace: operations.Workspace) -> Iterator[MainWindow]:
    settings = Settings(ward="東区", last_year=2020)
    win = MainWindow(workspace, settings)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    win.view.setFocus()
    yield win
    win.close()  # before the workspace fixture closes the database under it
