"""One writer per database: a lock file beside it, taken by the window and by command-line writes alike.

The file is `<database>.lock` in QLockFile's format (process id, program, host name, one a line), so
an older version of the app, which used Qt's QLockFile, and this one see each other's locks. The
command line must not import Qt, hence this pure-Python lock. `<database>.lock.owner` adds the user
name, which QLockFile does not record, so a refusal can say who holds the database.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("machizukuri.storage.lock")
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class LockInfo:
    """What a lock file says about its holder."""

    pid: int
    program: str
    host: str


def lock_file_for(db_path: Path) -> Path:
    return Path(str(db_path) + ".lock")


def owner_file_for(db_path: Path) -> Path:
    return Path(str(db_path) + ".lock.owner")


def read_lock_info(lock_file: Path) -> LockInfo | None:
    """The holder a lock file names; None when there is no readable lock file."""
    try:
        lines = lock_file.read_text(encoding="utf-8", errors="replace").splitlines()
        return LockInfo(int(lines[0]), lines[1] if len(lines) > 1 else "", lines[2] if len(lines) > 2 else "")
    except (OSError, ValueError, IndexError):
        return None


def _process_running(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        query_limited_information, still_active = 0x1000, 259
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(query_limited_information, False, pid)
        if not handle:
            # Access denied still means the process exists.
            return bool(kernel32.GetLastError() == 5)
        try:
            code = ctypes.c_ulong()
            kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return code.value == still_active
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(info: LockInfo) -> bool:
    """A lock left by a program that is gone: only provable on the same PC (as QLockFile decides).

    Never by age: a window may stay open all day without touching its lock.
    """
    same_host = not info.host or info.host == socket.gethostname()
    return same_host and not _process_running(info.pid)


def holder_of(db_path: Path) -> str | None:
    """`tanaka（PC-123）`: who holds the database's lock now; None when nobody does (or it is stale)."""
    info = read_lock_info(lock_file_for(db_path))
    if info is None or is_stale(info):
        return None
    try:
        user, host = owner_file_for(db_path).read_text(encoding="utf-8").splitlines()[:2]
    except (OSError, ValueError):
        return f"ほかの利用者（{info.host}）" if info.host else "ほかの利用者"
    return f"{user}（{host}）"


def _program_name() -> str:
    # QLockFile compares this with the running process's executable name to spot a reused pid.
    name = Path(sys.executable).resolve().name
    return name[:-4] if sys.platform == "win32" and name.lower().endswith(".exe") else name


class DatabaseLock:
    """The write lock of one database file."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.file = lock_file_for(db_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def try_acquire(self) -> bool:
        """Take the lock if free (removing a stale one); False when someone holds it.

        OSError (a read-only folder, say) goes to the caller: that is not someone holding it.
        """
        if self._fd is not None:
            return True
        for _attempt in range(2):
            try:
                fd = os.open(self.file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                info = read_lock_info(self.file)
                if info is None or not is_stale(info):
                    return False
                log.warning("removing stale lock %s of process %s", self.file, info.pid)
                try:
                    self.file.unlink()
                    owner_file_for(self.db_path).unlink(missing_ok=True)
                except OSError:
                    return False
                continue
            try:
                os.write(fd, f"{os.getpid()}\n{_program_name()}\n{socket.gethostname()}\n".encode())
            except OSError:
                os.close(fd)
                self.file.unlink(missing_ok=True)
                raise
            self._fd = fd
            self._write_owner()
            return True
        return False

    def acquire(self, timeout_ms: int, on_wait: Callable[[str], object] | None = None) -> bool:
        """Take the lock, waiting up to `timeout_ms` for its holder (said once through `on_wait`)."""
        deadline = time.monotonic() + timeout_ms / 1000
        said = False
        while not self.try_acquire():
            if time.monotonic() >= deadline:
                return False
            if not said and on_wait is not None:
                on_wait(f"データベース「{self.db_path}」は{self.holder()}が使用中のため待っています…")
                said = True
            time.sleep(POLL_SECONDS)
        return True

    def _write_owner(self) -> None:
        from desktop_app.storage.database import current_user

        try:
            owner_file_for(self.db_path).write_text(f"{current_user()}\n{socket.gethostname()}\n", encoding="utf-8")
        except OSError as exc:
            log.warning("could not record the lock's owner: %s", exc)

    def holder(self) -> str:
        return holder_of(self.db_path) or "ほかの利用者"

    def release(self) -> None:
        if self._fd is None:
            return
        owner_file_for(self.db_path).unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None
        try:
            self.file.unlink()
        except OSError as exc:
            log.warning("could not remove lock %s: %s", self.file, exc)
