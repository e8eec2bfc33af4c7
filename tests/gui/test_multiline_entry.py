"""Texts of several lines typed in a cell as in Excel: Alt+Enter breaks the line, Enter commits."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPlainTextEdit
from pytestqt.qtbot import QtBot

from desktop_app.domain.layout import Column
from desktop_app.gui.main_window import MainWindow
from tests.gui.test_main_window import cell, stored

NAME = "サロン活動支援事業"


def test_alt_enter_starts_a_new_line_and_enter_stores_both(qtbot: QtBot, window: MainWindow) -> None:
    view = window.view
    index = cell(window, NAME, Column.DESCRIPTION)
    view.setCurrentIndex(index)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QPlainTextEdit)
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "line one")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(editor, "line two")
    assert editor.toPlainText() == "line one\nline two"  # still editing: Alt+Enter did not commit
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    project = next(p for p in stored(window).projects if p.name == NAME)
    assert project.description == "line one\nline two"
    assert view.currentIndex().row() == index.row() + 1  # Enter committed and went down, as in Excel


def test_a_text_of_several_lines_opens_whole_and_escape_keeps_it(qtbot: QtBot, window: MainWindow) -> None:
    index = cell(window, NAME, Column.DESCRIPTION)
    assert window.model.setData(index, "一行目\n二行目")
    view = window.view
    view.setCurrentIndex(cell(window, NAME, Column.DESCRIPTION))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QPlainTextEdit)
    assert editor.toPlainText() == "一行目\n二行目"
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    project = next(p for p in stored(window).projects if p.name == NAME)
    assert project.description == "一行目\n二行目"
