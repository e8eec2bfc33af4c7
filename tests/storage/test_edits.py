"""Edits as the window makes them: applied in one transaction with history, undone exactly."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from desktop_app import operations
from desktop_app.domain import Sheet, Status
from desktop_app.domain.edits import (
    CellInput,
    Edit,
    EditError,
    plan_cells,
    plan_clear,
    plan_delete,
    plan_indent,
    plan_insert,
    plan_move,
    plan_new_group,
    plan_outdent,
    plan_rename_group,
    plan_set_group,
    plan_stage_lock,
)
from desktop_app.domain.layout import Column
from desktop_app.exchange.json_format import dump_sheet
from desktop_app.storage import history, load_sheet, load_sheet_by_id, replace_sheets
from desktop_app.storage.edits import apply_changes, next_project_id
from tests.factories import small_sheet


@pytest.fixture
def stored(empty_workspace: operations.Workspace) -> Callable[[], Sheet]:
    replace_sheets(empty_workspace.db, [small_sheet()], source="test")
    return lambda: load_sheet(empty_workspace.db, "東区", 2020)


def _ids(sheet: Sheet) -> list[int]:
    return [p.id for p in sheet.projects]  # type: ignore[misc]


def _apply_and_undo(ws: operations.Workspace, sheet: Sheet, edit: Edit) -> Sheet:
    assert sheet.id is not None
    apply_changes(ws.db, sheet.id, edit.changes)
    after = load_sheet_by_id(ws.db, sheet.id)
    apply_changes(ws.db, sheet.id, edit.inverse)
    assert dump_sheet(load_sheet_by_id(ws.db, sheet.id)) == dump_sheet(sheet), "undo must restore the sheet exactly"
    assert [p.id for p in load_sheet_by_id(ws.db, sheet.id).all_projects()] == [p.id for p in sheet.all_projects()]
    return after


def test_typing_an_amount_into_a_subitem_updates_the_parent(
    empty_workspace: operations.Workspace, stored: Callable[[], Sheet]
) -> None:
    sheet = stored()
    child = sheet.projects[1].children[0]
    assert child.id is not None
    edit = plan_cells(sheet, [CellInput(child.id, Column.STAGES, 3, "２００")], "入力")
    after = _apply_and_undo(empty_workspace, sheet, edit)
    assert after.projects[1].children[0].amounts[3] == 200
    assert after.projects[1].amounts[3] == 200 + 0


def test_every_change_is_in_the_history_with_old_and_new(
    empty_workspace: operations.Workspace, stored: Callable[[], Sheet]
) -> None:
    sheet = stored()
    project = sheet.projects[3]
    assert project.id is not None and sheet.id is not None
    edit = plan_cells(
        sheet,
        [CellInput(project.id, Column.STAGES, 3, "1,900"), CellInput(project.id, Column.STATUS, None, "縮小")],
        "貼り付け",
    )
    apply_changes(empty_workspace.db, sheet.id, edit.changes, user="suzuki")
    entries = history(empty_workspace.db, sheet_id=sheet.id, project_id=project.id)
    assert {(e.field, e.old_value, e.new_value, e.changed_by) for e in entries} == {
        ("決算額", "1,857", "1,900", "suzuki"),
        ("状況", "実施", "縮小", "suzuki"),
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", "№1「地域防災力強化経費」の当初予算: 「abc」は金額として読めません"),
        ("-3", "マイナス"),
        ("2.5", "小数"),
    ],
)
def test_bad_amounts_are_refused_naming_the_cell(stored: Callable[[], Sheet], raw: str, message: str) -> None:
    sheet = stored()
    project = sheet.projects[3]
    assert project.id is not None
    with pytest.raises(EditError, match=message):
        plan_cells(sheet, [CellInput(project.id, Column.STAGES, 0, raw)], "入力")


def test_a_locked_stage_and_a_parent_total_cannot_be_typed_into(
    empty_workspace: operations.Workspace, stored: Callable[[], Sheet]
) -> None:
    sheet = stored()
    assert sheet.id is not None
    apply_changes(empty_workspace.db, sheet.id, plan_stage_lock(sheet, 0, True).changes)
    locked = stored()
    assert locked.stages[0].locked
    project = locked.projects[0]
    assert project.id is not None
    with pytest.raises(EditError, match="当初予算は確定済みのため変更できません"):
        plan_cells(locked, [CellInput(project.id, Column.STAGES, 0, "1")], "入力")
    parent = locked.projects[1]
    assert parent.id is not None
    with pytest.raises(EditError, match="内訳のある事業の金額は内訳の合計です"):
        plan_cells(locked, [CellInput(parent.id, Column.STAGES, 1, "1")], "入力")


def test_insert_delete_and_undo_keep_ids_and_order(
    empty_workspace: operations.Workspace, stored: Callable[[], Sheet]
) -> None:
    sheet = stored()
    new_id = next_project_id(empty_workspace.db)
    after = _apply_and_undo(empty_workspace, sheet, plan_insert(sheet, new_id, after_id=sheet.projects[0].id))
    assert _ids(after)[1] == new_id
    assert after.projects[1].group == sheet.projects[0].group
    deleted = _apply_and_undo(empty_workspace, sheet, plan_delete(sheet, [sheet.projects[1].id, sheet.projects[3].id]))  # type: ignore[list-item]
    assert [p.name for p in deleted.projects] == [sheet.projects[0].name, sheet.projects[2].name]
    # A new project never takes the id of one deleted before (its history stays its own).
    assert next_project_id(empty_workspace.db) > new_id


def test_deleting_a_subitem_updates_the_parent(
    empty_workspace: operations.Workspace, stored: Callable[[], Sheet]
) -> None:
    sheet = stored()
    child = sheet.projects[1].children[0]
    after = _apply_and_undo(empty_workspace, sheet, plan_delete(sheet, [child.id]))  # type: ignore[list-item]
    assert after.projects[1].amounts == (189, 0, 0, 0)


def test_move_indent_outdent(empty_workspace: operations.Workspace, stored: Callable[[], Sheet]) -> None:
    sheet = stored()
    moved = _apply_and_undo(empty_workspace, sheet, plan_move(sheet, sheet.projects[2].id, -1))  # type: ignore[arg-type]
    assert [p.no for p in moved.projects] == ["1", "3", "2", "1"]
    with pytest.raises(EditError, match="これ以上移動できません"):
        plan_move(sheet, sheet.projects[0].id, -1)  # type: ignore[arg-type]
    indented = _apply_and_undo(empty_workspace, sheet, plan_indent(sheet, sheet.projects[2].id))  # type: ignore[arg-type]
    assert [c.name for c in indented.projects[1].children][-1] == "空き店舗活用事業"
    assert indented.projects[1].children[-1].no == "③"
    outdented = _apply_and_undo(empty_workspace, sheet, plan_outdent(sheet, sheet.projects[1].children[1].id))  # type: ignore[arg-type]
    assert outdented.projects[2].name == "地域再発見交流事業"
    assert outdented.projects[1].amounts == (412, 376, 376, 129)


def test_groups_and_stage_locks(empty_workspace: operations.Workspace, stored: Callable[[], Sheet]) -> None:
    sheet = stored()
    grouped = _apply_and_undo(empty_workspace, sheet, plan_new_group(sheet, "防災", [sheet.projects[3].id]))  # type: ignore[list-item]
    assert grouped.groups[-1].name == "防災" and grouped.projects[3].group == "防災"
    renamed = _apply_and_undo(empty_workspace, sheet, plan_rename_group(sheet, "その他", "その他の取組"))
    assert renamed.projects[2].group == "その他の取組"
    locked = _apply_and_undo(empty_workspace, sheet, plan_stage_lock(sheet, 1, True))
    assert [s.locked for s in locked.stages] == [False, True, False, False]


def test_clear_leaves_names_and_computed_cells(
    empty_workspace: operations.Workspace, stored: Callable[[], Sheet]
) -> None:
    sheet = stored()
    parent, cancelled = sheet.projects[1], sheet.projects[0]
    cells = [
        (p.id, column, stage)
        for p in (parent, cancelled)
        for column, stage in ((Column.NAME, None), (Column.STAGES, 0), (Column.STATUS, None), (Column.REMARKS, None))
    ]
    cleared = _apply_and_undo(empty_workspace, sheet, plan_clear(sheet, cells))  # type: ignore[arg-type]
    assert cleared.projects[0].name == cancelled.name
    assert cleared.projects[0].amounts[0] is None
    assert cleared.projects[0].status is Status.PLANNED and cleared.projects[0].note == ""
    assert cleared.projects[1].amounts == parent.amounts


# ---------------------------------------------------------------- 南区's two headings 防災・減災


def _minami(workspace: operations.Workspace) -> tuple[Sheet, int, int]:
    """南区's FY2020 sheet and the positions of its two headings named 防災・減災."""
    sheet = load_sheet(workspace.db, "南区", 2020)
    first, second = [n for n, group in enumerate(sheet.groups) if group.name == "防災・減災"]
    return sheet, first, second


def _members(sheet: Sheet, position: int) -> list[str]:
    return [p.name for p in sheet.projects if sheet.group_position(p) == position]


def test_renaming_the_second_of_two_headings_of_one_name_leaves_the_first(workspace: operations.Workspace) -> None:
    sheet, first, second = _minami(workspace)
    assert _members(sheet, second) == ["地域活動拠点における災害対応機能強化経費"]
    renamed = _apply_and_undo(workspace, sheet, plan_rename_group(sheet, second, "防災・減災（拠点）"))
    assert [g.name for g in renamed.groups][first] == "防災・減災"
    assert [g.name for g in renamed.groups][second] == "防災・減災（拠点）"
    assert (
        _members(renamed, first) == _members(sheet, first) == ["地域防災力強化経費", "校区防災連絡会及び活動助成経費"]
    )
    assert _members(renamed, second) == ["地域活動拠点における災害対応機能強化経費"]
    # By name, a rename still means the first heading of that name (as the window's dialogs ask).
    by_name = _apply_and_undo(workspace, sheet, plan_rename_group(sheet, "防災・減災", "防災"))
    assert [by_name.groups[first].name, by_name.groups[second].name] == ["防災", "防災・減災"]


def test_moving_a_project_under_the_second_heading_of_a_repeated_name(workspace: operations.Workspace) -> None:
    sheet, first, second = _minami(workspace)
    moved_name = "復興賑わいづくり支援助成経費"
    project = next(p for p in sheet.projects if p.name == moved_name)
    assert project.id is not None
    moved = _apply_and_undo(workspace, sheet, plan_set_group(sheet, [project.id], second))
    assert moved_name in _members(moved, second) and moved_name not in _members(moved, first)
    grouped = _apply_and_undo(workspace, sheet, plan_new_group(sheet, "新しい見出し", [project.id]))
    assert _members(grouped, len(sheet.groups)) == [moved_name]


def test_a_row_inserted_or_deleted_under_the_second_heading_stays_under_it(workspace: operations.Workspace) -> None:
    sheet, _first, second = _minami(workspace)
    (last,) = [p for p in sheet.projects if sheet.group_position(p) == second]
    assert last.id is not None
    new_id = next_project_id(workspace.db)
    inserted = _apply_and_undo(workspace, sheet, plan_insert(sheet, new_id, after_id=last.id))
    assert [p.id for p in inserted.projects if inserted.group_position(p) == second] == [last.id, new_id]
    # Undoing a delete brings the row back under its own heading, not the first 防災・減災
    # (_apply_and_undo compares the whole sheet).
    _apply_and_undo(workspace, sheet, plan_delete(sheet, [last.id]))
