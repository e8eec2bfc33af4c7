"""The sheet editor driven as staff drive it: keyboard, clipboard, undo, and the database after each."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QTreeWidget, QTreeWidgetItem, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop_app.domain import Sheet, Status
from desktop_app.domain.layout import Column, RowKind
from desktop_app.gui.main_window import MainWindow
from desktop_app.storage import history, load_sheet


def stored(window: MainWindow, ward: str = "東区", year: int = 2020) -> Sheet:
    return load_sheet(window.workspace.db, ward, year)


def column(window: MainWindow, kind: Column, stage: int | None = None) -> int:
    number = window.model.column_of(kind, stage)
    assert number is not None, (kind, stage)
    return number


def cell(window: MainWindow, project_name: str, kind: Column, stage: int | None = None) -> QModelIndex:
    model = window.model
    for number, row in enumerate(model.rows):
        if row.project is not None and row.project.name == project_name:
            return model.index(number, column(window, kind, stage))
    raise AssertionError(project_name)


def history_items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    """A history list's rows, newest first."""
    items = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    return [item for item in items if item is not None]


def _send(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """ASCII as key presses; full-width text as a Japanese IME delivers it (a committed input event)."""
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def type_into(qtbot: QtBot, window: MainWindow, index: QModelIndex, text: str) -> None:
    """Select a cell and type, as a person does: the first key opens the editor, Enter commits."""
    view = window.view
    view.setCurrentIndex(index)
    view.setFocus()
    if text[0].isascii():
        qtbot.keyClick(view, text[0])  # typing opens the editor with that key
        rest = text[1:]
    else:
        qtbot.keyClick(view, Qt.Key.Key_F2)  # an IME composes into an open editor
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        rest = text
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit | QPlainTextEdit), f"typing did not open an editor: {editor}"
    if rest:
        _send(qtbot, editor, rest)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()  # the delegate commits through a queued call


def answer_new_year_dialog(allocations: dict[str, str], *, drop: tuple[str, ...] = ()) -> list[str]:
    """Answer the new-year dialog when it opens, as the clerk does: type this year's 配分額, press 作成.

    Returns the texts it showed (its intro and each category's previous 配分額)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QDialogButtonBox, QTableWidget

    seen: list[str] = []

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None and dialog.objectName() == "NewYearDialog", dialog
        table = dialog.findChild(QTableWidget, "allocationTable")
        assert table is not None
        for row in range(table.rowCount()):
            name, amount, earlier = (table.item(row, column) for column in range(3))
            assert name is not None and amount is not None and earlier is not None
            seen.append(f"{name.text()} {earlier.text()}")
            amount.setText(allocations.get(name.text(), ""))
            name.setCheckState(Qt.CheckState.Unchecked if name.text() in drop else Qt.CheckState.Checked)
        buttons = dialog.findChild(QDialogButtonBox, "buttonBox")
        assert buttons is not None
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        ok.click()

    QTimer.singleShot(0, answer)
    return seen


def test_model_passes_qt_model_tester_through_switches_and_edits(
    qtbot: QtBot, window: MainWindow, qtmodeltester: ModelTester
) -> None:
    # The Python tester fails this test with a report on the first inconsistent signal.
    qtmodeltester.check(window.model, force_py=True)
    window.open_sheet("南区", 2020)
    window.open_sheet("東区", 2020)
    type_into(qtbot, window, cell(window, "東区民文化スポーツ交流事業", Column.STAGES, 3), "1,200")
    window.view.setCurrentIndex(cell(window, "東区民文化スポーツ交流事業", Column.NAME))
    window.indent_action.trigger()
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert window.model.rowCount() == len(window.model.rows) > 0


def test_the_sheet_opens_with_groups_totals_and_highlighted_stage(window: MainWindow) -> None:
    window.open_sheet("南区", 2020)
    kinds = [row.kind for row in window.model.rows]
    assert kinds[0] is RowKind.GROUP
    assert RowKind.CHILD in kinds
    assert kinds[-1] is RowKind.TOTAL
    # Each category's total under its own table, labelled as 南区 prints it; no grand total row.
    totals = [
        (window.model.index(n, 0).data(), window.model.index(n, column(window, Column.STAGES, 0)).data())
        for n, kind in enumerate(kinds)
        if kind is RowKind.TOTAL
    ]
    assert totals == [("南区まちづくり推進経費　合計", "17,000"), ("南区復興支援自治推進経費　合計", "10,000")]
    assert window.model.headerData(column(window, Column.STAGES, 0), Qt.Orientation.Horizontal) == "当初予算"


def test_typing_full_width_digits_with_an_ime(qtbot: QtBot, window: MainWindow) -> None:
    index = cell(window, "東区民文化スポーツ交流事業", Column.STAGES, 2)
    type_into(qtbot, window, index, "１，２００千円")
    assert next(p for p in stored(window).projects if p.name == "東区民文化スポーツ交流事業").amounts[2] == 1200


def test_typing_an_amount_saves_updates_totals_and_moves_down(qtbot: QtBot, window: MainWindow) -> None:
    index = cell(window, "東区民文化スポーツ交流事業", Column.STAGES, 3)
    type_into(qtbot, window, index, "1,200")
    project = next(p for p in stored(window).projects if p.name == "東区民文化スポーツ交流事業")
    assert project.amounts[3] == 1200
    assert window.view.currentIndex().row() == index.row() + 1  # Enter moves down, as in Excel
    machi_total_row = next(i for i, r in enumerate(window.model.rows) if r.kind is RowKind.TOTAL)
    total = window.model.index(machi_total_row, column(window, Column.STAGES, 3)).data()
    assert total == f"{5748 - 10 + 1200:,}"
    assert window.saved_label.text().startswith("保存済み")
    entry = history(window.workspace.db, sheet_id=stored(window).id, project_id=project.id)[0]  # type: ignore[arg-type]
    assert (entry.field, entry.old_value, entry.new_value) == ("決算額", "10", "1,200")


def test_a_bad_amount_is_not_stored_and_the_reason_is_shown(qtbot: QtBot, window: MainWindow) -> None:
    index = cell(window, "東区民文化スポーツ交流事業", Column.STAGES, 0)
    before = stored(window)
    type_into(qtbot, window, index, "-50")
    assert stored(window) == before
    assert "マイナスの金額" in window.statusBar().currentMessage() or "マイナスの金額" in window.message_bar.text()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)


def test_paste_a_block_then_undo_and_redo(qtbot: QtBot, window: MainWindow) -> None:
    start = cell(window, "東区民文化スポーツ交流事業", Column.STAGES, 1)
    window.view.setCurrentIndex(start)
    QGuiApplication.clipboard().setText("１，０００\t900\t800\r\n50\t―\t40\r\n")
    qtbot.keyClick(window.view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    projects = {p.name: p for p in stored(window).projects}
    assert projects["東区民文化スポーツ交流事業"].amounts == (347, 1000, 900, 800)
    following = window.model.rows[start.row() + 1].project
    assert following is not None
    assert projects[following.name].amounts[1:] == (50, None, 40)
    window.undo_action.trigger()
    projects = {p.name: p for p in stored(window).projects}
    assert projects["東区民文化スポーツ交流事業"].amounts == (347, 80, 30, 10)
    window.redo_action.trigger()
    assert {p.name: p for p in stored(window).projects}["東区民文化スポーツ交流事業"].amounts[3] == 800


def test_a_paste_with_one_bad_cell_changes_nothing_and_names_the_cell(qtbot: QtBot, window: MainWindow) -> None:
    start = cell(window, "東区民文化スポーツ交流事業", Column.STAGES, 1)
    window.view.setCurrentIndex(start)
    before = stored(window)
    QGuiApplication.clipboard().setText("100\t200\n300\tabc\n")
    window.view.paste()
    assert stored(window) == before
    following = window.model.rows[start.row() + 1].project
    assert following is not None
    assert f"№{following.no}「{following.name}」の2月補正後: 「abc」は金額として読めません" in window.message_bar.text()


def test_a_locked_stage_cannot_be_edited_until_unlocked(qtbot: QtBot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window.set_stage_locked(0, True)
    assert stored(window).stages[0].locked
    assert window.model.headerData(column(window, Column.STAGES, 0), Qt.Orientation.Horizontal) == "当初予算\n（確定）"
    index = cell(window, "東区民文化スポーツ交流事業", Column.STAGES, 0)
    window.view.setCurrentIndex(index)
    qtbot.keyClick(window.view, Qt.Key.Key_5)
    assert not isinstance(QApplication.focusWidget(), QLineEdit)
    QGuiApplication.clipboard().setText("999")
    window.view.paste()
    assert "当初予算は確定済みのため変更できません" in window.message_bar.text()
    assert next(p for p in stored(window).projects if p.name == "東区民文化スポーツ交流事業").amounts[0] == 347
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.set_stage_locked(0, False)
    assert not stored(window).stages[0].locked


def test_reorder_indent_insert_delete_with_undo(qtbot: QtBot, window: MainWindow) -> None:
    names = [p.name for p in stored(window).projects]
    window.view.setCurrentIndex(cell(window, names[2], Column.NAME))
    window.up_action.trigger()
    assert [p.name for p in stored(window).projects][1:3] == [names[2], names[1]]
    window.undo_action.trigger()
    assert [p.name for p in stored(window).projects] == names
    window.view.setCurrentIndex(cell(window, names[2], Column.NAME))
    window.indent_action.trigger()
    parent = stored(window).projects[1]
    assert [c.name for c in parent.children] == [names[2]]
    assert parent.amounts == stored(window).projects[1].children[0].amounts
    window.undo_action.trigger()
    window.view.setCurrentIndex(cell(window, names[0], Column.NAME))
    window.insert_action.trigger()
    after_insert = stored(window)
    assert after_insert.projects[1].name == "（新しい事業）"
    index = window.view.currentIndex()
    assert window.model.rows[index.row()].project.name == "（新しい事業）"  # type: ignore[union-attr]
    type_into(qtbot, window, cell(window, "（新しい事業）", Column.NAME), "防犯カメラ設置支援事業")
    assert stored(window).projects[1].name == "防犯カメラ設置支援事業"
    window.view.setCurrentIndex(cell(window, "防犯カメラ設置支援事業", Column.NAME))
    window.delete_action.trigger()
    assert [p.name for p in stored(window).projects] == names
    window.undo_action.trigger()
    assert stored(window).projects[1].name == "防犯カメラ設置支援事業"


def test_delete_key_clears_and_status_choice(qtbot: QtBot, window: MainWindow) -> None:
    index = cell(window, "東区民文化スポーツ交流事業", Column.STAGES, 3)
    window.view.setCurrentIndex(index)
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert next(p for p in stored(window).projects if p.name == "東区民文化スポーツ交流事業").amounts[3] is None
    assert window.model.data(index) == "―"
    status = cell(window, "東区民文化スポーツ交流事業", Column.STATUS)
    assert window.model.setData(status, "延期")
    assert next(p for p in stored(window).projects if p.name == "東区民文化スポーツ交流事業").status is Status.POSTPONED


def test_next_fiscal_year_is_created_from_this_one(qtbot: QtBot, window: MainWindow) -> None:
    seen = answer_new_year_dialog({"まちづくり推進経費": "19,000", "復興支援自治推進経費": "5000"})
    window.next_year_action.trigger()
    assert seen == ["まちづくり推進経費 17,000千円", "復興支援自治推進経費 10,000千円"]
    created = stored(window, "東区", 2021)
    assert [(c.name, c.allocation) for c in created.categories] == [
        ("まちづくり推進経費", 19000),
        ("復興支援自治推進経費", 5000),
    ]
    assert [p.name for p in created.projects] == [p.name for p in stored(window).projects]
    assert all(a is None for p in created.all_projects() for a in p.amounts)
    assert {p.status for p in created.all_projects()} == {Status.PLANNED}
    assert window.selected_year() == 2021
    assert "令和３年度" in window.title_label.text()  # 東区's own title, the year moved on


def test_details_panel_shows_history_and_saves_the_reason(qtbot: QtBot, window: MainWindow) -> None:
    index = cell(window, "サロン活動支援事業", Column.NAME)
    window.view.setCurrentIndex(index)
    panel = window.project_panel
    assert "サロン活動支援事業" in panel.title.text()
    panel.status.setCurrentText("中止")
    panel.note.setPlainText("新型コロナウイルス感染症の影響により中止")
    panel.apply_button.click()
    project = next(p for p in stored(window).projects if p.name == "サロン活動支援事業")
    assert project.note == "新型コロナウイルス感染症の影響により中止"
    fields = [item.text(2) for item in history_items(panel.history)]
    assert "備考" in fields


def test_findings_jump_to_the_row(qtbot: QtBot, window: MainWindow) -> None:
    findings = window.totals_panel.findings
    assert findings.count() >= 1
    item = findings.item(0)
    window.totals_panel._jump(item)
    current = window.model.rows[window.view.currentIndex().row()].project
    assert current is not None and "あさひばリビング" in current.name


def test_search_finds_across_wards_and_opens_the_sheet(qtbot: QtBot, window: MainWindow) -> None:
    window.open_search()
    dialog = window._search_dialog
    assert dialog is not None
    dialog.query.setText("防災")
    dialog.run()
    wards = {hit.ward for hit in dialog.hits}
    assert {"東区", "北区"} <= wards
    hit = next(h for h in dialog.hits if h.ward == "北区")
    dialog.open_hit(hit)
    assert window.selected_ward() == "北区"
    assert window.model.rows[window.view.currentIndex().row()].project.id == hit.project_id  # type: ignore[union-attr]
    dialog.close()


def test_copy_puts_tab_separated_text_on_the_clipboard(qtbot: QtBot, window: MainWindow) -> None:
    first = cell(window, "東区民文化スポーツ交流事業", Column.STAGES, 0)
    window.view.setCurrentIndex(first)
    selection = window.view.selectionModel()
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    last = window.model.index(first.row() + 1, first.column() + 1)
    selection.select(QItemSelection(first, last), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    window.view.copy_selection()
    text = QGuiApplication.clipboard().text()
    assert text.splitlines()[0] == "347\t80"


def test_tab_moves_right_and_f2_edits_the_current_cell(qtbot: QtBot, window: MainWindow) -> None:
    start = cell(window, "東区民文化スポーツ交流事業", Column.STAGES, 0)
    window.view.setCurrentIndex(start)
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    assert window.view.currentIndex().column() == start.column() + 1
    qtbot.keyClick(window.view, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    assert editor.text() == "80"  # F2 keeps the value for correcting, as Excel does
    editor.selectAll()
    qtbot.keyClicks(editor, "75")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)  # Tab commits and goes right
    QApplication.processEvents()
    assert next(p for p in stored(window).projects if p.name == "東区民文化スポーツ交流事業").amounts[1] == 75
    assert window.view.currentIndex().column() == start.column() + 2


def test_restore_from_backup_in_the_window(qtbot: QtBot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    from desktop_app import operations
    from desktop_app.gui.dialogs import RestoreDialog

    made = operations.backup_now(window.workspace)
    window.view.setCurrentIndex(cell(window, "東区民文化スポーツ交流事業", Column.NAME))
    window.delete_action.trigger()
    assert all(p.name != "東区民文化スポーツ交流事業" for p in stored(window).projects)
    monkeypatch.setattr(RestoreDialog, "choose", lambda self: next(b for b in self.backups if b.path == made))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    window.restore_action.trigger()
    assert any(p.name == "東区民文化スポーツ交流事業" for p in stored(window).projects)
    assert any(p.name == "東区民文化スポーツ交流事業" for p in window.editor.sheet.projects)  # type: ignore[union-attr]
    assert not window.undo_action.isEnabled()  # the undo steps described rows that no longer exist


def test_an_empty_year_is_created_from_the_latest_earlier_sheet(qtbot: QtBot, window: MainWindow) -> None:
    window.open_sheet("北区", 2026)
    assert window.pages.currentIndex() == 1
    assert "令和8年度 北区のシートはまだありません" in window.empty_label.text()
    assert window.from_last_year_button.text() == "令和2年度のシートから作成"
    answer_new_year_dialog({"まちづくり推進経費": "19000"}, drop=("復興支援自治推進経費",))
    window.from_last_year_button.click()
    created = stored(window, "北区", 2026)
    assert created.title == "令和８年度 北区まちづくりの取組 【概要】"  # as 北区 writes it, the year moved on
    assert created.layout == stored(window, "北区", 2020).layout  # and it prints as 北区 prints
    # This year's 配分額 as typed; the category not used this year keeps its projects, not last year's 10,000.
    assert [(c.name, c.allocation) for c in created.categories] == [
        ("まちづくり推進経費", 19000),
        ("復興支援自治推進経費", None),
    ]
    assert [p.name for p in created.projects] == [p.name for p in stored(window, "北区", 2020).projects]
    assert window.pages.currentIndex() == 0
