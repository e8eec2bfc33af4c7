"""A worksheet in the city's layout read back into a Sheet (the inverse of `layout_writer`)."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from desktop_app.domain import (
    WARDS,
    AmountError,
    Category,
    FiscalYearError,
    Group,
    Project,
    Sheet,
    SheetStructureError,
    Stage,
    Status,
    UnknownWardError,
    check_structure,
    find_ward,
    format_amount,
    parse_amount,
)
from desktop_app.domain.layout import (
    NOTES_HEADING,
    TOTAL_LABEL,
    Column,
    LayoutRow,
    RowKind,
    category_heading,
    header_cells,
    parse_display_name,
    print_categories,
    remarks,
    sheet_tables,
    split_joined,
    status_mark,
    stored_no,
    total_label,
)
from desktop_app.domain.model import (
    DEFAULT_CATEGORY_NAMES,
    DEFAULT_LAYOUT,
    GROUPS_AT_SIDE,
    TABLES_SINGLE,
    WARD_LAYOUTS,
    normalized_group_indexes,
)
from desktop_app.domain.wareki import find_fiscal_year
from desktop_app.exchange.errors import ImportFileError
from desktop_app.exchange.xlsx.cells import decode_cell_text
from desktop_app.exchange.xlsx.formulas import parent_formula
from desktop_app.exchange.xlsx.grid import NOT_OUR_LAYOUT, Grid
from desktop_app.exchange.xlsx.hidden_record import DATA_SHEET, stored_sheets
from desktop_app.exchange.xlsx.keys import (
    CATEGORY_KEY_PREFIX,
    GROUP_KEY_PREFIX,
    HEADER_KEY,
    NOTES_KEY,
    OVERVIEW_KEY,
    PROJECT_KEY_PREFIX,
    TITLE_KEY,
    TOTAL_KEY,
    VISION_KEY,
    key_index,
    parse_project_key,
    project_key,
    project_key_of_note,
)
from desktop_app.exchange.xlsx.load import load

# Sub-item numbers as the wards write them: ①…⑳, ㉑…㊿.
_CIRCLED: Final = re.compile("^[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf]")
# A subtotal printed in a group's heading: 「人材育成の充実（2,090千円）」.
_HEADING_SUBTOTAL: Final = re.compile(r"（[0-9,―]+千円）$")
_STATUS_WORD: Final = re.compile(r"^(\S+)(?:[ \u3000]+(.*))?$", re.DOTALL)


def read_workbook(workbook: Workbook, raw: bytes, file_name: str, opened: list[Workbook]) -> list[Sheet]:
    stored = stored_sheets(workbook, file_name)
    saved_results: list[Workbook] = []

    def with_saved_results() -> Workbook:
        # Loaded a second time only when a person typed a formula where a value belongs.
        if not saved_results:
            saved_results.append(load(raw, file_name, data_only=True))
            opened.append(saved_results[0])
        return saved_results[0]

    layouts = []
    for ws in workbook.worksheets:
        if ws.title == DATA_SHEET:
            continue
        record = stored.get(ws.title) or (next(iter(stored.values())) if len(stored) == 1 else None)
        remarks_expected = record.layout.remarks_column if record is not None else None
        grid = Grid(ws, file_name, with_saved_results, _description_labels(stored.values()), remarks_expected)
        if grid.header_rows:
            layouts.append(grid)
    if not layouts:
        raise ImportFileError(file_name, NOT_OUR_LAYOUT)
    sheets = []
    for grid in layouts:
        hidden = stored.get(grid.title)
        if hidden is None and len(layouts) == 1 and len(stored) == 1:
            # The one worksheet was renamed: its hidden record is still the only one there is.
            hidden = next(iter(stored.values()))
        sheets.append(SheetReader(grid, hidden).read())
    return sheets


def _description_labels(sheets: Iterable[Sheet]) -> frozenset[str]:
    """What the text column may be headed: the layouts' own labels (北区: 事業概要) and the default."""
    layouts = [DEFAULT_LAYOUT, *WARD_LAYOUTS.values(), *(sheet.layout for sheet in sheets)]
    return frozenset(layout.description_label for layout in layouts if layout.description_label)


def _with_group_position(project: Project, groups: tuple[Group, ...], positions: dict[int, int]) -> Project:
    """The project with `group_index` moved from the hidden record's positions to the groups read."""
    if project.group_index is None:
        return project
    index = positions.get(project.group_index)
    if index is None or groups[index].name != project.group:
        index = None
    return replace(project, group_index=index)


@dataclass
class _RowProject:
    """A project or sub-item row as read, before the sheet is put together."""

    row: int
    project: Project
    hidden: Project | None
    children: list[_RowProject] = field(default_factory=list)


@dataclass
class _Table:
    category: str
    hidden_category: int | None
    projects: list[_RowProject]


class SheetReader:
    """Puts one worksheet's cells, and its hidden record if any, together into a Sheet."""

    def __init__(self, grid: Grid, hidden: Sheet | None) -> None:
        self.grid = grid
        self.hidden = hidden
        self.stage_names: list[str] = []
        self.ward = ""
        self.group_renames: dict[int, list[str]] = {}
        self.visible_groups: list[str] = []
        self.notes_by_key: dict[str, tuple[str, str]] = {}
        self.notes_by_heading: dict[str, str] = {}
        # Every row as the export printed it, by key: what a cell still shows unchanged.
        self.printed: dict[str, LayoutRow] = {}
        self.layout = hidden.layout if hidden is not None else DEFAULT_LAYOUT
        # Cells holding a parent's =SUM of its sub-items: worked out from the sub-items once read.
        self.formula_cells: set[tuple[int, int]] = set()
        self.export_group_keys = self._export_group_keys()

    # -- the hidden record

    def _hidden_project(self, key: str) -> Project | None:
        path = parse_project_key(key)
        if self.hidden is None or path is None:
            return None
        index, child = path
        if index >= len(self.hidden.projects):
            return None
        project = self.hidden.projects[index]
        if child is None:
            return project
        return project.children[child] if child < len(project.children) else None

    def _hidden_index(self, key: str, prefix: str, size: int) -> int | None:
        index = key_index(key, prefix) if self.hidden is not None else None
        return index if index is not None and index < size else None

    def _export_group_keys(self) -> dict[str, str]:
        """For each project key, the key of the group row printed above it at export."""
        keys: dict[str, str] = {}
        if self.hidden is None:
            return keys
        for table in sheet_tables(self.hidden):
            above = ""
            for row in table.rows:
                if row.kind is RowKind.GROUP:
                    above = f"{GROUP_KEY_PREFIX}{'' if row.group is None else row.group}"
                    self.printed[above] = row
                elif row.path is not None:
                    self.printed[project_key(row.path)] = row
                    if row.kind is RowKind.PROJECT:
                        keys[project_key(row.path)] = above
        return keys

    # -- the whole sheet

    def read(self) -> Sheet:
        grid = self.grid
        headers = grid.header_rows
        self.stage_names = self._stage_names(headers[0])
        for header in headers[1:]:
            if self._stage_names(header) != self.stage_names:
                raise grid.fail(header, grid.stage_columns[0], "表によって段階（当初予算など）の見出しが違います")
        if grid.side_column and self.layout.group_style != GROUPS_AT_SIDE:
            # Groups printed at the side without a record of the layout: read back as printed.
            self.layout = replace(self.layout, group_style=GROUPS_AT_SIDE, group_column_label=grid.side_label())
        headings = [self._heading_row(index, header) for index, header in enumerate(headers)]
        title, vision, title_row = self._title_and_vision(headings[0])
        self.ward = self._ward(title)
        fiscal_year = self._fiscal_year(title, title_row)
        notes_row = self._notes_row(headers[-1])
        if notes_row:
            self._read_notes(notes_row)
        tables = []
        for index, header in enumerate(headers):
            end = (
                headings[index + 1] - 1
                if index + 1 < len(headers)
                else (notes_row - 1 if notes_row else len(grid.rows))
            )
            table = self._table(headings[index], header, end)
            if table.category or (table.projects and self.layout.tables == TABLES_SINGLE):
                tables.append(table)
            elif table.projects:
                raise grid.fail(headings[index], 1, "経費区分の見出し（【…経費】）に経費区分の名前がありません")
        groups, positions = self._groups()
        projects = tuple(_with_group_position(p, groups, positions) for p in self._ordered_projects(tables))
        sheet = Sheet(
            ward=self.ward,
            fiscal_year=fiscal_year,
            title=title,
            vision=vision,
            stages=self._stages(),
            categories=self._categories(tables, projects),
            groups=groups,
            projects=projects,
            layout=self.layout,
        )
        self._check_sums(tables)
        try:
            check_structure(sheet)
        except SheetStructureError as exc:
            raise grid.fail_sheet(str(exc)) from exc
        return normalized_group_indexes(sheet)

    def _stage_names(self, header: int) -> list[str]:
        names = []
        printed: dict[str, str] = {}
        if self.hidden is not None:
            # A ward may head a stage otherwise (北区: 予算額 for 当初予算): it is still that stage.
            printed = {
                text: self.hidden.stages[stage].name
                for _, stage, text in header_cells(self.hidden)
                if stage is not None
            }
        # Where the group headings carry the stage headings (北区), the column header has none.
        labelled = header
        if all(not self.grid.text(header, column).strip() for column in self.grid.stage_columns):
            labelled = self._first_labelled_group(header) or header
        for column in self.grid.stage_columns:
            name = self.grid.text(labelled, column)
            if not name.strip():
                raise self.grid.fail(header, column, "段階（当初予算など）の見出しが空です")
            names.append(printed.get(name, name))
        return names

    def _first_labelled_group(self, header: int) -> int:
        """The first group heading under the header that carries every stage's heading, or 0."""
        grid = self.grid
        for number in range(header + 1, len(grid.rows) + 1):
            key = grid.key(number)
            if key in (HEADER_KEY, TOTAL_KEY):
                return 0
            if key.startswith(GROUP_KEY_PREFIX):
                texts = [grid.text(number, column).strip() for column in grid.stage_columns]
                # Headings, not a subtotal's figures (南区 prints those on some headings).
                if all(texts) and not any(all(c.isdigit() or c in ",，" for c in text) for text in texts):
                    return number
        return 0

    def _stages(self) -> tuple[Stage, ...]:
        locked: dict[str, bool] = {}
        if self.hidden is not None:
            locked = {stage.name: stage.locked for stage in self.hidden.stages}
        return tuple(Stage(name, locked.get(name, False)) for name in self.stage_names)

    def _heading_row(self, index: int, header: int) -> int:
        grid = self.grid
        number = header - 1
        while number > 0 and grid.is_empty(number) and not grid.key(number):
            number -= 1
        previous = grid.header_rows[index - 1] if index else 0
        key = grid.key(number)
        if (
            number <= previous
            or key[:1] in (TOTAL_KEY, PROJECT_KEY_PREFIX, GROUP_KEY_PREFIX)
            or not (grid.label(number, 1) or key.startswith(CATEGORY_KEY_PREFIX))
        ):
            raise grid.fail(header, 1, "この表の上に経費区分の見出し（【…経費】）がありません")
        return number

    def _title_and_vision(self, first_heading: int) -> tuple[str, str, int]:
        grid = self.grid
        rows = [n for n in range(1, first_heading) if not grid.is_empty(n) or grid.key(n)]
        by_key = {grid.key(n): n for n in rows}
        title_row = by_key.get(TITLE_KEY) or (rows[0] if rows else 0)
        if not title_row:
            raise grid.fail(1, 1, f"タイトルの行がありません（{NOT_OUR_LAYOUT}）")
        after = [n for n in rows if n > title_row]
        vision_row = by_key.get(VISION_KEY) or (after[0] if after else 0)
        overview_row = by_key.get(OVERVIEW_KEY)
        if overview_row:
            self.layout = replace(self.layout, overview=self._row_text(overview_row))
        return self._row_text(title_row), self._row_text(vision_row) if vision_row else "", title_row

    def _row_text(self, number: int) -> str:
        """The text of a merged title line: its first filled cell."""
        for column in range(1, self.grid.last_column + 1):
            text = self.grid.text(number, column)
            if text:
                return text
        return ""

    def _ward(self, title: str) -> str:
        try:
            return find_ward(self.grid.title).name
        except UnknownWardError:
            pass
        for ward in sorted(WARDS, key=lambda w: -len(w.name)):
            if ward.name in title:
                return ward.name
        if self.hidden is not None:
            return self.hidden.ward
        raise self.grid.fail_sheet("どの区のシートか分かりません（シート名かタイトルに区の名前を入れてください）")

    def _fiscal_year(self, title: str, title_row: int) -> int:
        if self.hidden is not None and title == self.hidden.title:
            return self.hidden.fiscal_year
        try:
            found = find_fiscal_year(title)
        except FiscalYearError as exc:
            raise self.grid.fail(title_row, 1, str(exc)) from exc
        if found is not None:
            return found
        if self.hidden is not None:
            return self.hidden.fiscal_year
        raise self.grid.fail(title_row, 1, "タイトルから年度が読めません（例: 令和2年度 東区まちづくりの取組）")

    # -- notes under the tables

    def _notes_row(self, last_header: int) -> int:
        grid = self.grid
        for number in range(last_header + 1, len(grid.rows) + 1):
            key = grid.key(number)
            if key == NOTES_KEY:
                return number
            texts = (grid.label(number, grid.no_column).strip(), grid.label(number, grid.name_column).strip())
            if not key and (NOTES_HEADING in texts or (self.layout.notes_heading or NOTES_HEADING) in texts):
                return number
        return 0

    def _read_notes(self, notes_row: int) -> None:
        grid = self.grid
        for number in range(notes_row + 1, len(grid.rows) + 1):
            heading = grid.text(number, grid.name_column)
            text = grid.text(number, grid.columns[Column.DESCRIPTION])
            if not heading and not text:
                continue
            key = grid.key(number)
            owner = project_key_of_note(key)
            if owner is not None:
                self.notes_by_key[owner] = (heading, text)
            self.notes_by_heading.setdefault(heading.strip(), text)

    # -- one table

    def _table(self, heading: int, header: int, end: int) -> _Table:
        grid = self.grid
        category, hidden_category = self._category(heading)
        projects: list[_RowProject] = []
        group: str | None = None
        group_key = ""
        total_row = 0
        for number in range(header + 1, end + 1):
            key = grid.key(number)
            if total_row:
                # One table of the whole sheet (中央区) has one total row per category at its foot.
                if not grid.is_empty(number) and not self._is_total(number, key):
                    raise grid.fail(
                        number,
                        1,
                        f"{TOTAL_LABEL}の行より下に行があります（事業は{TOTAL_LABEL}の行より上に入れてください）",
                    )
                continue
            if grid.is_empty(number):
                continue
            if self._is_total(number, key):
                total_row = number
                continue
            if self._is_group(number, key):
                group = self._group_name(key, grid.text(number, 1)) or None
                group_key = key
                if group is not None:
                    self._note_group(key, group)
                continue
            hidden = self._hidden_project(key)
            child = grid.indent(number, grid.name_column) > 0 or (
                hidden is None and bool(_CIRCLED.match(grid.text(number, grid.no_column)))
            )
            if child:
                if not projects:
                    raise grid.fail(number, grid.name_column, "内訳の行（字下げした行）の上に親の事業がありません")
                parent = projects[-1]
                project = self._project(
                    number, key, hidden, parent.project.category, group=hidden.group if hidden else None, child=True
                )
                parent.children.append(_RowProject(number, project, hidden))
            else:
                if grid.side_column:
                    group, group_key = self._side_group(number, key, group, group_key)
                own_group = group
                if hidden is not None and hidden.group is None and self.export_group_keys.get(key) == group_key:
                    # The domain prints no heading for a project without a group, so it sits under
                    # the group above it; unless that heading changed, it still has none.
                    own_group = None
                project = self._project(number, key, hidden, category, group=own_group)
                group_index = (
                    self._hidden_index(group_key, GROUP_KEY_PREFIX, len(self.hidden.groups)) if self.hidden else None
                )
                if own_group is not None and group_index is not None:
                    # Which of several groups of one name: resolved once the groups are put together.
                    project = replace(project, group_index=group_index)
                projects.append(_RowProject(number, project, hidden))
        for row in projects:
            self._work_out_parent(row)
        return _Table(category, hidden_category, projects)

    def _work_out_parent(self, row: _RowProject) -> None:
        """A parent's =SUM of its sub-items (as exported) is their sums; any other formula is what
        Excel saved with it."""
        grid = self.grid
        for child in row.children:
            typed = [(i, c) for i, c in enumerate(grid.stage_columns) if (child.row, c) in self.formula_cells]
            if typed:
                values = list(child.project.amounts)
                for index, column in typed:
                    values[index] = self._amount(child.row, column, sum_of_children=False)
                child.project = replace(child.project, amounts=tuple(values))
        amounts = list(row.project.amounts)
        changed = False
        sums = replace(row.project, children=tuple(child.project for child in row.children)).children_sum()
        for index, column in enumerate(grid.stage_columns):
            if (row.row, column) not in self.formula_cells:
                continue
            cell = grid.cell(row.row, column)
            formula = str(cell.value) if cell is not None else ""
            letter = get_column_letter(column)
            last = row.row + len(row.children)
            if (
                row.children
                and [c.row for c in row.children] == list(range(row.row + 1, last + 1))
                and (formula == parent_formula(letter, row.row + 1, last))
            ):
                amounts[index] = sums[index]
            else:
                amounts[index] = self._amount(row.row, column, sum_of_children=False)
            changed = True
        if changed:
            row.project = replace(row.project, amounts=tuple(amounts))

    def _group_name(self, key: str, text: str) -> str:
        """The group's name from its heading, without the subtotal or the 方向性 line printed with it."""
        printed = self.printed.get(key)
        if self.hidden is not None and printed is not None and printed.group is not None and text == printed.text:
            return self.hidden.groups[printed.group].name
        first = text.split("\n", 1)[0] if self.layout.group_descriptions else text
        return _HEADING_SUBTOTAL.sub("", first)

    def _side_group(self, number: int, key: str, group: str | None, group_key: str) -> tuple[str | None, str]:
        """The group of a project row in the side style, and the key of its heading at export.

        The group's name stands in the first row of its merged side cell; the rows below are empty
        (read-only loading sees no merges) and stay in the group above. The marks after № are not
        read: they follow from the group's name."""
        text = self.grid.text(number, self.grid.side_column)
        if not text.strip():
            return group, group_key
        exported = self.export_group_keys.get(key, "")
        self._note_group(exported, text)
        return text, exported

    def _is_total(self, number: int, key: str) -> bool:
        if key:
            return key == TOTAL_KEY
        grid = self.grid
        labels = {TOTAL_LABEL}
        if self.hidden is not None:
            labels |= {total_label(self.hidden, category.name) for category in self.hidden.categories}
        return grid.label(number, 1).strip() in labels and grid.is_blank(number, grid.name_column)

    def _is_group(self, number: int, key: str) -> bool:
        if key:
            return key.startswith(GROUP_KEY_PREFIX)
        grid = self.grid
        others = range(grid.name_column, grid.last_column + 1)
        return not grid.is_blank(number, 1) and all(grid.is_blank(number, c) for c in others)

    def _category(self, heading: int) -> tuple[str, int | None]:
        grid = self.grid
        text = grid.text(heading, 1)
        hidden = self.hidden
        if self.layout.tables == TABLES_SINGLE:
            return "", None  # the one table's heading (中央区: 令和2年度の取組み) names no category
        if not text and hidden is not None:
            # A ward that prints no table headings: the key says which category's table it is.
            index = self._hidden_index(grid.key(heading), CATEGORY_KEY_PREFIX, len(hidden.categories))
            if index is not None:
                return hidden.categories[index].name, index
        if not text:
            return "", None  # one table of the whole sheet, or the empty table of a sheet without any category
        if hidden is not None:
            index = self._hidden_index(grid.key(heading), CATEGORY_KEY_PREFIX, len(hidden.categories))
            candidates = [index] if index is not None else range(len(hidden.categories))
            for i in candidates:
                if text == category_heading(hidden, hidden.categories[i].name):
                    return hidden.categories[i].name, i
        inner = text.strip()
        if inner.startswith("【") and inner.endswith("】"):
            inner = inner[1:-1]
        if inner.startswith(self.ward):
            inner = inner[len(self.ward) :]
        if not inner.strip():
            raise grid.fail(heading, 1, "経費区分の見出し（【…経費】）に経費区分の名前がありません")
        index = None
        if hidden is not None:
            index = self._hidden_index(grid.key(heading), CATEGORY_KEY_PREFIX, len(hidden.categories))
        return inner.strip(), index

    def _note_group(self, key: str, name: str) -> None:
        if name not in self.visible_groups:
            self.visible_groups.append(name)
        if self.hidden is not None:
            index = self._hidden_index(key, GROUP_KEY_PREFIX, len(self.hidden.groups))
            if index is not None and name not in self.group_renames.setdefault(index, []):
                self.group_renames[index].append(name)

    # -- one row

    def _joint(self, number: int, category: str, *, child: bool) -> str:
        """How the row's name cell holds its description too (南区), or "" where they are apart."""
        if not self.grid.is_blank(number, self.grid.columns[Column.DESCRIPTION]):
            return ""  # the cells were unmerged and the description typed in its own column
        if child and self.layout.sub_item_text == "joined":
            return "　"
        return "（）" if category in self.layout.description_in_name else ""

    def _project(
        self, number: int, key: str, hidden: Project | None, category: str, *, group: str | None, child: bool = False
    ) -> Project:
        grid = self.grid
        name_text = grid.text(number, grid.name_column)
        printed = self.printed.get(key)
        description = grid.text(number, grid.columns[Column.DESCRIPTION])
        joint = self._joint(number, category, child=child)
        if hidden is not None and printed is not None and name_text == (printed.joined or printed.text):
            name, new, district = hidden.name, hidden.new, hidden.district
            category = category or hidden.category
            if printed.joined:
                description = hidden.description
        else:
            if joint:
                name_text, description = split_joined(name_text, joint)
            name, new, district, tagged = self._parse_name(name_text, hidden)
            category = category or tagged or (hidden.category if hidden is not None else self._first_category())
        if not name.strip():
            raise grid.fail(number, grid.name_column, "事業名が空です")
        amounts = tuple(self._amount(number, column) for column in grid.stage_columns)
        status, notes_heading, note = self._remarks(number, key, hidden, amounts)
        no_text = grid.text(number, grid.no_column)
        unchanged = hidden is not None and printed is not None and no_text == printed.no
        no = hidden.no if hidden is not None and unchanged else stored_no(no_text)
        return Project(
            no=no,
            name=name,
            category=category,
            amounts=amounts,
            description=description,
            group=group,
            new=new,
            status=status,
            note=note,
            section=hidden.section if hidden is not None else None,
            district=district,
            notes_heading=notes_heading,
        )

    def _first_category(self) -> str:
        order = print_categories(self.hidden) if self.hidden is not None else []
        return order[0] if order else DEFAULT_CATEGORY_NAMES[0]

    def _parse_name(self, text: str, hidden: Project | None) -> tuple[str, bool, str | None, str | None]:
        names = [c.name for c in self.hidden.categories] if self.hidden is not None else list(DEFAULT_CATEGORY_NAMES)
        text, new, tagged = parse_display_name(text, names)
        district = None
        if hidden is not None and hidden.district and text.startswith(f"【{hidden.district}】"):
            district = hidden.district
            text = text[len(district) + 2 :]
        return text, new, district, tagged

    def _amount(self, number: int, column: int, *, sum_of_children: bool = True) -> int | None:
        grid = self.grid
        cell = grid.cell(number, column)
        if sum_of_children and cell is not None and cell.data_type == "f":
            # Perhaps a parent's sum of its sub-items: decided once they are read.
            self.formula_cells.add((number, column))
            return None
        value = grid.value(number, column)
        if isinstance(value, str):
            value = decode_cell_text(value)
        try:
            return parse_amount(value)
        except AmountError as exc:
            raise grid.fail(number, column, str(exc)) from exc

    def _remarks(
        self, number: int, key: str, hidden: Project | None, amounts: tuple[int | None, ...]
    ) -> tuple[Status, str | None, str]:
        if self.grid.remarks_column:
            text = self.grid.text(number, self.grid.remarks_column)
        else:
            # No 備考 column where the ward prints none: the status stays what it was.
            text = remarks(hidden, self.layout) if hidden is not None else ""
        note_row = self.notes_by_key.get(key)
        if hidden is not None and text == remarks(hidden, self.layout):
            note = hidden.note
            if hidden.notes_heading:
                shown = self._note_text(key, hidden.notes_heading)
                marks = self.layout.status_marks
                if shown is not None and shown != (hidden.note or (status_mark(hidden) if marks else "")):
                    note = shown
            return hidden.status, hidden.notes_heading, note
        status = self._default_status(hidden, amounts)
        rest = text.strip()
        match = _STATUS_WORD.match(rest)
        if match:
            try:
                status = Status.from_text(match.group(1))
                rest = (match.group(2) or "").strip()
            except ValueError:
                pass
        if rest.startswith("※"):
            heading = rest[1:].strip()
            if heading and (heading in self.notes_by_heading or (note_row and note_row[0].strip() == heading)):
                shown = self._note_text(key, heading) or ""
                mark = status.label if status not in (Status.PLANNED, Status.IMPLEMENTED) else ""
                return status, heading, "" if shown == mark else shown
        return status, None, rest

    def _note_text(self, key: str, heading: str) -> str | None:
        own = self.notes_by_key.get(key)
        if own is not None and own[0].strip() == heading.strip():
            return own[1]
        return self.notes_by_heading.get(heading.strip())

    def _default_status(self, hidden: Project | None, amounts: tuple[int | None, ...]) -> Status:
        """予定 and 実施 print no mark; a row without one keeps which it was, or goes by its 決算額."""
        if hidden is not None and hidden.status in (Status.PLANNED, Status.IMPLEMENTED):
            return hidden.status
        settlement = [i for i, name in enumerate(self.stage_names) if Stage(name).is_settlement]
        if settlement and amounts[settlement[-1]] is not None:
            return Status.IMPLEMENTED
        return Status.PLANNED

    # -- putting the sheet together

    def _categories(self, tables: list[_Table], projects: tuple[Project, ...]) -> tuple[Category, ...]:
        renamed: dict[int, str] = {}
        for table in tables:
            if table.hidden_category is not None:
                renamed.setdefault(table.hidden_category, table.category)
        categories: dict[str, Category] = {}
        if self.hidden is not None:
            for index, category in enumerate(self.hidden.categories):
                name = renamed.get(index, category.name)
                categories.setdefault(name, Category(name, category.allocation))
        for name in [table.category for table in tables] + [project.category for project in projects]:
            if name:
                categories.setdefault(name, Category(name))
        return tuple(categories.values())

    def _group_name_map(self) -> dict[str, str]:
        """Hidden group name -> its name now, after a person renamed its heading row."""
        mapping: dict[str, str] = {}
        if self.hidden is not None:
            for index, group in enumerate(self.hidden.groups):
                names = self.group_renames.get(index)
                mapping[group.name] = names[0] if names else group.name
        return mapping

    def _groups(self) -> tuple[tuple[Group, ...], dict[int, int]]:
        """The groups, and where each group of the hidden record went (by its position there).

        A name printed under two headings is one group, unless the record itself holds two
        groups of that name (南区's two 防災・減災).
        """
        groups: list[Group] = []
        positions: dict[int, int] = {}
        seen: set[str] = set()
        if self.hidden is not None:
            hidden_names = [group.name for group in self.hidden.groups]
            for index, group in enumerate(self.hidden.groups):
                for name in self.group_renames.get(index) or [group.name]:
                    repeated = name == group.name and hidden_names.count(name) > 1
                    if name in seen and not repeated:
                        continue
                    seen.add(name)
                    positions.setdefault(index, len(groups))
                    groups.append(Group(name, group.description))
        for name in self.visible_groups:
            if name not in seen:
                seen.add(name)
                groups.append(Group(name))
        return tuple(groups), positions

    def _ordered_projects(self, tables: list[_Table]) -> tuple[Project, ...]:
        """Projects in sheet order: each table's rows in their order, the tables interleaved as
        the hidden record had them (the city's layout groups them by category).

        A row a person added has no place in the record: it follows the row above it.
        """
        renames = self._group_name_map()
        runs: dict[str, deque[list[Project]]] = {}
        for table in tables:
            queue = runs.setdefault(table.category, deque())
            leading: list[Project] = []
            for row in table.projects:
                children = tuple(
                    replace(child.project, group=renames.get(child.project.group, child.project.group))
                    if child.project.group is not None
                    else child.project
                    for child in row.children
                )
                project = replace(row.project, children=children)
                if row.hidden is not None:
                    queue.append([*leading, project])
                    leading = []
                elif queue and not leading:
                    queue[-1].append(project)
                else:
                    leading.append(project)
            if leading:
                queue.append(leading)
        ordered: list[Project] = []
        if self.hidden is not None:
            category_names = {c.name: c.name for c in self.hidden.categories}
            for table in tables:
                if table.hidden_category is not None:
                    category_names[self.hidden.categories[table.hidden_category].name] = table.category
            for project in self.hidden.projects:
                pending = runs.get(category_names.get(project.category, project.category))
                if pending:
                    ordered += pending.popleft()
        for table in tables:
            queue = runs[table.category]
            while queue:
                ordered += queue.popleft()
        return tuple(ordered)

    def _check_sums(self, tables: list[_Table]) -> None:
        """A parent's amounts must be its sub-items' sums; a mismatch names the parent's cell."""
        for table in tables:
            for row in table.projects:
                if not row.children:
                    continue
                parent = replace(row.project, children=tuple(child.project for child in row.children))
                for index, (shown, summed) in enumerate(zip(parent.amounts, parent.children_sum(), strict=True)):
                    if shown != summed:
                        raise self.grid.fail(
                            row.row,
                            self.grid.stage_columns[index],
                            f"{parent.label}の{self.stage_names[index]} {format_amount(shown)}が"
                            f"内訳の合計 {format_amount(summed)}と一致しません（親の事業の金額は内訳の合計にしてください）",
                        )
