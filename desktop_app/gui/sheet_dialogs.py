"""Dialogs about a sheet as a whole: its settings (title, vision, overview, categories and 配分額, layout), a new year, the first run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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
from desktop_app.domain.layout import rename_layout_categories
from desktop_app.domain.model import (
    DEFAULT_LAYOUT,
    GROUPS_AS_ROWS,
    GROUPS_AT_SIDE,
    TABLES_BY_CATEGORY,
    TABLES_SINGLE,
    SheetLayout,
    ward_layout,
)
from desktop_app.gui.dialogs import SettingsDialog, child, load_ui
from desktop_app.settings import DEFAULT_PLANNING_ADDRESS, Settings

# Which category a row was when the dialog opened (None: added in the dialog).
_WAS_ROLE = Qt.ItemDataRole.UserRole
SubmitSettings = Callable[[str, str, list[CategoryChoice], SheetLayout], str | None]
_TABLE_CHOICES: Final = (
    (TABLES_BY_CATEGORY, "経費区分ごとに表を分ける"),
    (TABLES_SINGLE, "1つの表（№順。経費区分の計は表の下）"),
)
_NUMBERING_CHOICES: Final = (("1", "1, 2, 3 …"), ("①", "①, ②, ③ …"), ("(1)", "(1), (2), (3) …"))
_GROUP_STYLE_CHOICES: Final = (
    (GROUPS_AS_ROWS, "見出しの行（事業の上）"),
    (GROUPS_AT_SIDE, "左の列に縦書き（西区）"),
)


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


def _fill_combo(combo: QComboBox, choices: Sequence[tuple[str, str]]) -> None:
    combo.clear()
    for value, text in choices:
        combo.addItem(text, value)


def _select(combo: QComboBox, value: str) -> None:
    index = combo.findData(value)
    if index < 0:  # a value from a newer writer: shown as it is, so OK keeps it
        combo.addItem(value, value)
        index = combo.count() - 1
    combo.setCurrentIndex(index)


def print_order(sheet: Sheet) -> list[Category]:
    """The sheet's categories in the order they print: the layout's category_order first."""
    by_name = {category.name: category for category in sheet.categories}
    first = [by_name[name] for name in dict.fromkeys(sheet.layout.category_order) if name in by_name]
    return first + [category for category in sheet.categories if category not in first]


class SheetSettingsDialog:
    """The sheet's title, vision and overview, its funding categories with their 配分額, and how it
    prints (シート → シートの設定)."""

    def __init__(self, sheet: Sheet, submit: SubmitSettings, parent: QWidget | None = None) -> None:
        self.sheet = sheet
        self.submit = submit
        # The layout the fields are laid over: whatever the dialog does not show is kept from it.
        self.base = sheet.layout
        # Whether the list's order was changed (then it is the print order, else the stored order stays).
        self.reordered = False
        self.dialog = load_ui("sheet_settings_dialog", parent)
        self.dialog.setWindowTitle(f"シートの設定 — {sheet.year_label} {sheet.ward}")
        self.title = child(self.dialog, QLineEdit, "titleEdit")
        self.vision = child(self.dialog, QPlainTextEdit, "visionEdit")
        self.overview = child(self.dialog, QPlainTextEdit, "overviewEdit")
        self.table = child(self.dialog, QTableWidget, "categoryTable")
        self.error = child(self.dialog, QLabel, "errorLabel")
        self.tables = child(self.dialog, QComboBox, "tablesCombo")
        self.numbering = child(self.dialog, QComboBox, "numberingCombo")
        self.group_subtotals = child(self.dialog, QCheckBox, "groupSubtotalsCheck")
        self.description_label = child(self.dialog, QComboBox, "descriptionLabelCombo")
        self.total_label = child(self.dialog, QLineEdit, "totalLabelEdit")
        self.remarks = child(self.dialog, QCheckBox, "remarksCheck")
        self.group_style = child(self.dialog, QComboBox, "groupStyleCombo")
        _fill_combo(self.group_style, _GROUP_STYLE_CHOICES)
        self.group_style.setToolTip(
            "印刷と Excel でのグループの示し方です。左の列に縦書きにしても、この画面の表では"
            "グループは見出しの行のまま（グループの名前や順はそこで直します）。"
        )
        _fill_combo(self.tables, _TABLE_CHOICES)
        _fill_combo(self.numbering, _NUMBERING_CHOICES)
        tip = (
            "合計の行に印刷する名前です。{ward} は区の名前（例：東区）に、{category} は経費区分の名前"
            "（例：まちづくり推進経費）に、{year} は年度（例：令和2年度）に置き換わります。例：「{category}　計」→「まちづくり推進経費　計」。"
            "空欄にすると合計の行を印刷しません。"
        )
        if sheet.layout.total_labels:
            tip += "（経費区分ごとの名前が別に設定されている区分は、そちらを印刷します）"
        self.total_label.setToolTip(tip)
        child(self.dialog, QLabel, "totalLabelHint").setToolTip(tip)
        child(self.dialog, QPushButton, "presetButton").setText(f"区の標準に戻す（{sheet.ward}）")
        child(self.dialog, QPushButton, "presetButton").setToolTip(
            f"{sheet.ward}が印刷している様式（表の分け方・番号・列と合計の名前・経費区分の順）に戻します。概要はそのままです。"
        )
        self.title.setText(sheet.title)
        self.vision.setPlainText(sheet.vision)
        self.overview.setPlainText(sheet.layout.overview)
        self._show_layout(sheet.layout)
        self.table.setRowCount(0)
        for category in print_order(sheet):
            self._add_row(category.name, category.allocation, was=category.name)
        self.table.setColumnWidth(0, 300)
        child(self.dialog, QPushButton, "addButton").clicked.connect(self.add_category)
        child(self.dialog, QPushButton, "removeButton").clicked.connect(self.remove_category)
        child(self.dialog, QPushButton, "upButton").clicked.connect(lambda: self.move_category(-1))
        child(self.dialog, QPushButton, "downButton").clicked.connect(lambda: self.move_category(1))
        child(self.dialog, QPushButton, "presetButton").clicked.connect(self.use_ward_preset)
        buttons = child(self.dialog, QDialogButtonBox, "buttonBox")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.dialog.reject)

    def _show_layout(self, layout: SheetLayout) -> None:
        _select(self.tables, layout.tables)
        _select(self.numbering, layout.numbering)
        self.group_subtotals.setChecked(layout.group_subtotals)
        self.description_label.setCurrentText(layout.description_label)
        self.total_label.setText(layout.total_label)
        self.remarks.setChecked(layout.remarks_column)
        _select(self.group_style, layout.group_style)

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
        self.reordered = True

    def _arrange(self, order: Sequence[str]) -> None:
        """Rows named in `order` first, in that order; the others after them as they were."""
        rows = [[self.table.takeItem(row, column) for column in range(2)] for row in range(self.table.rowCount())]
        rank = {name: index for index, name in enumerate(order)}
        stored = {category.name: index for index, category in enumerate(self.sheet.categories)}

        def key(items: Sequence[QTableWidgetItem | None]) -> tuple[int, int]:
            name = items[0].text() if items[0] is not None else ""
            was = items[0].data(_WAS_ROLE) if items[0] is not None else None
            return rank.get(name, len(rank)), stored.get(was or "", len(stored))

        for row, items in enumerate(sorted(rows, key=key)):
            for column, item in enumerate(items):
                self.table.setItem(row, column, item)

    def use_ward_preset(self) -> None:
        """The ward's own print (seed 001) in every field; the overview and unknown fields stay."""
        preset = ward_layout(self.sheet.ward, self.sheet.fiscal_year)
        self.base = replace(preset, overview=self.base.overview, extra=self.base.extra)
        self._show_layout(preset)
        self._arrange(preset.category_order)
        self.reordered = True

    def choices(self) -> list[CategoryChoice]:
        """The categories as listed; ValueError names the row whose 配分額 cannot be read."""
        found = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            name = item.text().strip() if item is not None else ""
            was = item.data(_WAS_ROLE) if item is not None else None
            found.append(CategoryChoice(was, name, _read_allocation(self.table, row, name)))
        return found

    def settings(self) -> tuple[list[CategoryChoice], SheetLayout]:
        """The categories in the order to store them, and the layout the fields describe."""
        listed = self.choices()
        renames = [
            (choice.was, choice.name) for choice in listed if choice.was is not None and choice.was != choice.name
        ]
        base = rename_layout_categories(self.base, renames)
        order = base.category_order
        if self.reordered:
            # The list is the print order: stored so, and as category_order where the sheet keeps one.
            categories = listed
            order = tuple(choice.name for choice in listed) if order else ()
        else:
            stored = {category.name: index for index, category in enumerate(self.sheet.categories)}
            categories = sorted(listed, key=lambda choice: stored.get(choice.was or "", len(stored)))
        layout = replace(
            base,
            tables=str(self.tables.currentData()),
            numbering=str(self.numbering.currentData()),
            group_subtotals=self.group_subtotals.isChecked(),
            description_label=self.description_label.currentText().strip() or DEFAULT_LAYOUT.description_label,
            total_label=self.total_label.text().strip(),
            remarks_column=self.remarks.isChecked(),
            group_style=str(self.group_style.currentData()),
            category_order=order,
            # Line breaks and each line's indent are the clerk's; only blank lines around it go.
            overview=self.overview.toPlainText().strip("\n"),
        )
        return categories, layout

    def _accept(self) -> None:
        try:
            choices, layout = self.settings()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        problem = self.submit(self.title.text(), self.vision.toPlainText().strip(), choices, layout)
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
