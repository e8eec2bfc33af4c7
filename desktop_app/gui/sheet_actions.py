"""The sheet-level use-cases of the window: a new year's sheet, the sheet settings, settling the
year, locking a stage, and the stage shown in the status bar.

Each takes the window it acts for; the window only wires its actions and buttons to these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from desktop_app import operations
from desktop_app.domain import Sheet
from desktop_app.domain.edits import (
    CategoryChoice,
    Edit,
    EditError,
    current_stage,
    plan_settle_year,
    plan_sheet_settings,
    plan_stage_lock,
    ready_to_settle,
)
from desktop_app.domain.model import SheetLayout
from desktop_app.operations import StorageError

if TYPE_CHECKING:
    from desktop_app.gui.main_window import MainWindow


def new_year_sheet(window: MainWindow, ward: str, year: int, *, carry: bool = True) -> None:
    """A year's sheet from the latest earlier one or empty, with this year's 配分額 asked for."""
    from desktop_app.gui.sheet_dialogs import NewYearDialog

    workspace = window.workspace
    source_year = operations.earlier_sheet_year(workspace, ward=ward, fiscal_year=year)
    source = operations.open_sheet(workspace, ward=ward, fiscal_year=source_year) if source_year is not None else None
    dialog = NewYearDialog(ward, year, source, window)
    if not carry:
        dialog.empty.setChecked(True)
    choice = dialog.choose()
    if choice is None:
        return
    create_sheet(
        window,
        lambda: operations.create_sheet(
            workspace,
            ward=ward,
            year=year,
            from_year=choice.from_year,
            allocations=choice.allocations_to_store(),
        ),
    )


def create_sheet(window: MainWindow, create: Callable[[], Sheet]) -> None:
    """Create a sheet and show it, or say why it could not be created."""
    try:
        sheet = create()
    except StorageError as exc:
        window.show_problem(str(exc))
        return
    window.show_new_sheet(sheet)
    window.statusBar().showMessage(f"{sheet.year_label} {sheet.ward}のシートを作成しました。", 6000)


def open_sheet_settings(window: MainWindow) -> None:
    """Title, vision, the funding categories and their 配分額, as one undoable edit."""
    from desktop_app.gui.sheet_dialogs import SheetSettingsDialog

    sheet = window.editor.sheet
    if sheet is None:
        return

    def submit(title: str, vision: str, choices: list[CategoryChoice], layout: SheetLayout) -> str | None:
        def planner(current: Sheet) -> Edit:
            return plan_sheet_settings(current, title=title, vision=vision, categories=choices, layout=layout)

        try:
            planner(sheet)  # refused here, the reason stays in the dialog
        except EditError as exc:
            return str(exc)
        if window.editor.perform(planner) is None:
            return window.message_bar.text() or "シートの設定を保存できませんでした。"
        return None

    if window.workspace.readonly:
        window.show_problem("読み取り専用のため、変更できません。")
        return
    SheetSettingsDialog(sheet, submit, window).exec()


def settle_year(window: MainWindow) -> None:
    """Lock every stage of the open sheet, once the person confirms."""
    sheet = window.editor.sheet
    if sheet is None:
        return
    answer = QMessageBox.question(
        window,
        "年度の確定",
        f"{sheet.year_label} {sheet.ward}の段階をすべて確定します。確定した列の金額は変更できなくなります"
        "（シート → 段階の確定 で解除できます）。確定しますか？",
    )
    if answer == QMessageBox.StandardButton.Yes:
        window.editor.perform(plan_settle_year)


def set_stage_locked(window: MainWindow, stage: int, locked: bool) -> None:
    """Lock a stage at once; unlocking asks first, since it lets that column's amounts change."""
    sheet = window.editor.sheet
    if sheet is None:
        return
    if not locked:
        answer = QMessageBox.question(
            window,
            "確定の解除",
            f"{sheet.stages[stage].name}の確定を解除すると、その列の金額を変更できるようになります。解除しますか？",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
    window.editor.perform(lambda s: plan_stage_lock(s, stage, locked))


def show_stage(window: MainWindow, sheet: Sheet, *, opened: bool) -> None:
    """The stage being entered, or that the year is settled; and the offer to settle it."""
    readonly = window.workspace.readonly
    window.settle_action.setEnabled(not readonly and not all(s.locked for s in sheet.stages))
    window.settle_button.setVisible(ready_to_settle(sheet) and not readonly)
    if not opened:
        return
    stage = current_stage(sheet)
    if stage is None:
        window.stage_label.setText(f"{sheet.year_label}は確定済み")
    else:
        window.stage_label.setText(f"入力中の段階: {sheet.stages[stage].name}")
