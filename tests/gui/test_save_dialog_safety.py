"""The window's save dialogs cannot replace the open database or a backup (issue 11, item 1)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app import operations
from desktop_app.gui.consolidate_dialog import ConsolidateDialog
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.print_preview import PrintPreviewDialog

PROTECTED = "はデータベース（またはバックアップ）のファイルなので書き出せません"


def folder_digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    messages: list[str] = []

    def shown(box: QMessageBox) -> int:
        messages.append(box.text())
        return 0

    def warning(parent: object, title: str, text: str) -> None:
        messages.append(text)

    monkeypatch.setattr(QMessageBox, "exec", shown)
    monkeypatch.setattr(QMessageBox, "warning", warning)
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: messages.append(text))
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: True)
    return messages


def _targets(db: Path) -> dict[str, Callable[[], str]]:
    return {
        "database": lambda: str(db),
        "wal": lambda: str(db) + "-wal",
        "backup": lambda: str(sorted((db.parent / "backups").iterdir())[0]),
    }


@pytest.mark.parametrize("target", ["database", "wal", "backup"])
@pytest.mark.parametrize("action", ["xlsx_action", "json_action", "consolidate_action", "preview"])
def test_saving_onto_the_database_from_the_window_is_refused(
    qtbot: QtBot,
    window: MainWindow,
    monkeypatch: pytest.MonkeyPatch,
    said: list[str],
    action: str,
    target: str,
) -> None:
    db = window.workspace.path
    operations.backup_now(window.workspace)
    chosen = _targets(db)[target]()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (chosen, ""))
    before = folder_digest(db.parent)
    if action == "preview":
        assert window.editor.sheet is not None
        dialog = PrintPreviewDialog(window.editor.sheet, window.settings, window)
        qtbot.addWidget(dialog)
        dialog.save()
    elif action == "consolidate_action":
        # 全区集計 shows its summary first; 保存… then asks where, and the database is refused there.
        def save_and_close() -> None:
            dialog = QApplication.activeModalWidget()
            assert isinstance(dialog, ConsolidateDialog), dialog
            try:
                assert dialog.make_plan() is not None
                dialog.save_button.click()
            finally:
                dialog.reject()

        QTimer.singleShot(0, save_and_close)
        window.consolidate_action.trigger()
    else:
        getattr(window, action).trigger()
    assert any(PROTECTED in text for text in said), said
    assert folder_digest(db.parent) == before
