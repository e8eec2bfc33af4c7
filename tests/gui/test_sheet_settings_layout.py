"""The sheet settings' overview and 印刷の様式, driven through the real window: print, table, undo."""

from __future__ import annotations

import io
from collections.abc import Callable

import pypdf
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app import operations
from desktop_app.domain.layout import Column, RowKind
from desktop_app.domain.model import TABLES_BY_CATEGORY, TABLES_SINGLE
from desktop_app.exchange.json_format import dump_sheet
from desktop_app.gui.main_window import MainWindow
from desktop_app.storage import history, load_sheet


def answer_settings_dialog(fill: Callable[[QWidget], None]) -> list[str]:
    """When the settings dialog opens: fill it in, press OK; if it refuses, note why and cancel.

    Returns the refusals it showed."""
    refused: list[str] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None and dialog.objectName() == "SheetSettingsDialog", dialog
        fill(dialog)
        buttons = dialog.findChild(QDialogButtonBox, "buttonBox")
        assert buttons is not None
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        ok.click()
        if dialog.isVisible():
            error = dialog.findChild(QLabel, "errorLabel")
            assert error is not None
            refused.append(error.text())
            cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
            assert cancel is not None
            cancel.click()

    QTimer.singleShot(0, answer)
    return refused


def found(dialog: QWidget, kind: type, name: str):  # type: ignore[no-untyped-def]
    widget = dialog.findChild(kind, name)
    assert widget is not None, name
    return widget


def choose(combo: QComboBox, value: str) -> None:
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)


def pdf_text(window: MainWindow, ward: str) -> str:
    sheet = load_sheet(window.workspace.db, ward, 2020)
    reader = pypdf.PdfReader(io.BytesIO(operations.preview_pdf(sheet).data))
    return "\n".join(page.extract_text() for page in reader.pages)


def shown_numbers(window: MainWindow) -> list[str]:
    model = window.model
    number = model.column_of(Column.NO, None)
    assert number is not None
    return [
        str(model.data(model.index(row, number), Qt.ItemDataRole.DisplayRole))
        for row, shown in enumerate(model.rows)
        if shown.kind is RowKind.PROJECT
    ]


def test_overview_and_circled_numbers_print_show_in_the_table_and_undo_exactly(
    qtbot: QtBot, window: MainWindow
) -> None:
    before = load_sheet(window.workspace.db, "東区", 2020)
    assert "①" not in shown_numbers(window) and "1" in shown_numbers(window)
    circled = pdf_text(window, "東区").count("①")  # sub-items are ①② already
    overview = "東区の基本理念\n　ひとが輝く　東区のまちづくり"

    def fill(dialog: QWidget) -> None:
        found(dialog, QPlainTextEdit, "overviewEdit").setPlainText(overview)
        choose(found(dialog, QComboBox, "numberingCombo"), "①")

    assert answer_settings_dialog(fill) == []
    window.sheet_settings_action.trigger()
    after = load_sheet(window.workspace.db, "東区", 2020)
    assert after.layout.overview == overview and after.layout.numbering == "①"
    text = pdf_text(window, "東区")
    assert "東区の基本理念" in text and "ひとが輝く" in text
    assert text.index("東区の基本理念") < text.index("ひとが輝く") < text.index("事業名")  # above the table
    assert text.count("①") > circled
    assert "①" in shown_numbers(window) and "1" not in shown_numbers(window)
    fields = {entry.field for entry in history(window.workspace.db, sheet_id=after.id or 0)}
    assert {"概要", "印刷の様式（番号）"} <= fields
    window.undo_action.trigger()
    assert dump_sheet(load_sheet(window.workspace.db, "東区", 2020)) == dump_sheet(before)
    assert "1" in shown_numbers(window) and "①" not in shown_numbers(window)
    assert "東区の基本理念" not in pdf_text(window, "東区")


def test_the_ward_preset_brings_chuo_ku_back_to_its_single_table(qtbot: QtBot, window: MainWindow) -> None:
    sheet = load_sheet(window.workspace.db, "中央区", 2020)
    operations.set_sheet_layout(window.workspace, sheet, {"tables": TABLES_BY_CATEGORY, "overview": "中央区の概要"})
    window.open_sheet("中央区", 2020)
    assert load_sheet(window.workspace.db, "中央区", 2020).layout.tables == TABLES_BY_CATEGORY
    tables_seen: list[str] = []

    def fill(dialog: QWidget) -> None:
        tables = found(dialog, QComboBox, "tablesCombo")
        tables_seen.append(str(tables.currentData()))
        found(dialog, QPushButton, "presetButton").click()
        tables_seen.append(str(tables.currentData()))

    assert answer_settings_dialog(fill) == []
    window.sheet_settings_action.trigger()
    assert tables_seen == [TABLES_BY_CATEGORY, TABLES_SINGLE]
    after = load_sheet(window.workspace.db, "中央区", 2020)
    assert after.layout.tables == TABLES_SINGLE and after.layout.overview == "中央区の概要"
    # One table: no category heading rows in the window, only the one over the whole table
    # (「令和2年度の取組み」), and the categories' 計 at its foot.
    headings = [row.text for row in window.model.rows if row.kind is RowKind.HEADING]
    assert headings == ["令和2年度の取組み"]


def test_a_label_naming_an_unknown_placeholder_is_refused_in_the_dialog_and_nothing_is_written(
    qtbot: QtBot, window: MainWindow
) -> None:
    before = load_sheet(window.workspace.db, "東区", 2020)
    entries = len(history(window.workspace.db, sheet_id=before.id or 0))

    def fill(dialog: QWidget) -> None:
        found(dialog, QPlainTextEdit, "overviewEdit").setPlainText("書きかけの概要")
        found(dialog, QLineEdit, "totalLabelEdit").setText("{区}合計")

    refused = answer_settings_dialog(fill)
    window.sheet_settings_action.trigger()
    assert refused == [
        "合計の行の名前「{区}合計」の「{区}」は使えません（使えるのは {ward}、{category}、{year} です）。"
    ]
    assert dump_sheet(load_sheet(window.workspace.db, "東区", 2020)) == dump_sheet(before)
    assert len(history(window.workspace.db, sheet_id=before.id or 0)) == entries
