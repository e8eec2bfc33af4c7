"""Edits to a sheet as data: what a person asked for, checked against the rules, with its inverse.

The window plans an edit here (typing, pasting, inserting, moving, locking a stage), storage
applies its primitive changes in one transaction, and undo applies the inverse. Sub-item sums,
locked stages and every refusal message live here, so the table, paste and tests agree.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Final

from desktop_app.domain.layout import Column, rename_layout_categories, template_problem
from desktop_app.domain.model import (
    NEW_MARK_STYLES,
    NUMBERING_STYLES,
    TABLE_STYLES,
    Amounts,
    Category,
    Group,
    Project,
    Sheet,
    SheetLayout,
    Stage,
    Status,
)
from desktop_app.domain.money import AmountError, parse_amount

FIELD_LABELS: Final = {
    "no": "№",
    "name": "事業名",
    "description": "事業内容",
    "category": "経費区分",
    "group": "グループ",
    "new": "新規",
    "status": "状況",
    "note": "備考",
    "section": "担当",
    "district": "校区",
    "notes_heading": "注記番号",
}
COLUMN_FIELDS: Final = {
    Column.NO: "no",
    Column.NEW: "new",
    Column.NAME: "name",
    Column.DESCRIPTION: "description",
    Column.CATEGORY: "category",
    Column.STATUS: "status",
    Column.REMARKS: "note",
}
NEW_PROJECT_NAME: Final = "（新しい事業）"
_TRUE_WORDS: Final = frozenset({"【新規】", "新規", "新", "○", "◯", "●", "true", "yes", "1", "y", "✓", "✔"})
_FALSE_WORDS: Final = frozenset({"", "false", "no", "0", "n", "×", "-", "―"})


class EditError(ValueError):
    """An edit the rules refuse; the message is one Japanese sentence naming the place."""


# ---------------------------------------------------------------- primitive changes


@dataclass(frozen=True)
class SetProjectField:
    project_id: int
    field: str
    value: str | bool | Status | None


@dataclass(frozen=True)
class SetAmounts:
    project_id: int
    amounts: Amounts


@dataclass(frozen=True)
class InsertProject:
    """Insert a project (with its id and its sub-items' ids fixed, so redo and undo agree)."""

    project: Project
    parent_id: int | None
    position: int


@dataclass(frozen=True)
class DeleteProject:
    project_id: int


@dataclass(frozen=True)
class MoveProject:
    project_id: int
    parent_id: int | None
    position: int


@dataclass(frozen=True)
class SetStageLocked:
    stage: int
    locked: bool


@dataclass(frozen=True)
class AddGroup:
    group: Group
    position: int


# Group changes name a heading by its position in `Sheet.groups`: names may repeat (南区 prints
# two headings 防災・減災) and an edit acts on the one heading a person chose. The name is kept to
# check that the position still holds that heading, and for the history.


@dataclass(frozen=True)
class RemoveGroup:
    position: int
    name: str


@dataclass(frozen=True)
class RenameGroup:
    position: int
    old: str
    new: str


@dataclass(frozen=True)
class SetProjectGroup:
    """Put a project under the heading at `position` in `Sheet.groups` (None: under no heading)."""

    project_id: int
    position: int | None


@dataclass(frozen=True)
class SetSheetSettings:
    """The sheet's title, vision line, funding categories (names, order, 配分額) and how it prints
    (its whole layout, the overview included) at once.

    `renames` pairs an existing category's old name with its new one, so its projects follow it.
    """

    title: str
    vision: str
    categories: tuple[Category, ...]
    layout: SheetLayout
    renames: tuple[tuple[str, str], ...] = ()


Change = (
    SetProjectField
    | SetProjectGroup
    | SetAmounts
    | InsertProject
    | DeleteProject
    | MoveProject
    | SetStageLocked
    | AddGroup
    | RemoveGroup
    | RenameGroup
    | SetSheetSettings
)


@dataclass(frozen=True)
class Edit:
    """One undoable step: its changes, the changes that undo it, and what to call it."""

    description: str
    changes: tuple[Change, ...]
    inverse: tuple[Change, ...]
    # The project the window should select afterwards (the one typed into, inserted, moved).
    focus_id: int | None = None


# ---------------------------------------------------------------- finding projects


@dataclass(frozen=True)
class Located:
    project: Project
    parent: Project | None
    index: int  # position among its siblings


def locate(sheet: Sheet, project_id: int) -> Located:
    for index, project in enumerate(sheet.projects):
        if project.id == project_id:
            return Located(project, None, index)
        for child_index, child in enumerate(project.children):
            if child.id == project_id:
                return Located(child, project, child_index)
    raise EditError("その事業はもうありません（ほかの操作で削除されました）。")


def _siblings(sheet: Sheet, parent: Project | None) -> tuple[Project, ...]:
    return sheet.projects if parent is None else parent.children


# ---------------------------------------------------------------- cell values


@dataclass(frozen=True)
class CellInput:
    """A value a person typed or pasted into one cell: a field, or a stage's amount."""

    project_id: int
    column: Column
    stage: int | None
    raw: object


def parse_new_flag(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = unicodedata.normalize("NFKC", str(raw)).strip().lower()
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    raise ValueError(f"「{raw}」は新規の印として読めません（○ か 空欄）")


def parse_cell(sheet: Sheet, project: Project, column: Column, stage: int | None, raw: object) -> object:
    """The stored value for what was typed into a cell, or EditError naming the cell."""
    where = cell_label(sheet, project, column, stage)
    try:
        if column is Column.STAGES:
            return parse_amount(raw)
        if column is Column.NEW:
            return parse_new_flag(raw)
        text = "" if raw is None else str(raw)
        if column is Column.STATUS:
            if not text.strip():
                return Status.PLANNED
            return Status.from_text(text)
        if column is Column.CATEGORY:
            name = text.strip()
            if sheet.category(name) is None:
                names = "、".join(c.name for c in sheet.categories)
                raise ValueError(f"「{name}」はこのシートの経費区分ではありません（{names}）")
            return name
        if column is Column.NAME and not text.strip():
            raise ValueError("事業名は空にできません")
        return text
    except AmountError as exc:
        raise EditError(f"{where}: {exc}。") from exc
    except ValueError as exc:
        message = str(exc)
        if column is Column.STATUS:
            labels = "・".join(status.label for status in Status)
            message = f"「{raw}」は状況として使えません（{labels}）"
        raise EditError(f"{where}: {message}。") from exc


def cell_label(sheet: Sheet, project: Project, column: Column, stage: int | None) -> str:
    """`№3「東区民文化スポーツ交流事業」の当初予算`: how a message names a cell."""
    if column is Column.STAGES and stage is not None:
        field = sheet.stages[stage].name
    else:
        field = FIELD_LABELS[COLUMN_FIELDS[column]]
    return f"{project.label}の{field}"


def plan_cells(sheet: Sheet, inputs: Sequence[CellInput], description: str) -> Edit:
    """Set many cells at once (typing is one cell, paste and clear are many); all or nothing."""
    field_changes: list[SetProjectField] = []
    field_inverse: list[SetProjectField] = []
    new_amounts: dict[int, list[int | None]] = {}
    old_amounts: dict[int, Amounts] = {}
    for item in inputs:
        found = locate(sheet, item.project_id)
        project = found.project
        value = parse_cell(sheet, project, item.column, item.stage, item.raw)
        if item.column is Column.STAGES:
            assert item.stage is not None
            _check_amount_editable(sheet, project, item.stage)
            assert project.id is not None
            assert value is None or isinstance(value, int)
            row = new_amounts.setdefault(project.id, list(project.amounts))
            old_amounts.setdefault(project.id, project.amounts)
            row[item.stage] = value
            continue
        field = COLUMN_FIELDS[item.column]
        if field == "category" and found.parent is not None and value != found.parent.category:
            raise EditError(f"{cell_label(sheet, project, item.column, None)}: 内訳の経費区分は親の事業と同じです。")
        old = getattr(project, field)
        if old != value:
            assert project.id is not None
            field_changes.append(SetProjectField(project.id, field, value))  # type: ignore[arg-type]
            field_inverse.append(SetProjectField(project.id, field, old))
            if field == "category":
                for child in project.children:
                    assert child.id is not None
                    field_changes.append(SetProjectField(child.id, "category", value))  # type: ignore[arg-type]
                    field_inverse.append(SetProjectField(child.id, "category", child.category))
    amount_changes: list[SetAmounts] = []
    amount_inverse: list[SetAmounts] = []
    for project_id, amounts in new_amounts.items():
        if tuple(amounts) != old_amounts[project_id]:
            amount_changes.append(SetAmounts(project_id, tuple(amounts)))
            amount_inverse.append(SetAmounts(project_id, old_amounts[project_id]))
    amount_changes, amount_inverse = _with_parent_sums(sheet, amount_changes, amount_inverse)
    changes: tuple[Change, ...] = (*field_changes, *amount_changes)
    inverse: tuple[Change, ...] = (*reversed(amount_inverse), *reversed(field_inverse))
    focus = inputs[0].project_id if inputs else None
    return Edit(description, changes, inverse, focus)


def _check_amount_editable(sheet: Sheet, project: Project, stage: int) -> None:
    if sheet.stages[stage].locked:
        raise EditError(
            f"{cell_label(sheet, project, Column.STAGES, stage)}: {sheet.stages[stage].name}は確定済みのため変更できません。"
        )
    if project.children:
        raise EditError(
            f"{cell_label(sheet, project, Column.STAGES, stage)}: 内訳のある事業の金額は内訳の合計です（内訳を入力してください）。"
        )


def _with_parent_sums(
    sheet: Sheet, changes: list[SetAmounts], inverse: list[SetAmounts]
) -> tuple[list[SetAmounts], list[SetAmounts]]:
    """Add the parents' new sums for every sub-item whose amounts change."""
    changed = {change.project_id: change.amounts for change in changes}
    for project in sheet.projects:
        if not project.children or not any(child.id in changed for child in project.children):
            continue
        children = [replace(child, amounts=changed.get(child.id or -1, child.amounts)) for child in project.children]
        summed = replace(project, children=tuple(children)).children_sum()
        if summed != project.amounts:
            assert project.id is not None
            changes.append(SetAmounts(project.id, summed))
            inverse.append(SetAmounts(project.id, project.amounts))
    return changes, inverse


def plan_details(sheet: Sheet, project_id: int, values: dict[str, object]) -> Edit:
    """Several fields of one project at once (the detail panel's 反映): one undoable step."""
    found = locate(sheet, project_id)
    changes: list[Change] = []
    inverse: list[Change] = []
    for field, raw in values.items():
        if field not in FIELD_LABELS or field in ("category", "group", "new"):
            raise EditError(f"項目「{field}」はここでは変更できません。")
        if field == "status":
            value: object = parse_cell(sheet, found.project, Column.STATUS, None, raw)
        elif field in ("section", "district", "notes_heading"):
            value = str(raw).strip() or None if raw is not None else None
        else:
            value = "" if raw is None else str(raw)
            if field == "name" and not str(value).strip():
                raise EditError(f"{found.project.label}の事業名は空にできません。")
        old = getattr(found.project, field)
        if old != value:
            changes.append(SetProjectField(project_id, field, value))  # type: ignore[arg-type]
            inverse.append(SetProjectField(project_id, field, old))
    return Edit("詳細の変更", tuple(changes), tuple(reversed(inverse)), project_id)


def plan_clear(sheet: Sheet, cells: Iterable[tuple[int, Column, int | None]]) -> Edit:
    """Delete key on a selection: amounts become ―, texts empty, 新規 off, 状況 back to 予定.

    Cells that cannot be empty (事業名, 経費区分) and computed or locked cells are left alone.
    """
    inputs = []
    for project_id, column, stage in cells:
        project = locate(sheet, project_id).project
        if column in (Column.NAME, Column.CATEGORY):
            continue
        if column is Column.STAGES and stage is not None and (sheet.stages[stage].locked or project.children):
            continue
        inputs.append(CellInput(project_id, column, stage, "" if column is not Column.NEW else False))
    return plan_cells(sheet, inputs, "セルの消去")


# ---------------------------------------------------------------- rows


def new_project(
    sheet: Sheet, new_id: int, *, category: str, group: str | None, group_index: int | None = None
) -> Project:
    return Project(
        no="",
        name=NEW_PROJECT_NAME,
        category=category,
        amounts=(None,) * len(sheet.stages),
        group=group,
        group_index=group_index,
        id=new_id,
    )


def plan_insert(sheet: Sheet, new_id: int, *, after_id: int | None) -> Edit:
    """A new project after the given one (same category, group and level), or at the end."""
    if after_id is None:
        category = sheet.categories[0].name if sheet.categories else "まちづくり推進経費"
        last = sheet.projects[-1] if sheet.projects else None
        group = last.group if last else (sheet.groups[0].name if sheet.groups else None)
        index = sheet.group_position(last) if last else None
        project = new_project(sheet, new_id, category=category, group=group, group_index=index)
        project = replace(project, no=next_project_number(sheet, category))
        return _insert_edit(project, None, len(sheet.projects))
    found = locate(sheet, after_id)
    # Under the very heading of the row it follows, not the first heading of that name.
    owner = found.parent or found.project
    project = new_project(
        sheet, new_id, category=found.project.category, group=owner.group, group_index=sheet.group_position(owner)
    )
    if found.parent is not None:
        project = replace(project, no=_next_child_mark(found.parent))
        return _insert_edit(project, found.parent.id, found.index + 1)
    project = replace(project, no=next_project_number(sheet, found.project.category))
    return _insert_edit(project, None, found.index + 1)


def next_project_number(sheet: Sheet, category: str) -> str:
    """The № a new project of `category` gets: one past the highest in use, in the same style.

    `12` after 1–11; `⑨` where the ward numbers ①–⑧ (北区). №s that are not plain numbers
    (「１－①」) are skipped; with none in use the first is `1`.
    """
    highest = 0
    circled = False
    for project in sheet.projects:
        if project.category != category:
            continue
        text = project.no.strip()
        value = _number_value(text)
        if value is not None and value >= highest:
            highest = value
            circled = text in _CHILD_MARKS
    following = highest + 1
    if circled and following <= len(_CHILD_MARKS):
        return _CHILD_MARKS[following - 1]
    return str(following)


def _number_value(text: str) -> int | None:
    # NFKC folds full-width digits (１２) and circled numbers (⑫) to ASCII digits.
    folded = unicodedata.normalize("NFKC", text)
    return int(folded) if folded.isdigit() and folded.isascii() else None


def _insert_edit(project: Project, parent_id: int | None, position: int) -> Edit:
    assert project.id is not None
    return Edit("事業の追加", (InsertProject(project, parent_id, position),), (DeleteProject(project.id),), project.id)


_CHILD_MARKS: Final = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _next_child_mark(parent: Project) -> str:
    count = len(parent.children)
    return _CHILD_MARKS[count] if count < len(_CHILD_MARKS) else str(count + 1)


def plan_delete(sheet: Sheet, project_ids: Sequence[int]) -> Edit:
    """Delete projects (with their sub-items); undo puts them back where they were."""
    if not project_ids:
        raise EditError("削除する事業を選んでください。")
    located = [locate(sheet, project_id) for project_id in project_ids]
    ids = set(project_ids)
    # A sub-item whose parent is deleted too goes with its parent.
    located = [found for found in located if found.parent is None or found.parent.id not in ids]
    changes: list[Change] = []
    inverse: list[Change] = []
    # Delete from the end so the positions recorded for undo stay right.
    for found in sorted(located, key=lambda f: (_top_index(sheet, f), f.index), reverse=True):
        assert found.project.id is not None
        changes.append(DeleteProject(found.project.id))
        inverse.append(InsertProject(found.project, found.parent.id if found.parent else None, found.index))
    parents = {found.parent.id: found.parent for found in located if found.parent is not None}
    for parent in parents.values():
        remaining = tuple(child for child in parent.children if child.id not in ids)
        summed = replace(parent, children=remaining).children_sum() if remaining else parent.amounts
        if summed != parent.amounts:
            assert parent.id is not None
            changes.append(SetAmounts(parent.id, summed))
            inverse.append(SetAmounts(parent.id, parent.amounts))
    names = "、".join(found.project.name for found in located[:3]) + ("…" if len(located) > 3 else "")
    return Edit(f"事業の削除（{names}）", tuple(changes), tuple(reversed(inverse)))


def _top_index(sheet: Sheet, found: Located) -> int:
    if found.parent is None:
        return found.index
    return next(i for i, p in enumerate(sheet.projects) if p.id == found.parent.id)


def plan_move(sheet: Sheet, project_id: int, delta: int) -> Edit:
    """Move a project (or a sub-item within its parent) up or down by `delta` places."""
    found = locate(sheet, project_id)
    siblings = _siblings(sheet, found.parent)
    target = found.index + delta
    if not 0 <= target < len(siblings):
        raise EditError("これ以上移動できません。")
    parent_id = found.parent.id if found.parent else None
    return Edit(
        "事業の移動",
        (MoveProject(project_id, parent_id, target),),
        (MoveProject(project_id, parent_id, found.index),),
        project_id,
    )


def plan_indent(sheet: Sheet, project_id: int) -> Edit:
    """Make a project the last sub-item of the project above it; the parent becomes the sum."""
    found = locate(sheet, project_id)
    if found.parent is not None:
        raise EditError(f"{found.project.label}はすでに内訳です（内訳は1階層までです）。")
    if found.project.children:
        raise EditError(f"{found.project.label}には内訳があるため、内訳にできません。")
    if found.index == 0:
        raise EditError(f"{found.project.label}の上に親にできる事業がありません。")
    parent = sheet.projects[found.index - 1]
    assert parent.id is not None
    child = replace(found.project, category=parent.category, no=_next_child_mark(parent))
    summed = replace(parent, children=(*parent.children, child)).children_sum()
    changes: list[Change] = [MoveProject(project_id, parent.id, len(parent.children))]
    inverse: list[Change] = [MoveProject(project_id, None, found.index)]
    for field in ("category", "no"):
        if getattr(child, field) != getattr(found.project, field):
            changes.append(SetProjectField(project_id, field, getattr(child, field)))
            inverse.append(SetProjectField(project_id, field, getattr(found.project, field)))
    if summed != parent.amounts:
        changes.append(SetAmounts(parent.id, summed))
        inverse.append(SetAmounts(parent.id, parent.amounts))
    return Edit(f"内訳にする（{found.project.name}）", tuple(changes), tuple(reversed(inverse)), project_id)


def plan_outdent(sheet: Sheet, project_id: int) -> Edit:
    """Make a sub-item a project of its own, right after its former parent."""
    found = locate(sheet, project_id)
    if found.parent is None:
        raise EditError(f"{found.project.label}は内訳ではありません。")
    parent = found.parent
    assert parent.id is not None
    parent_index = next(i for i, p in enumerate(sheet.projects) if p.id == parent.id)
    remaining = tuple(child for child in parent.children if child.id != project_id)
    changes: list[Change] = [MoveProject(project_id, None, parent_index + 1)]
    inverse: list[Change] = [MoveProject(project_id, parent.id, found.index)]
    if remaining:
        summed = replace(parent, children=remaining).children_sum()
        if summed != parent.amounts:
            changes.append(SetAmounts(parent.id, summed))
            inverse.append(SetAmounts(parent.id, parent.amounts))
    return Edit(f"内訳から戻す（{found.project.name}）", tuple(changes), tuple(reversed(inverse)), project_id)


# ---------------------------------------------------------------- groups and stages


def group_name_taken(sheet: Sheet, name: str) -> bool:
    """Whether a heading of that name is already on the sheet (a second one is allowed when asked for)."""
    return any(group.name == name.strip() for group in sheet.groups)


def plan_new_group(
    sheet: Sheet, name: str, project_ids: Sequence[int], description: str = "", *, repeat: bool = False
) -> Edit:
    """A new group heading, placed after the groups in use, with the chosen projects in it.

    A name already on the sheet is refused unless `repeat`: a ward may print two headings of one
    name (南区's two 防災・減災), each with its own projects and subtotal, but only on purpose.
    """
    name = name.strip()
    if not name:
        raise EditError("グループ名を入力してください。")
    if group_name_taken(sheet, name) and not repeat:
        raise EditError(f"グループ「{name}」はすでにあります。")
    position = len(sheet.groups)
    changes: list[Change] = [AddGroup(Group(name, description), position)]
    inverse: list[Change] = [RemoveGroup(position, name)]
    for project_id in project_ids:
        found = locate(sheet, project_id)
        if found.parent is not None:
            continue  # sub-items follow their parent's group
        changes.append(SetProjectGroup(project_id, position))
        inverse.append(SetProjectGroup(project_id, sheet.group_position(found.project)))
    return Edit(
        f"グループの追加（{name}）", tuple(changes), tuple(reversed(inverse)), project_ids[0] if project_ids else None
    )


def group_at(sheet: Sheet, group: int | str) -> int:
    """The position in `sheet.groups` of a heading given by position, or by name (the first of that name)."""
    if isinstance(group, int):
        if 0 <= group < len(sheet.groups):
            return group
        raise EditError("そのグループはもうありません（ほかの操作で変更されました）。")
    for position, found in enumerate(sheet.groups):
        if found.name == group:
            return position
    raise EditError(f"グループ「{group}」はこのシートにありません。")


def plan_set_group(sheet: Sheet, project_ids: Sequence[int], group: int | str | None) -> Edit:
    """Put the projects under one heading: its position in `sheet.groups` (or its name, the first
    heading of that name), or None for no heading."""
    position = None if group is None else group_at(sheet, group)
    changes: list[Change] = []
    inverse: list[Change] = []
    for project_id in project_ids:
        found = locate(sheet, project_id)
        before = sheet.group_position(found.project)
        if found.parent is None and before != position:
            changes.append(SetProjectGroup(project_id, position))
            inverse.append(SetProjectGroup(project_id, before))
    return Edit("グループの変更", tuple(changes), tuple(inverse), project_ids[0] if project_ids else None)


def plan_rename_group(sheet: Sheet, group: int | str, new: str) -> Edit:
    """Rename one heading: by position (the heading a person chose), or by name (the first of it)."""
    position = group_at(sheet, group)
    old = sheet.groups[position].name
    new = new.strip()
    if not new:
        raise EditError("グループ名は空にできません。")
    if new != old and any(found.name == new for found in sheet.groups):
        raise EditError(
            f"グループ「{new}」はすでにあります（同じ名前の見出しをもう1つ作るときは「新しいグループ」で作ってください）。"
        )
    return Edit(
        f"グループ名の変更（{old} → {new}）", (RenameGroup(position, old, new),), (RenameGroup(position, new, old),)
    )


def plan_stage_lock(sheet: Sheet, stage: int, locked: bool) -> Edit:
    """Mark a stage 確定 (its column becomes read-only) or open it again."""
    current: Stage = sheet.stages[stage]
    if current.locked == locked:
        raise EditError(f"{current.name}はすでに{'確定済み' if locked else '未確定'}です。")
    verb = "確定" if locked else "確定の解除"
    return Edit(f"{current.name}の{verb}", (SetStageLocked(stage, locked),), (SetStageLocked(stage, current.locked),))


def ready_to_settle(sheet: Sheet) -> bool:
    """A year whose 決算額 is entered for every budgeted project, with a stage still open: offer to 確定 it."""
    index = sheet.settlement_index()
    if index is None or not sheet.projects or all(stage.locked for stage in sheet.stages):
        return False
    budgets = sheet.budget_indexes()
    # A project with no budget line at any stage (― throughout, 中央区's zero-budget ones) has nothing to settle.
    budgeted = [p for p in sheet.projects if any(p.amounts[i] is not None for i in budgets)]
    return bool(budgeted) and all(project.amounts[index] is not None for project in budgeted)


def plan_settle_year(sheet: Sheet) -> Edit:
    """Every stage still open marked 確定 at once: the year is settled."""
    open_stages = [index for index, stage in enumerate(sheet.stages) if not stage.locked]
    if not open_stages:
        raise EditError(f"{sheet.year_label}の段階はすべて確定済みです。")
    return Edit(
        f"{sheet.year_label}の確定",
        tuple(SetStageLocked(index, True) for index in open_stages),
        tuple(SetStageLocked(index, False) for index in reversed(open_stages)),
    )


def current_stage(sheet: Sheet) -> int | None:
    """The stage being worked on: the first one not yet 確定."""
    for index, stage in enumerate(sheet.stages):
        if not stage.locked:
            return index
    return None


# ---------------------------------------------------------------- the sheet's own settings

MAX_TITLE_LENGTH: Final = 200


@dataclass(frozen=True)
class CategoryChoice:
    """One row of the sheet settings' category list: which category it was (None: added) and what it is now."""

    was: str | None
    name: str
    allocation: int | None


def plan_sheet_settings(
    sheet: Sheet,
    *,
    title: str,
    vision: str,
    categories: Sequence[CategoryChoice],
    layout: SheetLayout | None = None,
) -> Edit:
    """Title, vision, the funding categories (add, remove, rename, order, 配分額) and the layout
    (overview included) as one undoable edit.

    `layout` names categories by their new names; without one the sheet's own is kept, its
    category names following the renames. A category that still has projects cannot be removed:
    they would lose their category.
    """
    title = title.strip()
    if not title:
        raise EditError("シートの表題を入力してください。")
    if len(title) > MAX_TITLE_LENGTH:
        raise EditError(f"シートの表題が{len(title)}文字あります（{MAX_TITLE_LENGTH}文字まで）。")
    chosen: list[Category] = []
    renames: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, choice in enumerate(categories, start=1):
        name = choice.name.strip()
        if not name:
            raise EditError(f"経費区分の{number}行目の名前が空です。")
        if name in seen:
            raise EditError(f"経費区分「{name}」が2つあります。")
        if choice.allocation is not None and choice.allocation < 0:
            raise EditError(f"経費区分「{name}」の配分額がマイナスです。")
        seen.add(name)
        chosen.append(Category(name, choice.allocation))
        if choice.was is not None and choice.was != name:
            renames.append((choice.was, name))
    if not chosen:
        raise EditError("経費区分を1つ以上残してください。")
    kept = {choice.was for choice in categories if choice.was is not None}
    for category in sheet.categories:
        if category.name in kept:
            continue
        used = sum(1 for project in sheet.all_projects() if project.category == category.name)
        if used:
            raise EditError(
                f"経費区分「{category.name}」には事業が{used}件あるため削除できません（先に事業の経費区分を変えてください）。"
            )
    layout = layout if layout is not None else rename_layout_categories(sheet.layout, renames)
    _check_layout(layout)
    change = SetSheetSettings(title, vision, tuple(chosen), layout, tuple(renames))
    inverse = SetSheetSettings(
        sheet.title, sheet.vision, sheet.categories, sheet.layout, tuple((new, old) for old, new in renames)
    )
    if change == SetSheetSettings(sheet.title, sheet.vision, sheet.categories, sheet.layout):
        return Edit("シートの設定", (), ())
    return Edit("シートの設定", (change,), (inverse,))


def _check_layout(layout: SheetLayout) -> None:
    choices = {
        "表の分け方": (layout.tables, TABLE_STYLES),
        "番号": (layout.numbering, NUMBERING_STYLES),
        "新規の印": (layout.new_mark, NEW_MARK_STYLES),
    }
    for what, (value, allowed) in choices.items():
        if value not in allowed:
            raise EditError(f"印刷の様式の{what}「{value}」は使えません（{' / '.join(allowed)}）。")
    problem = template_problem(layout)
    if problem:
        raise EditError(problem)


def locked_stages_changed(held: Sheet, incoming: Sheet) -> list[str]:
    """The names of `held`'s 確定 stages that replacing it with `incoming` would change.

    A locked stage survives a replacement only when `incoming` keeps it, still locked, at the same
    place, with the same amount for every project (matched in sheet order by №, name and category).
    """
    changed = []
    for position, stage in enumerate(held.stages):
        if not stage.locked:
            continue
        kept = position < len(incoming.stages) and incoming.stages[position] == stage
        if kept:
            before = [(p.no, p.name, p.category, p.amounts[position]) for p in held.all_projects()]
            after = [(p.no, p.name, p.category, p.amounts[position]) for p in incoming.all_projects()]
            kept = before == after
        if not kept:
            changed.append(stage.name)
    return changed


# ---------------------------------------------------------------- what an applied edit changed


@dataclass(frozen=True)
class SheetChanges:
    """What applying some changes touched, so the window repaints just that (as Anki's OpChanges).

    `shape` means rows came, went, moved or changed group: the table must be laid out again.
    """

    project_ids: frozenset[int] = frozenset()
    stages: frozenset[int] = frozenset()
    shape: bool = False
    amounts: bool = False

    @property
    def totals(self) -> bool:
        """Whether the per-category totals may have moved (an amount, a category, a row)."""
        return self.amounts or self.shape

    def __or__(self, other: SheetChanges) -> SheetChanges:
        return SheetChanges(
            self.project_ids | other.project_ids,
            self.stages | other.stages,
            self.shape or other.shape,
            self.amounts or other.amounts,
        )


# Fields whose change moves a row into another group heading: the rows are laid out again.
_SHAPE_FIELDS: Final = frozenset({"group"})


def changes_of(changes: Iterable[Change]) -> SheetChanges:
    """What a list of primitive changes touches (the same for an edit and for its inverse)."""
    project_ids: set[int] = set()
    stages: set[int] = set()
    shape = amounts = False
    for change in changes:
        if isinstance(change, SetProjectField):
            project_ids.add(change.project_id)
            shape = shape or change.field in _SHAPE_FIELDS
            amounts = amounts or change.field == "category"
        elif isinstance(change, SetAmounts):
            project_ids.add(change.project_id)
            amounts = True
        elif isinstance(change, SetProjectGroup):
            project_ids.add(change.project_id)
            shape = True
        elif isinstance(change, SetStageLocked):
            stages.add(change.stage)
        else:
            shape = True  # insert, delete, move, and every change of the group headings
    return SheetChanges(frozenset(project_ids), frozenset(stages), shape, amounts)
