"""The one place where the window changes a sheet: perform an edit, undo it, refresh everyone.

Like Anki's CollectionOp: a GUI action hands `perform` a planner (the domain plans the Edit on
the open sheet), which applies it in one transaction, pushes it on the sheet's undo stack and
announces what changed (`SheetChanges`, as Anki's OpChanges), so the table repaints just those
rows and the side panels refresh only when they show something that moved. Undo and redo go
through the same path; when storage refuses one, the stack goes back to where it was.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack

from desktop_app import operations
from desktop_app.domain import Finding, Sheet, validate
from desktop_app.domain.edits import Change, Edit, EditError, SheetChanges
from desktop_app.operations import SheetNotFoundError, StorageError, Workspace

log = logging.getLogger("machizukuri.gui.editor")

Planner = Callable[[Sheet], Edit]


@dataclass(frozen=True)
class EditorUpdate:
    """The sheet now shown and what changed since the last update (None: another sheet, or reloaded)."""

    sheet: Sheet | None
    findings: list[Finding]
    changes: SheetChanges | None
    focus_id: int | None


class _EditCommand(QUndoCommand):
    """An applied Edit on the undo stack; its first redo is the edit already done."""

    def __init__(self, editor: SheetEditor, sheet_id: int, edit: Edit) -> None:
        super().__init__(edit.description)
        self.editor = editor
        self.sheet_id = sheet_id
        self.edit = edit
        # When set, the next redo/undo is only the stack moving back after a refusal (or the
        # push of an edit already applied): the database already holds that state.
        self._skip_redo = True
        self._skip_undo = False

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        if not self.editor._replay(self.sheet_id, self.edit.changes, self.edit.focus_id, "やり直せませんでした"):
            self._skip_undo = True

    def undo(self) -> None:
        if self._skip_undo:
            self._skip_undo = False
            return
        if not self.editor._replay(self.sheet_id, self.edit.inverse, self.edit.focus_id, "元に戻せませんでした"):
            self._skip_redo = True


class SheetEditor(QObject):
    """Holds the open sheet and its undo stacks; every change of the sheet passes through `perform`."""

    updated = Signal(object)  # EditorUpdate
    saved = Signal(str)
    failed = Signal(str)

    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.sheet: Sheet | None = None
        self.findings: list[Finding] = []
        self.undo_group = QUndoGroup(self)
        self._stacks: dict[int, QUndoStack] = {}
        self._refusal: str | None = None

    @property
    def readonly(self) -> bool:
        return self.workspace.readonly

    def open(self, ward: str, fiscal_year: int) -> Sheet | None:
        """Show a ward's sheet of a year (None when there is none yet).

        Only "no such sheet" means the empty page; a damaged or unreadable database raises.
        """
        try:
            sheet: Sheet | None = operations.open_sheet(self.workspace, ward=ward, fiscal_year=fiscal_year)
        except SheetNotFoundError:
            sheet = None
        self._show(sheet, None, None)
        return sheet

    def _show(self, sheet: Sheet | None, changes: SheetChanges | None, focus_id: int | None) -> None:
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
        self.updated.emit(EditorUpdate(sheet, self.findings, changes, focus_id))

    def reset_undo(self) -> None:
        """Forget every undo step: after an import or a restore they describe rows that are gone."""
        for stack in self._stacks.values():
            stack.clear()

    def new_project_id(self) -> int:
        return operations.new_project_id(self.workspace)

    def perform(self, planner: Planner) -> SheetChanges | None:
        """Plan an edit on the open sheet, apply it, put it on the undo stack and refresh.

        Returns what changed, or None when refused (the reason goes out through `failed`).
        """
        sheet = self.sheet
        if sheet is None or sheet.id is None:
            return None
        if self.readonly:
            self.failed.emit("読み取り専用のため、変更できません。")
            return None
        try:
            edit = planner(sheet)
            if not edit.changes:
                return SheetChanges()
            changes = self._store(sheet.id, edit.changes, edit.focus_id)
        except (StorageError, EditError) as exc:
            self.failed.emit(str(exc))
            return None
        self._stacks[sheet.id].push(_EditCommand(self, sheet.id, edit))
        return changes

    def _store(self, sheet_id: int, changes: tuple[Change, ...], focus_id: int | None) -> SheetChanges:
        touched = operations.apply_edit(self.workspace, sheet_id=sheet_id, changes=changes)
        if self.sheet is not None and self.sheet.id == sheet_id:
            self._show(operations.reload_sheet(self.workspace, sheet_id=sheet_id), touched, focus_id)
        self.saved.emit(time.strftime("%H:%M:%S"))
        return touched

    def _replay(self, sheet_id: int, changes: tuple[Change, ...], focus_id: int | None, what: str) -> bool:
        """Undo or redo one step for the stack; a refusal is kept for `undo`/`redo` to report."""
        try:
            self._store(sheet_id, changes, focus_id)
        except (StorageError, EditError) as exc:
            log.warning("%s: %s", what, exc)
            self._refusal = f"{what}: {exc}"
            return False
        return True

    def undo(self) -> bool:
        return self._step(-1)

    def redo(self) -> bool:
        return self._step(1)

    def _step(self, direction: int) -> bool:
        """Undo (-1) or redo (+1) on the open sheet's stack; if storage refuses, the stack stays put."""
        stack = self.undo_group.activeStack()
        if stack is None or not (stack.canUndo() if direction < 0 else stack.canRedo()):
            return False
        before = stack.index()
        self._refusal = None
        if direction < 0:
            stack.undo()
        else:
            stack.redo()
        if self._refusal is None:
            return True
        # The command marked itself so that moving back does not apply anything again:
        # the database and the stack agree once more.
        stack.setIndex(before)
        message, self._refusal = self._refusal, None
        self.failed.emit(message)
        return False
