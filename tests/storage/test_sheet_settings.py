"""The sheet settings as one edit: title, vision, categories renamed, added, removed and reordered, 配分額."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from desktop_app import operations
from desktop_app.domain import Category
from desktop_app.domain.edits import CategoryChoice, EditError, plan_sheet_settings
from desktop_app.exchange.json_format import dump_sheet
from desktop_app.storage import history, load_sheet, replace_sheets
from desktop_app.storage.edits import apply_changes
from tests.factories import FUKKO, MACHI, small_sheet


def test_settings_rename_reorder_add_and_allocate_then_undo_exactly(empty_workspace: operations.Workspace) -> None:
    replace_sheets(empty_workspace.db, [small_sheet()], source="test")
    sheet = load_sheet(empty_workspace.db, "東区", 2020)
    assert sheet.id is not None
    edit = plan_sheet_settings(
        sheet,
        title="令和2年度　東区まちづくりの取組",
        vision="自然豊かな\n笑顔あふれる未来のまち",
        categories=[
            CategoryChoice(FUKKO, FUKKO, 5000),
            CategoryChoice(MACHI, "区まちづくり推進経費", 19000),
            CategoryChoice(None, "5区共通", None),
        ],
    )
    apply_changes(empty_workspace.db, sheet.id, edit.changes, user="熊本 花子")
    after = load_sheet(empty_workspace.db, "東区", 2020)
    assert after.title == "令和2年度　東区まちづくりの取組" and after.vision == "自然豊かな\n笑顔あふれる未来のまち"
    assert after.categories == (
        Category(FUKKO, 5000),
        Category("区まちづくり推進経費", 19000),
        Category("5区共通", None),
    )
    moved = {p.name for p in after.all_projects() if p.category == "区まちづくり推進経費"}
    assert moved == {p.name for p in sheet.all_projects() if p.category == MACHI} and moved
    fields = {(e.field, e.old_value, e.new_value, e.changed_by) for e in history(empty_workspace.db, sheet_id=sheet.id)}
    assert ("配分額（区まちづくり推進経費）", "17,000", "19,000", "熊本 花子") in fields
    assert ("経費区分名", MACHI, "区まちづくり推進経費", "熊本 花子") in fields
    apply_changes(empty_workspace.db, sheet.id, edit.inverse)
    assert dump_sheet(load_sheet(empty_workspace.db, "東区", 2020)) == dump_sheet(sheet)


def test_a_category_with_projects_cannot_be_removed_and_names_must_differ(
    empty_workspace: operations.Workspace,
) -> None:
    replace_sheets(empty_workspace.db, [small_sheet()], source="test")
    sheet = load_sheet(empty_workspace.db, "東区", 2020)
    used = sum(1 for p in sheet.all_projects() if p.category == FUKKO)
    with pytest.raises(EditError, match=f"経費区分「{FUKKO}」には事業が{used}件あるため削除できません"):
        plan_sheet_settings(sheet, title=sheet.title, vision="", categories=[CategoryChoice(MACHI, MACHI, 17000)])
    with pytest.raises(EditError, match="経費区分「まちづくり推進経費」が2つあります"):
        plan_sheet_settings(
            sheet,
            title=sheet.title,
            vision="",
            categories=[CategoryChoice(MACHI, MACHI, 1), CategoryChoice(FUKKO, MACHI, 2)],
        )
    with pytest.raises(EditError, match="表題を入力してください"):
        plan_sheet_settings(sheet, title="　 ", vision="", categories=[CategoryChoice(MACHI, MACHI, 1)])


def test_an_unused_category_is_removed_and_comes_back_on_undo(empty_workspace: operations.Workspace) -> None:
    blank = operations.create_sheet(
        empty_workspace, ward="北区", year=2024, allocations=[(MACHI, 19000), (FUKKO, None)]
    )
    assert blank.id is not None
    edit = plan_sheet_settings(
        blank, title=blank.title, vision=blank.vision, categories=[CategoryChoice(MACHI, MACHI, 19000)]
    )
    apply_changes(empty_workspace.db, blank.id, edit.changes)
    assert load_sheet(empty_workspace.db, "北区", 2024).categories == (Category(MACHI, 19000),)
    apply_changes(empty_workspace.db, blank.id, edit.inverse)
    assert load_sheet(empty_workspace.db, "北区", 2024).categories == blank.categories


def test_layout_and_overview_change_with_the_rest_in_one_edit_and_undo_exactly(
    empty_workspace: operations.Workspace,
) -> None:
    replace_sheets(empty_workspace.db, [small_sheet()], source="test")
    sheet = load_sheet(empty_workspace.db, "東区", 2020)
    assert sheet.id is not None
    layout = replace(
        sheet.layout,
        numbering="①",
        tables="single",
        overview="基本理念\n　・人が輝く東区",
        extra={"paper_hint": {"size": "A3"}},
    )
    edit = plan_sheet_settings(
        sheet,
        title="東区の取組",
        vision=sheet.vision,
        categories=[CategoryChoice(c.name, c.name, c.allocation) for c in sheet.categories],
        layout=layout,
    )
    assert len(edit.changes) == 1  # one undoable step for title and layout alike
    apply_changes(empty_workspace.db, sheet.id, edit.changes, user="熊本 花子")
    after = load_sheet(empty_workspace.db, "東区", 2020)
    assert after.title == "東区の取組" and after.layout == layout
    fields = {(e.field, e.old_value, e.new_value) for e in history(empty_workspace.db, sheet_id=sheet.id)}
    assert ("概要", "", "基本理念\n　・人が輝く東区") in fields
    assert ("印刷の様式（番号）", "1", "①") in fields
    assert ("印刷の様式（表の分け方）", "経費区分ごと", "1つの表") in fields
    apply_changes(empty_workspace.db, sheet.id, edit.inverse)
    assert dump_sheet(load_sheet(empty_workspace.db, "東区", 2020)) == dump_sheet(sheet)


def test_renaming_a_category_carries_its_place_in_the_print_order(empty_workspace: operations.Workspace) -> None:
    replace_sheets(empty_workspace.db, [small_sheet()], source="test")
    sheet = load_sheet(empty_workspace.db, "東区", 2020)
    assert sheet.id is not None
    apply_changes(
        empty_workspace.db,
        sheet.id,
        plan_sheet_settings(
            sheet,
            title=sheet.title,
            vision="",
            categories=[CategoryChoice(c.name, c.name, c.allocation) for c in sheet.categories],
            layout=replace(sheet.layout, category_order=(FUKKO, MACHI)),
        ).changes,
    )
    sheet = load_sheet(empty_workspace.db, "東区", 2020)
    renamed = [
        CategoryChoice(c.name, "区" + c.name if c.name == MACHI else c.name, c.allocation) for c in sheet.categories
    ]
    edit = plan_sheet_settings(sheet, title=sheet.title, vision="", categories=renamed)
    apply_changes(empty_workspace.db, sheet.id or 0, edit.changes)
    assert load_sheet(empty_workspace.db, "東区", 2020).layout.category_order == (FUKKO, "区" + MACHI)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"total_label": "{区}合計"},
            "合計の行の名前「{区}合計」の「{区}」は使えません（使えるのは {ward}、{category}、{year} です）。",
        ),
        ({"numbering": "1)"}, "印刷の様式の番号「1)」は使えません"),
    ],
)
def test_a_layout_the_print_cannot_follow_is_refused(
    empty_workspace: operations.Workspace, change: dict[str, Any], expected: str
) -> None:
    replace_sheets(empty_workspace.db, [small_sheet()], source="test")
    sheet = load_sheet(empty_workspace.db, "東区", 2020)
    with pytest.raises(EditError) as refused:
        plan_sheet_settings(
            sheet,
            title=sheet.title,
            vision="",
            categories=[CategoryChoice(c.name, c.name, c.allocation) for c in sheet.categories],
            layout=replace(sheet.layout, **change),
        )
    assert expected in str(refused.value)
