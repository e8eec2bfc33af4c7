"""The window's table reads like the ward's printed sheet (seed 001) while staying an editor."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop_app.domain import Sheet, format_amount
from desktop_app.domain.layout import Column, RowKind, sheet_tables
from desktop_app.exchange.json_format import dump_sheet
from desktop_app.gui.main_window import MainWindow
from tests.gui.test_main_window import column, stored, type_into

WARDS = ("中央区", "東区", "西区", "南区", "北区")
TAG = "【復興支援自治推進経費】"

Shown = tuple[RowKind, str, str, tuple[str | None, ...]]


def shown_rows(window: MainWindow) -> list[Shown]:
    """Every row of the window's table as a person reads it: kind, №, text, the stage amounts."""
    model = window.model
    assert model.sheet is not None
    no, name = column(window, Column.NO), column(window, Column.NAME)
    stages = [column(window, Column.STAGES, stage) for stage in range(len(model.sheet.stages))]
    rows = []
    for number, row in enumerate(model.rows):
        amounts = tuple(model.index(number, column).data() for column in stages)
        if row.project is None:
            rows.append((row.kind, "", model.index(number, 0).data(), amounts))
        else:
            rows.append((row.kind, model.index(number, no).data(), model.index(number, name).data(), amounts))
    return rows


def printed_rows(sheet: Sheet) -> list[Shown]:
    """The same from the layout the PDF and the Excel print (a sub-item indented in the window)."""
    rows: list[Shown] = []
    blank = (None,) * len(sheet.stages)
    for table in sheet_tables(sheet):
        if table.heading:
            rows.append((RowKind.HEADING, "", table.heading, blank))
        for row in table.rows:
            text = "　　" + row.text.replace("\n", "\n　　") if row.kind is RowKind.CHILD else row.text
            amounts = tuple(format_amount(a) for a in row.amounts) if row.amounts else blank
            rows.append((row.kind, row.no if row.project else "", text, amounts))
    return rows


def _open(window: MainWindow, ward: str) -> list[Shown]:
    window.open_sheet(ward, 2020)
    return shown_rows(window)


def _totals(rows: list[Shown]) -> list[tuple[str, str | None]]:
    return [(text, amounts[0]) for kind, _, text, amounts in rows if kind is RowKind.TOTAL]


@pytest.mark.parametrize("ward", WARDS)
def test_the_table_shows_the_rows_the_sheet_prints_in_print_order(window: MainWindow, ward: str) -> None:
    rows = _open(window, ward)
    assert rows == printed_rows(stored(window, ward))
    assert {kind for kind, *_ in rows} >= {RowKind.PROJECT, RowKind.TOTAL}


def test_chuo_is_one_table_in_number_order_with_the_tag_and_both_totals_at_the_foot(window: MainWindow) -> None:
    rows = _open(window, "中央区")
    projects = [(no, text) for kind, no, text, _ in rows if kind is RowKind.PROJECT]
    assert [no for no, _ in projects] == [str(n) for n in range(1, 22)]
    assert [no for no, text in projects if text.startswith(TAG + "\n")] == ["6", "7", "8", "9", "10", "11", "16"]
    assert dict(projects)["4"] == "【新規】\n地域デビュー応援事業"
    headings = [text.split("\n")[0] for kind, _, text, _ in rows if kind is RowKind.GROUP]
    assert headings.count("おたがいさまで支えあう地域づくり") == 1
    assert _totals(rows[-2:]) == [("まちづくり推進経費　計", "17,000"), ("復興支援自治推進経費　計", "10,000")]


def test_higashi_heads_each_table_and_totals_it_as_printed(window: MainWindow) -> None:
    rows = _open(window, "東区")
    assert [text for kind, _, text, _ in rows if kind is RowKind.HEADING] == [
        "【東区まちづくり推進経費】",
        "【東区復興支援自治推進経費】",
    ]
    assert [(text, amounts[0], amounts[3]) for kind, _, text, amounts in rows if kind is RowKind.TOTAL] == [
        ("合　計", "17,000", "5,748"),
        ("合　計", "10,000", "8,069"),
    ]


def test_nishi_totals_its_table_with_its_own_label(window: MainWindow) -> None:
    assert ("まちづくり推進経費　合計額", "17,000") in _totals(_open(window, "西区"))


def test_nishi_keeps_its_groups_as_heading_rows_to_edit_while_printing_them_at_the_side(window: MainWindow) -> None:
    rows = _open(window, "西区")
    assert stored(window, "西区").layout.group_style == "side"
    groups = [text for kind, _, text, _ in rows if kind is RowKind.GROUP]
    assert [text[:1] for text in groups] == ["①", "②", "③", "④"]


def test_minami_shows_group_subtotals_two_headings_and_its_totals(window: MainWindow) -> None:
    rows = _open(window, "南区")
    groups = [(text, amounts) for kind, _, text, amounts in rows if kind is RowKind.GROUP]
    assert groups[0][0] == "情報受発信の充実（1,668千円）"
    assert [amounts for text, amounts in groups if text == "防災・減災"] == [
        ("2,384", "2,384", "2,492", "2,275"),
        (None, None, None, None),  # one project: no subtotal line, as printed
    ]
    assert [no for kind, no, _, _ in rows if kind is RowKind.PROJECT][:3] == ["(1)", "(2)", "(3)"]
    assert "南区の“たからもの”活用事業（新規）" in [text for _, _, text, _ in rows]
    assert _totals(rows) == [("南区まちづくり推進経費　合計", "17,000"), ("南区復興支援自治推進経費　合計", "10,000")]


def test_kita_prints_its_reconstruction_table_first_with_circled_numbers(window: MainWindow) -> None:
    rows = _open(window, "北区")
    first = next(row for row in window.model.rows if row.project is not None)
    assert first.category == "復興支援自治推進経費"
    assert [no for kind, no, _, _ in rows if kind is RowKind.PROJECT][:3] == ["①", "②", "③"]
    assert next((text, amounts) for kind, _, text, amounts in rows if kind is RowKind.TOTAL) == (
        "復興支援自治推進経費　　合計",
        ("10,000", "10,000", "8,741", "7,643"),
    )
    assert _totals(rows)[1] == ("まちづくり推進経費　　合計", "17,000")
    header = window.model.headerData(column(window, Column.DESCRIPTION), Qt.Orientation.Horizontal)
    assert header == "事業概要"


def _heading_rows(window: MainWindow, name: str) -> list[int]:
    return [
        number
        for number, row in enumerate(window.model.rows)
        if row.kind is RowKind.GROUP and window.model.index(number, 0).data(Qt.ItemDataRole.EditRole) == name
    ]


def test_renaming_the_second_of_two_headings_in_the_table_leaves_the_first(
    qtbot: QtBot, window: MainWindow, qtmodeltester: ModelTester
) -> None:
    window.open_sheet("南区", 2020)
    qtmodeltester.check(window.model, force_py=True)  # and keeps checking every signal of the edits below
    before = stored(window, "南区")
    first, second = _heading_rows(window, "防災・減災")
    type_into(qtbot, window, window.model.index(second, 0), "防災・減災（拠点）")
    after = stored(window, "南区")
    renamed = [n for n, g in enumerate(after.groups) if g.name.startswith("防災・減災")]
    assert [after.groups[n].name for n in renamed] == ["防災・減災", "防災・減災（拠点）"]
    assert window.model.index(first, 0).data() == "防災・減災"
    assert window.model.index(second, 0).data() == "防災・減災（拠点）"
    moved = [p.name for p in after.projects if after.group_position(p) == renamed[1]]
    assert moved == ["地域活動拠点における災害対応機能強化経費"]
    window.undo_action.trigger()
    assert dump_sheet(stored(window, "南区")) == dump_sheet(before)
    assert _heading_rows(window, "防災・減災") == [first, second]


def test_typing_and_undo_in_a_ward_layout_keep_the_model_consistent(
    qtbot: QtBot, window: MainWindow, qtmodeltester: ModelTester
) -> None:
    window.open_sheet("中央区", 2020)
    qtmodeltester.check(window.model, force_py=True)
    model = window.model
    row = next(n for n, r in enumerate(model.rows) if r.project is not None and r.project.name == "地域防災力強化経費")
    index = model.index(row, column(window, Column.STAGES, 3))
    type_into(qtbot, window, index, "2,000")
    total = next(
        n for n, r in enumerate(model.rows) if r.kind is RowKind.TOTAL and r.category == "復興支援自治推進経費"
    )
    assert model.index(total, index.column()).data() == format_amount(6422 - 2199 + 2000)
    # Typing a name keeps the tag and the 【新規】 mark of the printed name out of what is stored.
    name_column = column(window, Column.NAME)
    assert model.index(row, name_column).data(Qt.ItemDataRole.EditRole) == "地域防災力強化経費"
    window.undo_action.trigger()
    assert model.index(total, index.column()).data() == "6,422"


def test_a_row_grows_to_show_every_line_of_its_text(qtbot: QtBot, window: MainWindow) -> None:
    model, view = window.model, window.view
    row = next(
        n for n, r in enumerate(model.rows) if r.project is not None and r.project.name == "まちづくり懇話会開催経費"
    )
    index = model.index(row, column(window, Column.DESCRIPTION))
    assert model.setData(index, "一行目")
    QApplication.processEvents()
    one_line = view.rowHeight(row)
    assert model.setData(index, "一行目\n二行目\n三行目\n四行目")
    QApplication.processEvents()
    assert index.data() == "一行目\n二行目\n三行目\n四行目"  # every line, not the first only
    assert view.rowHeight(row) > one_line
    assert view.rowHeight(row) >= 4 * view.fontMetrics().lineSpacing()


def test_a_narrower_text_column_makes_its_rows_taller_and_a_wider_one_shorter(qtbot: QtBot, window: MainWindow) -> None:
    model, view = window.model, window.view
    row = next(n for n, r in enumerate(model.rows) if r.project is not None and len(r.project.description) > 40)
    description = column(window, Column.DESCRIPTION)
    wide = view.rowHeight(row)
    view.setColumnWidth(description, 120)
    qtbot.waitUntil(lambda: view.rowHeight(row) > wide)
    view.setColumnWidth(description, 2000)
    qtbot.waitUntil(lambda: view.rowHeight(row) <= wide)
