"""Reading and writing whole sheets, and the change history that goes with every write."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop_app.domain import (
    Category,
    Group,
    Project,
    Sheet,
    Stage,
    ward_order,
    wareki_year,
)
from desktop_app.domain.layout import layout_from_dict, layout_to_dict
from desktop_app.domain.model import DEFAULT_LAYOUT, SheetLayout
from desktop_app.storage.database import Database, StorageError, current_user
from desktop_app.storage.rows import PROJECT_COLUMNS, project_from_row, project_row

if TYPE_CHECKING:
    from sqlite_utils.db import Table


class SheetNotFoundError(StorageError):
    """No sheet for that ward and year."""

    def __init__(self, ward: str, fiscal_year: int) -> None:
        super().__init__(f"{wareki_year(fiscal_year)} {ward}のシートはありません。")
        self.ward = ward
        self.fiscal_year = fiscal_year


@dataclass(frozen=True)
class SheetSummary:
    """One line of `list`: a sheet held in the database and its totals per stage."""

    sheet_id: int
    ward: str
    fiscal_year: int
    title: str
    stage_names: tuple[str, ...]
    totals: tuple[int | None, ...]
    project_count: int


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded change: who changed what, when, from which value to which."""

    id: int
    sheet_id: int | None
    project_id: int | None
    project_label: str
    field: str
    old_value: str | None
    new_value: str | None
    changed_at: str
    changed_by: str


def now_text() -> str:
    return dt.datetime.now().astimezone().replace(microsecond=0).isoformat()


def record_history(
    db: Database,
    *,
    sheet_id: int | None,
    field: str,
    old_value: str | None,
    new_value: str | None,
    project_id: int | None = None,
    project_label: str = "",
    user: str | None = None,
) -> None:
    """Write one history row; call it inside the transaction of the change it records."""
    db.conn.execute(
        "INSERT INTO history (sheet_id, project_id, project_label, field, old_value, new_value,"
        " changed_at, changed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (sheet_id, project_id, project_label, field, old_value, new_value, now_text(), user or current_user()),
    )


def history(db: Database, *, sheet_id: int, project_id: int | None = None) -> list[HistoryEntry]:
    """A sheet's (or one project's) changes, newest first."""
    if project_id is None:
        rows = db.conn.execute("SELECT * FROM history WHERE sheet_id = ? ORDER BY id DESC", (sheet_id,))
    else:
        rows = db.conn.execute("SELECT * FROM history WHERE project_id = ? ORDER BY id DESC", (project_id,))
    return [HistoryEntry(*row) for row in rows]


def list_sheets(db: Database) -> list[SheetSummary]:
    """Every sheet held, by year then the city's ward order, with totals per stage."""
    conn = db.conn
    stage_names: dict[int, list[str]] = defaultdict(list)
    for sheet_id, name in conn.execute("SELECT sheet_id, name FROM stages ORDER BY sheet_id, position"):
        stage_names[sheet_id].append(name)
    counts = dict(conn.execute("SELECT sheet_id, COUNT(*) FROM projects WHERE parent_id IS NULL GROUP BY sheet_id"))
    totals: dict[int, dict[int, int]] = defaultdict(dict)
    for sheet_id, stage, total in conn.execute(
        "SELECT p.sheet_id, a.stage, SUM(a.value) FROM projects p JOIN amounts a ON a.project_id = p.id"
        " WHERE p.parent_id IS NULL GROUP BY p.sheet_id, a.stage"
    ):
        totals[sheet_id][stage] = total
    summaries = []
    for sheet_id, ward, fiscal_year, title in conn.execute("SELECT id, ward, fiscal_year, title FROM sheets"):
        names = tuple(stage_names[sheet_id])
        summaries.append(
            SheetSummary(
                sheet_id=sheet_id,
                ward=ward,
                fiscal_year=fiscal_year,
                title=title,
                stage_names=names,
                totals=tuple(totals[sheet_id].get(i) for i in range(len(names))),
                project_count=counts.get(sheet_id, 0),
            )
        )
    summaries.sort(key=lambda s: (s.fiscal_year, ward_order(s.ward), s.ward))
    return summaries


def find_sheet_id(db: Database, ward: str, fiscal_year: int) -> int | None:
    row = db.conn.execute("SELECT id FROM sheets WHERE ward = ? AND fiscal_year = ?", (ward, fiscal_year)).fetchone()
    return None if row is None else int(row[0])


def load_sheet(db: Database, ward: str, fiscal_year: int) -> Sheet:
    """The whole sheet of a ward and year, as domain objects carrying their row ids."""
    sheet_id = find_sheet_id(db, ward, fiscal_year)
    if sheet_id is None:
        raise SheetNotFoundError(ward, fiscal_year)
    return load_sheet_by_id(db, sheet_id)


def load_sheet_by_id(db: Database, sheet_id: int) -> Sheet:
    conn = db.conn
    row = conn.execute(
        "SELECT ward, fiscal_year, title, vision, unit, layout FROM sheets WHERE id = ?", (sheet_id,)
    ).fetchone()
    if row is None:
        raise StorageError(f"シート（id {sheet_id}）はありません。")
    ward, fiscal_year, title, vision, unit, layout_text = row
    stages = tuple(
        Stage(name, bool(locked))
        for name, locked in conn.execute(
            "SELECT name, locked FROM stages WHERE sheet_id = ? ORDER BY position", (sheet_id,)
        )
    )
    width = len(stages)
    category_names: dict[int, str] = {}
    categories = []
    for category_id, name, allocation in conn.execute(
        "SELECT id, name, allocation FROM categories WHERE sheet_id = ? ORDER BY position", (sheet_id,)
    ):
        category_names[category_id] = name
        categories.append(Category(name, allocation))
    group_names: dict[int, str] = {}
    # A group that repeats an earlier group's name is told apart by its position.
    group_indexes: dict[int, int] = {}
    groups: list[Group] = []
    for group_id, name, description in conn.execute(
        "SELECT id, name, description FROM project_groups WHERE sheet_id = ? ORDER BY position", (sheet_id,)
    ):
        group_names[group_id] = name
        if any(group.name == name for group in groups):
            group_indexes[group_id] = len(groups)
        groups.append(Group(name, description))
    amounts: dict[int, list[int | None]] = defaultdict(lambda: [None] * width)
    for project_id, stage, value in conn.execute(
        "SELECT a.project_id, a.stage, a.value FROM amounts a JOIN projects p ON p.id = a.project_id"
        " WHERE p.sheet_id = ?",
        (sheet_id,),
    ):
        if stage < width:
            amounts[project_id][stage] = value
    cursor = conn.execute(
        f"SELECT id, parent_id, category_id, group_id, {', '.join(PROJECT_COLUMNS.values())} FROM projects"
        " WHERE sheet_id = ? ORDER BY parent_id IS NULL, position",
        (sheet_id,),
    )
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor]

    def build(row: dict[str, Any], children: tuple[Project, ...]) -> Project:
        project_id, group_id = row["id"], row["group_id"]
        return project_from_row(
            row,
            category=category_names[row["category_id"]],
            amounts=tuple(amounts[project_id]),
            group=group_names.get(group_id) if group_id is not None else None,
            group_index=group_indexes.get(group_id) if group_id is not None else None,
            children=children,
            project_id=project_id,
        )

    # Sub-items come first in the query, so each parent is built once, with its sub-items.
    children: dict[int, list[Project]] = defaultdict(list)
    projects = []
    for row in rows:
        if row["parent_id"] is not None:
            children[row["parent_id"]].append(build(row, ()))
        else:
            projects.append(build(row, tuple(children.get(row["id"], ()))))
    return Sheet(
        ward=ward,
        fiscal_year=fiscal_year,
        title=title,
        vision=vision,
        unit=unit,
        stages=stages,
        categories=tuple(categories),
        groups=tuple(groups),
        projects=tuple(projects),
        layout=sheet_layout_from_text(layout_text),
        id=sheet_id,
    )


def sheet_layout_from_text(text: str) -> SheetLayout:
    if not text:
        return DEFAULT_LAYOUT
    try:
        return layout_from_dict(json.loads(text))
    except ValueError as exc:  # json.JSONDecodeError is a ValueError too
        raise StorageError(f"シートの印刷の様式が読めません（{exc}）。") from exc


def sheet_layout_text(layout: SheetLayout) -> str:
    data = layout_to_dict(layout)
    return json.dumps(data, ensure_ascii=False, sort_keys=False) if data else ""


def replace_sheets(
    db: Database, sheets: Sequence[Sheet], *, source: str, user: str | None = None
) -> list[tuple[Sheet, bool]]:
    """Store whole sheets in one transaction, replacing any held for the same ward and year.

    Returns each sheet as stored (with ids) and whether it replaced an existing one. Either every
    sheet is stored or, on any error, none is.
    """
    stored: list[tuple[Sheet, bool]] = []
    with db.atomic():
        for sheet in sheets:
            existing = find_sheet_id(db, sheet.ward, sheet.fiscal_year)
            sheet_id = _write_sheet(db, sheet, existing)
            record_history(
                db,
                sheet_id=sheet_id,
                field="取込",
                old_value="置換" if existing is not None else None,
                new_value=source,
                user=user,
            )
            stored.append((load_sheet_by_id(db, sheet_id), existing is not None))
    return stored


def insert_sheet(db: Database, sheet: Sheet, *, reason: str, user: str | None = None) -> Sheet:
    """Store a new sheet (refusing one that already exists for that ward and year)."""
    with db.atomic():
        if find_sheet_id(db, sheet.ward, sheet.fiscal_year) is not None:
            raise StorageError(f"{wareki_year(sheet.fiscal_year)} {sheet.ward}のシートはすでにあります。")
        sheet_id = _write_sheet(db, sheet, None)
        record_history(db, sheet_id=sheet_id, field="シート作成", old_value=None, new_value=reason, user=user)
        return load_sheet_by_id(db, sheet_id)


def _write_sheet(db: Database, sheet: Sheet, existing: int | None) -> int:
    conn = db.conn
    tables = db.utils
    sheet_row = {
        "title": sheet.title,
        "vision": sheet.vision,
        "unit": sheet.unit,
        "layout": sheet_layout_text(sheet.layout),
    }
    if existing is None:
        sheet_id = _inserted(
            tables.table("sheets").insert({"ward": sheet.ward, "fiscal_year": sheet.fiscal_year, **sheet_row})
        )
    else:
        sheet_id = existing
        # Sub-items and amounts go with their projects (ON DELETE CASCADE).
        conn.execute("DELETE FROM projects WHERE sheet_id = ? AND parent_id IS NOT NULL", (sheet_id,))
        conn.execute("DELETE FROM projects WHERE sheet_id = ?", (sheet_id,))
        for table in ("project_groups", "categories", "stages"):
            conn.execute(f"DELETE FROM {table} WHERE sheet_id = ?", (sheet_id,))
        tables.table("sheets").update(sheet_id, sheet_row)
    tables.table("stages").insert_all(
        {"sheet_id": sheet_id, "position": i, "name": stage.name, "locked": int(stage.locked)}
        for i, stage in enumerate(sheet.stages)
    )
    category_ids = {
        category.name: _inserted(
            tables.table("categories").insert(
                {"sheet_id": sheet_id, "position": position, "name": category.name, "allocation": category.allocation}
            )
        )
        for position, category in enumerate(_all_categories(sheet))
    }
    group_ids = [
        _inserted(
            tables.table("project_groups").insert(
                {"sheet_id": sheet_id, "position": position, "name": group.name, "description": group.description}
            )
        )
        for position, group in enumerate(sheet.groups)
    ]
    amount_rows: list[dict[str, int]] = []

    def insert_project(project: Project, parent_id: int | None, position: int) -> int:
        group = sheet.group_position(project)
        where = {
            "sheet_id": sheet_id,
            "parent_id": parent_id,
            "position": position,
            "category_id": category_ids[project.category],
            "group_id": None if group is None else group_ids[group],
        }
        project_id = _inserted(tables.table("projects").insert({**where, **project_row(project)}))
        amount_rows.extend(
            {"project_id": project_id, "stage": stage, "value": value}
            for stage, value in enumerate(project.amounts)
            if value is not None
        )
        return project_id

    for position, project in enumerate(sheet.projects):
        parent_id = insert_project(project, None, position)
        for child_position, child in enumerate(project.children):
            insert_project(child, parent_id, child_position)
    tables.table("amounts").insert_all(amount_rows)
    return sheet_id


def _inserted(table: Table) -> int:
    """The row id of the row just inserted into `table`."""
    if table.last_rowid is None:
        raise StorageError(f"{table.name}の行を書き込めませんでした。")
    return table.last_rowid


def _all_categories(sheet: Sheet) -> Iterable[Category]:
    """The sheet's categories, plus any a project names without the sheet listing it."""
    listed = {category.name for category in sheet.categories}
    yield from sheet.categories
    for name in sorted({p.category for p in sheet.all_projects()} - listed):
        yield Category(name)


def sheet_years(db: Database) -> list[int]:
    """The fiscal years that have at least one sheet, oldest first."""
    return [int(row[0]) for row in db.conn.execute("SELECT DISTINCT fiscal_year FROM sheets ORDER BY 1")]


@dataclass(frozen=True)
class SearchHit:
    """A project found by a search: where it is and what matched."""

    sheet_id: int
    ward: str
    fiscal_year: int
    project_id: int
    no: str
    name: str
    description: str
    note: str


SEARCH_LIMIT = 500


def search_projects(db: Database, text: str, *, limit: int = SEARCH_LIMIT) -> list[SearchHit]:
    """Projects of every year and ward whose name, description or note contains every word of `text`."""
    words = [word for word in text.replace("　", " ").split() if word]
    if not words:
        return []
    conditions = []
    parameters: list[object] = []
    for word in words:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(
            "(p.name LIKE ? ESCAPE '\\' OR p.description LIKE ? ESCAPE '\\' OR p.note LIKE ? ESCAPE '\\')"
        )
        parameters += [f"%{escaped}%"] * 3
    rows = db.conn.execute(
        "SELECT s.id, s.ward, s.fiscal_year, p.id, p.no, p.name, p.description, p.note"
        " FROM projects p JOIN sheets s ON s.id = p.sheet_id WHERE "
        + " AND ".join(conditions)
        + " ORDER BY s.fiscal_year DESC, s.ward, p.parent_id IS NOT NULL, p.position LIMIT ?",
        [*parameters, limit],
    )
    hits = [SearchHit(*row) for row in rows]
    hits.sort(key=lambda h: (-h.fiscal_year, ward_order(h.ward)))
    return hits
