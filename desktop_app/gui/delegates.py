"""Cell editors: amounts checked as they are typed, choices for 経費区分 and 状況, texts of several lines."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QValidator
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop_app.domain import STATUS_LABELS, AmountError, parse_amount
from desktop_app.domain.layout import Column
from desktop_app.gui.sheet_model import SheetTableModel

_Index = QModelIndex | QPersistentModelIndex


class AmountValidator(QValidator):
    """Accepts what parse_amount accepts; anything else stays open for correction, with the reason."""

    def __init__(self, report: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._report = report

    def validate(self, text: str, pos: int) -> object:
        try:
            parse_amount(text)
        except AmountError as exc:
            self._report(f"{exc}。Enterで確定できません（Escで取り消し）。")
            return QValidator.State.Intermediate, text, pos
        self._report("")
        return QValidator.State.Acceptable, text, pos


# The texts that may run over several lines (descriptions, notes, names as the wards print them).
MULTI_LINE_COLUMNS = frozenset({Column.NAME, Column.DESCRIPTION, Column.REMARKS})


class MultiLineEditor(QPlainTextEdit):
    """A text cell's editor as in Excel: Enter commits, Alt+Enter starts a new line in the cell."""

    committed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.AltModifier:
                self.insertPlainText("\n")
            else:
                self.committed.emit()
            return
        super().keyPressEvent(event)


class SheetDelegate(QStyledItemDelegate):
    """Chooses the editor by column; reports a bad amount while it is being typed."""

    problem = Signal(str)

    def _model(self, index: _Index) -> SheetTableModel | None:
        model = index.model()
        return model if isinstance(model, SheetTableModel) else None

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: _Index) -> QWidget:
        model = self._model(index)
        if model is None or model.sheet is None:
            return super().createEditor(parent, option, index)
        row, column, _ = model.cell_at(index.row(), index.column())
        if row.project is not None and column is Column.STATUS:
            combo = QComboBox(parent)
            combo.addItems(list(STATUS_LABELS))
            return combo
        if row.project is not None and column is Column.CATEGORY:
            combo = QComboBox(parent)
            combo.addItems([category.name for category in model.sheet.categories])
            return combo
        if column in MULTI_LINE_COLUMNS:
            text_editor = MultiLineEditor(parent)
            text_editor.setFrameShape(QPlainTextEdit.Shape.NoFrame)
            text_editor.setTabChangesFocus(True)

            def commit() -> None:
                # What Qt's own line editor does on Enter: commit, then the view moves down.
                self.commitData.emit(text_editor)
                self.closeEditor.emit(text_editor, QAbstractItemDelegate.EndEditHint.SubmitModelCache)

            text_editor.committed.connect(commit)
            return text_editor
        editor = QLineEdit(parent)
        editor.setFrame(False)
        if row.project is not None and column is Column.STAGES:
            editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            editor.setValidator(AmountValidator(self.problem.emit, editor))
            editor.setPlaceholderText("― は空欄")
        return editor

    def setEditorData(self, editor: QWidget, index: _Index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            position = editor.findText(str(value))
            editor.setCurrentIndex(max(position, 0))
            return
        if isinstance(editor, QLineEdit):
            # When typing started the edit, Qt has already put the first key in; keep it.
            if not editor.text():
                editor.setText("" if value is None else str(value))
            return
        if isinstance(editor, QPlainTextEdit):
            if not editor.toPlainText():
                editor.setPlainText("" if value is None else str(value))
                editor.selectAll()  # a key typed to start the edit replaces the text, as in Excel
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: _Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
            return
        if isinstance(editor, QLineEdit):
            if editor.validator() is not None and not editor.hasAcceptableInput():
                return  # the reason is already shown; nothing half-valid is stored
            self.problem.emit("")
            if editor.text() != str(index.data(Qt.ItemDataRole.EditRole) or ""):
                model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)
            return
        if isinstance(editor, QPlainTextEdit):
            self.problem.emit("")
            if editor.toPlainText() != str(index.data(Qt.ItemDataRole.EditRole) or ""):
                model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)
