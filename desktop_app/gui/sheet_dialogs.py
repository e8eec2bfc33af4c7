"""Dialogs about a sheet as a whole: its settings (title, vision, categories and 配分額), a new year, the first run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desktop_app.domain import (
    DEFAULT_CATEGORY_NAMES,
    AmountError,
    Category,
    Sheet,
    format_amount,
    parse_amount,
    wareki_year,
)
from desktop_app.domain.edits import CategoryChoice
from desktop_app.gui.dialogs import SettingsDialog, child, load_ui
from desktop_app.settings import DEFAULT_PLANNING_ADDRESS, Settings

# Which category a row was when the dialog opened (None: added in the dialog).
_WAS_ROLE = Qt.ItemDataRole.UserRole
SubmitSettings = Callable[[str, str, list[CategoryChoice]], str | None]


def _allocation_item(allocation: int | None) -> QTableWidgetItem:
    item = QTableWidgetItem("" if allocation is None else format_amount(allocation))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _read_allocation(table: QTableWidget, row: int, name: str) -> int | None:
    item = table.item(row, 1)
    try:
        return parse_amount(item.text() if item is not None else "")
    except AmountError as exc:
        raise ValueError(f"経費区分「{name or f'{row + 1}行目'}」の配分額: {exc}。") from exc


class SheetSettingsDialog:
    """The sheet's title and vision line, and its funding categories with their 配分額 (シート → シートの設定)."""

    def __init__(self, sheet: Sheet, submit: SubmitSettings, parent: QWidget | None = None) -> None:
        self.submit = submit
        self.dialog = load_ui("sheet_settings_dialog", parent)
        self.dialog.setWindowTitle(f"シートの設定 — {sheet.year_label} {sheet.ward}")
        self.title = child(self.dialog, QLineEdit, "titleEdit")
        self.vision = child(self.dialog, QPlainTextEdit, "visionEdit")
        self.table = child(self.dialog, QTableWidget, "categoryTable")
        self.error = child(self.dialog, QLabel, "errorLabel")
        self.title.setText(sheet.title)
        self.vision.setPlainText(sheet.vision)
        self.table.setRowCount(0)
        for category in sheet.categories:
            self._add_row(category.name, category.allocation, was=category.name)
        self.table.setColumnWidth(0, 300)
        child(self.dialog, QPushButton, "addButton").clicked.connect(self.add_category)
        child(self.dialog, QPushButton, "removeButton").clicked.connect(self.remove_category)
        child(self.dialog, QPushButton, "upButton").clicked.connect(lambda: self.move_category(-1))
        child(self.dialog, QPushButton, "downButton").clicked.connect(lambda: self.move_category(1))
        buttons = child(self.dialog, QDialogButtonBox, "buttonBox")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.dialog.reject)

    def _add_row(self, name: str, allocation: int | None, *, was: str | None) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        name_item = QTableWidgetItem(name)
        name_item.setData(_WAS_ROLE, was)
        self.table.setItem(row, 0, name_item)
        self.table.setItem(row, 1, _allocation_item(allocation))
        return row

    def add_category(self) -> None:
        used = {item.text() for row in range(self.table.rowCount()) if (item := self.table.item(row, 0)) is not None}
        suggested = next((name for name in DEFAULT_CATEGORY_NAMES if name not in used), "")
        row = self._add_row(suggested, None, was=None)
        column = 1 if suggested else 0
        self.table.setCurrentCell(row, column)
        item = self.table.item(row, column)
        if item is not None:
            self.table.editItem(item)

    def remove_category(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def move_category(self, delta: int) -> None:
        row = self.table.currentRow()
        target = row + delta
        if row < 0 or not 0 <= target < self.table.rowCount():
            return
        taken = [self.table.takeItem(row, column) for column in range(2)]
        moved = [self.table.takeItem(target, column) for column in range(2)]
        for column in range(2):
            self.table.setItem(target, column, taken[column])
            self.table.setItem(row, column, moved[column])
        self.table.setCurrentCell(target, self.table.currentColumn())

    def choices(self) -> list[CategoryChoice]:
        """The categories as listed; ValueError names the row whose 配分額 cannot be read."""
        found = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            name = item.text().strip() if item is not None else ""
            was = item.data(_WAS_ROLE) if item is not None else None
            found.append(CategoryChoice(was, name, _read_allocation(self.table, row, name)))
        return found

    def _accept(self) -> None:
        try:
            choices = self.choices()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        problem = self.submit(self.title.text(), self.vision.toPlainText().strip(), choices)
        if problem:
            self.error.setText(problem)
            return
        self.dialog.accept()

    def exec(self) -> bool:
        try:
            return self.dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            # Deleted once used: a dialog left among the window's children was seen to be deleted
            # twice when the window went (a crash at closing).
            self.dialog.deleteLater()


@dataclass(frozen=True)
class NewYearChoice:
    """What the person chose for a new year's sheet: where from, and each category's 配分額."""

    from_year: int | None
    allocations: tuple[tuple[str, int | None], ...]
    # Categories unticked: not used this year (a carried sheet keeps them without a 配分額).
    unused: tuple[str, ...] = ()

    def allocations_to_store(self) -> tuple[tuple[str, int | None], ...]:
        """Carried on, an unticked category keeps its projects but not last year's 配分額."""
        if self.from_year is None:
            return self.allocations
        return (*self.allocations, *((name, None) for name in self.unused))


class NewYearDialog:
    """A new year's sheet: carried on from the latest earlier one or empty, with this year's 配分額 asked for."""

    def __init__(self, ward: str, fiscal_year: int, source: Sheet | None, parent: QWidget | None = None) -> None:
        self.fiscal_year = fiscal_year
        self.source = source
        self.chosen: NewYearChoice | None = None
        self.dialog = load_ui("new_year_dialog", parent)
        child(self.dialog, QLabel, "introLabel").setText(f"{ward}の{wareki_year(fiscal_year)}のシートを作ります。")
        self.carry = child(self.dialog, QRadioButton, "carryRadio")
        self.empty = child(self.dialog, QRadioButton, "emptyRadio")
        self.table = child(self.dialog, QTableWidget, "allocationTable")
        self.error = child(self.dialog, QLabel, "errorLabel")
        if source is not None:
            self.carry.setText(
                f"{source.year_label}のシートから事業を引き継ぐ（{len(source.projects)}事業。名前・内容・グループ・"
                "経費区分・№を引き継ぎ、金額は空、状況は予定）"
            )
        else:
            self.carry.setText("引き継げる前の年度のシートはありません")
            self.carry.setEnabled(False)
            self.empty.setChecked(True)
        categories: Sequence[Category] = (
            source.categories if source is not None else [Category(name) for name in DEFAULT_CATEGORY_NAMES[:1]]
        )
        self.table.setRowCount(0)
        for category in categories:
            self._add_row(category.name, category.allocation)
        self.table.setColumnWidth(0, 260)
        self.table.setColumnWidth(1, 120)
        buttons = child(self.dialog, QDialogButtonBox, "buttonBox")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("作成")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.dialog.reject)

    def _add_row(self, name: str, previous: int | None) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        name_item = QTableWidgetItem(name)
        name_item.setFlags(name_item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        name_item.setCheckState(Qt.CheckState.Checked)
        self.table.setItem(row, 0, name_item)
        # Left empty on purpose: each year's 配分額 is decided anew, never copied forward silently.
        self.table.setItem(row, 1, _allocation_item(None))
        earlier = QTableWidgetItem("" if previous is None else f"{format_amount(previous)}千円")
        earlier.setFlags(earlier.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, 2, earlier)

    def set_allocation(self, name: str, text: str, *, used: bool = True) -> None:
        """Fill one row as a person would (tests and the first run use it)."""
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            amount = self.table.item(row, 1)
            if item is not None and amount is not None and item.text() == name:
                item.setCheckState(Qt.CheckState.Checked if used else Qt.CheckState.Unchecked)
                amount.setText(text)
                return
        raise KeyError(name)

    def _accept(self) -> None:
        allocations = []
        unused = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is None:
                continue
            if item.checkState() != Qt.CheckState.Checked:
                unused.append(item.text())
                continue
            try:
                allocations.append((item.text(), _read_allocation(self.table, row, item.text())))
            except ValueError as exc:
                self.error.setText(str(exc))
                return
        if not allocations:
            self.error.setText("経費区分を1つ以上選んでください。")
            return
        from_year = self.source.fiscal_year if self.carry.isChecked() and self.source is not None else None
        self.chosen = NewYearChoice(from_year, tuple(allocations), tuple(unused))
        self.dialog.accept()

    def choose(self) -> NewYearChoice | None:
        try:
            if self.dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return self.chosen
        finally:
            self.dialog.deleteLater()  # as SheetSettingsDialog.exec


class FirstRunDialog(SettingsDialog):
    """The first start on a PC: which ward, who is working, where the Excel goes."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(settings, parent)
        self.dialog.setWindowTitle("はじめに — 区と担当者の設定")
        child(self.dialog, QLabel, "introLabel").setText(
            "このパソコンで使う区と担当者名を設定してください。担当者名は変更履歴に残ります。"
            "政策企画課のメールアドレスは、Excelを送るメールの宛先になります（あとで ファイル → 設定 で変えられます）。"
        )
        if not settings.planning_address:
            self.mail.setText(DEFAULT_PLANNING_ADDRESS)
        self.staff.setFocus()

    def _accept(self) -> None:
        if not self.staff.text().strip():
            self.error.setText("担当者名を入力してください（変更履歴に残ります）。")
            return
        super()._accept()
