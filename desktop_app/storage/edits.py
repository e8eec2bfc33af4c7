"""Applying planned edits to a stored sheet: one transaction per edit, history in the same one."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from desktop_app.domain import Project, Status, format_amount
from desktop_app.domain.edits import (
    FIELD_LABELS,
    AddGroup,
    Change,
    DeleteProject,
    InsertProject,
    MoveProject,
    RemoveGroup,
    RenameGroup,
    SetAmounts,
    SetProjectField,
    SetProjectGroup,
    SetSheetSettings,
    SetStageLocked,
)
from desktop_app.domain.layout import layout_changes
from desktop_app.domain.model import project_label
from desktop_app.storage.database import Database, StorageError, current_user
from desktop_app.storage.rows import PROJECT_COLUMNS, project_row
from desktop_app.storage.sheets import now_text, sheet_layout_from_text, sheet_layout_text


class _HistoryWriter:
    """Collects the history rows of one edit and writes them in its transaction."""

    def __init__(self, conn: sqlite3.Connection, sheet_id: int, user: str) -> None:
        self.conn = conn
        self.sheet_id = sheet_id
        self.user = user
        self.when = now_text()

    def write(self, project_id: int | None, label: str, field: str, old: object, new: object) -> None:
        self.conn.execute(
            "INSERT INTO history (sheet_id, project_id, project_label, field, old_value, new_value, changed_at,"
            " changed_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (self.sheet_id, project_id, label, field, _shown(old), _shown(new), self.when, self.user),
        )


def _shown(value: object) -> str | None:
    """How a value reads in the history panel."""
    if value is None:
        return None
    if isinstance(value, Status):
        return value.label
    if isinstance(value, bool):
        return "新規" if value else "－"
    return str(value)


def next_project_id(db: Database) -> int:
    """An id no project has, for a project an edit is about to insert."""
    row = db.conn.execute(
        "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'projects'), 0),"
        " COALESCE((SELECT MAX(id) FROM projects), 0)) + 1"
    ).fetchone()
    return int(row[0])


def apply_changes(db: Database, sheet_id: int, changes: Sequence[Change], *, user: str | None = None) -> None:
    """Apply one edit's changes in one transaction, writing a history row for each."""
    with db.atomic():
        history = _HistoryWriter(db.conn, sheet_id, user or current_user())
        for change in changes:
            _apply(db.conn, sheet_id, change, history)


def _label(conn: sqlite3.Connection, project_id: int) -> str:
    row = conn.execute("SELECT no, name FROM projects WHERE id = ?", (project_id,)).fetchone()
    if row is None:
        raise StorageError("その事業はもうありません（ほかの操作で削除されました）。")
    no, name = row
    return project_label(no, name)


def _apply(conn: sqlite3.Connection, sheet_id: int, change: Change, history: _HistoryWriter) -> None:
    if isinstance(change, SetProjectField):
        _set_field(conn, sheet_id, change, history)
    elif isinstance(change, SetAmounts):
        _set_amounts(conn, sheet_id, change, history)
    elif isinstance(change, InsertProject):
        _insert(conn, sheet_id, change.project, change.parent_id, change.position, history)
    elif isinstance(change, DeleteProject):
        label = _label(conn, change.project_id)
        history.write(change.project_id, label, "削除", label, None)
        parent_id = _parent_of(conn, change.project_id)
        conn.execute("DELETE FROM projects WHERE id = ?", (change.project_id,))
        _renumber(conn, sheet_id, parent_id)
    elif isinstance(change, MoveProject):
        _move(conn, sheet_id, change, history)
    elif isinstance(change, SetStageLocked):
        name = conn.execute(
            "SELECT name FROM stages WHERE sheet_id = ? AND position = ?", (sheet_id, change.stage)
        ).fetchone()
        if name is None:
            raise StorageError("その段階はこのシートにありません。")
        conn.execute(
            "UPDATE stages SET locked = ? WHERE sheet_id = ? AND position = ?",
            (int(change.locked), sheet_id, change.stage),
        )
        history.write(None, "", "段階確定", name[0], "確定" if change.locked else "確定解除")
    elif isinstance(change, AddGroup):
        conn.execute(
            "UPDATE project_groups SET position = position + 1 WHERE sheet_id = ? AND position >= ?",
            (sheet_id, change.position),
        )
        conn.execute(
            "INSERT INTO project_groups (sheet_id, position, name, description) VALUES (?, ?, ?, ?)",
            (sheet_id, change.position, change.group.name, change.group.description),
        )
        history.write(None, "", "グループ追加", None, change.group.name)
    elif isinstance(change, RemoveGroup):
        group_id = _group_id(conn, sheet_id, change.position, change.name)
        conn.execute("DELETE FROM project_groups WHERE id = ?", (group_id,))
        _renumber_groups(conn, sheet_id)
        history.write(None, "", "グループ削除", change.name, None)
    elif isinstance(change, RenameGroup):
        group_id = _group_id(conn, sheet_id, change.position, change.old)
        conn.execute("UPDATE project_groups SET name = ? WHERE id = ?", (change.new, group_id))
        history.write(None, "", "グループ名", change.old, change.new)
    elif isinstance(change, SetProjectGroup):
        _set_group(conn, sheet_id, change, history)
    elif isinstance(change, SetSheetSettings):
        _set_sheet_settings(conn, sheet_id, change, history)
    else:  # pragma: no cover - every Change type is handled above
        raise TypeError(change)


def _group_id(conn: sqlite3.Connection, sheet_id: int, position: int, name: str | None = None) -> int:
    """The id of the heading at `position` (in heading order); refused when it is gone or, given
    `name`, no longer carries it (the sheet changed under the edit)."""
    row = conn.execute(
        "SELECT id, name FROM project_groups WHERE sheet_id = ? ORDER BY position, id LIMIT 1 OFFSET ?",
        (sheet_id, position),
    ).fetchone()
    if row is None or position < 0 or (name is not None and row[1] != name):
        raise StorageError(f"グループ「{name or position + 1}」はこのシートにありません。")
    return int(row[0])


def _set_group(conn: sqlite3.Connection, sheet_id: int, change: SetProjectGroup, history: _HistoryWriter) -> None:
    label = _label(conn, change.project_id)
    old = conn.execute(
        "SELECT g.name FROM projects p LEFT JOIN project_groups g ON g.id = p.group_id WHERE p.id = ?",
        (change.project_id,),
    ).fetchone()[0]
    group_id = None if change.position is None else _group_id(conn, sheet_id, change.position)
    new = None
    if group_id is not None:
        new = conn.execute("SELECT name FROM project_groups WHERE id = ?", (group_id,)).fetchone()[0]
    conn.execute("UPDATE projects SET group_id = ? WHERE id = ?", (group_id, change.project_id))
    history.write(change.project_id, label, FIELD_LABELS["group"], old, new)


def _set_sheet_settings(
    conn: sqlite3.Connection, sheet_id: int, change: SetSheetSettings, history: _HistoryWriter
) -> None:
    title, vision, layout = conn.execute(
        "SELECT title, vision, layout FROM sheets WHERE id = ?", (sheet_id,)
    ).fetchone()
    if (title, vision) != (change.title, change.vision):
        conn.execute("UPDATE sheets SET title = ?, vision = ? WHERE id = ?", (change.title, change.vision, sheet_id))
        if title != change.title:
            history.write(None, "", "表題", title, change.title)
        if vision != change.vision:
            history.write(None, "", "めざす区の姿", vision, change.vision)
    layout_text = sheet_layout_text(change.layout)
    if layout_text != (layout or ""):
        conn.execute("UPDATE sheets SET layout = ? WHERE id = ?", (layout_text, sheet_id))
        for what, old, new in layout_changes(sheet_layout_from_text(layout), change.layout):
            history.write(None, "", what, old, new)
    rows = conn.execute("SELECT id, name, allocation FROM categories WHERE sheet_id = ?", (sheet_id,)).fetchall()
    by_name = {name: (category_id, allocation) for category_id, name, allocation in rows}
    # Renames go through temporary names first, so that two categories can swap names.
    renamed: dict[str, int] = {}
    for old, new in change.renames:
        if old not in by_name:
            raise StorageError(f"経費区分「{old}」はこのシートにありません。")
        category_id = by_name.pop(old)[0]
        conn.execute("UPDATE categories SET name = ? WHERE id = ?", (f"\x00{category_id}", category_id))
        renamed[new] = category_id
        history.write(None, "", "経費区分名", old, new)
    wanted = {category.name for category in change.categories}
    for name, (category_id, _allocation) in by_name.items():
        if name in wanted and name not in renamed:
            continue
        if conn.execute("SELECT 1 FROM projects WHERE category_id = ? LIMIT 1", (category_id,)).fetchone():
            raise StorageError(f"経費区分「{name}」には事業があるため削除できません。")
        conn.execute("DELETE FROM categories WHERE id = ?", (category_id,))
        history.write(None, "", "経費区分削除", name, None)
    for new, category_id in renamed.items():
        conn.execute("UPDATE categories SET name = ? WHERE id = ?", (new, category_id))
    # Positions are rewritten from a free range first, so no two rows ever share one midway.
    conn.execute("UPDATE categories SET position = position + 100000 WHERE sheet_id = ?", (sheet_id,))
    for position, category in enumerate(change.categories):
        current = conn.execute(
            "SELECT id, allocation FROM categories WHERE sheet_id = ? AND name = ?", (sheet_id, category.name)
        ).fetchone()
        if current is None:
            conn.execute(
                "INSERT INTO categories (sheet_id, position, name, allocation) VALUES (?, ?, ?, ?)",
                (sheet_id, position, category.name, category.allocation),
            )
            history.write(None, "", "経費区分追加", None, category.name)
            if category.allocation is not None:
                history.write(None, "", f"配分額（{category.name}）", None, format_amount(category.allocation))
            continue
        category_id, allocation = current
        conn.execute(
            "UPDATE categories SET position = ?, allocation = ? WHERE id = ?",
            (position, category.allocation, category_id),
        )
        if allocation != category.allocation:
            history.write(
                None,
                "",
                f"配分額（{category.name}）",
                format_amount(allocation),
                format_amount(category.allocation),
            )


def _set_field(conn: sqlite3.Connection, sheet_id: int, change: SetProjectField, history: _HistoryWriter) -> None:
    label = _label(conn, change.project_id)
    field = change.field
    if field == "category":
        row = conn.execute(
            "SELECT c.name, p.category_id FROM projects p JOIN categories c ON c.id = p.category_id WHERE p.id = ?",
            (change.project_id,),
        ).fetchone()
        target = conn.execute(
            "SELECT id FROM categories WHERE sheet_id = ? AND name = ?", (sheet_id, change.value)
        ).fetchone()
        if target is None:
            raise StorageError(f"経費区分「{change.value}」はこのシートにありません。")
        conn.execute("UPDATE projects SET category_id = ? WHERE id = ?", (target[0], change.project_id))
        history.write(change.project_id, label, FIELD_LABELS[field], row[0], change.value)
        return
    if field == "group":
        old = conn.execute(
            "SELECT g.name FROM projects p LEFT JOIN project_groups g ON g.id = p.group_id WHERE p.id = ?",
            (change.project_id,),
        ).fetchone()[0]
        group_id = None
        if change.value is not None:
            found = conn.execute(
                "SELECT id FROM project_groups WHERE sheet_id = ? AND name = ? ORDER BY position LIMIT 1",
                (sheet_id, change.value),
            ).fetchone()
            if found is None:
                raise StorageError(f"グループ「{change.value}」はこのシートにありません。")
            group_id = found[0]
        conn.execute("UPDATE projects SET group_id = ? WHERE id = ?", (group_id, change.project_id))
        history.write(change.project_id, label, FIELD_LABELS[field], old, change.value)
        return
    column = PROJECT_COLUMNS[field]
    old_value = conn.execute(f"SELECT {column} FROM projects WHERE id = ?", (change.project_id,)).fetchone()[0]
    value: object = change.value
    if isinstance(value, Status):
        value = value.value
        old_value = Status(old_value)
    elif isinstance(value, bool):
        value = int(value)
        old_value = bool(old_value)
    conn.execute(f"UPDATE projects SET {column} = ? WHERE id = ?", (value, change.project_id))
    history.write(change.project_id, label, FIELD_LABELS[field], old_value, change.value)


def _stage_names(conn: sqlite3.Connection, sheet_id: int) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM stages WHERE sheet_id = ? ORDER BY position", (sheet_id,))]


def _set_amounts(conn: sqlite3.Connection, sheet_id: int, change: SetAmounts, history: _HistoryWriter) -> None:
    label = _label(conn, change.project_id)
    names = _stage_names(conn, sheet_id)
    old = dict(conn.execute("SELECT stage, value FROM amounts WHERE project_id = ?", (change.project_id,)).fetchall())
    for stage, value in enumerate(change.amounts):
        before = old.get(stage)
        if before == value:
            continue
        if value is None:
            conn.execute("DELETE FROM amounts WHERE project_id = ? AND stage = ?", (change.project_id, stage))
        else:
            conn.execute(
                "INSERT INTO amounts (project_id, stage, value) VALUES (?, ?, ?)"
                " ON CONFLICT (project_id, stage) DO UPDATE SET value = excluded.value",
                (change.project_id, stage, value),
            )
        field = names[stage] if stage < len(names) else f"段階{stage + 1}"
        history.write(change.project_id, label, field, format_amount(before), format_amount(value))


def _parent_of(conn: sqlite3.Connection, project_id: int) -> int | None:
    row = conn.execute("SELECT parent_id FROM projects WHERE id = ?", (project_id,)).fetchone()
    return None if row is None else row[0]


def _siblings(conn: sqlite3.Connection, sheet_id: int, parent_id: int | None) -> list[int]:
    if parent_id is None:
        rows = conn.execute(
            "SELECT id FROM projects WHERE sheet_id = ? AND parent_id IS NULL ORDER BY position, id", (sheet_id,)
        )
    else:
        rows = conn.execute("SELECT id FROM projects WHERE parent_id = ? ORDER BY position, id", (parent_id,))
    return [row[0] for row in rows]


def _write_positions(conn: sqlite3.Connection, ids: list[int]) -> None:
    conn.executemany("UPDATE projects SET position = ? WHERE id = ?", [(i, pid) for i, pid in enumerate(ids)])


def _renumber(conn: sqlite3.Connection, sheet_id: int, parent_id: int | None) -> None:
    _write_positions(conn, _siblings(conn, sheet_id, parent_id))


def _renumber_groups(conn: sqlite3.Connection, sheet_id: int) -> None:
    ids = [
        r[0] for r in conn.execute("SELECT id FROM project_groups WHERE sheet_id = ? ORDER BY position", (sheet_id,))
    ]
    conn.executemany("UPDATE project_groups SET position = ? WHERE id = ?", [(i, gid) for i, gid in enumerate(ids)])


def _move(conn: sqlite3.Connection, sheet_id: int, change: MoveProject, history: _HistoryWriter) -> None:
    label = _label(conn, change.project_id)
    old_parent = _parent_of(conn, change.project_id)
    old_siblings = _siblings(conn, sheet_id, old_parent)
    old_position = old_siblings.index(change.project_id)
    old_siblings.remove(change.project_id)
    if old_parent == change.parent_id:
        old_siblings.insert(min(change.position, len(old_siblings)), change.project_id)
        _write_positions(conn, old_siblings)
        history.write(change.project_id, label, "並び順", old_position + 1, change.position + 1)
        return
    _write_positions(conn, old_siblings)
    new_siblings = _siblings(conn, sheet_id, change.parent_id)
    new_siblings.insert(min(change.position, len(new_siblings)), change.project_id)
    conn.execute("UPDATE projects SET parent_id = ? WHERE id = ?", (change.parent_id, change.project_id))
    _write_positions(conn, new_siblings)
    field = "内訳にする" if change.parent_id is not None else "内訳から戻す"
    parent_label = _label(conn, change.parent_id) if change.parent_id is not None else None
    history.write(change.project_id, label, field, None, parent_label)


def _insert(
    conn: sqlite3.Connection,
    sheet_id: int,
    project: Project,
    parent_id: int | None,
    position: int,
    history: _HistoryWriter,
) -> None:
    category = conn.execute(
        "SELECT id FROM categories WHERE sheet_id = ? AND name = ?", (sheet_id, project.category)
    ).fetchone()
    if category is None:
        raise StorageError(f"経費区分「{project.category}」はこのシートにありません。")
    group_id = None
    if project.group is not None:
        # The heading the project was under (a deleted row comes back to its own 防災・減災).
        rows = conn.execute(
            "SELECT id, name FROM project_groups WHERE sheet_id = ? ORDER BY position, id", (sheet_id,)
        ).fetchall()
        index = project.group_index
        if index is not None and 0 <= index < len(rows) and rows[index][1] == project.group:
            group_id = rows[index][0]
        else:
            group_id = next((gid for gid, name in rows if name == project.group), None)
    siblings = _siblings(conn, sheet_id, parent_id)
    # Where it sits and what it belongs to are ids known here; its own fields come from the one mapping.
    row: dict[str, object] = {
        "id": project.id,
        "sheet_id": sheet_id,
        "parent_id": parent_id,
        "position": position,
        "category_id": category[0],
        "group_id": group_id,
        **project_row(project),
    }
    columns = ", ".join(row)
    conn.execute(f"INSERT INTO projects ({columns}) VALUES ({', '.join('?' for _ in row)})", tuple(row.values()))
    project_id = project.id if project.id is not None else int(conn.execute("SELECT last_insert_rowid()").fetchone()[0])
    conn.executemany(
        "INSERT INTO amounts (project_id, stage, value) VALUES (?, ?, ?)",
        [(project_id, stage, value) for stage, value in enumerate(project.amounts) if value is not None],
    )
    siblings.insert(min(position, len(siblings)), project_id)
    _write_positions(conn, siblings)
    label = project.label
    history.write(project_id, label, "追加", None, label)
    for child_position, child in enumerate(project.children):
        _insert(conn, sheet_id, child, project_id, child_position, history)
