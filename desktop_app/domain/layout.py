"""The city's layout of a sheet, independent of any file format: columns, rows, titles, notes.

The xlsx export, the PDF and the window's table all read these, so the column order, the
headings and the way a row is shown are defined here once.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from desktop_app.domain.model import (
    CATEGORY_NUMBERING_STYLES,
    DEFAULT_LAYOUT,
    DEFAULT_NOTES_HEADING,
    GROUP_STYLES,
    GROUPS_AT_SIDE,
    NEW_MARK_STYLES,
    NUMBERING_STYLES,
    SUB_ITEM_TEXT_STYLES,
    TABLE_STYLES,
    TABLES_SINGLE,
    Project,
    Sheet,
    SheetLayout,
    Status,
    project_label,
    sub_item_label,
)
from desktop_app.domain.money import format_amount, sum_amounts
from desktop_app.domain.totals import SheetTotals, sheet_totals
from desktop_app.domain.wareki import wareki_year

UNIT_LABEL: Final = "（単位：千円）"
NEW_MARK: Final = "【新規】"
NEW_MARK_SUFFIX: Final = "（新規）"
NOTES_HEADING: Final = DEFAULT_NOTES_HEADING
# The label of a total row where the sheet's layout names none of its own.
TOTAL_LABEL: Final = DEFAULT_LAYOUT.total_label


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
    # The side column of groups and the group's circled number beside each № (group_style "side").
    SIDE = "グループ"
    MARK = "グループ番号"


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


def _fill(template: str, sheet: Sheet, category: str) -> str:
    # Plain replacement, not str.format: a ward's own text may hold braces.
    text = template.replace("{ward}", sheet.ward).replace("{category}", category)
    return text.replace("{year}", wareki_year(sheet.fiscal_year)) if "{year}" in text else text


def category_heading(sheet: Sheet, category: str) -> str:
    """`【東区まちづくり推進経費】`: the heading of one category's table ("" where the ward prints none)."""
    return _fill(sheet.layout.table_heading, sheet, category)


def total_label(sheet: Sheet, category: str) -> str:
    """The label of a category's total row as the ward prints it: 合計, 合　計, まちづくり推進経費　計…"""
    return _fill(sheet.layout.total_template(category), sheet, category)


def city_columns(layout: SheetLayout) -> tuple[Column, ...]:
    """The printed columns of a sheet: CITY_COLUMNS, without 備考 where the ward prints none."""
    columns = tuple(column for column in CITY_COLUMNS if column is not Column.REMARKS or layout.remarks_column)
    return _with_side_columns(columns) if layout.group_style == GROUPS_AT_SIDE else columns


def _with_side_columns(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """推進方針 | № | ① | 事業名 …, as 西区 prints it (seed 001): its column heading comes first in the
    header row, each row's circled mark is printed right before the project's name (「①\n西区まちづくり
    懇話会開催経費」) while the № column stands apart, and the notes read №－mark (「７－③」)."""
    found: list[Column] = [Column.SIDE]
    for column in columns:
        found.append(column)
        if column is Column.NO:
            found.append(Column.MARK)
    return tuple(found)


def header_cells(sheet: Sheet) -> list[tuple[Column, int | None, str]]:
    """(column, stage index or None, printed heading) of every printed column, in order."""
    layout = sheet.layout
    cells = []
    for column, stage, text in expand_columns(city_columns(layout), sheet.stage_names):
        if column is Column.DESCRIPTION:
            text = layout.description_label or text
        elif column is Column.SIDE:
            text = layout.group_column_label or text
        elif column is Column.MARK:
            text = ""  # under the № heading, as printed
        elif stage is not None:
            text = stage_label(sheet, stage)
        cells.append((column, stage, text))
    return cells


def stage_label(sheet: Sheet, stage: int) -> str:
    """A stage column's printed heading: the ward's own (北区: 予算額, 東区: R2当初) or the stage's name."""
    labels = sheet.layout.stage_labels
    return labels[stage] if stage < len(labels) and labels[stage] else sheet.stage_names[stage]


# The circled numbers ①–⑳ and ㉑–㉟ (北区 numbers its projects so).
_CIRCLED: Final = [chr(c) for c in range(0x2460, 0x2474)] + [chr(c) for c in range(0x3251, 0x3260)]


def display_no(no: str, layout: SheetLayout, category: str = "") -> str:
    """The № as printed: 3, ③, (3) or （3） by the numbering of the sheet (or of the project's
    category); a number that is not a plain figure prints as it is."""
    numbering = layout.numbering_for(category)
    if not (no.isascii() and no.isdigit()) or numbering == "1":
        return no
    number = int(no)
    if numbering == "①":
        return _CIRCLED[number - 1] if 0 < number <= len(_CIRCLED) else no
    if numbering == "（1）":
        return f"（{no}）"
    return f"({no})"


def printed_label(sheet: Sheet, project: Project, parent: Project | None = None) -> str:
    """How a message names a project as the sheet prints its №: ⑥「…」 (北区), (6)「…」 (南区),
    №6「…」; a sub-item with its parent (「…」の内訳①「…」)."""
    if parent is not None:
        return sub_item_label(printed_label(sheet, parent), project)
    shown = display_no(project.no, sheet.layout, project.category)
    return project_label(project.no, project.name) if shown == project.no else f"{shown}「{project.name}」"


def stored_no(text: str) -> str:
    """The № as stored from its printed form (the inverse of display_no): ③ → 3, (3) → 3."""
    folded = text.strip()
    if folded in _CIRCLED:
        return str(_CIRCLED.index(folded) + 1)
    inner = folded.translate(str.maketrans("（）", "()"))
    if inner.startswith("(") and inner.endswith(")") and inner[1:-1].isascii() and inner[1:-1].isdigit():
        return inner[1:-1]
    return text


def category_tag(category: str) -> str:
    """`【復興支援自治推進経費】`: printed over the name of a project of another category in one table."""
    return f"【{category}】"


def display_name(project: Project, layout: SheetLayout = DEFAULT_LAYOUT, tag: str = "") -> str:
    """The name as the city prints it: the category tag, 【新規】 and the 校区 in brackets around it."""
    district = f"【{project.district}】" if project.district else ""
    name = f"{district}{project.name}"
    if project.new:
        if layout.new_mark == "suffix":
            name = f"{name}{NEW_MARK_SUFFIX}"
        elif layout.new_mark == "prefix_line":
            name = f"{NEW_MARK}\n{name}"
        else:
            name = f"{NEW_MARK}{name}"
    return f"{tag}\n{name}" if tag else name


def parse_display_name(text: str, categories: Sequence[str]) -> tuple[str, bool, str | None]:
    """(name, new, tagged category) from a printed name, whatever the new-mark style."""
    tagged = None
    for category in categories:
        tag = category_tag(category)
        if text.startswith(tag):
            tagged, text = category, text[len(tag) :].lstrip("\n")
            break
    new = False
    if text.startswith(NEW_MARK):
        new, text = True, text[len(NEW_MARK) :].lstrip("\n")
    elif text.endswith(NEW_MARK_SUFFIX):
        new, text = True, text[: -len(NEW_MARK_SUFFIX)]
    return text, new, tagged


def status_mark(project: Project) -> str:
    """What the 備考 column says of the status: 中止, 延期… (nothing for 予定 and 実施)."""
    if project.status in (Status.PLANNED, Status.IMPLEMENTED):
        return ""
    return project.status.label


def remarks(project: Project, layout: SheetLayout = DEFAULT_LAYOUT) -> str:
    """The 備考 cell: the status mark (where the ward prints one), and the note reference
    (「７－③」) when the note is listed below."""
    mark = status_mark(project) if layout.status_marks else ""
    parts = [mark, f"※{project.notes_heading}" if project.notes_heading else project.note]
    return " ".join(part for part in parts if part)


@dataclass(frozen=True)
class SheetNote:
    """One numbered note under the tables (西区 style: 「７－③ 中止」)."""

    heading: str
    text: str


def sheet_notes(sheet: Sheet) -> list[SheetNote]:
    """The notes printed under the tables: every project's note that carries a note number."""
    notes = []
    marks = sheet.layout.status_marks
    for project in sheet.all_projects():
        if project.notes_heading:
            notes.append(SheetNote(project.notes_heading, project.note or (status_mark(project) if marks else "")))
    return notes


class RowKind(enum.Enum):
    """What a printed row is; the PDF, the Excel, the importer and the window's table go by it."""

    GROUP = "group"
    PROJECT = "project"
    CHILD = "child"
    # A category's total (合計, 「南区まちづくり推進経費　合計」…): the sheet has no grand total row.
    TOTAL = "total"
    # A table's heading (【東区まちづくり推進経費】): print puts `LayoutTable.heading` above the
    # table; only the window, one long table, shows it as a row of its own.
    HEADING = "heading"


@dataclass(frozen=True)
class LayoutRow:
    """One printed row of a table."""

    kind: RowKind
    text: str
    project: Project | None = None
    amounts: tuple[int | None, ...] = ()
    # Index path of the project in the sheet, for rows that are projects or sub-items.
    path: tuple[int, int | None] | None = None
    # The № as printed (③, (3)); the group's position in `Sheet.groups` for a heading; the
    # category of a project or total row.
    no: str = ""
    group: int | None = None
    category: str = ""
    # A heading's stage cells as printed where the ward repeats the stage headings on it (北区).
    labels: tuple[str, ...] = ()
    # Name and description as one cell across both text columns (南区: 「①【幸田】名前　内容」,
    # 「（1）名前（内容）」); "" where they print apart. The window edits them apart either way.
    joined: str = ""


@dataclass(frozen=True)
class LayoutTable:
    """One printed table: a category's (by_category), or the whole sheet's (single, category "")."""

    heading: str
    category: str
    rows: tuple[LayoutRow, ...]
    # False where the group headings carry the stage headings and the column header leaves them out.
    stage_labels_in_header: bool = True


def print_categories(sheet: Sheet) -> list[str]:
    """The categories with projects in print order: the layout's `category_order` first."""
    used = categories_in_use(sheet)
    ordered = [name for name in sheet.layout.category_order if name in used]
    return ordered + [name for name in used if name not in ordered]


def sheet_tables(sheet: Sheet, totals: SheetTotals | None = None) -> list[LayoutTable]:
    """Every printed table of the sheet with its rows, as the sheet's layout says."""
    totals = totals or sheet_totals(sheet)
    # A sheet without projects still gets its tables, empty, so that it can be filled in.
    categories = print_categories(sheet) or [category.name for category in sheet.categories]
    if sheet.layout.tables == TABLES_SINGLE:
        first = categories[0] if categories else ""
        indexes = list(range(len(sheet.projects)))
        rows = _project_rows(sheet, indexes, tagged=lambda category: category != first)
        rows += [_total_row(sheet, category, totals) for category in categories]
        # One table has no category to name: a heading that names one is left out.
        template = sheet.layout.table_heading
        heading = "" if "{category}" in template else _fill(template, sheet, "")
        return [LayoutTable(heading, "", tuple(row for row in rows if row is not None))]
    tables = []
    for category in categories:
        indexes = [i for i, project in enumerate(sheet.projects) if project.category == category]
        rows = _project_rows(sheet, indexes, tagged=lambda _: False)
        rows.append(_total_row(sheet, category, totals))
        tables.append(
            LayoutTable(
                category_heading(sheet, category),
                category,
                tuple(r for r in rows if r is not None),
                stage_labels_in_header=category not in sheet.layout.group_stage_labels,
            )
        )
    return tables


def _total_row(sheet: Sheet, category: str, totals: SheetTotals) -> LayoutRow | None:
    label = total_label(sheet, category)
    if not label:
        return None
    found = totals.for_category(category)
    amounts = found.amounts if found else (None,) * len(sheet.stages)
    return LayoutRow(RowKind.TOTAL, label, amounts=amounts, category=category)


def _project_rows(sheet: Sheet, indexes: list[int], tagged: Callable[[str], bool]) -> list[LayoutRow | None]:
    layout = sheet.layout
    rows: list[LayoutRow | None] = []
    members: dict[int, list[Project]] = {}
    for index in indexes:
        position = sheet.group_position(sheet.projects[index])
        if position is not None:
            members.setdefault(position, []).append(sheet.projects[index])
    current: int | None = None
    for index in indexes:
        project = sheet.projects[index]
        position = sheet.group_position(project)
        if position is not None and position != current:
            rows.append(_group_row(sheet, position, members[position]))
        current = position
        tag = category_tag(project.category) if tagged(project.category) else ""
        name = display_name(project, layout, tag)
        in_name = project.category in layout.description_in_name
        rows.append(
            LayoutRow(
                RowKind.PROJECT,
                name,
                project,
                project.amounts,
                path=(index, None),
                no=display_no(project.no, layout, project.category),
                category=project.category,
                joined=joined_text(name, project.description, "（）") if in_name else "",
            )
        )
        for child_index, child in enumerate(project.children):
            child_name = display_name(child, layout)
            joined = ""
            if layout.sub_item_text == "joined":
                joined = joined_text(child_name, child.description, "　")
            elif in_name:
                joined = joined_text(child_name, child.description, "（）")
            rows.append(
                LayoutRow(
                    RowKind.CHILD,
                    child_name,
                    child,
                    child.amounts,
                    path=(index, child_index),
                    no=child.no,
                    category=project.category,
                    joined=joined,
                )
            )
    return rows


def split_joined(text: str, joint: str) -> tuple[str, str]:
    """(name, description) from one cell written by `joined_text`; a name that ends in 「（新規）」
    has no description after it."""
    if joint != "（）":
        name, _, description = text.partition(joint)
        return name, description
    if not text.endswith("）") or text.endswith(NEW_MARK_SUFFIX):
        return text, ""
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        depth += {"）": 1, "（": -1}.get(text[index], 0)
        if depth == 0:
            return (text[:index], text[index + 1 : -1]) if index else (text, "")
    return text, ""


def joined_text(name: str, description: str, joint: str) -> str:
    """Name and description in one cell: 「名前　内容」 (joint 「　」) or 「名前（内容）」 (joint 「（）」)."""
    if not description:
        return name
    if joint == "（）":
        return f"{name}（{description}）"
    return f"{name}{joint}{description}"


def _group_row(sheet: Sheet, position: int, projects: list[Project]) -> LayoutRow:
    layout = sheet.layout
    group = sheet.groups[position]
    text = group.name
    amounts: tuple[int | None, ...] = ()
    if layout.group_subtotals:
        sums = tuple(sum_amounts([p.amounts[i] for p in projects]) for i in range(len(sheet.stages)))
        if projects and projects[0].category in layout.subtotal_in_heading:
            text = f"{text}（{format_amount(sums[0])}千円）" if sums else text
        elif len(projects) > 1:
            amounts = sums
    if layout.group_descriptions and group.description:
        text = f"{text}\n{group.description}"
    labels: tuple[str, ...] = ()
    if not amounts and projects and projects[0].category in layout.group_stage_labels:
        labels = tuple(stage_label(sheet, index) for index in range(len(sheet.stages)))
    return LayoutRow(RowKind.GROUP, text, amounts=amounts, group=position, labels=labels)


# The circled numbers a group name may start with (西区: 「①地域ニーズに…」).
_GROUP_MARKS: Final = _CIRCLED[:20]


def group_mark(name: str) -> str:
    """The circled number (①–⑳) a group's name starts with, printed beside each of its projects'
    № in the side style; "" for a name without one."""
    stripped = name.lstrip(" \u3000")
    return stripped[0] if stripped and stripped[0] in _GROUP_MARKS else ""


@dataclass(frozen=True)
class SideRun:
    """Printed rows sharing one merged cell of the side column: `rows[first:first + count]` of
    `side_rows`, all of the group at `group` in `Sheet.groups`, named `text`."""

    group: int
    text: str
    first: int
    count: int


def side_rows(sheet: Sheet, table: LayoutTable) -> tuple[list[LayoutRow], list[SideRun]]:
    """A table as the side style prints it: without the group heading rows, and the runs of rows
    whose group is written once in the side column. A project without a group gets no side cell.

    The side cell holds the group's name alone: subtotals and 方向性 lines belong to heading rows."""
    rows: list[LayoutRow] = []
    runs: list[SideRun] = []
    open_run: tuple[int, str, int] | None = None  # group, text, first row

    def close() -> None:
        nonlocal open_run
        if open_run is not None and len(rows) > open_run[2]:
            runs.append(SideRun(open_run[0], open_run[1], open_run[2], len(rows) - open_run[2]))
        open_run = None

    for row in table.rows:
        if row.kind is RowKind.GROUP:
            close()
            if row.group is not None:
                open_run = (row.group, sheet.groups[row.group].name, len(rows))
            continue
        if row.kind is RowKind.TOTAL or (row.kind is RowKind.PROJECT and row.project and row.project.group is None):
            close()
        rows.append(row)
    close()
    return rows, runs


def side_marks(rows: Sequence[LayoutRow], runs: Sequence[SideRun]) -> list[str]:
    """Per row of `side_rows`, the mark printed beside its № (its group's ①…; none for sub-items)."""
    marks = [""] * len(rows)
    for run in runs:
        mark = group_mark(run.text)
        for index in range(run.first, run.first + run.count):
            if rows[index].kind is RowKind.PROJECT:
                marks[index] = mark
    return marks


def categories_in_use(sheet: Sheet) -> list[str]:
    """The categories that get a table: every listed one with projects, then unlisted ones."""
    used = {project.category for project in sheet.projects}
    names = [category.name for category in sheet.categories if category.name in used]
    return names + sorted(used - set(names))


# The layout's fields as data (INTERCHANGE.md `layout`), in writing order: (key, attribute). Only fields that differ
# from today's default are written, so a sheet without a layout of its own writes none.
_LAYOUT_FIELDS: Final = (
    ("tables", "tables"),
    ("group_subtotals", "group_subtotals"),
    ("numbering", "numbering"),
    ("numberings", "numberings"),
    ("category_order", "category_order"),
    ("description_label", "description_label"),
    ("stage_labels", "stage_labels"),
    ("table_heading", "table_heading"),
    ("total_label", "total_label"),
    ("total_labels", "total_labels"),
    ("subtotal_in_heading", "subtotal_in_heading"),
    ("group_stage_labels", "group_stage_labels"),
    ("description_in_name", "description_in_name"),
    ("sub_item_text", "sub_item_text"),
    ("group_descriptions", "group_descriptions"),
    ("remarks_column", "remarks_column"),
    ("status_marks", "status_marks"),
    ("new_mark", "new_mark"),
    ("notes_heading", "notes_heading"),
    ("overview", "overview"),
    ("group_style", "group_style"),
    ("group_column_label", "group_column_label"),
)


LAYOUT_KEYS: Final = tuple(key for key, _ in _LAYOUT_FIELDS)
# Fields written as an object {category: value}.
_PER_CATEGORY: Final = ("numberings", "total_labels")


def layout_to_dict(layout: SheetLayout, *, complete: bool = False) -> dict[str, Any]:
    """The layout as plain data (INTERCHANGE.md `layout`): only what differs from the default,
    or every field (`complete`, to show a person what can be set)."""
    data: dict[str, Any] = {}
    for key, attribute in _LAYOUT_FIELDS:
        value = getattr(layout, attribute)
        if value == getattr(DEFAULT_LAYOUT, attribute) and not complete:
            continue
        if key in _PER_CATEGORY:
            value = dict(value)
        elif isinstance(value, tuple):
            value = list(value)
        data[key] = value
    for key, value in layout.extra.items():
        data.setdefault(key, value)
    return data


def layout_from_dict(value: object) -> SheetLayout:
    """A layout from plain data; unknown fields are kept. ValueError (Japanese) names a bad field."""
    if value is None:
        return DEFAULT_LAYOUT
    if not isinstance(value, dict):
        raise ValueError("印刷の様式（layout）がオブジェクトではありません")
    known = dict(_LAYOUT_FIELDS)
    fields: dict[str, Any] = {}
    for key, item in value.items():
        attribute = known.get(key)
        if attribute is None:
            continue
        where = f"印刷の様式（layout）の「{key}」"
        default = getattr(DEFAULT_LAYOUT, attribute)
        if key in _PER_CATEGORY:
            if not isinstance(item, dict) or not all(isinstance(v, str) for v in item.values()):
                raise ValueError(f"{where}が経費区分ごとの文字列になっていません")
            fields[attribute] = tuple(item.items())
        elif isinstance(default, tuple):
            if not isinstance(item, list) or not all(isinstance(v, str) for v in item):
                raise ValueError(f"{where}が文字列の配列ではありません")
            fields[attribute] = tuple(item)
        elif isinstance(default, bool):
            if not isinstance(item, bool):
                raise ValueError(f"{where}が true / false ではありません")
            fields[attribute] = item
        elif not isinstance(item, str):
            raise ValueError(f"{where}が文字列ではありません")
        else:
            fields[attribute] = item
    choices = {
        "tables": TABLE_STYLES,
        "numbering": NUMBERING_STYLES,
        "new_mark": NEW_MARK_STYLES,
        "sub_item_text": SUB_ITEM_TEXT_STYLES,
        "group_style": GROUP_STYLES,
    }
    for key, allowed in choices.items():
        if key in fields and fields[key] not in allowed:
            raise ValueError(f"印刷の様式（layout）の「{key}」「{fields[key]}」は使えません（{' / '.join(allowed)}）")
    for category, style in fields.get("numberings", ()):
        if style not in CATEGORY_NUMBERING_STYLES:
            raise ValueError(
                f"印刷の様式（layout）の「numberings」の「{category}」「{style}」は使えません"
                f"（{' / '.join(CATEGORY_NUMBERING_STYLES)}）"
            )
    extra = {key: item for key, item in value.items() if key not in known}
    return SheetLayout(**fields, extra=extra)


# How the history and the messages name each field of the layout (the sheet settings' wording).
LAYOUT_LABELS: Final = {
    "tables": "表の分け方",
    "group_subtotals": "グループの小計",
    "numbering": "番号",
    "numberings": "経費区分ごとの番号",
    "category_order": "経費区分の順",
    "description_label": "事業内容の列の名前",
    "stage_labels": "段階の列の名前",
    "table_heading": "表の見出し",
    "total_label": "合計の行の名前",
    "total_labels": "経費区分ごとの合計の行の名前",
    "subtotal_in_heading": "見出しに小計を書く経費区分",
    "group_stage_labels": "見出しに段階の名前を書く経費区分",
    "description_in_name": "事業名に（内容）を続ける経費区分",
    "sub_item_text": "内訳の名前と内容",
    "group_descriptions": "グループの説明",
    "remarks_column": "備考の列",
    "status_marks": "備考の中止・延期",
    "new_mark": "新規の印",
    "notes_heading": "注記の見出し",
    "overview": "概要",
    "group_style": "グループの印刷",
    "group_column_label": "グループの列の名前",
}
TABLE_STYLE_LABELS: Final = {"by_category": "経費区分ごと", "single": "1つの表"}
SUB_ITEM_TEXT_LABELS: Final = {"columns": "別の列", "joined": "1つの欄"}
GROUP_STYLE_LABELS: Final = {"row": "見出しの行", "side": "左の列（縦書き）"}
# The placeholders a label template may name; anything else in braces is a typo ({区}, {wards}).
TEMPLATE_FIELDS: Final = ("{ward}", "{category}", "{year}")


# How the history words a field's coded values (by_category → 経費区分ごと).
_VALUE_LABELS: Final = {
    "tables": TABLE_STYLE_LABELS,
    "sub_item_text": SUB_ITEM_TEXT_LABELS,
    "group_style": GROUP_STYLE_LABELS,
}


def _shown_value(key: str, value: object) -> str:
    if isinstance(value, bool):
        return "する" if value else "しない"
    if key in _VALUE_LABELS and isinstance(value, str):
        return _VALUE_LABELS[key].get(value, value)
    if isinstance(value, dict):
        return "、".join(f"{name}: {text}" for name, text in value.items())
    if isinstance(value, list | tuple):
        return "、".join(str(item) for item in value)
    return str(value)


def layout_changes(before: SheetLayout, after: SheetLayout) -> list[tuple[str, str, str]]:
    """(what, old, new) for each field that differs, as the history shows it: 「概要」,
    「印刷の様式（番号）」 1 → ①. Fields of a newer writer are named by their key."""
    old = layout_to_dict(before, complete=True)
    new = layout_to_dict(after, complete=True)
    found = []
    for key in [*old, *(key for key in new if key not in old)]:
        if old.get(key) == new.get(key):
            continue
        what = "概要" if key == "overview" else f"印刷の様式（{LAYOUT_LABELS.get(key, key)}）"
        found.append((what, _shown_value(key, old.get(key, "")), _shown_value(key, new.get(key, ""))))
    return found


def template_problem(layout: SheetLayout) -> str | None:
    """A label template naming a placeholder other than {ward} and {category}, as one Japanese
    sentence; None when every template is fine."""
    templates = [("total_label", layout.total_label), ("table_heading", layout.table_heading)]
    templates += [("total_labels", text) for _category, text in layout.total_labels]
    for key, text in templates:
        for start, char in enumerate(text):
            if char != "{":
                continue
            end = text.find("}", start)
            word = text[start : end + 1] if end > start else ""
            # Only a brace around a plain word is a placeholder: a ward's own text may hold braces.
            if word and word[1:-1].isidentifier() and word not in TEMPLATE_FIELDS:
                return (
                    f"{LAYOUT_LABELS[key]}「{text}」の「{word}」は使えません"
                    f"（使えるのは {'、'.join(TEMPLATE_FIELDS)} です）。"
                )
    return None


def rename_layout_categories(layout: SheetLayout, renames: Sequence[tuple[str, str]]) -> SheetLayout:
    """The layout with category names renamed (old → new, all at once, so two names can swap)."""
    if not renames:
        return layout
    mapping = dict(renames)

    def renamed(name: str) -> str:
        return mapping.get(name, name)

    return replace(
        layout,
        category_order=tuple(renamed(name) for name in layout.category_order),
        total_labels=tuple((renamed(name), text) for name, text in layout.total_labels),
        numberings=tuple((renamed(name), style) for name, style in layout.numberings),
        subtotal_in_heading=tuple(renamed(name) for name in layout.subtotal_in_heading),
        group_stage_labels=tuple(renamed(name) for name in layout.group_stage_labels),
        description_in_name=tuple(renamed(name) for name in layout.description_in_name),
    )
