"""The database file: created and migrated, WAL and foreign keys, damage detected without writing."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from desktop_app import operations
from desktop_app.storage import (
    DatabaseDamagedError,
    StorageError,
    history,
    list_sheets,
    load_sheet,
    open_database,
    replace_sheets,
)
from desktop_app.storage.database import DatabaseTooNewError, migrations
from tests.factories import small_sheet


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_database_is_migrated_with_wal_and_foreign_keys(db_path: Path) -> None:
    db, created = open_database(db_path)
    assert created
    assert db.conn.execute("PRAGMA user_version").fetchone()[0] == migrations()[-1].version
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert {"sheets", "projects", "amounts", "history"} <= set(db.table_names())
    db.close()
    again, created_again = open_database(db_path)
    assert not created_again
    again.close()


def test_first_start_fills_the_five_wards_sample(workspace: operations.Workspace) -> None:
    wards = [s.ward for s in list_sheets(workspace.db)]
    assert wards == ["中央区", "東区", "西区", "南区", "北区"]


def test_sheet_survives_storage_unchanged(empty_workspace: operations.Workspace) -> None:
    sheet = small_sheet()
    replace_sheets(empty_workspace.db, [sheet], source="test")
    assert load_sheet(empty_workspace.db, "東区", 2020) == sheet


def test_import_writes_history_in_the_same_transaction(empty_workspace: operations.Workspace) -> None:
    stored, replaced = replace_sheets(empty_workspace.db, [small_sheet()], source="a.json", user="tanaka")[0]
    assert not replaced
    assert stored.id is not None
    entries = history(empty_workspace.db, sheet_id=stored.id)
    assert [(e.field, e.new_value, e.changed_by) for e in entries] == [("取込", "a.json", "tanaka")]
    _, replaced_again = replace_sheets(empty_workspace.db, [small_sheet()], source="b.json")[0]
    assert replaced_again
    assert [e.new_value for e in history(empty_workspace.db, sheet_id=stored.id)] == ["b.json", "a.json"]


def test_a_failing_import_leaves_nothing_behind(empty_workspace: operations.Workspace) -> None:
    good = small_sheet("東区")
    bad = small_sheet("西区")
    # A category missing from the sheet's list is allowed, but a NULL name breaks a NOT NULL column.
    broken = bad.__class__(**{**bad.__dict__, "title": None})
    with pytest.raises(sqlite3.IntegrityError):
        replace_sheets(empty_workspace.db, [good, broken], source="x")
    assert list_sheets(empty_workspace.db) == []
    assert empty_workspace.db.conn.execute("SELECT COUNT(*) FROM history").fetchone()[0] == 0


def test_not_a_database_is_refused_and_left_untouched(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"This is a Word document, not a database." * 100)
    before = _digest(db_path)
    with pytest.raises(DatabaseDamagedError, match="壊れているため開けません"):
        open_database(db_path)
    assert _digest(db_path) == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]


def test_damaged_pages_are_found_by_quick_check(workspace: operations.Workspace, db_path: Path) -> None:
    workspace.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    workspace.close()
    data = bytearray(db_path.read_bytes())
    page_size = 4096
    # Overwrite the middle of the file (table and index pages) with garbage, keeping the header.
    for offset in range(page_size * 2, len(data) - page_size, page_size * 2):
        data[offset + 8 : offset + 200] = b"\xff" * 192
    db_path.write_bytes(bytes(data))
    before = _digest(db_path)
    with pytest.raises(DatabaseDamagedError):
        open_database(db_path)
    assert _digest(db_path) == before


def test_database_from_a_newer_app_is_refused(db_path: Path) -> None:
    db, _ = open_database(db_path)
    db.conn.execute("PRAGMA user_version = 999")
    db.close()
    with pytest.raises(DatabaseTooNewError, match="新しい版"):
        open_database(db_path)


def test_existing_database_is_backed_up_before_a_migration(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db, _ = open_database(db_path)
    db.close()
    from desktop_app.storage import database as database_module

    real = migrations()
    extra = db_path.parent / "9999_extra.sql"
    extra.write_text("-- a later schema change\nCREATE TABLE extra_table (x INTEGER);\n", encoding="utf-8")
    monkeypatch.setattr(database_module, "migrations", lambda: [*real, database_module.Migration(9999, extra)])
    calls: list[int] = []
    db, _ = open_database(db_path, before_migration=lambda path, version: calls.append(version))
    assert calls == [real[-1].version]
    assert "extra_table" in db.table_names()
    assert db.conn.execute("PRAGMA user_version").fetchone()[0] == 9999
    db.close()


def test_readonly_open_of_a_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="ありません"):
        open_database(tmp_path / "missing.sqlite3", readonly=True)
