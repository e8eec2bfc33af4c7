"""The sheet's use-cases and the window's place, driven through the window's own actions and buttons."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app import operations
from desktop_app.gui.main_window import MainWindow
from desktop_app.settings import Settings
from desktop_app.storage import load_sheet


def answer_questions(monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton) -> list[str]:
    asked: list[str] = []

    def question(parent: object, title: str, text: str, *args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def locks(window: MainWindow) -> list[bool]:
    return [stage.locked for stage in load_sheet(window.workspace.db, "東区", 2020).stages]


def test_a_year_with_every_settlement_in_is_offered_and_settled_after_asking(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 東区's sample has every 決算額: the status bar offers to settle, and says which stage is being entered.
    assert window.settle_button.isVisibleTo(window) and window.settle_action.isEnabled()
    assert window.stage_label.text() == "入力中の段階: 当初予算"
    asked = answer_questions(monkeypatch, QMessageBox.StandardButton.No)
    window.settle_button.click()
    assert len(asked) == 1 and "令和2年度 東区の段階をすべて確定します" in asked[0]
    assert locks(window) == [False] * 4
    answer_questions(monkeypatch, QMessageBox.StandardButton.Yes)
    window.settle_action.trigger()
    assert locks(window) == [True] * 4
    assert window.stage_label.text() == "令和2年度は確定済み"
    assert not window.settle_button.isVisibleTo(window) and not window.settle_action.isEnabled()
    window.undo_action.trigger()  # settling is one step, undone as one
    assert locks(window) == [False] * 4
    assert window.settle_button.isVisibleTo(window)


def test_unlocking_a_stage_asks_first_and_no_keeps_it_locked(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.set_stage_locked(1, True)  # locking does not ask
    assert locks(window) == [False, True, False, False]
    asked = answer_questions(monkeypatch, QMessageBox.StandardButton.No)
    window.set_stage_locked(1, False)
    assert asked and "9月補正後の確定を解除すると" in asked[0]
    assert locks(window) == [False, True, False, False]


def test_the_window_fits_a_notebook_screen_and_the_folded_panel_comes_back_next_time(
    qtbot: QtBot, workspace: operations.Workspace
) -> None:
    settings = Settings(ward="東区", last_year=2020)
    notebook = QRect(0, 0, 1366, 728)  # 1366×768 less the taskbar
    first = MainWindow(workspace, settings)
    qtbot.addWidget(first)
    first.place_on_screen(notebook)
    first.show()
    qtbot.waitExposed(first)
    assert notebook.contains(first.frameGeometry())  # title bar included: the status bar is not under the taskbar
    assert first.side.isVisible()
    first.fold_action.trigger()  # F8: the table gets the whole height
    assert not first.side.isVisible() and settings.panel_folded
    first.close()
    assert settings.window_geometry and settings.splitter_state

    second = MainWindow(workspace, settings)
    qtbot.addWidget(second)
    second.place_on_screen(notebook)
    second.show()
    qtbot.waitExposed(second)
    assert not second.side.isVisible() and not second.fold_action.isChecked()
    second.fold_action.trigger()
    assert second.side.isVisible() and not settings.panel_folded
    second.close()
