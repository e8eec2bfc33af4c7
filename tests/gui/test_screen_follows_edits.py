"""What the screen shows after an edit: exactly the changed rows repainted, totals, live checks, undo refusals."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop_app import operations
from desktop_app.domain.layout import Column, RowKind
from desktop_app.gui.main_window import MainWindow
from desktop_app.settings import Settings
from tests.gui.test_main_window import cell, column, history_items, stored, type_into

EDITED = "東区民文化スポーツ交流事業"


class Repaints:
    """Every dataChanged and reset of the table model, as (top, left, bottom, right) rows and columns."""

    def __init__(self, window: MainWindow) -> None:
        self.ranges: list[tuple[int, int, int, int]] = []
        self.resets = 0
        window.model.dataChanged.connect(self._changed)
        window.model.modelReset.connect(self._reset)

    def _changed(self, top_left: QModelIndex, bottom_right: QModelIndex, _roles: object = None) -> None:
        self.ranges.append((top_left.row(), top_left.column(), bottom_right.row(), bottom_right.column()))

    def _reset(self) -> None:
        self.resets += 1


def _total_row(window: MainWindow, category: str) -> int:
    """The row of a category's total (each category's table ends with its own)."""
    return next(i for i, r in enumerate(window.model.rows) if r.kind is RowKind.TOTAL and r.category == category)


def _runs(rows: set[int], last: int) -> list[tuple[int, int, int, int]]:
    """The dataChanged ranges that repaint exactly these rows: one per run of adjacent rows."""
    ranges: list[tuple[int, int, int, int]] = []
    for row in sorted(rows):
        if ranges and ranges[-1][2] == row - 1:
            ranges[-1] = (ranges[-1][0], 0, row, last)
        else:
            ranges.append((row, 0, row, last))
    return ranges


def test_an_amount_edit_repaints_exactly_its_row_and_the_totals(
    qtbot: QtBot, window: MainWindow, qtmodeltester: ModelTester
) -> None:
    qtmodeltester.check(window.model, force_py=True)
    index = cell(window, EDITED, Column.STAGES, 3)
    last = window.model.columnCount() - 1
    repaints = Repaints(window)

    def is_the_edited_row(top_left: QModelIndex, bottom_right: QModelIndex, *_: object) -> bool:
        return (top_left.row(), top_left.column(), bottom_right.row(), bottom_right.column()) == (
            index.row(),
            0,
            index.row(),
            last,
        )

    with qtbot.waitSignal(window.model.dataChanged, timeout=2000, check_params_cb=is_the_edited_row):
        type_into(qtbot, window, index, "1,200")
    # Its category's total moves; the other category's total (and every other row) is left alone.
    total = _total_row(window, "まちづくり推進経費")
    assert repaints.ranges == [(index.row(), 0, index.row(), last), (total, 0, total, last)]
    assert repaints.resets == 0
    assert window.model.index(index.row(), index.column()).data() == "1,200"


def test_a_sub_item_edit_repaints_it_and_its_parent_in_one_range(qtbot: QtBot, workspace, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    win = MainWindow(workspace, Settings(ward="南区", last_year=2020))
    qtbot.addWidget(win)
    win.show()
    qtmodeltester.check(win.model, force_py=True)
    child_row = next(i for i, r in enumerate(win.model.rows) if r.kind is RowKind.CHILD)
    parent_row = next(i for i in range(child_row, -1, -1) if win.model.rows[i].kind is RowKind.PROJECT)
    heading_row = next(i for i in range(parent_row, -1, -1) if win.model.rows[i].kind is RowKind.GROUP)
    parent = win.model.rows[parent_row].project
    assert parent is not None
    # The first stage: the one 南区 prints on this heading (「情報受発信の充実（1,668千円）」).
    column = win.model.column_of(Column.STAGES, 0)
    assert column is not None
    heading_before = win.model.rows[heading_row]
    repaints = Repaints(win)
    assert win.model.setData(win.model.index(child_row, column), "7")
    qtmodeltester.check(win.model, force_py=True)
    last = win.model.columnCount() - 1
    # 南区 prints each group's subtotal on its heading: the heading moves with the sub-item, its
    # parent and its category's total; nothing else is repainted.
    assert win.model.rows[heading_row] != heading_before
    expected = {heading_row, *range(parent_row, child_row + 1), _total_row(win, parent.category)}
    assert repaints.ranges == _runs(expected, last)
    assert repaints.resets == 0
    win.close()


def test_inserting_a_row_resets_the_table_and_undo_brings_it_back(
    qtbot: QtBot, window: MainWindow, qtmodeltester: ModelTester
) -> None:
    qtmodeltester.check(window.model, force_py=True)
    rows = window.model.rowCount()
    window.view.setCurrentIndex(cell(window, EDITED, Column.NAME))
    with qtbot.waitSignal(window.model.modelReset, timeout=2000):
        window.insert_action.trigger()
    assert window.model.rowCount() == rows + 1
    with qtbot.waitSignal(window.model.modelReset, timeout=2000):
        window.undo_action.trigger()
    assert window.model.rowCount() == rows


def test_locking_a_stage_repaints_the_headers(qtbot: QtBot, window: MainWindow, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(window.model, force_py=True)
    last = window.model.columnCount() - 1
    with qtbot.waitSignal(
        window.model.headerDataChanged, timeout=2000, check_params_cb=lambda o, a, b: (a, b) == (0, last)
    ):
        window.set_stage_locked(0, True)
    assert window.model.headerData(column(window, Column.STAGES, 0), Qt.Orientation.Horizontal).endswith("（確定）")


def _totals_text(window: MainWindow, category_row: int, header: str) -> str:
    table = window.totals_panel.table_model
    column = next(c for c in range(table.columnCount()) if table.horizontalHeaderItem(c).text() == header)
    return table.item(category_row, column).text()


def test_the_totals_panel_shows_the_new_total_after_an_edit(qtbot: QtBot, window: MainWindow) -> None:
    assert window.totals_panel.table_model.verticalHeaderItem(0).text() == "まちづくり推進経費"
    assert _totals_text(window, 0, "決算額") == "5,748"
    type_into(qtbot, window, cell(window, EDITED, Column.STAGES, 3), "1,200")
    assert _totals_text(window, 0, "決算額") == f"{5748 - 10 + 1200:,}"
    window.undo_action.trigger()
    assert _totals_text(window, 0, "決算額") == "5,748"


def test_a_bad_amount_is_reported_while_typing_before_enter(qtbot: QtBot, window: MainWindow) -> None:
    view = window.view
    view.setCurrentIndex(cell(window, EDITED, Column.STAGES, 0))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_1)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    assert not window.message_bar.isVisible()
    qtbot.keyClicks(editor, "2a")
    assert window.message_bar.isVisible()
    assert window.message_bar.text().startswith("「12a」は金額として読めません")
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    assert not window.message_bar.isVisible()  # corrected: the message goes away before Enter
    qtbot.keyClick(editor, Qt.Key.Key_Escape)


@pytest.fixture
def another_pc(db_path: Path) -> Iterator[sqlite3.Connection]:
    """A second connection to the same database, as a colleague's window on the shared file."""
    conn = sqlite3.connect(db_path)
    yield conn
    conn.close()


def _stack_index(window: MainWindow) -> int:
    stack = window.editor.undo_group.activeStack()
    assert stack is not None
    return stack.index()


def test_an_undo_the_database_refuses_leaves_the_stack_and_says_why(
    qtbot: QtBot, window: MainWindow, another_pc: sqlite3.Connection
) -> None:
    type_into(qtbot, window, cell(window, EDITED, Column.STAGES, 3), "1,200")
    project = next(p for p in stored(window).projects if p.name == EDITED)
    with another_pc:
        another_pc.execute("DELETE FROM projects WHERE id = ?", (project.id,))
    window.undo_action.trigger()
    assert window.message_bar.text() == "元に戻せませんでした: その事業はもうありません（ほかの操作で削除されました）。"
    assert _stack_index(window) == 1
    assert window.undo_action.isEnabled() and not window.redo_action.isEnabled()
    assert window.undo_action.text() == "元に戻す 入力"
    window.message_bar.hide()
    window.undo_action.trigger()  # tried again, refused again: never silently skipped
    assert window.message_bar.isVisible() and _stack_index(window) == 1


def test_a_redo_the_database_refuses_leaves_the_stack_and_says_why(
    qtbot: QtBot, window: MainWindow, another_pc: sqlite3.Connection
) -> None:
    type_into(qtbot, window, cell(window, EDITED, Column.STAGES, 3), "1,200")
    window.undo_action.trigger()
    assert _stack_index(window) == 0
    project = next(p for p in stored(window).projects if p.name == EDITED)
    with another_pc:
        another_pc.execute("DELETE FROM projects WHERE id = ?", (project.id,))
    window.redo_action.trigger()
    assert window.message_bar.text() == "やり直せませんでした: その事業はもうありません（ほかの操作で削除されました）。"
    assert _stack_index(window) == 0
    assert window.redo_action.isEnabled() and not window.undo_action.isEnabled()


def test_an_undo_on_a_database_gone_read_only_changes_nothing(qtbot: QtBot, window: MainWindow) -> None:
    type_into(qtbot, window, cell(window, EDITED, Column.STAGES, 3), "1,200")
    window.workspace.db.conn.execute("PRAGMA query_only = ON")
    window.undo_action.trigger()
    shown = window.message_bar.text()
    assert shown.startswith("元に戻せませんでした: データベース") and "読み取り専用" in shown
    assert _stack_index(window) == 1
    window.workspace.db.conn.execute("PRAGMA query_only = OFF")
    window.undo_action.trigger()  # the file writable again: the same step now goes back
    assert next(p for p in stored(window).projects if p.name == EDITED).amounts[3] == 10
    assert _stack_index(window) == 0


def test_a_damaged_database_is_not_shown_as_no_sheet_yet(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    def damaged(*_args: object, **_kwargs: object) -> None:
        raise operations.StorageError("データベースが壊れているため開けません。")

    from PySide6.QtWidgets import QMessageBox

    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    monkeypatch.setattr(operations, "open_sheet", damaged)
    with pytest.raises(operations.StorageError):
        window.editor.open("東区", 2020)
    window.open_sheet("北区", 2020)
    assert warnings == ["データベースが壊れているため開けません。"]
    assert window.pages.currentIndex() == 0  # not the "no sheet yet" page


def test_the_restore_list_is_the_folder_backups_go_to_with_a_symlinked_database(
    qtbot: QtBot, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from desktop_app.gui.dialogs import RestoreDialog

    operations.open_workspace(db_path).close()
    link = tmp_path / "desktop" / "machizukuri.sqlite3"
    link.parent.mkdir()
    link.symlink_to(db_path)
    workspace = operations.open_workspace(link)
    win = MainWindow(workspace, Settings(ward="東区", last_year=2020))
    qtbot.addWidget(win)
    shown: list[str] = []
    listed: list[list[Path]] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(RestoreDialog, "choose", lambda self: listed.append([b.path for b in self.backups]))
    win.backup_action.trigger()
    made = Path(win.statusBar().currentMessage().removeprefix("バックアップしました: "))
    assert made.is_file()
    win.restore_action.trigger()
    assert "バックアップがまだありません。" not in shown
    assert listed == [[made]]
    win.close()
    workspace.close()


def test_the_history_panel_shows_an_edit_of_the_chosen_project_at_once(window: MainWindow) -> None:
    window.view.setCurrentIndex(cell(window, EDITED, Column.NAME))
    history = window.project_panel.history
    before = history.topLevelItemCount()
    assert window.model.setData(cell(window, EDITED, Column.STAGES, 3), "1,200")
    assert history.topLevelItemCount() == before + 1
    newest = history_items(history)[0]
    assert [newest.text(i) for i in (2, 3, 4)] == ["決算額", "10", "1,200"]
    window.undo_action.trigger()
    assert [history_items(history)[0].text(i) for i in (2, 3, 4)] == ["決算額", "1,200", "10"]
