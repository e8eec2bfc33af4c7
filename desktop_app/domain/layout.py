"""The city's layout of a sheet, independent of any file format: columns, rows, titles, notes.

The xlsx export, the PDF and the window's table all read these, so the column order, the
headings and the way a row is shown are defined here once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

from desktop_app.domain.model import Project, Sheet, Status
from desktop_app.domain.money import format_amount
from desktop_app.domain.totals import SheetTotals, sheet_totals

UNIT_LABEL: Final = "（単位：千円）"
NEW_MARK: Final = "【新規】"
TOTAL_LABEL: Final = "合計"
NOTES_HEADING: Final = "備考（中止・延期・変更の内容）"


class Column(enum.Enum):
    """A column of a sheet; stage columns are one entry, expanded to the sheet's stages."""

    NO = "№"
    NEW = "新規"
    NAME = "事業名"
    DESCRIPTION = "事業内容"
    CATEGORY = "経費区分"
    STAGES = "段階"
    STATUS = "状況"
    REMARKS = "備考"


# The city's printed and Excel layout: № | 事業名 | 事業内容 | stages… | 備考.
CITY_COLUMNS: Final = (Column.NO, Column.NAME, Column.DESCRIPTION, Column.STAGES, Column.REMARKS)
# The editor shows everything a person can change, in the city's order where it has one.
EDITOR_COLUMNS: Final = (
    Column.NO,
    Column.NEW,
    Column.NAME,
    Column.DESCRIPTION,
    Column.CATEGORY,
    Column.STAGES,
    Column.STATUS,
    Column.REMARKS,
)


def expand_columns(columns: tuple[Column, ...], stage_names: tuple[str, ...]) -> list[tuple[Column, int | None, str]]:
    """(column, stage index or None, header text) for every column, stages expanded in order."""
    expanded: list[tuple[Column, int | None, str]] = []
    for column in columns:
        if column is Column.STAGES:
            expanded += [(Column.STAGES, index, name) for index, name in enumerate(stage_names)]
        else:
            expanded.append((column, None, column.value))
    return expanded


def sheet_heading(sheet: Sheet) -> str:
    """The title line: the sheet's own title (「令和2年度 東区まちづくりの取組」)."""
    return sheet.title


def category_heading(sheet: Sheet, category: str) -> str:
    """`【東区まちづくり推進経費】`: the heading of one category's table."""
    return f"【{sheet.ward}{category}】"


def category_total_label(category: str) -> str:
    return f"{category} {TOTAL_LABEL}"


def display_name(project: Project) -> str:
    """The name as the city prints it: 【新規】 and the 校区 in brackets before the name."""
    prefix = NEW_MARK if project.new else ""
    district = f"【{project.district}】" if project.district else ""
    return f"{prefix}{district}{project.name}"


def status_mark(project: Project) -> str:
    """What the 備考 column says of the status: 中止, 延期… (nothing for 予定 and 実施)."""
    if project.status in (Status.PLANNED, Status.IMPLEMENTED):
        return ""
    return project.status.label


def remarks(project: Project) -> str:
    """The 備考 cell: the status mark, and the note reference (「７－③」) when the note is listed below."""
    parts = [status_mark(project), f"※{project.notes_heading}" if project.notes_heading else project.note]
    return " ".join(part for part in parts if part)


@dataclass(frozen=True)
class SheetNote:
    """One numbered note under the tables (西区 style: 「７－③ 中止」)."""

    heading: str
    text: str


def sheet_notes(sheet: Sheet) -> list[SheetNote]:
    """The notes printed under the tables: every project's note that carries a note number."""
    notes = []
    for project in sheet.all_projects():
        if project.notes_heading:
            notes.append(SheetNote(project.notes_heading, project.note or status_mark(project)))
    return notes


class RowKind(enum.Enum):
    GROUP = "group"
    PROJECT = "project"
    CHILD = "child"
    TOTAL = "total"


@dataclass(frozen=True)
class LayoutRow:
    """One printed row of a category's table."""

    kind: RowKind
    text: str
    project: Project | None = None
    amounts: tuple[int | None, ...] = ()
    # Index path of the project in the sheet, for rows that are projects or sub-items.
    path: tuple[int, int | None] | None = None


def category_rows(sheet: Sheet, category: str, totals: SheetTotals | None = None) -> list[LayoutRow]:
    """The rows of one category's table: group headings where the group changes, projects,
    their sub-items, and the 合計 row last (`totals` saves recomputing them per category)."""
    rows: list[LayoutRow] = []
    current_group: str | None = None
    for index, project in enumerate(sheet.projects):
        if project.category != category:
            continue
        if project.group is not None and project.group != current_group:
            rows.append(LayoutRow(RowKind.GROUP, project.group))
        current_group = project.group
        rows.append(LayoutRow(RowKind.PROJECT, display_name(project), project, project.amounts, path=(index, None)))
        for child_index, child in enumerate(project.children):
            rows.append(LayoutRow(RowKind.CHILD, display_name(child), child, child.amounts, path=(index, child_index)))
    found = (totals or sheet_totals(sheet)).for_category(category)
    rows.append(LayoutRow(RowKind.TOTAL, TOTAL_LABEL, amounts=found.amounts if found else (None,) * len(sheet.stages)))
    return rows


def categories_in_use(sheet: Sheet) -> list[str]:
    """The categories that get a table: every listed one with projects, then unlisted ones."""
    used = {project.category for project in sheet.projects}
    names = [category.name for category in sheet.categories if category.name in used]
    return names + sorted(used - set(names))


def amount_text(amount: int | None) -> str:
    return format_amount(amount)
