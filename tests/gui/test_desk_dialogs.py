"""The planning division's desk in the window: 受信 with per-sheet acceptance, 全区集計 on screen, work off the thread."""

from __future__ import annotations

import datetime
import email.utils
import hashlib
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMenu, QProgressDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop_app import operations
from desktop_app.domain import Sheet
from desktop_app.exchange.consolidation import COMPARISON_TITLE
from desktop_app.exchange.json_format import dump_sheet
from desktop_app.exchange.xlsx_export import render_xlsx
from desktop_app.gui.consolidate_dialog import ConsolidateDialog
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.receive_dialog import ReceiveDialog
from desktop_app.gui.worker import Cancelled, Progress, in_own_workspace, run_in_background
from desktop_app.storage import load_sheet
from tests.desk.helpers import XLSX_TYPE, edited, outlook_mail, write
from tests.factories import database_digest, open_year
from tests.gui.event_loop import loop_ticks

WARDS = ("中央区", "東区", "西区", "南区", "北区")


def sample(ward: str) -> Sheet:
    return open_year(next(sheet for sheet in operations.sample_sheets() if sheet.ward == ward))


def settled(ward: str, amount: int) -> Sheet:
    return edited(sample(ward), lambda data: data["projects"][0]["amounts"].__setitem__(3, amount))


def sheet_digests(db_path: Path) -> dict[str, str]:
    """Each ward's FY2020 sheet as stored, hashed: which sheets an action changed."""
    workspace = operations.open_workspace(db_path, seed=False)
    try:
        return {
            ward: hashlib.sha256(dump_sheet(load_sheet(workspace.db, ward, 2020)).encode()).hexdigest()
            for ward in WARDS
        }
    finally:
        workspace.close()


def inbox_with(tmp_path: Path, sheets: list[Sheet]) -> Path:
    inbox = tmp_path / "受信 R2"
    for sheet in sheets:
        # Sent now: after every change the database holds, so nothing newer is at risk.
        raw = outlook_mail(
            [(f"R02_{sheet.ward}_まちづくり推進経費.xlsx", render_xlsx(sheet), XLSX_TYPE)],
            date=email.utils.format_datetime(datetime.datetime.now().astimezone()),
        )
        write(inbox / f"{sheet.ward}.eml", raw)
    (inbox / "readme.txt").write_text("not a sheet")
    return inbox


def test_receive_accepts_one_ward_and_declines_another(
    qtbot: QtBot, window: MainWindow, db_path: Path, tmp_path: Path
) -> None:
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu) and window.receive_action in file_menu.actions()
    inbox = inbox_with(tmp_path, [settled("東区", 111), settled("北区", 222), sample("西区")])
    dialog = ReceiveDialog(window.workspace, inbox, window)
    qtbot.addWidget(dialog)
    dialog.imported.connect(window._received)
    assert dialog.load([inbox])
    assert "readme.txtはシートのファイル" in dialog.problems.text()
    rows = {dialog.previews[r].sheet.ward: r for r in range(len(dialog.previews))}
    assert set(rows) == {"東区", "北区", "西区"}
    summary = {ward: dialog.model.item(row, 4).text() for ward, row in rows.items()}
    assert summary == {"東区": "金額1", "北区": "金額1", "西区": "変更なし"}
    dialog.table.selectRow(rows["東区"])
    assert "金額: №1「地域活動理解促進事業」 決算額 0→111" in dialog.details.toPlainText()

    before_db, before = database_digest(db_path), sheet_digests(db_path)
    dialog.set_checked(rows["東区"], True)
    dialog.set_checked(rows["北区"], False)
    assert not dialog.model.item(rows["西区"], 0).isEnabled()  # nothing to import
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    after = sheet_digests(db_path)
    assert database_digest(db_path) != before_db
    assert [ward for ward in WARDS if after[ward] != before[ward]] == ["東区"]
    assert len(list((db_path.parent / "backups").glob("*-import.sqlite3"))) == 1
    assert "取り込みました: 令和2年度 東区" in dialog.status.text()
    # The window shows the imported sheet (東区 is open) and the dialog what is left to decide.
    assert window.editor.sheet is not None and window.editor.sheet.projects[0].amounts[3] == 111
    refreshed = {dialog.previews[r].sheet.ward: dialog.model.item(r, 4).text() for r in range(len(dialog.previews))}
    assert refreshed == {"東区": "変更なし", "北区": "金額1", "西区": "変更なし"}


def test_cancel_leaves_the_database_as_it_was_and_the_window_keeps_working(
    qtbot: QtBot, window: MainWindow, db_path: Path, tmp_path: Path
) -> None:
    inbox = inbox_with(tmp_path, [settled("東区", 111), settled("北区", 222)])
    previews = operations.preview_import(window.workspace, sorted(inbox.glob("*.eml")))
    assert len(previews) == 2
    before = database_digest(db_path)

    def press_cancel() -> None:
        progress = window.findChild(QProgressDialog)
        assert progress is not None and progress.isVisible()
        button = next(b for b in progress.findChildren(QPushButton) if b.text() == "中止")
        button.click()

    def slowly(report: Any) -> Any:
        def progress(done: int, total: int, what: str) -> None:
            report(done, total, what)
            time.sleep(0.4)  # a large sheet: time for the person to press 中止

        return in_own_workspace(db_path, lambda ws: operations.import_previewed(ws, previews, progress=progress))

    QTimer.singleShot(150, press_cancel)
    with loop_ticks() as ticks, pytest.raises(Cancelled):
        run_in_background(window, "受信", "取り込んでいます…", slowly)
    assert database_digest(db_path) == before
    # The window's timer kept firing while the work ran.
    assert len(ticks) >= 5


def test_work_errors_come_back_to_the_window_thread(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)

    def fail(_report: Progress) -> None:
        raise operations.ExchangeError("x.xlsx: 壊れています。")

    with pytest.raises(operations.ExchangeError, match="壊れています"):
        run_in_background(parent, "t", "t", fail)

    def counted(report: Progress) -> int:
        report(1, 1, "a")
        return 42

    assert run_in_background(parent, "t", "t", counted) == 42


def test_consolidate_dialog_shows_the_summary_checks_and_years_before_saving(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    over = edited(sample("北区"), lambda data: data["projects"][0]["amounts"].__setitem__(0, 4600))
    inbox = inbox_with(tmp_path, [sample("中央区"), sample("東区"), sample("西区"), over])
    dialog = ConsolidateDialog(window.workspace, 2020, tmp_path, window)
    qtbot.addWidget(dialog)
    dialog.set_folder(inbox)
    plan = dialog.make_plan()
    assert plan is not None
    assert "4区（中央区・東区・西区・北区）" in dialog.headline.text()
    problems = [dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count())]
    assert "南区のファイルがありません。" in problems
    assert any(p.startswith("readme.txt") for p in problems)
    model = dialog.summary_model
    headers = [model.horizontalHeaderItem(c).text() for c in range(model.columnCount())]
    kita = next(
        r
        for r in range(model.rowCount())
        if (model.item(r, 0).text(), model.item(r, 1).text()) == ("北区", "まちづくり推進経費")
    )
    assert model.item(kita, headers.index("当初予算")).text() == "18,500"
    assert "配分額 17,000千円を1,500千円超えています" in model.item(kita, headers.index("確認")).text()
    assert [name for name, _ in dialog.chart.series()] == ["中央区", "東区", "西区", "北区", "全区"]
    dialog.tabs.setCurrentIndex(2)
    dialog.chart.grab()  # paints without error
    target = tmp_path / "out" / "R02_全区集計.xlsx"
    target.parent.mkdir()  # a save dialog names a folder that exists; a missing one is refused
    assert not target.exists()  # nothing written before 保存
    assert dialog.save(target) == target
    wb = openpyxl.load_workbook(target)
    assert COMPARISON_TITLE in wb.sheetnames


def test_a_folder_dropped_on_the_receive_dialog_is_read(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    inbox = inbox_with(tmp_path, [settled("南区", 5)])
    dialog = ReceiveDialog(window.workspace, None, window)
    qtbot.addWidget(dialog)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(inbox))])
    drop = QDropEvent(
        QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    dialog.dropEvent(drop)
    assert [(p.sheet.ward, p.source) for p in dialog.previews] == [("南区", "南区.eml")]
    assert dialog.checked_rows() == [0]  # a change with no warning is ticked, ready to accept
    assert dialog.import_button.text() == "取り込む（1シート）"


def test_a_mail_older_than_the_databases_edits_is_warned_about_and_not_ticked(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    old = outlook_mail(
        [("R02_北区.xlsx", render_xlsx(settled("北区", 9)), XLSX_TYPE)], date="Mon, 2 Mar 2020 09:00:00 +0900"
    )
    mail = write(tmp_path / "北区（古い）.eml", old)
    dialog = ReceiveDialog(window.workspace, tmp_path, window)
    qtbot.addWidget(dialog)
    assert dialog.load([mail])
    assert dialog.checked_rows() == []
    warning = dialog.model.item(0, 5).text()
    assert warning.startswith("データベースにはこのファイル（令和2年3月2日 09:00）より新しい変更が1件あります")
    assert not dialog.import_button.isEnabled()


def test_work_in_the_background_writes_under_the_window_s_own_lock(
    qtbot: QtBot, window: MainWindow, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.operations import DatabaseLock

    monkeypatch.setenv("MACHIZUKURI_BUSY_TIMEOUT_MS", "300")
    lock = DatabaseLock(db_path)
    assert lock.acquire(0)
    window.workspace.lock = lock  # as the real window holds it for its whole life
    try:
        inbox = inbox_with(tmp_path, [settled("東区", 111)])
        previews = operations.preview_import(window.workspace, sorted(inbox.glob("*.eml")))
        # Without the window's lock the work would wait for itself, then be refused as 使用中.
        with pytest.raises(operations.StorageError, match="使用中"):
            in_own_workspace(db_path, lambda ws: operations.import_previewed(ws, previews))
        outcomes = run_in_background(
            window,
            "受信",
            "取り込んでいます…",
            lambda report: in_own_workspace(
                window.workspace, lambda ws: operations.import_previewed(ws, previews, progress=report)
            ),
        )
        assert [(o.sheet.ward, o.replaced) for o in outcomes] == [("東区", True)]
    finally:
        window.workspace.lock = None
        lock.release()
