"""Office faults: a busy, half-written, empty, foreign, read-only or full database (issue 11).

Each case goes through the real command line (or the window's opening path), and checks the one
Japanese sentence a person reads and that the database, its folder and backups/ are unchanged.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app import operations
from desktop_app.domain.edits import plan_stage_lock
from desktop_app.exchange.json_format import dump_sheet
from desktop_app.storage import list_sheets, load_sheet
from desktop_app.storage.backup import list_backups, take_backup
from desktop_app.storage.database import APPLICATION_ID, BUSY_TIMEOUT_ENV, migrations
from desktop_app.storage.edits import apply_changes
from desktop_app.storage.lock import DatabaseLock
from tests.conftest import reopen_the_year
from tests.factories import database_digest, folder_digest, run_cli, small_sheet

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    # The app waits 5 s for a busy database; these tests need not.
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "700")


def assert_one_sentence(err: str, *expected: str) -> str:
    """The last stderr line is the refusal: one line, no traceback, naming what is wrong."""
    last = err.rstrip("\n").splitlines()[-1]
    assert "Traceback" not in err and "予期しない" not in err, err
    assert "壊れて" not in err, err
    for text in expected:
        assert text in last, err
    assert last.endswith("。"), err
    return last


def new_database(db_path: Path) -> Path:
    """A database with the sample sheets (the year still open), closed (its -wal folded in)."""
    workspace = operations.open_workspace(db_path)
    reopen_the_year(workspace.db.conn)
    workspace.close()
    return db_path


class Holder:
    """A second process holding the database (tests/db_holder.py)."""

    def __init__(self, db: Path, mode: str, seconds: float | None = None, user: str = "tanaka") -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "LOGNAME": user, "USER": user}
        args = [sys.executable, "-m", "tests.db_holder", str(db), mode]
        if seconds is not None:
            args.append(str(seconds))
        self.process = subprocess.Popen(
            args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        assert line == "READY", self.process.stderr.read() if self.process.stderr else line

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.communicate()

    def wait(self) -> None:
        self.process.communicate(timeout=30)


@pytest.fixture
def holders() -> Iterator[list[Holder]]:
    started: list[Holder] = []
    yield started
    for holder in started:
        if holder.process.poll() is None:
            holder.kill()


# ---------------------------------------------------------------- 2: busy is never damage


def test_a_database_held_by_another_program_is_waited_for_then_called_busy(
    db_path: Path, capsys: pytest.CaptureFixture[str], holders: list[Holder]
) -> None:
    new_database(db_path)
    holders.append(Holder(db_path, "exclusive"))
    before = folder_digest(db_path.parent)  # the holder has switched to the rollback journal
    started = time.monotonic()
    code, _, err = run_cli(capsys, "--db", db_path, "list")
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    assert "使用中のため待っています" in lines[0]
    assert_one_sentence(err, str(db_path), "ほかのプログラムが使用中のため開けません")
    assert time.monotonic() - started < 5
    holders[0].kill()
    assert folder_digest(db_path.parent) == before, "nothing renamed, replaced or backed up"


def test_the_holder_is_named_when_the_app_holds_it_and_the_wait_ends_when_it_lets_go(
    db_path: Path, capsys: pytest.CaptureFixture[str], holders: list[Holder], monkeypatch: pytest.MonkeyPatch
) -> None:
    new_database(db_path)
    holders.append(Holder(db_path, "applock", user="tanaka"))
    holders.append(Holder(db_path, "exclusive", seconds=0.8))
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "8000")
    code, out, err = run_cli(capsys, "--db", db_path, "list")
    assert code == 0, err
    assert "tanaka（" in err and "使用中のため待っています" in err
    assert "東区" in out


def test_a_hot_journal_left_by_a_killed_writer_is_rolled_back_not_called_damaged(
    db_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    new_database(db_path)
    before = database_digest(db_path)
    holder = Holder(db_path, "crash")
    holder.kill()
    journal = Path(str(db_path) + "-journal")
    assert journal.exists() and journal.stat().st_size > 0, "the writer was killed mid-transaction"
    # A read-only look (the second window) needs SQLite to roll the journal back first too.
    from desktop_app.gui.startup import open_database_for_window

    other_window = DatabaseLock(db_path)
    assert other_window.try_acquire()  # another window holds the write lock: this one opens read-only
    with caplog.at_level("WARNING", logger="machizukuri.storage"):
        opened = open_database_for_window(db_path, ask=False)
    assert opened is not None and opened[0].readonly
    assert "rolled back the interrupted transaction" in caplog.text
    opened[0].close()
    other_window.release()
    code, out, err = run_cli(capsys, "--db", db_path, "list")
    assert code == 0, err
    assert "壊れて" not in err and "東区" in out
    assert not journal.exists()
    assert database_digest(db_path) == before, "the half-written transaction is undone, the rest intact"
    assert not list(db_path.parent.glob("*.damaged-*"))


def test_restore_never_replaces_a_database_that_passes_the_integrity_check(db_path: Path) -> None:
    from desktop_app.storage import StorageError
    from desktop_app.storage.recovery import recover_from_backup

    new_database(db_path)
    take_backup(db_path, "daily")
    before = folder_digest(db_path.parent)
    with pytest.raises(StorageError, match="壊れていないため"):
        recover_from_backup(db_path)
    assert folder_digest(db_path.parent) == before


# ---------------------------------------------------------------- 3: an empty file is not a new database


def test_an_empty_database_file_is_refused_naming_the_newest_good_backup(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new_database(db_path)
    backup = take_backup(db_path, "daily")
    db_path.write_bytes(b"")
    before = folder_digest(db_path.parent)
    code, out, err = run_cli(capsys, "--db", db_path, "list")
    assert code == 1 and out == ""
    last = err.strip()
    assert "\n" not in last and "Traceback" not in last
    assert "空（0バイト）" in last and str(backup) in last
    assert folder_digest(db_path.parent) == before
    assert db_path.stat().st_size == 0, "not refilled with the sample sheets"


def test_an_empty_database_file_without_backups_is_refused_too(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"")
    code, _, err = run_cli(capsys, "--db", db_path, "import", "nothing.json")
    assert code == 1
    assert "空（0バイト）" in err and "使えるバックアップはありません" in err
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]


# ---------------------------------------------------------------- 4: another program's SQLite file


def _foreign(db_path: Path, *statements: str) -> Path:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db_path)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()
    return db_path


def _our_version_1_tables() -> list[str]:
    from desktop_app.storage.database import _statements

    return _statements(migrations()[0].path.read_text(encoding="utf-8"))


FOREIGN_FILES = {
    "notes-table": [
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
        "INSERT INTO notes (body) VALUES ('メモ')",
    ],
    "notes-version-1": ["CREATE TABLE notes (body TEXT)", "PRAGMA user_version = 1"],
    "other-application-id": ["CREATE TABLE sheets (x)", "PRAGMA application_id = 1234"],
    "our-tables-plus-theirs": [*_our_version_1_tables(), "CREATE TABLE notes (body TEXT)", "PRAGMA user_version = 1"],
    "our-tables-other-version": [*_our_version_1_tables(), "PRAGMA user_version = 7"],
    "a-table-without-a-version": ["CREATE TABLE sheets (id INTEGER PRIMARY KEY)"],
}


@pytest.mark.parametrize("kind", list(FOREIGN_FILES))
@pytest.mark.parametrize("command", [["list"], ["export", "json", "--ward", "東区", "--year", "2020", "-o", "-"]])
def test_another_programs_sqlite_file_is_refused_unchanged(
    db_path: Path, capsys: pytest.CaptureFixture[str], kind: str, command: list[str]
) -> None:
    _foreign(db_path, *FOREIGN_FILES[kind])
    before = folder_digest(db_path.parent)
    code, out, err = run_cli(capsys, "--db", db_path, *command)
    assert code == 1 and out == ""
    assert_one_sentence(err, str(db_path), "このアプリのデータベースではない")
    assert folder_digest(db_path.parent) == before, "no WAL switch, no tables, no samples"


def test_an_empty_sqlite_file_becomes_our_database(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _foreign(db_path, "CREATE TABLE scratch (x)", "DROP TABLE scratch")
    assert db_path.read_bytes()[:6] == b"SQLite"
    code, _, err = run_cli(capsys, "--db", db_path, "list")
    assert code == 0, err
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()


def test_an_unmarked_version_1_database_of_ours_is_marked_after_a_backup(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _foreign(db_path, *_our_version_1_tables(), "PRAGMA user_version = 1")
    code, _, err = run_cli(capsys, "--db", db_path, "list")
    assert code == 0, err
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations()[-1].version
    conn.close()
    assert [b.reason for b in list_backups(db_path.parent / "backups")] == ["migration"]


def test_a_new_database_is_marked_as_ours(db_path: Path) -> None:
    new_database(db_path)
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    conn.close()
    assert not list(db_path.parent.glob("*.tmp")), "built under a temporary name, nothing left behind"


# ---------------------------------------------------------------- 9: writers wait their turn


def _sheet_file(tmp_path: Path, ward: str = "西区", year: int = 2021) -> Path:
    path = tmp_path / f"{ward}-{year}.json"
    path.write_text(dump_sheet(small_sheet(ward, year)), encoding="utf-8")
    return path


@pytest.mark.parametrize("mode", ["immediate", "exclusive"])
def test_an_import_while_another_writes_waits_then_says_busy_and_leaves_no_backup(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], holders: list[Holder], mode: str
) -> None:
    new_database(db_path)
    holders.append(Holder(db_path, mode))
    before = folder_digest(db_path.parent)
    code, _, err = run_cli(capsys, "--db", db_path, "import", _sheet_file(tmp_path))
    assert code == 1
    assert "待っています" in err
    assert_one_sentence(err, "使用中のため")
    holders[0].kill()
    assert folder_digest(db_path.parent) == before


def test_an_import_waits_its_turn_behind_another_import(
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    holders: list[Holder],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    new_database(db_path)
    holders.append(Holder(db_path, "immediate", seconds=0.8))
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "8000")
    code, out, err = run_cli(capsys, "--db", db_path, "import", _sheet_file(tmp_path))
    assert code == 0, err
    assert "待っています" in err and "取り込みました" in out
    assert [b.reason for b in list_backups(db_path.parent / "backups")] == ["import"]


# ---------------------------------------------------------------- 10: the window's lock


def test_a_command_line_write_under_an_open_window_is_refused_but_reads_work(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop_app.gui.startup import open_database_for_window, release

    new_database(db_path)
    opened = open_database_for_window(db_path, ask=False)
    assert opened is not None
    workspace, lock = opened
    assert lock is not None
    try:
        before = folder_digest(db_path.parent)
        code, _, err = run_cli(capsys, "--db", db_path, "import", _sheet_file(tmp_path))
        assert code == 1
        assert_one_sentence(err, str(db_path), f"{lock.holder()}が使用中のため書き込めません")
        assert "（" in lock.holder(), "the holder is a user and a PC"
        assert folder_digest(db_path.parent) == before
        code, out, err = run_cli(capsys, "--db", db_path, "list")
        assert code == 0 and "東区" in out, err
        code, out, err = run_cli(
            capsys, "--db", db_path, "export", "json", "--ward", "東区", "--year", "2020", "-o", "-"
        )
        assert code == 0 and json.loads(out)["ward"] == "東区", err
    finally:
        workspace.close()
        release(lock)
    code, out, err = run_cli(capsys, "--db", db_path, "import", _sheet_file(tmp_path))
    assert code == 0, err


def test_the_window_writes_under_its_own_lock(db_path: Path, tmp_path: Path) -> None:
    from desktop_app.gui.startup import open_database_for_window, release

    opened = open_database_for_window(db_path, ask=False)
    assert opened is not None
    workspace, lock = opened
    assert lock is not None
    try:
        operations.import_files(workspace, [_sheet_file(tmp_path)])
        assert lock.held
    finally:
        workspace.close()
        release(lock)


# ---------------------------------------------------------------- 11: a 確定 stage survives an import


def _lock_stage(db_path: Path, stage: int) -> None:
    workspace = operations.open_workspace(db_path)
    sheet = load_sheet(workspace.db, "東区", 2020)
    assert sheet.id is not None
    apply_changes(workspace.db, sheet.id, plan_stage_lock(sheet, stage, True).changes)
    workspace.close()


def _exported(capsys: pytest.CaptureFixture[str], db_path: Path) -> dict:  # type: ignore[type-arg]
    code, out, err = run_cli(capsys, "--db", db_path, "export", "json", "--ward", "東区", "--year", "2020", "-o", "-")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


@pytest.mark.parametrize("change", ["amount", "unlock"])
def test_an_import_does_not_change_a_locked_stage(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], change: str
) -> None:
    new_database(db_path)
    _lock_stage(db_path, 0)
    data = _exported(capsys, db_path)
    assert data["locked_stages"] == ["当初予算"]
    if change == "amount":
        data["projects"][0]["amounts"][0] += 100
    else:
        del data["locked_stages"]
    edited = tmp_path / "higashi.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    before = folder_digest(db_path.parent)
    code, _, err = run_cli(capsys, "--db", db_path, "import", edited)
    assert code == 1
    assert_one_sentence(err, "higashi.json: ", "令和2年度 東区", "「当初予算」は確定済み")
    assert folder_digest(db_path.parent) == before


def test_a_locked_stage_changes_after_it_is_unlocked_and_an_unchanged_one_reimports(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new_database(db_path)
    _lock_stage(db_path, 0)
    data = _exported(capsys, db_path)
    same = tmp_path / "same.json"
    same.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, _, err = run_cli(capsys, "--db", db_path, "import", same)
    assert code == 0, err
    workspace = operations.open_workspace(db_path)
    sheet = load_sheet(workspace.db, "東区", 2020)
    assert sheet.stages[0].locked, "re-importing the same figures keeps the lock"
    assert sheet.id is not None
    apply_changes(workspace.db, sheet.id, plan_stage_lock(sheet, 0, False).changes)
    workspace.close()
    data["projects"][0]["amounts"][0] += 100
    del data["locked_stages"]
    same.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, _, err = run_cli(capsys, "--db", db_path, "import", same)
    assert code == 0, err
    assert _exported(capsys, db_path)["projects"][0]["amounts"][0] == data["projects"][0]["amounts"][0]


# ---------------------------------------------------------------- 12: disk full, read-only


def test_disk_full_while_importing_says_so_and_leaves_no_backup(
    workspace: operations.Workspace, tmp_path: Path
) -> None:
    from benchmarks.synthetic import synthetic_sheet
    from desktop_app.storage import StorageError

    big_sheet = tmp_path / "big.json"
    big_sheet.write_text(dump_sheet(synthetic_sheet("西区", 2031, 200)), encoding="utf-8")
    page_count = workspace.db.conn.execute("PRAGMA page_count").fetchone()[0]
    # SQLite's own limit on the file's size: the write fails with SQLITE_FULL, as on a full disk.
    workspace.db.conn.execute(f"PRAGMA max_page_count = {page_count}")
    before = database_digest(workspace.path)
    for _retry in range(3):
        with pytest.raises(StorageError) as caught:
            operations.import_files(workspace, [big_sheet])
        message = str(caught.value)
        assert message.startswith("空き容量不足のため") and "\n" not in message
    assert database_digest(workspace.path) == before
    assert list_backups(workspace.path.parent / "backups") == [], "no backup left by a failed import, however often"
    assert not list(workspace.path.parent.rglob("*.partial"))
    assert len(list_sheets(workspace.db)) == 5


def test_disk_full_while_backing_up_leaves_no_partial_file(
    workspace: operations.Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import errno

    real_replace = os.replace

    def full(source: object, target: object) -> None:
        if str(source).endswith(".partial"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr("desktop_app.storage.backup.os.replace", full)
    workspace.close()
    before = folder_digest(workspace.path.parent)
    code, _, err = run_cli(capsys, "--db", workspace.path, "import", _sheet_file(tmp_path))
    assert code == 1
    assert_one_sentence(err, "空き容量不足のため、バックアップ")
    code, _, err = run_cli(capsys, "--db", workspace.path, "backup")
    assert code == 1
    assert_one_sentence(err, "空き容量不足のため、バックアップ")
    after = folder_digest(workspace.path.parent)
    assert after == before


def _can_mount() -> bool:
    return sys.platform.startswith("linux") and os.geteuid() == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 3 MB file system (tmpfs), so a full disk is a full disk."""
    if not _can_mount():
        pytest.skip("mounting a small tmpfs needs root on Linux")
    folder = tmp_path / "small"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(folder)], check=False).returncode:
        pytest.skip("tmpfs cannot be mounted here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_really_full_disk_refuses_the_import_and_a_retry_leaves_nothing(
    small_disk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = new_database(small_disk / "machizukuri.sqlite3")
    filler = small_disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    before = folder_digest(small_disk)
    for _retry in range(2):
        code, _, err = run_cli(capsys, "--db", db, "import", _sheet_file(tmp_path))
        assert code == 1
        assert_one_sentence(err, "空き容量不足のため")
        assert folder_digest(small_disk) == before
    filler.unlink()
    code, _, err = run_cli(capsys, "--db", db, "import", _sheet_file(tmp_path))
    assert code == 0, err
    assert len(list_backups(small_disk / "backups")) == 1


@pytest.fixture
def read_only_folder(small_disk: Path) -> Iterator[Path]:
    """A database with backups on a file system then remounted read-only (root ignores chmod)."""
    db = new_database(small_disk / "machizukuri.sqlite3")
    take_backup(db, "daily")
    assert subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=False).returncode == 0
    yield db


def test_a_read_only_database_is_read_but_not_written(
    read_only_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = read_only_folder
    before = folder_digest(db.parent)
    code, out, err = run_cli(capsys, "--db", db, "list")
    assert code == 0 and "東区" in out, err
    for command in (["import", _sheet_file(tmp_path)], ["backup"]):
        code, _, err = run_cli(capsys, "--db", db, *command)
        assert code == 1
        assert_one_sentence(err, "読み取り専用")
    assert folder_digest(db.parent) == before


def test_the_window_opens_a_read_only_database_read_only_and_says_why(
    read_only_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop_app.gui.startup import open_database_for_window

    opened = open_database_for_window(read_only_folder, ask=False)
    assert opened is not None
    workspace, lock = opened
    assert workspace.readonly and lock is None
    assert "読み取り専用" in capsys.readouterr().err
    workspace.close()


def test_a_read_only_backup_folder_refuses_the_import_before_writing(
    workspace: operations.Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from desktop_app.storage import StorageError

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr("desktop_app.storage.backup.Path.mkdir", read_only)
    before = database_digest(workspace.path)
    with pytest.raises(StorageError) as caught:
        operations.import_files(workspace, [_sheet_file(tmp_path)])
    assert "バックアップのフォルダ" in str(caught.value) and "読み取り専用" in str(caught.value)
    assert database_digest(workspace.path) == before


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root writes to read-only files anyway")
@pytest.mark.parametrize("what", ["file", "backups"])
def test_a_read_only_file_or_backup_folder_by_permissions(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], what: str
) -> None:
    new_database(db_path)
    take_backup(db_path, "daily")
    target = db_path if what == "file" else db_path.parent / "backups"
    target.chmod(0o444 if what == "file" else 0o555)
    try:
        before = folder_digest(db_path.parent)
        code, _, err = run_cli(capsys, "--db", db_path, "import", _sheet_file(tmp_path))
        assert code == 1
        assert_one_sentence(err, "読み取り専用")
        assert folder_digest(db_path.parent) == before
    finally:
        target.chmod(0o644 if what == "file" else 0o755)


def test_a_restore_while_another_program_writes_says_busy_and_leaves_no_backup(
    db_path: Path, holders: list[Holder]
) -> None:
    from desktop_app.storage import StorageError

    new_database(db_path)
    backup = take_backup(db_path, "daily")
    assert backup is not None
    workspace = operations.open_workspace(db_path)
    holders.append(Holder(db_path, "immediate"))
    before = folder_digest(db_path.parent)
    try:
        with pytest.raises(StorageError) as caught:
            operations.restore_backup(workspace, backup)
        message = str(caught.value)
        assert "使用中のため" in message and "\n" not in message
        assert folder_digest(db_path.parent) == before, "no restore-time backup is left behind"
    finally:
        workspace.close()
