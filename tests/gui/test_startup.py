"""Opening the window's database: one writer, read-only for the second, errors as dialogs and logs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app.gui.app import install_error_dialog
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.startup import holder_of, lock_for, open_database_for_window, release
from desktop_app.logs import log_file, setup_logging
from desktop_app.settings import Settings


def test_second_window_on_the_same_database_is_read_only(
    qtbot: QtBot, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = open_database_for_window(db_path, ask=False)
    assert first is not None
    workspace, lock = first
    assert lock is not None and not workspace.readonly
    second = open_database_for_window(db_path, ask=False)
    assert second is not None
    other, other_lock = second
    assert other.readonly and other_lock is None
    err = capsys.readouterr().err
    assert "使用中のため、読み取り専用で開きます" in err
    assert holder_of(lock_for(db_path)) in err
    window = MainWindow(other, Settings(ward="東区", last_year=2020))
    qtbot.addWidget(window)
    assert not window.insert_action.isEnabled()
    assert window.model.readonly
    index = window.model.index(1, window.model.columnCount() - 2)
    assert not window.model.setData(index, "延期")
    window.close()
    other.close()
    workspace.close()
    release(lock)
    third = open_database_for_window(db_path, ask=False)
    assert third is not None and not third[0].readonly
    third[0].close()
    release(third[1])  # type: ignore[arg-type]


def test_damaged_database_without_a_person_to_ask_is_left_alone(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"\x01" * 4096)
    assert open_database_for_window(db_path, ask=False) is None
    assert "壊れているため開けません" in capsys.readouterr().err
    assert db_path.read_bytes() == b"\x01" * 4096


def test_uncaught_error_shows_a_dialog_and_goes_to_the_log(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    setup_logging()
    previous = sys.excepthook
    install_error_dialog()
    try:
        try:
            raise ZeroDivisionError("division by zero in a test")
        except ZeroDivisionError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = previous
    assert len(shown) == 1
    assert "予期しないエラーが発生しました" in shown[0] and str(log_file()) in shown[0]
    for handler in logging.getLogger("machizukuri").handlers:
        handler.flush()
    assert "ZeroDivisionError: division by zero in a test" in log_file().read_text(encoding="utf-8")


def test_a_database_on_a_network_share_is_warned_about_once(
    db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.gui import startup

    monkeypatch.setattr(startup, "is_network_path", lambda path: True)
    for expected in (1, 0):
        opened = open_database_for_window(db_path, ask=False)
        assert opened is not None
        opened[0].close()
        release(opened[1])  # type: ignore[arg-type]
        assert capsys.readouterr().err.count("ネットワーク上にあります") == expected


# ---------------------------------------------------------------- office faults (issue 11)


def test_a_full_disk_during_an_edit_is_one_sentence_and_nothing_is_saved(qtbot: QtBot, db_path: Path) -> None:
    from desktop_app.domain.layout import Column
    from tests.factories import database_digest
    from tests.gui.test_main_window import cell

    opened = open_database_for_window(db_path, ask=False)
    assert opened is not None
    workspace, lock = opened
    window = MainWindow(workspace, Settings(ward="東区", last_year=2020))
    qtbot.addWidget(window)
    page_count = workspace.db.conn.execute("PRAGMA page_count").fetchone()[0]
    # SQLite's own cap on the file's size: the edit fails with SQLITE_FULL, as on a full disk.
    workspace.db.conn.execute(f"PRAGMA max_page_count = {page_count}")
    before = database_digest(db_path)
    index = cell(window, "東区民文化スポーツ交流事業", Column.DESCRIPTION)
    assert not window.model.setData(index, "長い説明。" * 4000)
    assert window.message_bar.text().startswith("空き容量不足のため")
    assert "\n" not in window.message_bar.text()
    assert database_digest(db_path) == before
    window.close()
    workspace.close()
    release(lock)  # type: ignore[arg-type]


def test_a_busy_database_shows_a_waiting_dialog_then_says_busy_without_offering_a_restore(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app import operations
    from desktop_app.gui import startup
    from desktop_app.storage.database import BUSY_TIMEOUT_ENV
    from tests.storage.test_office_faults import Holder

    operations.open_workspace(db_path).close()
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "700")
    holder = Holder(db_path, "exclusive")
    waiting: list[str] = []
    real_call = startup._WaitNotice.__call__

    def noted(self: startup._WaitNotice, message: str) -> None:
        real_call(self, message)
        assert self.dialog is not None and self.dialog.isVisible()
        waiting.append(self.dialog.labelText())

    errors: list[str] = []
    monkeypatch.setattr(startup._WaitNotice, "__call__", noted)
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: errors.append(text))
    monkeypatch.setattr(QMessageBox, "exec", lambda self: pytest.fail("a restore must not be offered"))
    try:
        assert open_database_for_window(db_path, ask=True) is None
    finally:
        holder.kill()
    assert len(waiting) == 1 and "使用中のため待っています" in waiting[0]
    assert len(errors) == 1 and "使用中のため開けません" in errors[0] and "壊れて" not in errors[0]
    assert not list(db_path.parent.glob("*.damaged-*"))
    assert not lock_for(db_path).file.exists(), "the window's lock is given back"


def test_an_empty_database_offers_the_newest_good_backup_in_the_window(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app import operations
    from desktop_app.storage import list_sheets
    from desktop_app.storage.backup import take_backup

    operations.open_workspace(db_path).close()
    backup = take_backup(db_path, "daily")
    db_path.write_bytes(b"")
    shown: list[str] = []

    def choose_restore(box: QMessageBox) -> int:
        shown.append(box.text())
        box.buttons()[0].click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", choose_restore)
    monkeypatch.setattr(QMessageBox, "information", lambda *args: None)
    opened = open_database_for_window(db_path, ask=True)
    assert opened is not None
    workspace, lock = opened
    assert "空（0バイト）" in shown[0] and str(backup) in shown[0]
    assert len(list_sheets(workspace.db)) == 5
    assert [p.stat().st_size for p in db_path.parent.glob("*.damaged-*.sqlite3")] == [0], "the empty file is kept aside"
    workspace.close()
    release(lock)  # type: ignore[arg-type]


def test_the_lock_file_is_understood_by_qlockfile_and_back(db_path: Path) -> None:
    """An older version of the app (Qt's QLockFile) and this one see each other's locks."""
    from PySide6.QtCore import QLockFile

    from desktop_app.storage.lock import DatabaseLock, holder_of

    db_path.parent.mkdir(parents=True)
    ours = DatabaseLock(db_path)
    assert ours.try_acquire()
    qt_lock = QLockFile(str(db_path) + ".lock")
    qt_lock.setStaleLockTime(0)
    assert not qt_lock.tryLock(0)
    pid, host, _program = qt_lock.getLockInfo()
    assert pid == os.getpid() and host
    ours.release()
    assert qt_lock.tryLock(0)
    assert not DatabaseLock(db_path).try_acquire()
    assert holder_of(db_path) is not None
    qt_lock.unlock()
    assert DatabaseLock(db_path).try_acquire()


def test_a_lock_left_by_a_program_that_is_gone_is_taken_over(db_path: Path) -> None:
    import socket

    from desktop_app.storage.lock import DatabaseLock, holder_of

    db_path.parent.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    Path(str(db_path) + ".lock").write_text(f"{dead.stdout.strip()}\npython3\n{socket.gethostname()}\n")
    assert holder_of(db_path) is None
    lock = DatabaseLock(db_path)
    assert lock.try_acquire()
    lock.release()


def test_an_edit_while_another_program_writes_waits_then_says_busy(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.domain.layout import Column
    from desktop_app.storage.database import BUSY_TIMEOUT_ENV
    from tests.conftest import reopen_the_year
    from tests.factories import database_digest
    from tests.gui.test_main_window import cell
    from tests.storage.test_office_faults import Holder

    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "700")
    opened = open_database_for_window(db_path, ask=False)
    assert opened is not None
    workspace, lock = opened
    reopen_the_year(workspace.db.conn)
    window = MainWindow(workspace, Settings(ward="東区", last_year=2020))
    qtbot.addWidget(window)
    waited: list[str] = []
    workspace.db.on_wait = waited.append
    holder = Holder(db_path, "immediate")
    try:
        before = database_digest(db_path)
        assert not window.model.setData(cell(window, "東区民文化スポーツ交流事業", Column.STAGES, 3), "12")
        assert len(waited) == 1 and "使用中のため待っています" in waited[0]
        message = window.message_bar.text()
        assert "使用中のため書き込めません" in message and "\n" not in message
        assert database_digest(db_path) == before
    finally:
        holder.kill()
        window.close()
        workspace.close()
        release(lock)  # type: ignore[arg-type]
