"""Opening the SQLite file: damage check, migrations from db/, WAL and foreign keys."""

from __future__ import annotations

import getpass
import logging
import os
import re
import sqlite3
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
BUSY_TIMEOUT_MS = 5000


class StorageError(Exception):
    """A database problem a person must be told about; the message is Japanese."""


class DatabaseDamagedError(StorageError):
    """The file is not a database, or fails SQLite's own integrity check. It is left untouched."""

    def __init__(self, path: Path, detail: str) -> None:
        # SQLite's integrity report is several lines ("*** in database main ***\nPage 3: ..."):
        # a message is one line (issue 11, item 13).
        detail = one_line(detail)
        if len(detail) > 160:  # the report lists every bad cell; the first few say enough
            detail = detail[:160] + "…"
        super().__init__(
            f"データベース「{shown(path)}」が壊れているため開けません（{detail}）。ファイルはそのまま残してあります。"
        )
        self.path = path
        self.detail = detail


class DatabaseTooNewError(StorageError):
    """The file was written by a newer version of the app."""


class Database:
    """An open database: its sqlite3 connection for reads, sqlite-utils for transactions and tables.

    sqlite-utils brings click, dateutil and pluggy with it, and importing them takes longer than
    the whole window takes to appear; so it is imported on first use (the first write, or just
    after the window has painted, when gui/app.py warms it up).
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._utils: sqlite_utils.Database | None = None

    @property
    def utils(self) -> sqlite_utils.Database:
        if self._utils is None:
            import sqlite_utils

            self._utils = sqlite_utils.Database(self.conn, execute_plugins=False, recursive_triggers=False)
        return self._utils

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """One transaction (a savepoint when nested): committed on success, rolled back on error."""
        with self.utils.atomic():
            yield self

    def table_names(self) -> list[str]:
        return list(self.utils.table_names())

    def close(self) -> None:
        self.conn.close()


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


def check_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database or fails `PRAGMA quick_check`, without writing to it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise StorageError(f"データベース「{path}」を読めません（{exc.strerror}）。") from exc
    if header != _SQLITE_HEADER:
        raise DatabaseDamagedError(path, "SQLiteのデータベースではありません")
    # Read-only, and immutable-free, so a damaged file is never written to by this check.
    uri = f"{path.resolve().as_uri()}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise DatabaseDamagedError(path, str(exc)) from exc
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamagedError(path, str(exc)) from exc
    finally:
        conn.close()
    if rows != [("ok",)]:
        first = rows[0][0] if rows else "不明な異常"
        raise DatabaseDamagedError(path, f"整合性検査で異常: {first}")


def user_version(db: Database) -> int:
    return int(db.conn.execute("PRAGMA user_version").fetchone()[0])


def connect(path: Path, *, readonly: bool = False) -> Database:
    """A connection with foreign keys on and explicit transactions (sqlite-utils' atomic())."""
    if readonly:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return Database(conn)


def open_database(
    path: Path,
    *,
    readonly: bool = False,
    check: bool = True,
    before_migration: Callable[[Path, int], object] | None = None,
) -> tuple[Database, bool]:
    """Open (creating when missing) and migrate the database; returns it and whether it is new.

    `before_migration(path, from_version)` runs before an existing database is migrated, so the
    caller can take a backup first.
    """
    is_new = not path.exists() or path.stat().st_size == 0
    if check:
        check_file(path)
    if is_new:
        if readonly:
            raise StorageError(f"データベース「{path}」がありません。")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"フォルダ「{path.parent}」を作れません（{exc.strerror}）。") from exc
    try:
        db = connect(path, readonly=readonly)
        version = user_version(db)
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamagedError(path, str(exc)) from exc
    known = migrations()
    latest = known[-1].version if known else 0
    if version > latest:
        db.close()
        raise DatabaseTooNewError(
            f"データベース「{path}」は新しい版のアプリで作られています（版 {version}）。アプリを更新してください。"
        )
    if version < latest:
        if readonly:
            db.close()
            raise StorageError(f"データベース「{path}」は古い形式のため、読み取り専用では開けません。")
        if version > 0 and before_migration is not None:
            before_migration(path, version)
        _migrate(db, known, version)
    if not readonly:
        _set_journal_mode(db)
    return db, is_new


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
