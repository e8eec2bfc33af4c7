"""The sheet table as staff expect it from Excel: Enter goes down, Tab right, paste a block."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView, QHeaderView, QStyle, QTableView, QWidget

from desktop_app.domain.edits import CellInput, EditError
from desktop_app.domain.layout import Column, RowKind
from desktop_app.gui.delegates import MULTI_LINE_COLUMNS, SheetDelegate
from desktop_app.gui.sheet_model import SheetTableModel

# A row of one line, and what a row adds to its lines (Qt paints wrapped text a little lower than
# QFontMetrics measures it; the room keeps the last line of a long description from being cut off).
ROW_MIN_HEIGHT = 24
ROW_PADDING = 10
# A paste bigger than this is surely not meant for one sheet (and would freeze the window).
MAX_PASTE_CELLS = 20_000
COLUMN_WIDTHS = {
    Column.NO: 40,
    Column.NEW: 40,
    Column.NAME: 250,
    Column.DESCRIPTION: 320,
    Column.CATEGORY: 136,
    Column.STAGES: 84,
    Column.STATUS: 64,
    Column.REMARKS: 200,
}


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold


def parse_clipboard(text: str) -> list[list[str]]:
    """Rows of cells from what Excel or LibreOffice put on the clipboard (tab-separated, quoted)."""
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    if not text:
        return []
    return [row for row in csv.reader(io.StringIO(text), delimiter="\t", quotechar='"')]


def to_clipboard(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", quotechar='"', lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


class SheetTableView(QTableView):
    """Keyboard and clipboard behaviour of the sheet table."""

    problem = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheet_delegate = SheetDelegate(self)
        self.sheet_delegate.problem.connect(self.problem)
        self.setItemDelegate(self.sheet_delegate)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setAlternatingRowColors(False)
        # Descriptions and notes run over several lines as on the printed sheet: rows grow to fit.
        self.setWordWrap(True)
        self.setTabKeyNavigation(True)
        # Rows are fitted to their text here (`fit_rows`), not by Qt's ResizeToContents: that asks the
        # delegate for the size of every cell of every row (in Python) on each sheet switch and edit,
        # ~300 ms on a 200-project sheet; only the text columns can need more than one line.
        self.verticalHeader().setMinimumSectionSize(ROW_MIN_HEIGHT)
        self.verticalHeader().setDefaultSectionSize(ROW_MIN_HEIGHT)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.timeout.connect(lambda: self.fit_rows())
        self.horizontalHeader().sectionResized.connect(lambda *_: self._refit.start(0))
        # № is the row label staff use; Qt's own row numbers would only confuse.
        self.verticalHeader().hide()
        self.horizontalHeader().setHighlightSections(True)
        self.horizontalHeader().setStretchLastSection(True)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)

    def sheet_model(self) -> SheetTableModel:
        model = self.model()
        assert isinstance(model, SheetTableModel)
        return model

    def setModel(self, model: Any) -> None:
        super().setModel(model)
        model.modelReset.connect(self.apply_layout)
        model.dataChanged.connect(lambda top, bottom, *_: self.fit_rows(range(top.row(), bottom.row() + 1)))
        model.rowsInserted.connect(lambda _parent, first, last: self.fit_rows(range(first, last + 1)))
        model.layoutChanged.connect(lambda *_: self.fit_rows())
        self.apply_layout()

    def fit_rows(self, rows: Iterable[int] | None = None) -> None:
        """Each row as tall as the most lines of its texts need at the columns' widths now (all
        rows, or the ones given): descriptions, notes and names as the wards write them."""
        model = self.model()
        if not isinstance(model, SheetTableModel) or not model.columns:
            return
        header = self.verticalHeader()
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1
        texts = [n for n, (column, _, _) in enumerate(model.columns) if column in MULTI_LINE_COLUMNS]
        plain, bold = QFontMetrics(self.font()), QFontMetrics(_bold(self.font()))
        for number in range(model.rowCount()) if rows is None else rows:
            if not 0 <= number < model.rowCount():
                continue
            span = self.columnSpan(number, 0)
            # A heading, group or total runs across its span; a project's texts each in their column.
            cells = [0] if span > 1 else texts
            lines_height = 0
            for column in cells:
                text = model.index(number, column).data()
                if not text:
                    continue
                width = sum(self.columnWidth(c) for c in range(column, column + max(span, 1))) - 2 * margin
                metrics = bold if span > 1 else plain
                if "\n" not in text and metrics.horizontalAdvance(text) <= width:
                    height = metrics.height()
                else:
                    flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
                    height = metrics.boundingRect(QRect(0, 0, max(width, 1), 1_000_000), flags, text).height()
                lines_height = max(lines_height, height)
            wanted = max(ROW_MIN_HEIGHT, lines_height + ROW_PADDING)
            if header.sectionSize(number) != wanted:
                header.resizeSection(number, wanted)

    def apply_layout(self) -> None:
        """Column widths and the spans of headings, groups and totals, after the rows change.

        A heading spans the row; a group heading with per-stage subtotals (南区) and a total row
        span the text columns and show their amounts under the stages, as printed.
        """
        model = self.sheet_model()
        self.clearSpans()
        for number, (column, _, _) in enumerate(model.columns):
            self.setColumnWidth(number, COLUMN_WIDTHS[column])
        if not model.columns:
            return
        first_stage = next((n for n, (column, _, _) in enumerate(model.columns) if column is Column.STAGES), None)
        for number, row in enumerate(model.rows):
            if row.kind is RowKind.TOTAL or (row.kind is RowKind.GROUP and row.amounts):
                width = first_stage if first_stage is not None else len(model.columns)
            elif row.kind in (RowKind.GROUP, RowKind.HEADING):
                width = len(model.columns)
            else:
                continue
            if width > 1:
                self.setSpan(number, 0, 1, width)
        self.fit_rows()

    # ------------------------------------------------------------ keyboard

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.move_cursor(1 if not event.modifiers() & Qt.KeyboardModifier.ShiftModifier else -1, 0)
                return
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not event.modifiers():
                self.clear_selection()
                return
            if event.matches(QKeySequence.StandardKey.Copy):
                self.copy_selection()
                return
            if event.matches(QKeySequence.StandardKey.Paste):
                self.paste()
                return
        super().keyPressEvent(event)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        # Excel: Enter commits and goes down, Tab commits and goes right, without opening an editor.
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self.move_cursor(1, 0)
            return
        if hint in (
            QAbstractItemDelegate.EndEditHint.EditNextItem,
            QAbstractItemDelegate.EndEditHint.EditPreviousItem,
        ):
            step = 1 if hint == QAbstractItemDelegate.EndEditHint.EditNextItem else -1
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self.move_cursor(0, step)
            return
        super().closeEditor(editor, hint)

    def move_cursor(self, rows: int, columns: int) -> None:
        current = self.currentIndex()
        model = self.sheet_model()
        if not current.isValid():
            return
        row = min(max(current.row() + rows, 0), model.rowCount() - 1)
        column = min(max(current.column() + columns, 0), model.columnCount() - 1)
        target = model.index(row, column)
        self.setCurrentIndex(target)
        self.selectionModel().select(target, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(target)

    # ------------------------------------------------------------ clipboard

    def selected_block(self) -> tuple[list[int], list[int]]:
        indexes = self.selectedIndexes() or ([self.currentIndex()] if self.currentIndex().isValid() else [])
        rows = sorted({index.row() for index in indexes})
        columns = sorted({index.column() for index in indexes})
        return rows, columns

    def copy_selection(self) -> None:
        """The selected rectangle as tab-separated text, as Excel puts it on the clipboard."""
        model = self.sheet_model()
        rows, columns = self.selected_block()
        if not rows:
            return
        block = []
        for row in rows:
            cells = []
            for column in columns:
                index = model.index(row, column)
                kind = model.cell_at(row, column)[1]
                project = model.rows[row].project
                # A project's cells copy as they are stored (the name without 【新規】 or the tag, the
                # № as typed), so that pasting them back changes nothing.
                role = Qt.ItemDataRole.DisplayRole if project is None else Qt.ItemDataRole.EditRole
                value = index.data(role)
                if kind is Column.NEW and project is not None:
                    value = "○" if project.new else ""
                cells.append("" if value is None else str(value).strip("　"))
            block.append(cells)
        QGuiApplication.clipboard().setText(to_clipboard(block))

    def paste(self) -> None:
        """Paste a rectangular block at the current cell; one bad cell refuses the whole paste."""
        if self.sheet_model().readonly:
            self.problem.emit("読み取り専用のため、貼り付けできません。")
            return
        block = parse_clipboard(QGuiApplication.clipboard().text())
        if not block:
            return
        try:
            inputs = self.paste_inputs(block)
        except EditError as exc:
            self.problem.emit(str(exc))
            return
        if inputs:
            self.sheet_model().edit_cells(inputs, "貼り付け")

    def paste_inputs(self, block: list[list[str]]) -> list[CellInput]:
        """The cell values a paste of `block` at the current cell means, refusing a paste that does not fit."""
        model = self.sheet_model()
        current = self.currentIndex()
        if not current.isValid() or model.sheet is None:
            raise EditError("貼り付け先のセルを選んでください。")
        if sum(len(row) for row in block) > MAX_PASTE_CELLS:
            raise EditError(f"貼り付けるセルが多すぎます（{MAX_PASTE_CELLS:,}セルまで）。")
        rows, columns = self.selected_block()
        if len(block) == 1 and len(block[0]) == 1 and (len(rows) > 1 or len(columns) > 1):
            # One value onto a selection fills every selected cell, as in Excel.
            targets = [(r, c, block[0][0]) for r in rows for c in columns if model.rows[r].project is not None]
        else:
            project_rows = [r for r in range(current.row(), len(model.rows)) if model.rows[r].project is not None]
            if len(block) > len(project_rows):
                raise EditError(
                    f"貼り付ける{len(block)}行に対し、選んだ行から下の事業は{len(project_rows)}行です（先に行を追加してください）。"
                )
            width = max(len(row) for row in block)
            if current.column() + width > model.columnCount():
                raise EditError(f"貼り付ける{width}列が表の右端を越えます（貼り付け先の列を確かめてください）。")
            targets = [
                (project_rows[i], current.column() + j, value)
                for i, row in enumerate(block)
                for j, value in enumerate(row)
            ]
        inputs = []
        for row_number, column_number, value in targets:
            row, column, stage = model.cell_at(row_number, column_number)
            assert row.project is not None and row.project.id is not None
            inputs.append(CellInput(row.project.id, column, stage, value))
        return inputs

    def clear_selection(self) -> None:
        model = self.sheet_model()
        if model.readonly:
            return
        cells = []
        for index in self.selectedIndexes() or [self.currentIndex()]:
            if not index.isValid():
                continue
            row, column, stage = model.cell_at(index.row(), index.column())
            if row.project is not None and row.project.id is not None:
                cells.append((row.project.id, column, stage))
        if cells:
            model.clear_cells(cells)

    def current_project_ids(self) -> list[int]:
        """The projects of the selected rows (or the current row), in table order."""
        model = self.sheet_model()
        rows = sorted({index.row() for index in self.selectedIndexes()} | {self.currentIndex().row()})
        ids = []
        for row in rows:
            if 0 <= row < len(model.rows):
                project = model.rows[row].project
                if project is not None and project.id is not None and project.id not in ids:
                    ids.append(project.id)
        return ids

    def select_project(self, project_id: int, column: int | None = None) -> None:
        model = self.sheet_model()
        row = model.row_of_project(project_id)
        if row is None:
            return
        column = self.currentIndex().column() if column is None and self.currentIndex().isValid() else (column or 0)
        target = model.index(row, column)
        self.setCurrentIndex(target)
        self.selectionModel().select(target, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(target)
