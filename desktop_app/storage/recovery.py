"""What to do when the database file is damaged, and whether it lives on a network share."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from desktop_app.paths import backup_dir_for
from desktop_app.storage.backup import BackupInfo, copy_database, newest_good_backup
from desktop_app.storage.database import DatabaseDamagedError, StorageError, verify_database

log = logging.getLogger("machizukuri.recovery")
NETWORK_FILESYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb", "smb3", "smbfs", "sshfs", "fuse.sshfs", "afs", "ncpfs", "9p"}
)
_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class Recovered:
    backup: BackupInfo
    damaged_copy: Path


def set_aside_damaged(path: Path, when: dt.datetime | None = None) -> Path:
    """Rename a damaged database (and its WAL files) with a timestamp; never delete it."""
    stamp = (when or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.damaged-{stamp}{path.suffix}")
    os.replace(path, target)
    for suffix in _SIDE_FILES:
        side = Path(str(path) + suffix)
        if side.exists():
            os.replace(side, Path(str(target) + suffix))
    log.warning("damaged database %s kept as %s", path, target)
    return target


def recover_from_backup(path: Path) -> Recovered:
    """Put the newest backup that passes the integrity check in place of a damaged database.

    Only a database that is damaged now is replaced: one that passes `PRAGMA integrity_check`
    (after SQLite has rolled back any interrupted transaction) holds committed work, and another
    program may be writing to it, so it is never renamed.
    """
    backup = newest_good_backup(backup_dir_for(path))
    if backup is None:
        raise StorageError("使える（壊れていない）バックアップがありません。")
    if not is_damaged(path):
        raise StorageError(f"データベース「{path}」は壊れていないため、バックアップで置き換えません。")
    damaged = set_aside_damaged(path)
    copy_database(backup.path, path)
    return Recovered(backup, damaged)


def is_damaged(path: Path) -> bool:
    """True when the database is empty, not SQLite, or fails the full integrity check now.

    A busy database raises DatabaseBusyError: busy is never damage.
    """
    try:
        verify_database(path)
    except DatabaseDamagedError:
        return True
    return False


def is_network_path(path: Path) -> bool:
    """True for a UNC path, a mapped network drive or a network file system mount."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return True
    if sys.platform == "win32":
        return _windows_remote_drive(path)
    if sys.platform.startswith("linux"):
        return _linux_network_mount(path)
    return False


def _windows_remote_drive(path: Path) -> bool:  # pragma: no cover - Windows only
    import ctypes

    drive = os.path.splitdrive(str(path.resolve()))[0]
    if not drive:
        return False
    drive_remote = 4
    return bool(ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == drive_remote)  # type: ignore[attr-defined]


def _linux_network_mount(path: Path, mounts_file: Path = Path("/proc/mounts")) -> bool:
    try:
        lines = mounts_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    target = str(path.resolve())
    best, best_type = "", ""
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        if (target == mount_point or target.startswith(mount_point.rstrip("/") + "/")) and len(mount_point) > len(best):
            best, best_type = mount_point, parts[2]
    return best_type in NETWORK_FILESYSTEMS
