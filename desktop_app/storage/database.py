"""Opening the SQLite file: is it ours, damaged or busy; migrations from db/, WAL and foreign keys.

Busy is never damage: only a failed `PRAGMA quick_check` (or a file that is not SQLite at all, or an
empty one) is called damaged. A file that is not ours is refused before anything is written to it.
"""

from __future__ import annotations

import errno
import functools
import getpass
import logging
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.messages import one_line, shown
from desktop_app.paths import data_path

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger("machizukuri.storage")

_SQLITE_HEADER = b"SQLite format 3\x00"
_MIGRATION_NAME = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")
# 'MKZ1': set by db/0002_application_id.sql; how a file says it is this app's database.
APPLICATION_ID = 0x4D4B5A31
# The last schema version written before APPLICATION_ID existed (see _is_ours).
UNMARKED_VERSION = 1
# The oldest schema a read-only open can read without migrating (0003 added the sheets' layout column).
READABLE_FROM_VERSION = 3
BUSY_TIMEOUT_MS = 5000
# Tests shorten the wait for a busy database; the app itself always waits BUSY_TIMEOUT_MS.
BUSY_TIMEOUT_ENV = "MACHIZUKURI_BUSY_TIMEOUT_MS"
# How long to wait silently before saying that we wait.
QUIET_WAIT_MS = 300

_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR = 5, 6, 8, 10
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 11, 13, 14, 26
_SQLITE_READONLY_ROLLBACK = _SQLITE_READONLY | (3 << 8)

WaitCallback = Callable[[str], object]


class StorageError(Exception):
    """A database problem a person must be told about; the message is Japanese."""


class DatabaseDamagedError(StorageError):
    """The file is not a database, or fails SQLite's own integrity check. It is left untouched."""

    def __init__(self, path: Path, detail: str, message: str | None = None) -> None:
        # SQLite's integrity report is several lines ("*** in database main ***\nPage 3: ..."):
        # a message is one line (issue 11, item 13).
        detail = one_line(detail)
        if len(detail) > 160:  # the report lists every bad cell; the first few say enough
            detail = detail[:160] + "…"
        super().__init__(
            one_line(message)
            if message
            else f"データベース「{shown(path)}」が壊れているため開けません（{detail}）。ファイルはそのまま残してあります。"
        )
        self.path = path
        self.detail = detail


class EmptyDatabaseError(DatabaseDamagedError):
    """An existing 0-byte database: a sync accident or damage, never a new database to fill."""

    def __init__(self, path: Path, backup: Path | None) -> None:
        where = f"最新の正常なバックアップ: {backup}" if backup else "使えるバックアップはありません"
        super().__init__(path, "0バイト", f"データベース「{path}」は空（0バイト）のため開けません（{where}）。")
        self.backup = backup


class DatabaseTooNewError(StorageError):
    """The file was written by a newer version of the app."""


class NotOurDatabaseError(StorageError):
    """Another program's SQLite file: refused without writing a byte to it."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"「{path}」はこのアプリのデータベースではないため開きません（ファイルは変更していません）。")
        self.path = path


class DatabaseBusyError(StorageError):
    """Someone else holds the database longer than we wait: busy, not damaged."""

    def __init__(self, path: Path, holder: str | None, action: str = "開けません") -> None:
        super().__init__(
            f"データベース「{path}」は{holder or 'ほかのプログラム'}が使用中のため{action}"
            "（しばらくしてからもう一度お試しください）。"
        )
        self.path = path
        self.holder = holder


class DatabaseReadOnlyError(StorageError):
    """The database file, or its folder, cannot be written."""

    def __init__(self, path: Path, *, folder: bool = False) -> None:
        what = f"データベース「{path}」のあるフォルダ" if folder else f"データベース「{path}」"
        super().__init__(f"{what}が読み取り専用のため、変更できません。")
        self.path = path


class DiskFullError(StorageError):
    """No space left where the database (or its backup) is written; nothing was changed."""

    def __init__(self, path: Path, what: str = "データベース") -> None:
        super().__init__(f"空き容量不足のため、{what}「{path}」に書き込めません（変更は保存されていません）。")
        self.path = path


def busy_timeout_ms() -> int:
    try:
        return max(0, int(os.environ.get(BUSY_TIMEOUT_ENV, "")))
    except ValueError:
        return BUSY_TIMEOUT_MS


def _holder(path: Path) -> str | None:
    from desktop_app.storage.lock import holder_of

    return holder_of(path)


def error_code(exc: BaseException) -> int:
    return int(getattr(exc, "sqlite_errorcode", 0) or 0)


def is_busy(exc: BaseException) -> bool:
    return error_code(exc) & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in str(exc)


def folder_writable(path: Path) -> bool:
    return os.access(path.parent, os.W_OK)


def _disk_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.parent).free < 64 * 1024
    except OSError:
        return False


def translate_error(exc: BaseException, path: Path, *, action: str = "書き込めません") -> StorageError | None:
    """The Japanese sentence for an SQLite or OS failure on the database; None for a bug's error."""
    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return DiskFullError(path)
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return DatabaseReadOnlyError(path, folder=not path.exists() or os.access(path, os.W_OK))
        return StorageError(f"データベース「{path}」に書き込めません（{exc.strerror}）。")
    if not isinstance(exc, sqlite3.OperationalError) and type(exc) is not sqlite3.DatabaseError:
        return None
    code = error_code(exc) & 0xFF
    if is_busy(exc):
        return DatabaseBusyError(path, _holder(path), action)
    if code == _SQLITE_READONLY or "readonly database" in str(exc):
        return DatabaseReadOnlyError(path, folder=os.access(path, os.W_OK))
    if code == _SQLITE_FULL or "disk is full" in str(exc):
        return DiskFullError(path)
    if code == _SQLITE_CANTOPEN and not folder_writable(path):
        return DatabaseReadOnlyError(path, folder=True)
    if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return DatabaseDamagedError(path, str(exc))
    if code in (_SQLITE_CANTOPEN, _SQLITE_IOERR) and _disk_full(path):
        # SQLite reports a full disk as an I/O error where it cannot grow its shared memory (-shm).
        return DiskFullError(path)
    if code in (_SQLITE_CANTOPEN, _SQLITE_IOERR):
        return StorageError(f"データベース「{path}」を読み書きできません（{exc}）。")
    return None


class Database:
    """An open database: its sqlite3 connection for reads, sqlite-utils for tables.

    sqlite-utils brings click, dateutil and pluggy with it, and importing them takes longer than
    the whole window takes to appear; so it is imported on first use (the first write, or just
    after the window has painted, when gui/app.py warms it up).
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path | None = None,
        *,
        on_wait: WaitCallback | None = None,
        readonly_reason: str | None = None,
    ) -> None:
        self.conn = conn
        self.path = path
        # Told (once per wait) when another program holds the database and we wait for it.
        self.on_wait = on_wait
        # Why a database asked for writing was opened read-only (its file or folder), or None.
        self.readonly_reason = readonly_reason
        self._utils: sqlite_utils.Database | None = None

    @property
    def utils(self) -> sqlite_utils.Database:
        if self._utils is None:
            import sqlite_utils

            self._utils = sqlite_utils.Database(self.conn, execute_plugins=False, recursive_triggers=False)
        return self._utils

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """One transaction (a savepoint when nested): committed on success, rolled back on error.

        The outermost level begins IMMEDIATE: the write lock is taken at the start, where the busy
        timeout applies. A deferred BEGIN that later needs to write gets SQLITE_BUSY at once, without
        waiting (SQLite's deadlock avoidance), which is how a second import used to fail.
        """
        if self.conn.in_transaction:
            with self.utils.atomic():
                yield self
            return
        try:
            self._begin_immediate()
            try:
                yield self
            except BaseException:
                self._rollback()
                raise
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            translated = translate_error(exc, self.path or Path("?"))
            if translated is None:
                raise
            raise translated from exc

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error as exc:  # SQLite may have rolled back already (disk full, I/O error)
                log.warning("rollback failed: %s", exc)

    def _begin_immediate(self) -> None:
        waited_ms = wait_if_busy(self.conn, lambda: self.conn.execute("BEGIN IMMEDIATE"), self._say_waiting)
        if waited_ms:
            log.info("waited %d ms for the write lock of %s", waited_ms, self.path)

    def _say_waiting(self) -> None:
        say_waiting(self.path or Path("?"), self.on_wait)

    def table_names(self) -> list[str]:
        return list(self.utils.table_names())

    def close(self) -> None:
        self.conn.close()


def say_waiting(path: Path, on_wait: WaitCallback | None) -> None:
    """The one line a person sees while we wait for another program to let go of the database."""
    message = f"データベース「{path}」は{_holder(path) or 'ほかのプログラム'}が使用中のため待っています…"
    log.info("%s", message)
    if on_wait is not None:
        on_wait(message)


def wait_if_busy(conn: sqlite3.Connection, action: Callable[[], object], on_busy: Callable[[], None]) -> int:
    """Run `action`; when the database is busy, say so once and wait up to the busy timeout.

    Returns how many milliseconds were spent waiting; a database still busy after that raises the
    original sqlite3 error, for the caller to translate.
    """
    full = busy_timeout_ms()
    started = time.monotonic()
    conn.execute(f"PRAGMA busy_timeout = {min(QUIET_WAIT_MS, full)}")
    try:
        action()
        return 0
    except sqlite3.OperationalError as exc:
        if not is_busy(exc) or full <= QUIET_WAIT_MS:
            raise
    finally:
        conn.execute(f"PRAGMA busy_timeout = {full}")
    on_busy()
    action()
    return int((time.monotonic() - started) * 1000)


@dataclass(frozen=True)
class Migration:
    version: int
    path: Path


def migrations() -> list[Migration]:
    """The numbered schema files in db/, in order."""
    folder = data_path("db")
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _MIGRATION_NAME.fullmatch(path.name)
        if match:
            found.append(Migration(int(match.group(1)), path))
    return found


def current_user() -> str:
    """The OS user, for the history table (who made a change)."""
    try:
        return getpass.getuser()
    except Exception:  # getuser raises OSError or KeyError when no user name is configured
        return os.environ.get("USERNAME") or os.environ.get("USER") or "unknown"


def _read_header(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise StorageError(f"データベース「{path}」を読めません（{exc.strerror}）。") from exc


def check_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database or fails `PRAGMA quick_check`, without writing to it.

    For backups and other files nobody writes to; the live database is checked by open_database,
    which also lets SQLite roll back a hot journal first.
    """
    if not path.exists() or path.stat().st_size == 0:
        return
    if _read_header(path) != _SQLITE_HEADER:
        raise DatabaseDamagedError(path, "SQLiteのデータベースではありません")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout_ms() / 1000)
    except sqlite3.Error as exc:
        raise DatabaseDamagedError(path, str(exc)) from exc
    try:
        _quick_check(conn, path)
    except sqlite3.Error as exc:
        raise translate_error(exc, path, action="開けません") or DatabaseDamagedError(path, str(exc)) from exc
    finally:
        conn.close()


def _quick_check(conn: sqlite3.Connection, path: Path, *, full: bool = False) -> None:
    try:
        rows = conn.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        if error_code(exc) & 0xFF not in (0, _SQLITE_CORRUPT, _SQLITE_NOTADB):
            raise  # busy, read-only, a full disk: not damage; the caller waits or says what is wrong
        raise DatabaseDamagedError(path, str(exc)) from exc
    if rows != [("ok",)]:
        first = str(rows[0][0]).replace("\n", " ") if rows else "不明な異常"
        raise DatabaseDamagedError(path, f"整合性検査で異常: {first}")


def user_version(db: Database) -> int:
    return int(db.conn.execute("PRAGMA user_version").fetchone()[0])


def connect(path: Path, *, readonly: bool = False, immutable: bool = False) -> Database:
    """A connection with foreign keys on and explicit transactions (Database.atomic())."""
    if readonly:
        flags = "mode=ro&immutable=1" if immutable else "mode=ro"
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{flags}", uri=True, isolation_level=None)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
    conn.execute("PRAGMA foreign_keys = ON")
    return Database(conn, path)


@functools.cache
def _schema_of_version(version: int) -> dict[str, tuple[str, ...]]:
    """Our tables and their columns as our migrations up to `version` create them."""
    db = Database(sqlite3.connect(":memory:", isolation_level=None))
    try:
        _migrate(db, [m for m in migrations() if m.version <= version], 0)
        return _schema(db.conn)
    finally:
        db.close()


def _schema(conn: sqlite3.Connection) -> dict[str, tuple[str, ...]]:
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {name: tuple(row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')) for name in tables}


def _is_ours(conn: sqlite3.Connection) -> bool:
    """Whether an existing SQLite file is this app's database (or a new, empty one we may fill).

    Marked files say so by their application_id. Files of schema version 1 were written before
    the mark existed: they count as ours when their tables and columns are exactly those our
    migrations up to version 1 create. Another program's file with a table or two of the same
    name cannot match all seven with every column, and a file with any extra table may hold
    someone else's data, which the app must not migrate, switch to WAL or fill with samples.
    """
    application_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    if application_id == APPLICATION_ID:
        return True
    if application_id != 0:
        return False
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version == 0:
        # A genuinely empty database (no schema at all) is new, and ours to create tables in.
        return int(conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]) == 0
    return version == UNMARKED_VERSION and _schema(conn) == _schema_of_version(UNMARKED_VERSION)


def is_our_file(path: Path) -> bool:
    """Whether a file on disk (a backup, say) is this app's database; read without writing."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return _is_ours(conn) and conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] > 0
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def _newest_backup(path: Path) -> Path | None:
    from desktop_app.paths import backup_dir_for
    from desktop_app.storage.backup import newest_good_backup

    found = newest_good_backup(backup_dir_for(path))
    return found.path if found is not None else None


def _create(path: Path, known: list[Migration]) -> None:
    """Make a new database: built under a temporary name and renamed, so a crash never leaves an
    empty file under the real name (an empty file is refused as damage)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise DatabaseReadOnlyError(path, folder=True) from exc
        raise StorageError(f"フォルダ「{path.parent}」を作れません（{exc.strerror}）。") from exc
    partial = path.parent / f".machizukuri-new-{os.getpid()}.tmp"
    try:
        db = Database(sqlite3.connect(str(partial), isolation_level=None), path)
        try:
            _migrate(db, known, 0)
        finally:
            db.close()
        if not path.exists():
            os.replace(partial, path)
    except (sqlite3.Error, OSError) as exc:
        translated = translate_error(exc, path)
        if translated is None:
            raise
        raise translated from exc
    finally:
        for leftover in (partial, Path(str(partial) + "-journal")):
            try:
                leftover.unlink(missing_ok=True)
            except OSError:
                log.warning("could not remove %s", leftover)


def _open_checked(path: Path, readonly: bool, check: bool, on_wait: WaitCallback | None) -> Database:
    """Connect, let SQLite roll back a hot journal, and refuse a damaged file or one not ours."""

    def waiting() -> None:
        say_waiting(path, on_wait)

    immutable = False
    for _attempt in range(3):
        try:
            db = connect(path, readonly=readonly, immutable=immutable)
        except sqlite3.Error as exc:
            raise translate_error(exc, path, action="開けません") or DatabaseDamagedError(path, str(exc)) from exc
        db.on_wait = on_wait
        try:
            ours: list[bool] = []

            def inspect(db: Database = db, ours: list[bool] = ours) -> None:
                if check:
                    _quick_check(db.conn, path)
                ours.append(_is_ours(db.conn))

            wait_if_busy(db.conn, inspect, waiting)
            if not ours[0]:
                raise NotOurDatabaseError(path)
            return db
        except sqlite3.Error as exc:
            db.close()
            code = error_code(exc)
            if code == _SQLITE_READONLY_ROLLBACK and os.access(path, os.W_OK) and folder_writable(path):
                # A writer died mid-transaction: a read-write connection lets SQLite roll it back.
                _roll_back_hot_journal(path, waiting)
                continue
            wal = Path(str(path) + "-wal")
            wal_empty = not wal.exists() or wal.stat().st_size == 0
            if (
                readonly
                and code & 0xFF == _SQLITE_CANTOPEN
                and not immutable
                and not folder_writable(path)
                and wal_empty
            ):
                # A WAL database on read-only media: nothing is in a -wal file, and nobody can
                # write there, so the main file is complete and can be read as it is.
                immutable = True
                continue
            raise translate_error(exc, path, action="開けません") or DatabaseDamagedError(path, str(exc)) from exc
        except BaseException:
            db.close()
            raise
    raise StorageError(f"データベース「{path}」を開けません。")


def verify_database(path: Path) -> None:
    """Run the full `PRAGMA integrity_check` on a live database (after SQLite rolls back a hot
    journal); raises DatabaseDamagedError when it fails, DatabaseBusyError when it is held."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise StorageError(f"データベース「{path}」を読めません（{exc.strerror}）。") from exc
    if size == 0:
        raise DatabaseDamagedError(path, "0バイト")
    if _read_header(path) != _SQLITE_HEADER:
        raise DatabaseDamagedError(path, "SQLiteのデータベースではありません")
    writable = os.access(path, os.W_OK) and folder_writable(path)
    db = connect(path, readonly=not writable)
    try:
        wait_if_busy(db.conn, lambda: _quick_check(db.conn, path, full=True), lambda: None)
    except sqlite3.Error as exc:
        raise translate_error(exc, path, action="検査できません") or DatabaseDamagedError(path, str(exc)) from exc
    finally:
        db.close()


def _roll_back_hot_journal(path: Path, on_busy: Callable[[], None]) -> None:
    db = connect(path)
    try:
        wait_if_busy(db.conn, lambda: db.conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone(), on_busy)
        log.warning("rolled back the interrupted transaction left in %s-journal", path)
    except sqlite3.Error as exc:
        raise translate_error(exc, path, action="開けません") or DatabaseDamagedError(path, str(exc)) from exc
    finally:
        db.close()


def open_database(
    path: Path,
    *,
    readonly: bool = False,
    check: bool = True,
    before_migration: Callable[[Path, int], object] | None = None,
    on_wait: WaitCallback | None = None,
) -> tuple[Database, bool]:
    """Open (creating when missing) and migrate the database; returns it and whether it is new.

    `before_migration(path, from_version)` runs before an existing database is migrated, so the
    caller can take a backup first. `on_wait(message)` is told when another program holds the
    database and we wait for it. A database whose file or folder cannot be written is opened
    read-only, with the reason in `Database.readonly_reason`.
    """
    path = Path(path)
    known = migrations()
    latest = known[-1].version if known else 0
    try:
        size: int | None = path.stat().st_size
    except FileNotFoundError:
        size = None
    except OSError as exc:
        raise StorageError(f"データベース「{path}」を読めません（{exc.strerror}）。") from exc
    created = size is None
    if size is None:
        if readonly:
            raise StorageError(f"データベース「{path}」がありません。")
        _create(path, known)
    elif size == 0:
        raise EmptyDatabaseError(path, _newest_backup(path))
    elif _read_header(path) != _SQLITE_HEADER:
        raise DatabaseDamagedError(path, "SQLiteのデータベースではありません")
    readonly_reason = None
    if not readonly and not (os.access(path, os.W_OK) and folder_writable(path)):
        readonly_reason = str(DatabaseReadOnlyError(path, folder=os.access(path, os.W_OK)))
        readonly = True
    db = _open_checked(path, readonly, check, on_wait)
    db.readonly_reason = readonly_reason
    try:
        version = user_version(db)
        if version > latest:
            raise DatabaseTooNewError(
                f"データベース「{path}」は新しい版のアプリで作られています（版 {version}）。アプリを更新してください。"
            )
        if version < latest:
            if readonly and version < READABLE_FROM_VERSION:
                raise StorageError(f"データベース「{path}」は古い形式のため、読み取り専用では開けません。")
            if not readonly:
                if version > 0 and before_migration is not None:
                    before_migration(path, version)
                _migrate(db, known, version)
        if not readonly:
            _set_journal_mode(db)
    except BaseException:
        db.close()
        raise
    return db, created


def _migrate(db: Database, known: list[Migration], version: int) -> None:
    for migration in known:
        if migration.version <= version:
            continue
        log.info("applying migration %s", migration.path.name)
        sql = migration.path.read_text(encoding="utf-8")
        with db.atomic():
            # executescript would commit; run statement by statement inside one transaction.
            for statement in _statements(sql):
                db.conn.execute(statement)
            db.conn.execute(f"PRAGMA user_version = {migration.version}")


def _statements(sql: str) -> list[str]:
    """Split a migration file into statements (our files hold no semicolons inside literals)."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]


def _set_journal_mode(db: Database) -> None:
    try:
        db.conn.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError as exc:
        # Some network shares cannot hold WAL's shared memory; the rollback journal still works.
        log.warning("WAL not available: %s", exc)
