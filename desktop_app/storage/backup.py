"""Consistent copies of the database (SQLite's backup API), their rotation, and restoring one."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import logging
import os
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from desktop_app.paths import backup_dir_for
from desktop_app.storage.database import (
    DatabaseBusyError,
    DatabaseDamagedError,
    DiskFullError,
    NotOurDatabaseError,
    StorageError,
    busy_timeout_ms,
    check_file,
    error_code,
    is_our_file,
    translate_error,
)

log = logging.getLogger("machizukuri.backup")

KEEP_DAILY = 30
KEEP_MONTHLY = 12
_NAME = re.compile(r"machizukuri-(\d{8})-(\d{6})(?:-(\d{6}))?-([a-z]+)\.sqlite3")
REASON_LABELS = {
    "daily": "起動時",
    "import": "取込前",
    "migration": "更新前",
    "restore": "復元前",
    "manual": "手動",
}


@dataclass(frozen=True)
class BackupInfo:
    """A backup file: when it was taken, why, and what it holds."""

    path: Path
    taken_at: dt.datetime
    reason: str

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)


class BackupError(StorageError):
    """A backup could not be written; the database itself was not changed."""


def _backup_error(exc: BaseException, target: Path) -> StorageError:
    """One sentence on why a backup failed: a full disk, a read-only folder, a busy database."""
    if isinstance(exc, StorageError):
        return exc
    code = error_code(exc) & 0xFF
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or code == 13 or "disk is full" in str(exc):
        return DiskFullError(target, "バックアップ")
    readonly = isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
    if readonly or code == 8 or (code == 14 and not os.access(target.parent, os.W_OK)):
        return BackupError(
            f"バックアップのフォルダ「{target.parent}」が読み取り専用のため、バックアップを作れません"
            "（データベースは変更していません）。"
        )
    if isinstance(exc, _StillBusy):
        return DatabaseBusyError(exc.path, exc.holder, "バックアップできません")
    detail = exc.strerror if isinstance(exc, OSError) else str(exc)
    return BackupError(f"バックアップ「{target}」を作れません（{detail}）。")


class _StillBusy(Exception):
    def __init__(self, path: Path) -> None:
        from desktop_app.storage.lock import holder_of

        super().__init__(path)
        self.path = path
        self.holder = holder_of(path)


def _give_up_when_busy(path: Path) -> Callable[[int, int, int], None]:
    """A backup() progress callback: Python's backup() retries a busy database forever, so stop it."""
    deadline = time.monotonic() + busy_timeout_ms() / 1000

    def progress(status: int, _remaining: int, _total: int) -> None:
        if status in (5, 6) and time.monotonic() > deadline:  # SQLITE_BUSY, SQLITE_LOCKED
            raise _StillBusy(path)

    return progress


def copy_database(source: Path | sqlite3.Connection, target: Path) -> Path:
    """Copy a database consistently (even while it is in use) to `target`, via a temporary file.

    The copy is checked with `PRAGMA quick_check` before it takes the target's name, so a crash
    or a bad copy never leaves a half-written backup under a real name; a failure (a full disk,
    say) leaves no temporary file behind either.
    """
    partial = target.with_name(target.name + ".partial")
    own_source = not isinstance(source, sqlite3.Connection)
    source_path = Path(source) if not isinstance(source, sqlite3.Connection) else target
    made_folder = not target.parent.exists()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        if isinstance(source, sqlite3.Connection):
            src = source
        else:
            src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout_ms() / 1000)
        try:
            dest = sqlite3.connect(str(partial))
            try:
                src.backup(dest, progress=_give_up_when_busy(source_path))
                dest.execute("PRAGMA journal_mode = DELETE")
                ok = dest.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            finally:
                dest.close()
        finally:
            if own_source:
                src.close()
        if not ok:
            raise BackupError(f"バックアップ「{target}」の検査に失敗しました。")
        os.replace(partial, target)
    except (sqlite3.Error, OSError, StorageError, _StillBusy) as exc:
        _clean_up(partial, made_folder)
        raise _backup_error(exc, target) from exc
    except BaseException:
        _clean_up(partial, made_folder)
        raise
    return target


def _clean_up(partial: Path, made_folder: bool) -> None:
    """After a failed copy: no temporary file, and no backup folder we made for it."""
    _remove_quietly(partial, Path(str(partial) + "-journal"))
    if made_folder:
        with contextlib.suppress(OSError):
            partial.parent.rmdir()


def _remove_quietly(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove %s: %s", path, exc)


def discard_backup(path: Path | None) -> None:
    """Remove a backup taken for an operation that then failed: it only copies the unchanged database,
    and a retry would otherwise leave one more full copy each time."""
    if path is not None:
        _remove_quietly(path)


def backup_name(reason: str, when: dt.datetime | None = None) -> str:
    when = when or dt.datetime.now()
    return f"machizukuri-{when:%Y%m%d-%H%M%S-%f}-{reason}.sqlite3"


def take_backup(db_path: Path, reason: str, *, folder: Path | None = None) -> Path | None:
    """A rotated backup of the database file into its backup folder; None when there is no file yet."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    folder = folder or backup_dir_for(db_path)
    target = copy_database(db_path, folder / backup_name(reason))
    log.info("backup %s (%s)", target, reason)
    prune_backups(folder)
    return target


def list_backups(folder: Path) -> list[BackupInfo]:
    """The backups in a folder, newest first."""
    found: list[BackupInfo] = []
    if not folder.is_dir():
        return found
    for path in folder.iterdir():
        match = _NAME.fullmatch(path.name)
        if not match:
            continue
        day, time, micro, reason = match.groups()
        taken = dt.datetime.strptime(day + time + (micro or "000000"), "%Y%m%d%H%M%S%f")
        found.append(BackupInfo(path, taken, reason))
    found.sort(key=lambda info: info.taken_at, reverse=True)
    return found


def backups_to_keep(backups: list[BackupInfo], now: dt.datetime | None = None) -> set[Path]:
    """Everything from the last day, the newest of each of the last 30 days and of the last 12 months."""
    now = now or dt.datetime.now()
    keep = {b.path for b in backups if now - b.taken_at < dt.timedelta(days=1)}
    days: dict[dt.date, Path] = {}
    months: dict[tuple[int, int], Path] = {}
    for info in backups:  # newest first, so the first seen of a day or month is its newest
        days.setdefault(info.taken_at.date(), info.path)
        months.setdefault((info.taken_at.year, info.taken_at.month), info.path)
    keep.update(path for _, path in sorted(days.items(), reverse=True)[:KEEP_DAILY])
    keep.update(path for _, path in sorted(months.items(), reverse=True)[:KEEP_MONTHLY])
    return keep


def prune_backups(folder: Path, now: dt.datetime | None = None) -> list[Path]:
    """Delete the backups the rotation no longer keeps; returns what was deleted."""
    backups = list_backups(folder)
    keep = backups_to_keep(backups, now)
    removed = []
    for info in backups:
        if info.path not in keep:
            try:
                info.path.unlink()
                removed.append(info.path)
            except OSError as exc:
                log.warning("could not remove old backup %s: %s", info.path, exc)
    return removed


def backup_is_due(db_path: Path, *, folder: Path | None = None, now: dt.datetime | None = None) -> bool:
    """True when the newest backup is more than a day old (or there is none)."""
    backups = list_backups(folder or backup_dir_for(db_path))
    now = now or dt.datetime.now()
    return not backups or now - backups[0].taken_at > dt.timedelta(days=1)


def sheet_count(path: Path) -> int | None:
    """How many sheets a backup holds; None when it cannot be read."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM sheets").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def newest_good_backup(folder: Path) -> BackupInfo | None:
    """The newest backup that passes SQLite's integrity check."""
    for info in list_backups(folder):
        try:
            check_file(info.path)
        except (DatabaseDamagedError, StorageError):
            continue
        if is_our_file(info.path):
            return info
    return None


def restore_into(backup: Path, live: sqlite3.Connection, live_path: Path) -> None:
    """Replace the open database's content with a backup's, in one step (SQLite backup API).

    The backup is checked first (sound, and ours); the caller takes a backup of the current state
    before this. A database another program holds is waited for, then refused as busy.
    """
    check_file(backup)
    if not is_our_file(backup):
        raise NotOurDatabaseError(backup)
    src = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
    try:
        src.backup(live, progress=_give_up_when_busy(live_path))
    except _StillBusy as exc:
        raise DatabaseBusyError(live_path, exc.holder, "復元できません") from exc
    except (sqlite3.Error, OSError) as exc:
        raise translate_error(exc, live_path) or StorageError(f"復元できません（{exc}）。") from exc
    finally:
        src.close()
