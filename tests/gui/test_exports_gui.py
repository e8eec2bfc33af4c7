"""The window's file actions: Excel, consolidation with progress, print preview, email draft, import."""

from __future__ import annotations

import email
import email.policy
import threading
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pypdf
import pytest
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app import operations
from desktop_app.domain import Sheet
from desktop_app.exchange.json_format import dump_sheet
from desktop_app.exchange.pdf_summary import PdfResult
from desktop_app.gui.consolidate_dialog import ConsolidateDialog
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.print_preview import PrintPreviewDialog
from tests.factories import folder_digest, small_sheet
from tests.gui.event_loop import loop_ticks


@pytest.fixture
def no_dialogs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes answer at once and are recorded; opening files or folders is recorded too."""
    shown: list[str] = []

    def shown_box(box: QMessageBox) -> int:
        shown.append(box.text())
        # A question (取込's "replace these sheets?") is answered yes; a notice is just closed.
        if box.standardButtons() & QMessageBox.StandardButton.Yes:
            return QMessageBox.StandardButton.Yes.value
        return 0

    def message(parent: object, title: str, text: str) -> None:
        shown.append(text)

    def opened(url: QUrl) -> bool:
        shown.append(url.toLocalFile())
        return True

    monkeypatch.setattr(QMessageBox, "exec", shown_box)
    monkeypatch.setattr(QMessageBox, "information", message)
    monkeypatch.setattr(QMessageBox, "warning", message)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QDesktopServices, "openUrl", opened)
    return shown


def test_excel_export_writes_the_city_layout(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dialogs: list[str]
) -> None:
    target = tmp_path / "R02_東区_まちづくり推進経費.xlsx"
    offered: list[str] = []

    def save_as(parent: object, title: str, default: str, pattern: str) -> tuple[str, str]:
        offered.append(default)
        return str(target), pattern

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    window.xlsx_action.trigger()
    assert Path(offered[0]).name == "R02_東区_まちづくり推進経費.xlsx"
    book = openpyxl.load_workbook(target)
    assert "東区" in book.sheetnames
    assert any("R02_東区_まちづくり推進経費.xlsx を保存しました" in text for text in no_dialogs)
    assert window.settings.export_folder == str(tmp_path)


def answer_consolidate_dialog(then: Callable[[ConsolidateDialog], None]) -> list[ConsolidateDialog]:
    """When 全区集計 opens: press 集計する, do `then` with the dialog (save, look), and close it."""
    seen: list[ConsolidateDialog] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ConsolidateDialog), dialog
        seen.append(dialog)
        try:
            dialog.run_button.click()
            then(dialog)
        finally:
            dialog.reject()

    QTimer.singleShot(0, answer)
    return seen


def test_consolidation_shows_progress_and_names_missing_wards(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dialogs: list[str]
) -> None:
    target = tmp_path / "全区集計.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(target), ""))
    steps: list[int] = []
    original = QProgressDialog.setValue

    def set_value(dialog: QProgressDialog, value: int) -> None:
        steps.append(value)
        original(dialog, value)

    monkeypatch.setattr(QProgressDialog, "setValue", set_value)
    headlines: list[str] = []

    def save(dialog: ConsolidateDialog) -> None:
        assert not target.exists()  # the summary is on screen before anything is written
        headlines.append(dialog.headline.text())
        dialog.save_button.click()
        headlines.append(dialog.headline.text())

    answered = answer_consolidate_dialog(save)
    window.consolidate_action.trigger()
    assert answered and "5区（中央区・東区・西区・南区・北区）" in headlines[0]
    book = openpyxl.load_workbook(target)
    visible = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
    assert visible[1:] == ["中央区", "東区", "西区", "南区", "北区", "年度比較"]
    assert steps[-1] == 5
    assert f"{target} に保存しました（5区）。" in headlines[1]
    assert "全区集計.xlsx を保存しました。" in no_dialogs  # with the button opening its folder
    assert window.settings.export_folder == str(tmp_path)

    # A year only 東区 has begun: the four other wards are named before anything is saved.
    operations.create_sheet(window.workspace, ward="東区", year=2021, from_year=2020)
    window.open_sheet("東区", 2021)
    problems: list[str] = []

    def look(dialog: ConsolidateDialog) -> None:
        problems.extend(dialog.problem_list.item(i).text() for i in range(dialog.problem_list.count()))

    answer_consolidate_dialog(look)
    window.consolidate_action.trigger()
    assert {"中央区のシートがありません。", "北区のシートがありません。"} <= set(problems)
    assert "東区のシートがありません。" not in problems


def test_print_preview_renders_one_page_and_saves_it(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dialogs: list[str]
) -> None:
    assert window.editor.sheet is not None
    dialog = PrintPreviewDialog(window.editor.sheet, window.settings, window)
    qtbot.addWidget(dialog)
    assert dialog.document.pageCount() == 1
    assert "A4 横・1枚" in dialog.info.text()
    dialog.paper.setCurrentIndex(dialog.paper.findData("a3"))
    assert dialog.paper_name == "A3"
    target = tmp_path / "preview.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: (str(target), ""))
    dialog.save()
    reader = pypdf.PdfReader(target)
    assert len(reader.pages) == 1
    assert "東区" in reader.pages[0].extract_text()


def test_mail_draft_is_written_and_opened(
    window: MainWindow, tmp_path: Path, no_dialogs: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    window.settings.planning_address = "seisakukikaku@city.kumamoto.lg.jp"
    window.settings.export_folder = str(tmp_path)
    # 東区's published sheet has one 誤り (a 決算額 over its budget): the clerk chooses to send anyway.
    monkeypatch.setattr("desktop_app.gui.main_window.confirm_despite_errors", lambda *a: True)
    window.mail_action.trigger()
    draft = tmp_path / "R02_東区_まちづくり推進経費.eml"
    assert str(draft) in no_dialogs  # handed to the system's mail program
    message = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    assert message["X-Unsent"] == "1"
    assert message["To"] == "seisakukikaku@city.kumamoto.lg.jp"
    attachment = next(iter(message.iter_attachments()))
    assert attachment.get_filename() == "R02_東区_まちづくり推進経費.xlsx"


def test_import_from_the_window_replaces_the_sheet_and_clears_undo(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dialogs: list[str]
) -> None:
    second = [n for n, row in enumerate(window.model.rows) if row.project is not None][1]
    window.view.setCurrentIndex(window.model.index(second, 0))
    window.up_action.trigger()
    assert window.undo_action.isEnabled()
    source = tmp_path / "higashi.json"
    source.write_text(dump_sheet(small_sheet("東区", 2020)), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a: ([str(source)], ""))
    window.import_action.trigger()
    # Asked first, with what would change: the sample's 25 projects become the file's 4.
    (asked,) = [text for text in no_dialogs if text.startswith("次のシートをファイルの内容に置き換えます")]
    assert "・令和2年度 東区（higashi.json）: 追加" in asked and "削除" in asked
    assert [p.name for p in window.editor.sheet.projects] == [p.name for p in small_sheet().projects]  # type: ignore[union-attr]
    assert not window.undo_action.isEnabled()
    assert any("令和2年度 東区（4事業）" in text for text in no_dialogs)


def test_an_import_declined_after_seeing_the_changes_writes_nothing(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dialogs: list[str]
) -> None:
    source = tmp_path / "higashi.json"
    source.write_text(dump_sheet(small_sheet("東区", 2020)), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a: ([str(source)], ""))

    def decline(box: QMessageBox) -> int:
        no_dialogs.append(box.text())
        return 0  # いいえ, or a notice closed

    monkeypatch.setattr(QMessageBox, "exec", decline)
    db = window.workspace.path
    before = folder_digest(db.parent)
    names = [p.name for p in window.editor.sheet.projects]  # type: ignore[union-attr]
    window.import_action.trigger()
    assert any(text.startswith("次のシートをファイルの内容に置き換えます") for text in no_dialogs)
    assert "取り込みませんでした。データベースは変更していません。" in no_dialogs
    assert folder_digest(db.parent) == before  # not even a backup
    window.open_selected()
    assert [p.name for p in window.editor.sheet.projects] == names  # type: ignore[union-attr]

    # The sheet's own file, unchanged against the database: nothing to ask, nothing written.
    same = tmp_path / "same.json"
    same.write_text(dump_sheet(window.editor.sheet), encoding="utf-8")  # type: ignore[arg-type]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a: ([str(same)], ""))
    no_dialogs.clear()
    window.import_action.trigger()
    assert no_dialogs == ["取り込んでも変わる内容はありません。データベースは変更していません。"]
    assert folder_digest(db.parent) == before


def test_a_refused_import_says_why_and_changes_nothing(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dialogs: list[str]
) -> None:
    source = tmp_path / "broken.json"
    source.write_text('{"format": "machizukuri-sheet/1"', encoding="utf-8")
    before = [p.name for p in window.editor.sheet.projects]  # type: ignore[union-attr]
    db = window.workspace.path
    files_before = folder_digest(db.parent)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a: ([str(source)], ""))
    window.import_action.trigger()
    refusals = [text for text in no_dialogs if "broken.json" in text]
    # One message: one sentence naming the file and where it breaks, then that nothing changed.
    assert len(refusals) == 1
    sentence, _, after = refusals[0].partition("\n\n")
    assert sentence.startswith("broken.json: JSONとして読めません（1行目") and sentence.count("。") == 1
    assert sentence.endswith("。") and after == "データベースは変更していません。"
    assert folder_digest(db.parent) == files_before  # no backup taken, nothing written
    window.open_selected()
    assert [p.name for p in window.editor.sheet.projects] == before  # type: ignore[union-attr]


def test_an_import_runs_off_the_window_s_thread_and_the_window_keeps_working(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dialogs: list[str]
) -> None:
    source = tmp_path / "higashi.json"
    source.write_text(dump_sheet(small_sheet("東区", 2020)), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a: ([str(source)], ""))
    read_on: list[threading.Thread] = []
    read = operations.read_sheet_file

    def slow_read(path: Path) -> list[Sheet]:
        read_on.append(threading.current_thread())
        time.sleep(0.4)  # a large workbook
        return read(path)

    monkeypatch.setattr(operations, "read_sheet_file", slow_read)
    with loop_ticks() as ticks:
        window.import_action.trigger()
    assert read_on and read_on[0] is not threading.main_thread()
    # The window's timers kept firing while the file was read and stored.
    assert len(ticks) >= 5
    assert [p.name for p in window.editor.sheet.projects] == [p.name for p in small_sheet().projects]  # type: ignore[union-attr]
    assert any("令和2年度 東区（4事業）" in text for text in no_dialogs)


def test_cancelling_an_import_leaves_the_database_as_it_was(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_dialogs: list[str]
) -> None:
    sources = []
    for ward in ("東区", "西区"):
        source = tmp_path / f"{ward}.json"
        source.write_text(dump_sheet(small_sheet(ward, 2020)), encoding="utf-8")
        sources.append(str(source))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a: (sources, ""))
    read = operations.read_sheet_file

    def slow_read(path: Path) -> list[Sheet]:
        time.sleep(0.3)
        return read(path)

    monkeypatch.setattr(operations, "read_sheet_file", slow_read)

    def press_cancel() -> None:
        progress = window.findChild(QProgressDialog)
        assert progress is not None and progress.isVisible()
        next(b for b in progress.findChildren(QPushButton) if b.text() == "中止").click()

    db = window.workspace.path
    before = folder_digest(db.parent)
    QTimer.singleShot(150, press_cancel)
    window.import_action.trigger()
    assert "中止しました。データベースは変更していません。" in no_dialogs
    assert folder_digest(db.parent) == before


def test_a_large_sheet_s_preview_renders_off_the_window_s_thread_after_the_unprintable_question(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from benchmarks.synthetic import synthetic_sheet
    from desktop_app.gui import print_preview

    large = synthetic_sheet("東区", 2020, projects=200)
    large = replace(large, title=f"{large.title}🌸")  # a character neither bundled font has
    rendered_on: list[threading.Thread] = []
    render = operations.preview_pdf

    def slow_render(sheet: Sheet, *, paper: str = "auto") -> PdfResult:
        rendered_on.append(threading.current_thread())
        time.sleep(0.4)  # a slow office PC
        return render(sheet, paper=paper)

    monkeypatch.setattr(operations, "preview_pdf", slow_render)
    with loop_ticks() as ticks:
        dialog = PrintPreviewDialog(large, window.settings, window)
    qtbot.addWidget(dialog)
    assert rendered_on == [rendered_on[0]] and rendered_on[0] is not threading.main_thread()
    assert len(ticks) >= 5  # the window kept painting
    assert dialog.document.pageCount() == 1 and dialog.paper_name == "A3"
    # The unprintable character is asked about before the preview shows; やめる shows nothing.
    asked: list[tuple[str, ...]] = []
    monkeypatch.setattr(print_preview, "confirm_unprintable", lambda parent, warnings: asked.append(warnings))
    assert dialog.exec() == int(QDialog.DialogCode.Rejected)
    assert len(asked) == 1 and any("🌸" in warning for warning in asked[0])
    assert not dialog.isVisible()

    # A small sheet renders in place, without a progress dialog flashing.
    assert window.editor.sheet is not None
    PrintPreviewDialog(window.editor.sheet, window.settings, window).deleteLater()
    assert rendered_on[-1] is threading.main_thread()
