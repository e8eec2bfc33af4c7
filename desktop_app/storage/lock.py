"""One writer per database: a lock file beside it, taken by the window and by command-line writes alike.

The file is `<database>.lock` in QLockFile's format (process id, program, host name, one a line), so
an older version of the app, which used Qt's QLockFile, and this one see each other's locks. The
command line must not import Qt, hence this pure-Python lock. `<database>.lock.owner` adds the user
name, which QLockFile does not record, so a refusal can say who holds the database.

A holder on another PC cannot be asked whether it still runs, so the window proves it is alive by
refreshing the lock file's modification time (`heartbeat`); a lock from another PC left unrefreshed
for long is stale (its PC crashed, lost power or its network, or sleeps) and the next PC takes it over.
"""

from __future__ import annotations

import contextlib
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
# How often a window refreshes its lock file's modification time.
HEARTBEAT_SECONDS = 60
# A lock from another PC not refreshed for this long is stale. Far above the heartbeat on purpose:
# office PCs' clocks drift apart by a minute or more when one misses its time sync (the age compares
# our clock with the time the holder, or the file server, stamped), FAT/exFAT drives keep times to
# 2 s, and a synced folder may carry a refreshed time over minutes late. A PC that only sleeps
# finds, when it wakes, that its lock was taken over (`heartbeat`) and stops writing.
STALE_AFTER_SECONDS = 10 * 60


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


def _parse_lock(text: str) -> LockInfo | None:
    lines = text.splitlines()
    try:
        return LockInfo(int(lines[0]), lines[1] if len(lines) > 1 else "", lines[2] if len(lines) > 2 else "")
    except (ValueError, IndexError):
        return None


def read_lock_info(lock_file: Path) -> LockInfo | None:
    """The holder a lock file names; None when there is no readable lock file."""
    try:
        return _parse_lock(lock_file.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None


def lock_age(lock_file: Path) -> float | None:
    """Seconds since the lock file was last refreshed (by our clock); None when it cannot be read."""
    try:
        return time.time() - lock_file.stat().st_mtime
    except OSError:
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


def is_stale(info: LockInfo, age_seconds: float | None = None) -> bool:
    """A lock left by a program that is gone.

    On this PC, as QLockFile decides: its process no longer runs (age says nothing, a window may sit
    idle all day). From another PC: not refreshed for `STALE_AFTER_SECONDS` (`age_seconds`).
    """
    same_host = not info.host or info.host == socket.gethostname()
    if same_host:
        return not _process_running(info.pid)
    return age_seconds is not None and age_seconds > STALE_AFTER_SECONDS


def _named(db_path: Path, info: LockInfo) -> str:
    try:
        user, host = owner_file_for(db_path).read_text(encoding="utf-8").splitlines()[:2]
    except (OSError, ValueError):
        return f"ほかの利用者（{info.host}）" if info.host else "ほかの利用者"
    return f"{user}（{host}）"


def holder_of(db_path: Path) -> str | None:
    """`tanaka（PC-123）`: who holds the database's lock now; None when nobody does (or it is stale)."""
    lock_file = lock_file_for(db_path)
    info = read_lock_info(lock_file)
    if info is None or is_stale(info, lock_age(lock_file)):
        return None
    return _named(db_path, info)


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
        # Set when a heartbeat found the lock file gone and took the lock again: another PC may have
        # held it and written meanwhile (this one slept), so what the window shows may be old.
        self.retaken = False

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
                age = lock_age(self.file)
                if info is None or not is_stale(info, age):
                    return False
                log.warning(
                    "taking over stale lock %s of %s (process %s of %s on %s, last refreshed %s s ago)",
                    self.file,
                    _named(self.db_path, info),
                    info.pid,
                    info.program,
                    info.host,
                    "?" if age is None else round(age),
                )
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

    def heartbeat(self) -> str | None:
        """Refresh the lock file's time, so other PCs see we are alive; None while the lock is ours.

        When another PC took it over while we could not refresh it (this PC slept, or lost the share),
        the lock is let go of, without touching that PC's files, and who holds it now is returned: we
        must not write any more. A lock file simply gone is taken again quietly.
        """
        if self._fd is None:
            return None
        try:
            text = self.file.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            self._forget()
            try:
                if self.try_acquire():
                    log.info("lock %s had vanished; taken again", self.file)
                    self.retaken = True
                    return None
            except OSError as exc:
                log.warning("lock %s vanished and cannot be taken again: %s", self.file, exc)
                return self.holder()
            return self._taken_over_by()
        except OSError as exc:
            # The share out of reach for a moment: the next beat looks again.
            log.warning("cannot read lock %s: %s", self.file, exc)
            return None
        info = _parse_lock(text)
        if info is None or info.pid != os.getpid() or info.host != socket.gethostname():
            self._forget()
            return self._taken_over_by()
        try:
            os.utime(self.file)
        except OSError as exc:
            log.warning("cannot refresh lock %s: %s", self.file, exc)
        return None

    def _taken_over_by(self) -> str:
        holder = self.holder()
        log.warning("lock %s was taken over by %s while this program held it", self.file, holder)
        return holder

    def _forget(self) -> None:
        """Let go of the lock without removing its files: they are someone else's now, or gone."""
        if self._fd is None:
            return
        with contextlib.suppress(OSError):  # a handle on a share that dropped us while we slept
            os.close(self._fd)
        self._fd = None

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
