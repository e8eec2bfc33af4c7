"""Opening the database for the window: one writer at a time, damage handled, network paths warned."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog

from desktop_app import operations
from desktop_app.domain import wareki_moment
from desktop_app.operations import (
    DatabaseDamagedError,
    DatabaseLock,
    EmptyDatabaseError,
    StorageError,
    is_network_path,
    recover_from_backup,
    translate_error,
)
from desktop_app.settings import load_settings, save_settings

log = logging.getLogger("machizukuri.gui.startup")
LOCK_WAIT_MS = 200


def lock_for(path: Path) -> DatabaseLock:
    """The database's write lock, the same the command line takes for its writes."""
    return DatabaseLock(path)


def try_lock(lock: DatabaseLock) -> bool:
    """Take the lock (waiting a moment for a window that is just closing)."""
    return lock.acquire(LOCK_WAIT_MS)


def release(lock: DatabaseLock) -> None:
    lock.release()


def holder_of(lock: DatabaseLock) -> str:
    """`tanaka（PC-123）`: who holds the lock, as far as the lock's owner note says."""
    return lock.holder()


def _say(message: str) -> None:
    print(message, file=sys.stderr)


class _WaitNotice:
    """What the person sees while another program holds the database: a dialog, or one stderr line."""

    def __init__(self, ask: bool) -> None:
        self.ask = ask
        self.dialog: QProgressDialog | None = None

    def __call__(self, message: str) -> None:
        if not self.ask:
            _say(message)
            return
        if self.dialog is None:
            self.dialog = QProgressDialog(message, "", 0, 0)
            self.dialog.setWindowTitle("使用中のデータベース")
            self.dialog.setCancelButton(None)
            self.dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
            self.dialog.setMinimumDuration(0)
        self.dialog.setLabelText(message)
        self.dialog.show()
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)

    def close(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog = None


def _take_lock(path: Path, ask: bool) -> tuple[DatabaseLock | None, bool] | None:
    """The lock and whether to open read-only; None when the person chose not to open."""
    lock = lock_for(path)
    try:
        if try_lock(lock):
            return lock, False
    except OSError as exc:
        # A folder we cannot write to: nobody holds the database, we just cannot change it.
        reason = translate_error(exc, path)
        log.warning("cannot lock %s: %s", path, exc)
        if not ask:
            _say(f"{reason}読み取り専用で開きます。")
        return None, True
    holder = holder_of(lock)
    if not ask:
        _say(f"データベース「{path}」は{holder}が使用中のため、読み取り専用で開きます。")
        return None, True
    answer = QMessageBox.question(
        None,
        "使用中のデータベース",
        f"このデータベースは{holder}が使用中です。\n読み取り専用で開きますか？（変更はできません）",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return None
    return None, True


def open_database_for_window(path: Path, *, ask: bool) -> tuple[operations.Workspace, DatabaseLock | None] | None:
    """The workspace to show (read-only when someone else writes to it), or None to quit."""
    if is_network_path(path):
        _warn_network_once(path, ask)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _show_error(str(translate_error(exc, path)), ask)
        return None
    taken = _take_lock(path, ask)
    if taken is None:
        return None
    lock, readonly = taken
    notice = _WaitNotice(ask)
    while True:
        try:
            workspace = operations.open_workspace(path, readonly=readonly, on_wait=notice, lock=lock)
        except DatabaseDamagedError as exc:
            notice.close()
            # Restoring replaces the file: only while we hold the lock, so no one else has it open to write.
            replacement = _handle_damage(path, exc, ask, can_restore=lock is not None)
            if replacement is None:
                if lock is not None:
                    release(lock)
                return None
            if replacement != path:
                if lock is not None:
                    release(lock)
                path = replacement
                taken = _take_lock(path, ask)
                if taken is None:
                    return None
                lock, readonly = taken
            continue
        except StorageError as exc:
            notice.close()
            if lock is not None:
                release(lock)
            _show_error(str(exc), ask)
            return None
        notice.close()
        if workspace.db.readonly_reason and lock is not None:
            # Read-only by its file or folder: the window says why; the lock protects nothing.
            release(lock)
            lock = None
            workspace.lock = None
        if workspace.db.readonly_reason:
            if ask:
                QMessageBox.information(
                    None, "読み取り専用", f"{workspace.db.readonly_reason}\n読み取り専用で開きます。"
                )
            else:
                _say(workspace.db.readonly_reason)
        return workspace, lock


def _show_error(message: str, ask: bool) -> None:
    if ask:
        QMessageBox.critical(None, "データベースを開けません", message)
    else:
        _say(message)


def _handle_damage(path: Path, error: DatabaseDamagedError, ask: bool, *, can_restore: bool = True) -> Path | None:
    """Offer the newest good backup or another file; the damaged file is kept under a new name."""
    if not ask:
        _say(str(error))
        return None
    box = QMessageBox()
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("データベースが壊れています")
    if isinstance(error, EmptyDatabaseError):
        box.setWindowTitle("データベースが空です")
    box.setText(f"{error}\n\n最新の正常なバックアップから復元するか、別のファイルを開いてください。")
    restore = box.addButton("バックアップから復元", QMessageBox.ButtonRole.AcceptRole)
    restore.setEnabled(can_restore)
    other = box.addButton("別のファイルを開く…", QMessageBox.ButtonRole.ActionRole)
    box.addButton("終了", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is restore:
        try:
            restored = recover_from_backup(path)
        except StorageError as exc:
            QMessageBox.critical(None, "復元できません", str(exc))
            return None
        QMessageBox.information(
            None,
            "復元しました",
            f"{wareki_moment(restored.backup.taken_at)}のバックアップから復元しました。\n"
            f"壊れたファイルは「{restored.damaged_copy.name}」として残してあります。",
        )
        return path
    if box.clickedButton() is other:
        name, _ = QFileDialog.getOpenFileName(
            None, "データベースを開く", str(path.parent), "データベース (*.sqlite3 *.db)"
        )
        return Path(name) if name else None
    return None


def _warn_network_once(path: Path, ask: bool) -> None:
    settings = load_settings()
    key = str(path.resolve())
    if key in settings.warned_network_paths:
        return
    message = (
        f"データベース「{path}」はネットワーク上にあります。共有フォルダではデータベースの同時利用の制御が"
        "確実に働かないことがあるため、できるだけ各パソコンのフォルダに置いてください。"
    )
    if ask:
        QMessageBox.warning(None, "ネットワーク上のデータベース", message)
    else:
        _say(message)
    settings.warned_network_paths.append(key)
    save_settings(settings)
