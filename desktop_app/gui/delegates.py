"""Cell editors: amounts checked as they are typed, choices for 経費区分 and 状況."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QComboBox, QLineEdit, QStyledItemDelegate, QStyleOptionViewItem, QWidget

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
        super().setModelData(editor, model, index)
