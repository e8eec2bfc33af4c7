"""A second heading of a name already on the sheet (南区 prints two 防災・減災), made in the window."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.domain.layout import Column, RowKind
from desktop_app.gui.main_window import MainWindow
from desktop_app.storage import load_sheet
from tests.exchange.test_ward_layouts import pdf_text
from tests.gui.test_main_window import cell


def _make_heading(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, project: str, name: str, answer: QMessageBox.StandardButton
) -> list[str]:
    """Select the project, choose 新しいグループ, type the name; returns what the window asked."""
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *_args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return answer

    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (name, True))
    monkeypatch.setattr(QMessageBox, "question", question)
    window.view.setCurrentIndex(cell(window, project, Column.NAME))
    window.new_group()
    return asked


def test_a_second_heading_of_a_taken_name_is_made_only_when_confirmed(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _make_heading(window, monkeypatch, "地域活動理解促進事業", "見出しＡ", QMessageBox.StandardButton.Yes) == []
    # A name already there: the window asks, and "No" leaves the sheet as it was.
    asked = _make_heading(window, monkeypatch, "防災スキルアップ事業", "見出しＡ", QMessageBox.StandardButton.No)
    assert len(asked) == 1 and "「見出しＡ」という見出しはすでにあります" in asked[0]
    assert [g.name for g in load_sheet(window.workspace.db, "東区", 2020).groups] == ["見出しＡ"]

    _make_heading(window, monkeypatch, "防災スキルアップ事業", "見出しＡ", QMessageBox.StandardButton.Yes)
    sheet = load_sheet(window.workspace.db, "東区", 2020)
    assert [g.name for g in sheet.groups] == ["見出しＡ", "見出しＡ"]
    by_name = {p.name: p for p in sheet.projects}
    assert sheet.group_position(by_name["地域活動理解促進事業"]) == 0
    assert sheet.group_position(by_name["防災スキルアップ事業"]) == 1
    # Two heading rows in the window, each over its own project, and two on the page.
    headings = [row.text for row in window.model.rows if row.kind is RowKind.GROUP]
    assert headings == ["見出しＡ", "見出しＡ"]
    assert pdf_text(sheet).count("見出しＡ") == 2

    # The group menu tells the two apart.
    window._fill_group_menu()
    labels = [action.text() for action in window.group_menu.actions()]
    assert labels[:2] == ["見出しＡ（1つ目）", "見出しＡ（2つ目）"]

    # Undo takes the second heading away again.
    window.editor.undo()
    assert [g.name for g in load_sheet(window.workspace.db, "東区", 2020).groups] == ["見出しＡ"]
