"""What an edit touches (SheetChanges): the rows the table repaints and whether it lays out again."""

from __future__ import annotations

import itertools
from dataclasses import replace

from desktop_app.domain import Sheet
from desktop_app.domain.edits import (
    CellInput,
    SheetChanges,
    changes_of,
    plan_cells,
    plan_delete,
    plan_details,
    plan_insert,
    plan_move,
    plan_rename_group,
    plan_set_group,
    plan_stage_lock,
)
from desktop_app.domain.layout import Column
from tests.factories import FUKKO, small_sheet


def numbered() -> Sheet:
    """small_sheet with ids, as storage returns it."""
    ids = itertools.count(1)
    projects = tuple(
        replace(p, id=next(ids), children=tuple(replace(c, id=next(ids)) for c in p.children))
        for p in small_sheet().projects
    )
    return replace(small_sheet(), projects=projects)


def _parent_and_child(sheet: Sheet) -> tuple[int, int]:
    parent = next(p for p in sheet.projects if p.children)
    assert parent.id is not None and parent.children[0].id is not None
    return parent.id, parent.children[0].id


def test_a_sub_item_amount_touches_it_and_its_parent_and_the_totals() -> None:
    sheet = numbered()
    parent, child = _parent_and_child(sheet)
    edit = plan_cells(sheet, [CellInput(child, Column.STAGES, 3, "200")], "入力")
    touched = changes_of(edit.changes)
    assert touched == SheetChanges(project_ids=frozenset({parent, child}), amounts=True)
    assert touched.totals and not touched.shape
    assert changes_of(edit.inverse) == touched  # undo repaints the same rows


def test_a_text_field_touches_one_row_and_no_total() -> None:
    sheet = numbered()
    first = sheet.projects[0].id
    assert first is not None
    touched = changes_of(plan_details(sheet, first, {"note": "延期"}).changes)
    assert touched == SheetChanges(project_ids=frozenset({first}))
    assert not touched.totals


def test_a_category_change_moves_the_totals_but_not_the_rows() -> None:
    sheet = numbered()
    first = sheet.projects[0].id
    assert first is not None
    touched = changes_of(plan_cells(sheet, [CellInput(first, Column.CATEGORY, None, FUKKO)], "入力").changes)
    assert touched.totals and not touched.shape


def test_rows_coming_going_moving_or_regrouping_change_the_shape() -> None:
    sheet = numbered()
    first, second = sheet.projects[0].id, sheet.projects[1].id
    assert first is not None and second is not None
    for edit in (
        plan_insert(sheet, 999, after_id=first),
        plan_delete(sheet, [first]),
        plan_move(sheet, second, -1),
        plan_set_group(sheet, [second], next(g.name for g in sheet.groups if g.name != sheet.projects[1].group)),
        plan_rename_group(sheet, "その他", "そのほか"),
    ):
        assert changes_of(edit.changes).shape, edit.description
        assert changes_of(edit.inverse).shape, edit.description


def test_locking_a_stage_names_the_stage() -> None:
    touched = changes_of(plan_stage_lock(numbered(), 2, True).changes)
    assert touched == SheetChanges(stages=frozenset({2}))


def test_changes_add_up() -> None:
    amounts = SheetChanges(project_ids=frozenset({1}), amounts=True)
    shape = SheetChanges(project_ids=frozenset({2}), shape=True)
    assert amounts | shape == SheetChanges(project_ids=frozenset({1, 2}), shape=True, amounts=True)
