"""The one place where the window changes a sheet: perform an edit, undo it, refresh everyone.

Like Anki's perform_op: a GUI action plans an Edit with the domain and hands it to `perform`,
which applies it in one transaction, pushes it on the sheet's undo stack, and announces the
new state. Undo and redo go through the same path.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack

from desktop_app.domain import Finding, Sheet, validate
from desktop_app.domain.edits import Change, Edit, EditError
from desktop_app.operations import Workspace
from desktop_app.storage import StorageError, load_sheet, load_sheet_by_id
from desktop_app.storage.edits import apply_changes, next_project_id

log = logging.getLogger("machizukuri.gui.editor")


class _EditCommand(QUndoCommand):
    """An applied Edit on the undo stack; its first redo is the edit already done."""

    def __init__(self, editor: SheetEditor, sheet_id: int, edit: Edit) -> None:
        super().__init__(edit.description)
        self.editor = editor
        self.sheet_id = sheet_id
        self.edit = edit
        self._done = True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self.editor.apply(self.sheet_id, self.edit.changes, self.edit.focus_id)

    def undo(self) -> None:
        self.editor.apply(self.sheet_id, self.edit.inverse, self.edit.focus_id)


class SheetEditor(QObject):
    """Holds the open sheet and its undo stacks; every change of the sheet passes through here."""

    # The sheet as now stored, its findings, and the project to select (or None).
    sheet_changed = Signal(object, object, object)
    saved = Signal(str)
    failed = Signal(str)

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.sheet: Sheet | None = None
        self.findings: list[Finding] = []
        self.undo_group = QUndoGroup(self)
        self._stacks: dict[int, QUndoStack] = {}
        self.last_apply_seconds = 0.0

    @property
    def readonly(self) -> bool:
        return self.workspace.readonly

    def open(self, ward: str, fiscal_year: int) -> Sheet | None:
        """Show a ward's sheet of a year (None when there is none yet)."""
        try:
            sheet = load_sheet(self.workspace.db, ward, fiscal_year)
        except StorageError:
            sheet = None
        self._show(sheet, None)
        return sheet

    def open_by_id(self, sheet_id: int) -> None:
        self._show(load_sheet_by_id(self.workspace.db, sheet_id), None)

    def reload(self, focus_id: int | None = None) -> None:
        if self.sheet is not None and self.sheet.id is not None:
            self._show(load_sheet_by_id(self.workspace.db, self.sheet.id), focus_id)

    def _show(self, sheet: Sheet | None, focus_id: int | None) -> None:
        self.sheet = sheet
        self.findings = validate(sheet) if sheet is not None else []
        if sheet is not None and sheet.id is not None:
            stack = self._stacks.get(sheet.id)
            if stack is None:
                stack = QUndoStack(self.undo_group)
                self._stacks[sheet.id] = stack
            self.undo_group.setActiveStack(stack)
        else:
            self.undo_group.setActiveStack(None)  # type: ignore[arg-type]
        self.sheet_changed.emit(sheet, self.findings, focus_id)

    def reset_undo(self) -> None:
        """Forget every undo step: after an import or a restore they describe rows that are gone."""
        for stack in self._stacks.values():
            stack.clear()

    def new_project_id(self) -> int:
        return next_project_id(self.workspace.db)

    def perform(self, edit: Edit) -> bool:
        """Apply an edit, put it on the undo stack and refresh; False (and a message) if refused."""
        if self.sheet is None or self.sheet.id is None:
            return False
        if self.readonly:
            self.failed.emit("読み取り専用で開いているため、変更できません。")
            return False
        if not edit.changes:
            return True
        if not self.apply(self.sheet.id, edit.changes, edit.focus_id):
            return False
        stack = self._stacks[self.sheet.id]
        stack.push(_EditCommand(self, self.sheet.id, edit))
        return True

    def apply(self, sheet_id: int, changes: tuple[Change, ...], focus_id: int | None) -> bool:
        started = time.perf_counter()
        try:
            apply_changes(self.workspace.db, sheet_id, changes)
        except (StorageError, EditError) as exc:
            self.failed.emit(str(exc))
            return False
        self.last_apply_seconds = time.perf_counter() - started
        if self.sheet is not None and self.sheet.id == sheet_id:
            self._show(load_sheet_by_id(self.workspace.db, sheet_id), focus_id)
        self.saved.emit(time.strftime("%H:%M:%S"))
        return True

    def perform_with(self, planner: Callable[[Sheet], Edit]) -> bool:
        """Plan an edit on the open sheet and perform it; a refusal becomes a message, not an error."""
        if self.sheet is None:
            return False
        try:
            edit = planner(self.sheet)
        except EditError as exc:
            self.failed.emit(str(exc))
            return False
        return self.perform(edit)
