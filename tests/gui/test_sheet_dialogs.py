"""The sheet settings, new-year and first-run dialogs, filled in as a clerk fills them."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLineEdit, QPlainTextEdit, QTableWidget
from pytestqt.qtbot import QtBot

from desktop_app import operations
from desktop_app.domain.edits import CategoryChoice
from desktop_app.domain.model import SheetLayout
from desktop_app.gui.dialogs import child
from desktop_app.gui.sheet_dialogs import FirstRunDialog, NewYearDialog, SheetSettingsDialog
from desktop_app.settings import Settings
from tests.factories import FUKKO, MACHI


def _ok(dialog: QDialog) -> None:
    buttons = child(dialog, QDialogButtonBox, "buttonBox")
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok is not None
    ok.click()


def test_sheet_settings_gives_the_categories_as_typed_and_shows_a_refusal(
    qtbot: QtBot, workspace: operations.Workspace
) -> None:
    sheet = operations.find_sheet(workspace, "北区", 2020)
    received: list[tuple[str, str, list[CategoryChoice], SheetLayout]] = []
    answers = ["経費区分「復興支援自治推進経費」には事業が3件あるため削除できません。", None]

    def submit(title: str, vision: str, choices: list[CategoryChoice], layout: SheetLayout) -> str | None:
        received.append((title, vision, choices, layout))
        return answers.pop(0)

    dialog = SheetSettingsDialog(sheet, submit)
    qtbot.addWidget(dialog.dialog)
    table = child(dialog.dialog, QTableWidget, "categoryTable")
    # The list is in print order: 北区 prints 復興支援自治推進経費 first.
    assert [table.item(r, 0).text() for r in range(table.rowCount())] == [FUKKO, MACHI]  # type: ignore[union-attr]
    assert table.item(1, 1).text() == "17,000"  # type: ignore[union-attr]
    table.item(1, 1).setText("１９，０００")  # type: ignore[union-attr]
    child(dialog.dialog, QPlainTextEdit, "visionEdit").setPlainText("ず～っと住みたい\n“わがまち北区”")
    table.setCurrentCell(0, 0)
    dialog.move_category(1)  # まちづくり推進経費 first now
    _ok(dialog.dialog)
    title, vision, choices, layout = received[-1]
    assert title == sheet.title and vision == "ず～っと住みたい\n“わがまち北区”"
    assert choices == [CategoryChoice(MACHI, MACHI, 19000), CategoryChoice(FUKKO, FUKKO, 10000)]
    assert layout.category_order == (MACHI, FUKKO) and layout.numbering == "①"  # the rest as it was
    error = dialog.error.text()
    assert "削除できません" in error and dialog.dialog.result() != QDialog.DialogCode.Accepted
    _ok(dialog.dialog)
    assert dialog.dialog.result() == QDialog.DialogCode.Accepted


def test_sheet_settings_refuses_an_unreadable_allocation_naming_the_category(
    qtbot: QtBot, workspace: operations.Workspace
) -> None:
    sheet = operations.find_sheet(workspace, "東区", 2020)
    dialog = SheetSettingsDialog(sheet, lambda *_: None)
    qtbot.addWidget(dialog.dialog)
    table = child(dialog.dialog, QTableWidget, "categoryTable")
    table.item(1, 1).setText("-500")  # type: ignore[union-attr]
    _ok(dialog.dialog)
    assert dialog.error.text().startswith(f"経費区分「{FUKKO}」の配分額: ")
    assert "マイナス" in dialog.error.text()
    assert dialog.dialog.result() != QDialog.DialogCode.Accepted


def test_a_new_year_asks_for_the_allocations_instead_of_copying_them(
    qtbot: QtBot, workspace: operations.Workspace
) -> None:
    source = operations.find_sheet(workspace, "北区", 2020)
    dialog = NewYearDialog("北区", 2024, source)
    qtbot.addWidget(dialog.dialog)
    table = dialog.table
    assert [table.item(r, 1).text() for r in range(table.rowCount())] == ["", ""]  # type: ignore[union-attr]
    assert [table.item(r, 2).text() for r in range(table.rowCount())] == ["17,000千円", "10,000千円"]  # type: ignore[union-attr]
    assert "令和2年度のシートから事業を引き継ぐ" in dialog.carry.text() and dialog.carry.isChecked()
    dialog.set_allocation(MACHI, "19,000")
    dialog.set_allocation(FUKKO, "", used=False)
    _ok(dialog.dialog)
    assert dialog.chosen is not None
    assert dialog.chosen.from_year == 2020 and dialog.chosen.allocations == ((MACHI, 19000),)


def test_without_an_earlier_sheet_the_new_year_starts_empty(qtbot: QtBot, workspace: operations.Workspace) -> None:
    dialog = NewYearDialog("北区", 2019, None)
    qtbot.addWidget(dialog.dialog)
    assert not dialog.carry.isEnabled() and dialog.empty.isChecked()
    dialog.set_allocation(MACHI, "abc")
    _ok(dialog.dialog)
    assert dialog.chosen is None and "「abc」は金額として読めません" in dialog.error.text()


def test_first_run_asks_the_ward_and_staff_and_offers_the_planning_division(qtbot: QtBot) -> None:
    settings = Settings()
    dialog = FirstRunDialog(settings)
    qtbot.addWidget(dialog.dialog)
    assert child(dialog.dialog, QLineEdit, "mailEdit").text() == "seisakukikaku@city.kumamoto.lg.jp"
    _ok(dialog.dialog)
    assert "担当者名を入力してください" in dialog.error.text()
    dialog.ward.setCurrentText("南区")
    child(dialog.dialog, QLineEdit, "staffEdit").setText("南区 総務企画課 熊本 花子")
    _ok(dialog.dialog)
    assert settings.ward == "南区" and settings.staff_name == "南区 総務企画課 熊本 花子"
    assert settings.planning_address == "seisakukikaku@city.kumamoto.lg.jp"


def test_sheet_settings_keep_what_they_do_not_show_and_ok_alone_changes_nothing(
    qtbot: QtBot, workspace: operations.Workspace
) -> None:
    sheet = operations.find_sheet(workspace, "北区", 2020)
    sheet = replace(sheet, layout=replace(sheet.layout, extra={"paper_hint": {"size": "A3"}}))
    received: list[tuple[list[CategoryChoice], SheetLayout]] = []

    def submit(title: str, vision: str, choices: list[CategoryChoice], layout: SheetLayout) -> str | None:
        received.append((choices, layout))
        return None

    dialog = SheetSettingsDialog(sheet, submit)
    qtbot.addWidget(dialog.dialog)
    _ok(dialog.dialog)
    choices, layout = received[-1]
    # 北区 prints 復興 first through category_order; the stored order and the layout stay as they were.
    assert [choice.name for choice in choices] == [category.name for category in sheet.categories]
    assert layout == sheet.layout
    child(dialog.dialog, QPlainTextEdit, "overviewEdit").setPlainText("◆北区の概要\n　一行目")
    child(dialog.dialog, QLineEdit, "totalLabelEdit").setText("合計")
    dialog.use_ward_preset()
    _ok(dialog.dialog)
    _choices, layout = received[-1]
    assert layout.total_label == sheet.layout.total_label  # the preset's again
    assert layout.overview == "◆北区の概要\n　一行目" and layout.extra == {"paper_hint": {"size": "A3"}}
    assert layout.stage_labels == ("予算額", "9月補正後", "2月補正後", "決算額")


def test_sheet_settings_keep_or_change_how_groups_print(qtbot: QtBot, workspace: operations.Workspace) -> None:
    sheet = operations.find_sheet(workspace, "西区", 2020)
    received: list[SheetLayout] = []

    def submit(title: str, vision: str, choices: list[CategoryChoice], layout: SheetLayout) -> str | None:
        received.append(layout)
        return None

    dialog = SheetSettingsDialog(sheet, submit)
    qtbot.addWidget(dialog.dialog)
    combo = child(dialog.dialog, QComboBox, "groupStyleCombo")
    assert combo.currentText() == "左の列に縦書き（西区）"
    _ok(dialog.dialog)
    assert received[-1] == sheet.layout  # the side style and its column heading kept
    combo.setCurrentIndex(combo.findData("row"))
    _ok(dialog.dialog)
    assert received[-1].group_style == "row"
    assert received[-1].group_column_label == "令和２年度\nまちづくりの\n推進方針"  # kept for a way back
    dialog.use_ward_preset()
    assert combo.currentData() == "side"
