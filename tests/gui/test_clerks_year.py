"""A clerk's year in the real window, start to finish (issue 13): first run, a new year with its 配分額,
the sheet settings, edits, the 誤り asked about before printing and mailing, the draft with its To:."""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QMessageBox,
    QTableWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app import operations
from desktop_app.domain.layout import Column
from desktop_app.gui.app import first_run
from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.print_preview import PrintPreviewDialog
from desktop_app.settings import Settings, is_first_run, load_settings, settings_path
from tests.gui.test_main_window import answer_new_year_dialog, cell, stored, type_into

STAFF = "北区 総務企画課 熊本 花子"
PLANNING = "seisakukikaku@city.kumamoto.lg.jp"


def answer_modal(fill: Callable[[QDialog], None]) -> None:
    """When the next modal dialog opens, fill it as the clerk would and press OK."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog), dialog
        fill(dialog)
        buttons = dialog.findChild(QDialogButtonBox, "buttonBox")
        assert buttons is not None
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        ok.click()

    QTimer.singleShot(0, answer)


class Clerk:
    """Answers message boxes by the button's text, and remembers what each said."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.press = ""
        self.seen: list[str] = []
        monkeypatch.setattr(QMessageBox, "exec", lambda box: self._exec(box))
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)

    def _exec(self, box: QMessageBox) -> int:
        self.seen.append(f"{box.text()}\n{box.informativeText()}")
        for button in box.buttons():
            if button.text() == self.press:
                button.click()
        return 0


@pytest.fixture
def fresh(db_path: Path) -> Iterator[operations.Workspace]:
    """The database a first start makes: the FY2020 samples, settled; no settings saved yet."""
    workspace = operations.open_workspace(db_path)
    yield workspace
    workspace.close()


def test_a_clerks_year_from_the_first_start_to_the_mail(
    qtbot: QtBot, fresh: operations.Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # First run: the ward, the staff name and the planning division's address (offered by default).
    assert is_first_run()
    settings = load_settings()

    def set_up(dialog: QDialog) -> None:
        ward = dialog.findChild(QComboBox, "wardCombo")
        staff = dialog.findChild(QLineEdit, "staffEdit")
        mail = dialog.findChild(QLineEdit, "mailEdit")
        assert ward is not None and staff is not None and mail is not None
        assert mail.text() == PLANNING
        ward.setCurrentText("北区")
        staff.setText(STAFF)

    answer_modal(set_up)
    assert first_run(settings, fresh)
    saved = json.loads(settings_path().read_text(encoding="utf-8"))
    assert (saved["ward"], saved["staff_name"], saved["planning_address"], saved["last_year"]) == (
        "北区",
        STAFF,
        PLANNING,
        2020,
    )
    settings.export_folder = str(tmp_path)
    window = MainWindow(fresh, settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    assert (window.selected_ward(), window.selected_year()) == ("北区", 2020)
    assert window.stage_label.text() == "令和2年度は確定済み"  # the samples come settled

    # A new year from the last, this year's 配分額 asked for (left empty here, set in the settings below).
    answer_new_year_dialog({}, drop=("復興支援自治推進経費",))
    window.next_year_action.trigger()
    assert (window.selected_ward(), window.selected_year()) == ("北区", 2021)
    assert window.stage_label.text() == "入力中の段階: 当初予算"

    # The sheet settings: FY2024's 19,000 (seed 002), typed as staff type it.
    def allocate(dialog: QDialog) -> None:
        table = dialog.findChild(QTableWidget, "categoryTable")
        assert table is not None
        row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == "まちづくり推進経費")  # type: ignore[union-attr]
        table.item(row, 1).setText("１９，０００")  # type: ignore[union-attr]

    answer_modal(allocate)
    window.sheet_settings_action.trigger()
    sheet = stored(window, "北区", 2021)
    assert {c.name: c.allocation for c in sheet.categories}["まちづくり推進経費"] == 19000

    # Edits: two 当初予算 that together overrun the 19,000.
    window.activateWindow()  # back from the dialogs
    QApplication.processEvents()
    type_into(qtbot, window, cell(window, "北区笑顔交流プロジェクト", Column.STAGES, 0), "15,000")
    type_into(qtbot, window, cell(window, "自主自立のまちづくり推進プロジェクト", Column.STAGES, 0), "5000")
    findings = [window.totals_panel.findings.item(i).text() for i in range(window.totals_panel.findings.count())]
    assert any("配分額 19,000千円を1,000千円超えています" in text for text in findings), findings
    history = operations.project_history(fresh, sheet_id=sheet.id or 0)
    assert history and {entry.changed_by for entry in history} == {STAFF}

    # 印刷: the 誤り are shown first; the clerk prints anyway and sees the one page.
    clerk = Clerk(monkeypatch)
    clerk.press = "このまま印刷"
    previewed: list[int] = []

    def preview(dialog: PrintPreviewDialog) -> int:
        previewed.append(dialog.document.pageCount())
        return 0

    monkeypatch.setattr(PrintPreviewDialog, "exec", preview)
    window.pdf_action.trigger()
    assert "令和3年度 北区のシートに誤りがあります" in clerk.seen[-1]
    assert "配分額 19,000千円を1,000千円超えています" in clerk.seen[-1]
    assert previewed == [1]

    # メール作成: asked again, then the draft to 政策企画課 with the Excel attached.
    clerk.press = "このままメール作成"
    opened: list[str] = []

    def open_url(url: QUrl) -> bool:
        opened.append(QUrl(url).toLocalFile())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    window.mail_action.trigger()
    assert "メール作成しますか" in clerk.seen[-1]
    (draft,) = (Path(path) for path in opened)
    message = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    assert message["To"] == PLANNING and message["X-Unsent"] == "1"
    assert STAFF in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert [part.get_filename() for part in message.iter_attachments()] == ["R03_北区_まちづくり推進経費.xlsx"]
    window.close()


def test_the_window_fits_a_1366_by_768_screen(qtbot: QtBot, workspace: operations.Workspace) -> None:
    window = MainWindow(workspace, Settings(ward="東区", last_year=2020))
    qtbot.addWidget(window)
    screen = QRect(0, 0, 1366, 768)
    window.place_on_screen(screen)
    window.show()
    qtbot.waitExposed(window)
    assert screen.contains(window.frameGeometry())
    status = window.statusBar()
    assert status.isVisible() and window.rect().contains(status.geometry())
    bar = window.toolbar
    hidden = [
        action.text()
        for action in bar.actions()
        if not action.isSeparator() and (widget := bar.widgetForAction(action)) is not None and not widget.isVisible()
    ]
    assert hidden == [], f"toolbar actions pushed into the overflow: {hidden}"
    window.close()


def test_size_splitter_and_folded_panel_are_remembered(qtbot: QtBot, workspace: operations.Workspace) -> None:
    settings = Settings(ward="東区", last_year=2020)
    window = MainWindow(workspace, settings)
    qtbot.addWidget(window)
    window.place_on_screen(QRect(0, 0, 1920, 1080))
    window.show()
    window.resize(760, 560)  # within the test screen (800×600), which restoreGeometry keeps the window on
    table_before = window.view.height()
    window.fold_action.trigger()  # the table gets the height
    QApplication.processEvents()
    assert not window.side.isVisible() and window.view.height() > table_before + 150
    window.close()
    again = MainWindow(workspace, load_settings())
    qtbot.addWidget(again)
    again.place_on_screen(QRect(0, 0, 1920, 1080))
    again.show()
    assert (again.width(), again.height()) == (760, 560)
    assert not again.fold_action.isChecked() and not again.side.isVisible()
    again.fold_action.trigger()
    assert again.side.isVisible()
    again.close()


def test_the_title_names_the_sheet_once_and_ctrl_y_redoes(qtbot: QtBot, window: MainWindow) -> None:
    assert window.windowTitle() == "令和2年度 東区"
    assert QKeySequence("Ctrl+Y") in window.redo_action.shortcuts()
    index = cell(window, "東区民文化スポーツ交流事業", Column.STAGES, 3)
    before = index.data()
    type_into(qtbot, window, index, "1,200")
    window.undo_action.trigger()
    assert cell(window, "東区民文化スポーツ交流事業", Column.STAGES, 3).data() == before
    qtbot.keyClick(window.view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert cell(window, "東区民文化スポーツ交流事業", Column.STAGES, 3).data() == "1,200"


def test_a_year_with_every_settlement_entered_is_offered_to_be_settled(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert window.stage_label.text() == "入力中の段階: 当初予算"
    assert window.settle_button.isVisibleTo(window) and window.settle_action.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.settle_button.click()
    assert all(stage.locked for stage in stored(window).stages)
    assert window.stage_label.text() == "令和2年度は確定済み"
    assert not window.settle_button.isVisibleTo(window)
    window.undo_action.trigger()  # one step, undone at once
    assert not any(stage.locked for stage in stored(window).stages)
