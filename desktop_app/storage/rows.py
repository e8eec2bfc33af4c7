"""One mapping between a project and its row in `projects`: column names and stored values, both ways.

Where a project sits (sheet, parent, position) and what it belongs to (category, group) are ids the
caller knows; everything else a project holds of its own is mapped here, so that a new project
field is added to the schema, to `PROJECT_COLUMNS` and to the two functions below, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from desktop_app.domain import Project, Status

# Project field -> column, for the fields stored as they are (the GUI's single-field edits use it too).
PROJECT_COLUMNS: Final = {
    "no": "no",
    "name": "name",
    "description": "description",
    "new": "is_new",
    "status": "status",
    "note": "note",
    "section": "section",
    "district": "district",
    "notes_heading": "notes_heading",
}


def stored_value(value: object) -> object:
    """A field's value as SQLite holds it: a flag as 0/1 (the schema's CHECK), a status by its code."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Status):
        return value.value
    return value


def project_row(project: Project) -> dict[str, object]:
    """The project's own fields as the columns of its row."""
    return {column: stored_value(getattr(project, field)) for field, column in PROJECT_COLUMNS.items()}


def project_from_row(
    row: Mapping[str, Any],
    *,
    category: str,
    amounts: tuple[int | None, ...],
    group: str | None,
    group_index: int | None,
    children: tuple[Project, ...],
    project_id: int | None,
) -> Project:
    """The project a row of `projects` holds (the inverse of `project_row`), given what it belongs to."""
    return Project(
        no=row["no"],
        name=row["name"],
        category=category,
        amounts=amounts,
        description=row["description"],
        group=group,
        group_index=group_index,
        new=bool(row["is_new"]),
        status=Status(row["status"]),
        note=row["note"],
        children=children,
        section=row["section"],
        district=row["district"],
        notes_heading=row["notes_heading"],
        id=project_id,
    )
