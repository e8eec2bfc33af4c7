"""The window's write lock on a shared folder: kept alive by a heartbeat, given up when another PC took
it over while this one slept, and taken over from a PC that stopped refreshing it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app import operations
from desktop_app.domain.layout import Column
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.startup import open_database_for_window, release
from desktop_app.settings import Settings
from desktop_app.storage import lock as storage_lock
from desktop_app.storage.lock import DatabaseLock, lock_age
from tests.conftest import reopen_the_year
from tests.factories import database_digest
from tests.gui.test_main_window import cell
from tests.storage.test_lock_heartbeat import LONG_AGO, left_by_another_pc, refreshed_ago, taken_over_by_another_pc

EDITED = "東区民文化スポーツ交流事業"


def made_and_closed(db_path: Path) -> None:
    """The database made as a first start makes it (its year open for edits), then closed again."""
    workspace, lock = window_workspace(db_path)
    workspace.close()
    release(lock)


def window_workspace(db_path: Path) -> tuple[operations.Workspace, DatabaseLock]:
    """What the window opens, holding the write lock, with the sample year open for edits."""
    opened = open_database_for_window(db_path, ask=False)
    assert opened is not None
    workspace, lock = opened
    assert lock is not None
    reopen_the_year(workspace.db.conn)
    return workspace, lock


def window_holding_the_lock(qtbot: QtBot, db_path: Path) -> tuple[MainWindow, operations.Workspace, DatabaseLock]:
    workspace, lock = window_workspace(db_path)
    window = MainWindow(workspace, Settings(ward="東区", last_year=2020))
    qtbot.addWidget(window)
    return window, workspace, lock


def test_the_window_that_slept_while_another_pc_took_over_turns_read_only_and_writes_nothing(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, workspace, lock = window_holding_the_lock(qtbot, db_path)
    assert window.lock_timer.isActive() and window.lock_timer.interval() == storage_lock.HEARTBEAT_SECONDS * 1000
    assert window.readonly_label.isHidden()
    assert window.model.setData(cell(window, EDITED, Column.STAGES, 3), "12")
    assert window.undo_action.isEnabled()

    # This PC sleeps past the threshold; PC-12 opens the database and takes the lock over.
    refreshed_ago(lock.file, LONG_AGO)
    theirs = taken_over_by_another_pc(db_path, monkeypatch)
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: said.append(text))
    try:
        window.lock_timer.timeout.emit()  # the first heartbeat after waking up
        window.keep_lock()  # and the next: said once
        assert len(said) == 1
        assert "田中（PC-12）がこのデータベースの編集を引き継いだ" in said[0]
        assert said[0].endswith("読み取り専用に切り替えました。") and said[0].count("。") == 1
        assert not window.lock_timer.isActive()
        assert not window.readonly_label.isHidden() and window.make_editable_action.isVisible()
        assert window.model.readonly
        for action in (window.insert_action, window.delete_action, window.undo_action, window.receive_action):
            assert not action.isEnabled(), action.text()

        before = database_digest(db_path)
        assert not window.model.setData(cell(window, EDITED, Column.STAGES, 3), "99")
        window.insert_project()  # a shortcut that slipped through
        window.undo_action.trigger()
        assert database_digest(db_path) == before
        assert window.message_bar.text() == "読み取り専用のため、変更できません。"
        info = storage_lock.read_lock_info(lock.file)
        assert info is not None and info.host == "PC-12", "PC-12's lock is left alone"
    finally:
        window.close()
        workspace.close()
        release(lock)
    assert lock.file.exists(), "closing this window does not remove PC-12's lock"
    theirs.release()


def test_the_heartbeat_of_a_window_keeps_its_lock_fresh_and_retakes_one_simply_gone(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, workspace, lock = window_holding_the_lock(qtbot, db_path)
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: said.append(text))
    try:
        refreshed_ago(lock.file, LONG_AGO)
        window.keep_lock()
        age = lock_age(lock.file)
        assert age is not None and age < 5
        lock.file.unlink()
        window.keep_lock()
        assert lock.file.exists() and lock.held
        assert said == [] and not workspace.readonly and window.lock_timer.isActive()
    finally:
        window.close()
        workspace.close()
        release(lock)


def test_opening_a_database_whose_lock_another_pc_stopped_refreshing_asks_nothing_and_takes_it(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    made_and_closed(db_path)
    lock_file = left_by_another_pc(db_path, LONG_AGO)
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda _parent, _title, text, *_a: asked.append(text))
    with caplog.at_level("WARNING", logger="machizukuri.storage.lock"):
        opened = open_database_for_window(db_path, ask=True)
    assert opened is not None
    workspace, lock = opened
    try:
        assert asked == []
        assert not workspace.readonly and lock is not None and lock.held
        assert "田中（PC-12）" in caplog.text
        info = storage_lock.read_lock_info(lock_file)
        assert info is not None and info.host == socket.gethostname()
    finally:
        workspace.close()
        release(lock)  # type: ignore[arg-type]


def test_opening_a_database_another_pc_is_using_still_offers_read_only(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made_and_closed(db_path)
    left_by_another_pc(db_path, storage_lock.HEARTBEAT_SECONDS)
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *_args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    opened = open_database_for_window(db_path, ask=True)
    assert opened is not None
    workspace, lock = opened
    try:
        assert workspace.readonly and lock is None
        assert len(asked) == 1 and asked[0].startswith("このデータベースは田中（PC-12）が使用中です。")
    finally:
        workspace.close()


def test_a_read_only_window_becomes_editable_once_the_other_pc_has_gone_silent(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made_and_closed(db_path)
    lock_file = left_by_another_pc(db_path, storage_lock.HEARTBEAT_SECONDS)
    opened = open_database_for_window(db_path, ask=False)
    assert opened is not None and opened[1] is None
    workspace = opened[0]
    window = MainWindow(workspace, Settings(ward="東区", last_year=2020))
    qtbot.addWidget(window)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text: told.append(text))
    try:
        assert window.make_editable_action.isVisible() and window.model.readonly
        window.make_editable_action.trigger()  # PC-12 is still at work
        assert told == [f"データベース「{db_path}」は田中（PC-12）が使用中のため、まだ編集できません。"]
        assert window.model.readonly and not window.readonly_label.isHidden()

        refreshed_ago(lock_file, LONG_AGO)  # PC-12 crashed
        window.make_editable_action.trigger()
        assert len(told) == 1
        assert not window.model.readonly and window.readonly_label.isHidden()
        assert not window.make_editable_action.isVisible() and window.lock_timer.isActive()
        before = database_digest(db_path)
        assert window.model.setData(cell(window, EDITED, Column.STAGES, 3), "12")
        assert database_digest(db_path) != before
        info = storage_lock.read_lock_info(lock_file)
        assert info is not None and info.host == socket.gethostname()
    finally:
        window.close()
        workspace.close()
    assert not lock_file.exists(), "closing the window lets go of the lock it took"


def test_a_window_that_holds_the_lock_offers_no_make_editable(qtbot: QtBot, db_path: Path) -> None:
    opened = open_database_for_window(db_path, ask=False)
    assert opened is not None
    workspace, lock = opened
    window = MainWindow(workspace, Settings(ward="東区", last_year=2020))
    qtbot.addWidget(window)
    try:
        assert not window.make_editable_action.isVisible()
    finally:
        window.close()
        workspace.close()
        release(lock)  # type: ignore[arg-type]


def test_a_lock_found_gone_and_taken_again_reloads_what_another_pc_may_have_written(
    qtbot: QtBot, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dataclasses import replace

    from desktop_app.exchange.json_format import dump_sheet
    from tests.factories import run_cli

    window, workspace, lock = window_holding_the_lock(qtbot, db_path)
    try:
        assert window.model.setData(cell(window, EDITED, Column.STAGES, 3), "12")
        assert window.undo_action.isEnabled()
        # While this PC slept, another took the lock over, imported a changed sheet and closed
        # (removing its lock): here, the lock file is gone and the database has changed.
        sheet = operations.find_sheet(workspace, "東区", 2020)
        changed = replace(
            sheet,
            projects=tuple(
                replace(p, amounts=(*p.amounts[:3], 777)) if p.name == EDITED else p for p in sheet.projects
            ),
        )
        source = tmp_path / "from-the-other-pc.json"
        source.write_text(dump_sheet(changed), encoding="utf-8")
        lock.file.unlink()
        code, _, err = run_cli(capsys, "--db", str(db_path), "import", str(source))
        assert code == 0, err
        assert not lock.file.exists()

        window.keep_lock()  # the heartbeat on waking: the lock is taken again, and the sheet reloaded
        assert lock.held and lock.file.exists()
        assert cell(window, EDITED, Column.STAGES, 3).data() == "777"
        assert not window.undo_action.isEnabled()
        assert "読み直しました" in window.statusBar().currentMessage()
        assert not window.model.readonly
    finally:
        window.close()
        workspace.close()
        release(lock)
