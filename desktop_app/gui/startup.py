"""Opening the database for the window: one writer at a time, damage handled, network paths warned."""

from __future__ import annotations

import logging
import socket
import sys
from pathlib import Path

from PySide6.QtCore import QLockFile
from PySide6.QtWidgets import QFileDialog, QMessageBox

from desktop_app import operations
from desktop_app.operations import (
    DatabaseDamagedError,
    StorageError,
    current_user,
    is_network_path,
    recover_from_backup,
)
from desktop_app.settings import load_settings, save_settings

log = logging.getLogger("machizukuri.gui.startup")
LOCK_WAIT_MS = 200


def lock_for(path: Path) -> QLockFile:
    lock = QLockFile(str(path) + ".lock")
    # Never call a lock stale by age: the holder keeps the window open all day without touching it.
    # Qt still removes a lock whose process is gone on the same PC.
    lock.setStaleLockTime(0)
    return lock


def _owner_file(lock: QLockFile) -> Path:
    return Path(lock.fileName() + ".owner")


def try_lock(lock: QLockFile) -> bool:
    """Take the lock and note who holds it (QLockFile itself records only the process and host)."""
    if not lock.tryLock(LOCK_WAIT_MS):
        return False
    try:
        _owner_file(lock).write_text(f"{current_user()}\n{socket.gethostname()}\n", encoding="utf-8")
    except OSError as exc:
        log.warning("could not record the lock's owner: %s", exc)
    return True


def release(lock: QLockFile) -> None:
    _owner_file(lock).unlink(missing_ok=True)
    lock.unlock()


def holder_of(lock: QLockFile) -> str:
    """`tanaka（PC-123）`: who holds the lock, as far as the lock's owner note says."""
    try:
        user, host = _owner_file(lock).read_text(encoding="utf-8").splitlines()[:2]
    except (OSError, ValueError):
        _pid, host, _app = lock.getLockInfo()
        return f"ほかの利用者（{host}）" if host else "ほかの利用者"
    return f"{user}（{host}）"


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def open_database_for_window(path: Path, *, ask: bool) -> tuple[operations.Workspace, QLockFile | None] | None:
    """The workspace to show (read-only when someone else writes to it), or None to quit."""
    if is_network_path(path):
        _warn_network_once(path, ask)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock: QLockFile | None = lock_for(path)
    readonly = False
    assert lock is not None
    if not try_lock(lock):
        holder = holder_of(lock)
        if not ask:
            _say(f"データベース「{path}」は{holder}が使用中のため、読み取り専用で開きます。")
            readonly = True
        else:
            answer = QMessageBox.question(
                None,
                "使用中のデータベース",
                f"このデータベースは{holder}が使用中です。\n読み取り専用で開きますか？（変更はできません）",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return None
            readonly = True
        lock = None
    while True:
        try:
            return operations.open_workspace(path, readonly=readonly), lock
        except DatabaseDamagedError as exc:
            replacement = _handle_damage(path, exc, ask)
            if replacement is None:
                return None
            if replacement != path:
                if lock is not None:
                    release(lock)
                path = replacement
                lock = lock_for(path)
                if not try_lock(lock):
                    readonly, lock = True, None
        except StorageError as exc:
            if ask:
                QMessageBox.critical(None, "データベースを開けません", str(exc))
            else:
                _say(str(exc))
            return None


def _handle_damage(path: Path, error: DatabaseDamagedError, ask: bool) -> Path | None:
    """Offer the newest good backup or another file; the damaged file is kept under a new name."""
    if not ask:
        _say(str(error))
        return None
    box = QMessageBox()
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("データベースが壊れています")
    box.setText(f"{error}\n\n最新の正常なバックアップから復元するか、別のファイルを開いてください。")
    restore = box.addButton("バックアップから復元", QMessageBox.ButtonRole.AcceptRole)
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
            f"{restored.backup.taken_at:%Y-%m-%d %H:%M}のバックアップから復元しました。\n"
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
