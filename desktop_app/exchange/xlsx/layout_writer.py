"""A ward's sheet written into a worksheet in its own layout (the inverse of `layout_reader`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from desktop_app.domain import MAX_STAGES, Sheet, sheet_totals, wareki_year
from desktop_app.domain.layout import (
    UNIT_LABEL,
    Column,
    LayoutTable,
    RowKind,
    header_cells,
    remarks,
    sheet_heading,
    sheet_notes,
    sheet_tables,
    side_marks,
    side_rows,
)
from desktop_app.domain.model import GROUPS_AT_SIDE
from desktop_app.exchange.errors import ExchangeError
from desktop_app.exchange.xlsx.cells import AMOUNT_FORMAT, NULL_TEXT, put_text, value_cell
from desktop_app.exchange.xlsx.formulas import parent_formula, total_formula
from desktop_app.exchange.xlsx.keys import (
    CATEGORY_KEY_PREFIX,
    GROUP_KEY_PREFIX,
    HEADER_KEY,
    NOTES_KEY,
    OVERVIEW_KEY,
    TITLE_KEY,
    TOTAL_KEY,
    VISION_KEY,
    note_key,
    project_key,
)
from desktop_app.exchange.xlsx.print_setup import print_setup
from desktop_app.exchange.xlsx.row_heights import (
    BODY_SIZE,
    LINE_HEIGHT,
    MIN_ROW_HEIGHT,
    ROW_PADDING,
    fit_row_height,
    line_count,
)
from desktop_app.exchange.xlsx.styles import CHILD_INDENT, FONT_NAME, STYLES, style

_COLUMN_WIDTHS: Final = {
    Column.NO: 6.0,
    Column.NAME: 28.0,
    Column.DESCRIPTION: 60.0,
    Column.STAGES: 12.0,
    Column.REMARKS: 24.0,
    # Wide enough for 「まちづくりの」, a group's name wrapping in lines of about seven characters.
    Column.SIDE: 14.0,
    Column.MARK: 4.0,
}
# The side cell's text runs across, wrapped in the narrow column, not stacked (textRotation 255)
# as the PDF writes it: LibreOffice (checked with 7.4) prints stacked text in one line and clips
# the rest, whatever the wrap setting, and whether Excel wraps stacked text into further lines
# could not be checked here (no Excel). Rows tall enough for a whole name in one stacked line
# would shrink the one-page print to a third (checked: unreadable). Wrapped across, the name is
# whole in every program, its rows grown as far as its lines need.
_SIDE_ALIGNMENT: Final = Alignment(horizontal="left", vertical="top", wrap_text=True)


def write_sheet(ws: Worksheet, sheet: Sheet) -> None:
    """Fill one worksheet with a ward's sheet in its own layout, print setup included.

    The column after the last printed one (hidden) keys each row to the sheet file stored
    alongside, for `xlsx_import`.
    """
    if len(sheet.stages) > MAX_STAGES:
        # Import refuses such a sheet, so none should be held; a column past XFD must never be written.
        raise ExchangeError(
            f"{sheet.year_label} {sheet.ward}のシートは段階が{len(sheet.stages):,}個あり、"
            f"Excelに書き出せません（{MAX_STAGES}個までです）。"
        )
    layout = sheet.layout
    columns = header_cells(sheet)
    width = len(columns)
    key_column = width + 1
    stage_column = {stage: index + 1 for index, (column, stage, _) in enumerate(columns) if stage is not None}
    name_column = _column_of(columns, Column.NAME)
    description_column = _column_of(columns, Column.DESCRIPTION)
    remarks_column = _column_of(columns, Column.REMARKS) if layout.remarks_column else 0
    no_column = _column_of(columns, Column.NO)
    last_letter = get_column_letter(width)
    totals = sheet_totals(sheet)
    # A sheet without any category still gets a table, so that it can be filled in in Excel.
    tables = sheet_tables(sheet, totals) or [LayoutTable("", "", ())]
    widths = _balanced_widths(sheet, columns, tables)

    def key(row: int, value: str) -> None:
        put_text(ws, row, key_column, value)

    def boxed(row: int, fill: PatternFill | None = None, font: Font = STYLES.body) -> None:
        for column in range(1, width + 1):
            style(ws.cell(row=row, column=column), font, STYLES.left, fill=fill)

    def banner(row: int, text: str, font: Font, alignment: Alignment, row_key: str) -> None:
        style(put_text(ws, row, 1, text), font, alignment, border=False)
        ws.merge_cells(f"A{row}:{last_letter}{row}")
        fit_row_height(ws, row, [(text, sum(widths.values()) * 0.9)], font.size or BODY_SIZE)
        key(row, row_key)

    banner(1, sheet_heading(sheet), STYLES.title, STYLES.title_center, TITLE_KEY)
    ws.row_dimensions[1].height = 30
    banner(2, sheet.vision, STYLES.vision, STYLES.wrapped_center, VISION_KEY)
    row = 3
    if layout.overview:
        banner(row, layout.overview, STYLES.body, STYLES.left_top, OVERVIEW_KEY)
        row += 1
    row += 1

    category_index = {category.name: index for index, category in enumerate(sheet.categories)}
    first_header_row = 0
    at_side = layout.group_style == GROUPS_AT_SIDE
    for table in tables:
        style(put_text(ws, row, 1, table.heading), STYLES.heading, STYLES.plain_left, border=False)
        style(put_text(ws, row, width, UNIT_LABEL), STYLES.body, STYLES.right, border=False)
        key(row, f"{CATEGORY_KEY_PREFIX}{category_index.get(table.category, '')}")
        ws.row_dimensions[row].height = 20
        row += 1
        # Where the group headings carry the stage headings (北区), the column header leaves them out.
        headers = [
            "" if stage is not None and not table.stage_labels_in_header else header for _, stage, header in columns
        ]
        for index, header in enumerate(headers, start=1):
            style(put_text(ws, row, index, header), STYLES.bold, STYLES.center, fill=STYLES.header_fill)
        if at_side:
            # The № heading stands over the marks too.
            ws.merge_cells(start_row=row, start_column=no_column, end_row=row, end_column=no_column + 1)
        key(row, HEADER_KEY)
        fit_row_height(ws, row, [(header, widths[index]) for index, header in enumerate(headers, start=1)])
        first_header_row = first_header_row or row
        row += 1
        top_level_rows: dict[str, list[int]] = {}
        # Group headings with subtotals: their row and the project rows under them, summed at the end.
        open_group: tuple[int, list[int]] | None = None
        group_sums: list[tuple[int, list[int]]] = []
        # The side style prints no heading rows: each group is one merged cell at the left of its rows.
        printed, runs = side_rows(sheet, table) if at_side else (list(table.rows), [])
        marks = side_marks(printed, runs)
        first_row = row
        for number, layout_row in enumerate(printed):
            if layout_row.kind is RowKind.GROUP:
                boxed(row, STYLES.group_fill, STYLES.bold)
                put_text(ws, row, 1, layout_row.text)
                merged = description_column if layout_row.amounts or layout_row.labels else width
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=merged)
                for stage, label in enumerate(layout_row.labels if not layout_row.amounts else ()):
                    if stage in stage_column:
                        put_text(ws, row, stage_column[stage], label).alignment = STYLES.center
                fit_row_height(ws, row, [(layout_row.text, sum(widths[c] for c in range(1, merged + 1)))])
                key(row, f"{GROUP_KEY_PREFIX}{'' if layout_row.group is None else layout_row.group}")
                open_group = (row, []) if layout_row.amounts else None
                if open_group is not None:
                    group_sums.append(open_group)
            elif layout_row.kind is RowKind.TOTAL:
                boxed(row, STYLES.total_fill, STYLES.bold)
                put_text(ws, row, 1, layout_row.text).alignment = STYLES.center
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=description_column)
                for column in stage_column.values():
                    cell = value_cell(ws, row, column)
                    cell.value = total_formula(get_column_letter(column), top_level_rows.get(layout_row.category, []))
                    cell.number_format = AMOUNT_FORMAT
                    cell.alignment = STYLES.right
                key(row, TOTAL_KEY)
            else:
                project = layout_row.project
                assert project is not None and layout_row.path is not None
                boxed(row)
                _put_no(ws, row, no_column, layout_row.no)
                if marks[number]:
                    put_text(ws, row, no_column + 1, marks[number]).alignment = STYLES.plain_center
                name_cell = put_text(ws, row, name_column, layout_row.joined or layout_row.text)
                if layout_row.kind is RowKind.CHILD:
                    name_cell.alignment = STYLES.child
                else:
                    top_level_rows.setdefault(layout_row.category, []).append(row)
                    if open_group is not None:
                        open_group[1].append(row)
                if layout_row.joined:
                    # 南区 prints name and description in one cell across both columns.
                    ws.merge_cells(start_row=row, start_column=name_column, end_row=row, end_column=description_column)
                else:
                    put_text(ws, row, description_column, project.description)
                for stage, column in stage_column.items():
                    amount = project.amounts[stage] if stage < len(project.amounts) else None
                    _put_amount(value_cell(ws, row, column), amount)
                    if project.children:
                        # A parent is the sum of its sub-items, which follow it directly, so that an
                        # edit of a sub-item in Excel gives a right parent.
                        letter = get_column_letter(column)
                        cell = value_cell(ws, row, column)
                        cell.value = parent_formula(letter, row + 1, row + len(project.children))
                        cell.number_format = AMOUNT_FORMAT
                        cell.alignment = STYLES.right
                if remarks_column:
                    put_text(ws, row, remarks_column, remarks(project, layout))
                key(row, project_key(layout_row.path))
                indent = CHILD_INDENT if layout_row.kind is RowKind.CHILD else 0
                if layout_row.joined:
                    span = sum(widths[c] for c in range(name_column, description_column + 1))
                    texts = [(layout_row.joined, span - indent)]
                else:
                    texts = [
                        (layout_row.text, widths[name_column] - indent),
                        (project.description, widths[description_column]),
                    ]
                if remarks_column:
                    texts.append((remarks(project, layout), widths[remarks_column]))
                fit_row_height(ws, row, texts)
            row += 1
        for run in runs:
            _put_side_cell(ws, first_row + run.first, run.count, run.text, widths[1])
        for group_row, rows in group_sums:
            for column in stage_column.values():
                cell = value_cell(ws, group_row, column)
                cell.value = total_formula(get_column_letter(column), rows)
                cell.number_format = AMOUNT_FORMAT
                cell.alignment = STYLES.right
        row += 1

    notes = _notes_with_paths(sheet)
    if notes:
        style(put_text(ws, row, name_column, layout.notes_heading), STYLES.heading, STYLES.plain_left, border=False)
        key(row, NOTES_KEY)
        row += 1
        for path, heading, text in notes:
            style(put_text(ws, row, name_column, heading), STYLES.body, STYLES.left_top)
            style(put_text(ws, row, description_column, text), STYLES.body, STYLES.left_top)
            key(row, note_key(path))
            fit_row_height(ws, row, [(heading, widths[name_column]), (text, widths[description_column])])
            row += 1
    last_row = max(row - 1, 2)
    _finish(ws, sheet, columns, widths, key_column, first_header_row, last_row)


_PAGE_WIDTH: Final = (297 - 2 * 10.2) * 72 / 25.4
_PAGE_HEIGHT: Final = (210 - 12.7 - 15.2) * 72 / 25.4
_POINTS_PER_WIDTH: Final = 5.6
_WIDENINGS: Final = (1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)


def _balanced_widths(
    sheet: Sheet, columns: Sequence[tuple[Column, int | None, str]], tables: Sequence[LayoutTable]
) -> dict[int, float]:
    """Column widths for which the one-page print needs the least shrinking.

    A long sheet in narrow columns is a tall strip that fitting to one landscape page would
    shrink to a few points; widening the text columns makes its rows fewer lines tall.
    """
    base = {index: _COLUMN_WIDTHS.get(column, 10.0) for index, (column, _, _) in enumerate(columns, start=1)}
    text_columns = {
        index: column for index, (column, _, _) in enumerate(columns, start=1) if column in _WIDENED_COLUMNS
    }
    rows: list[list[tuple[str, int]]] = [[(sheet.layout.overview, 0)]] if sheet.layout.overview else []
    for table in tables:
        for layout_row in table.rows:
            project = layout_row.project
            if layout_row.kind is RowKind.GROUP and sheet.layout.group_style == GROUPS_AT_SIDE:
                continue  # no heading row: the group is written at the side of its rows
            if project is None:
                rows.append([(layout_row.text, -1)])
                continue
            texts = [
                (layout_row.text, _index_of(columns, Column.NAME)),
                (project.description, _index_of(columns, Column.DESCRIPTION)),
            ]
            if sheet.layout.remarks_column:
                texts.append((remarks(project, sheet.layout), _index_of(columns, Column.REMARKS)))
            rows.append(texts)

    def shrink(widths: dict[int, float]) -> float:
        total = sum(widths.values())
        height = 90.0 + 40.0 * len(tables)  # title, vision, headings and column headings
        for texts in rows:
            lines = max(
                (line_count(text, total if where <= 0 else widths[where]) for text, where in texts if text), default=1
            )
            height += max(MIN_ROW_HEIGHT, lines * LINE_HEIGHT + ROW_PADDING)
        return max(total * _POINTS_PER_WIDTH / _PAGE_WIDTH, height / _PAGE_HEIGHT)

    candidates = [
        {index: width * (factor if index in text_columns else 1.0) for index, width in base.items()}
        for factor in _WIDENINGS
    ]
    return min(candidates, key=shrink)


_WIDENED_COLUMNS: Final = frozenset({Column.NAME, Column.DESCRIPTION, Column.REMARKS})


def _index_of(columns: Sequence[tuple[Column, int | None, str]], wanted: Column) -> int:
    for index, (column, _, _) in enumerate(columns, start=1):
        if column is wanted:
            return index
    return 0


def _column_of(columns: Sequence[tuple[Column, int | None, str]], wanted: Column) -> int:
    for index, (column, _, _) in enumerate(columns, start=1):
        if column is wanted:
            return index
    raise ValueError(wanted)


def _put_side_cell(ws: Worksheet, first: int, count: int, text: str, width: float) -> None:
    """A group's merged cell over its rows (column A, `width` wide), the rows grown evenly where
    its wrapped lines need more height than they have."""
    cell = put_text(ws, first, 1, text)
    style(cell, STYLES.body, _SIDE_ALIGNMENT)
    if count > 1:
        ws.merge_cells(start_row=first, start_column=1, end_row=first + count - 1, end_column=1)
    rows = range(first, first + count)
    have = sum(ws.row_dimensions[number].height or MIN_ROW_HEIGHT for number in rows)
    need = line_count(text, width) * LINE_HEIGHT + ROW_PADDING
    if need > have:
        for number in rows:
            height = ws.row_dimensions[number].height or MIN_ROW_HEIGHT
            ws.row_dimensions[number].height = height + (need - have) / count


def _put_no(ws: Worksheet, row: int, column: int, no: str) -> None:
    cell = value_cell(ws, row, column)
    # A plain number goes in as a number, so Excel does not flag "number stored as text".
    if no.isascii() and no.isdigit() and str(int(no)) == no and len(no) < 10:
        cell.value = int(no)
    else:
        put_text(ws, row, column, no)
    cell.alignment = STYLES.center


def _put_amount(cell: Cell, amount: int | None) -> None:
    if amount is None:
        cell.value = NULL_TEXT
        cell.data_type = "s"
        cell.alignment = STYLES.plain_center
    else:
        cell.value = amount
        cell.number_format = AMOUNT_FORMAT
        cell.alignment = STYLES.right


def _notes_with_paths(sheet: Sheet) -> list[tuple[tuple[int, int | None], str, str]]:
    """sheet_notes, each with the project it belongs to (in the same order)."""
    paths: list[tuple[int, int | None]] = []
    for index, project in enumerate(sheet.projects):
        if project.notes_heading:
            paths.append((index, None))
        paths += [(index, i) for i, child in enumerate(project.children) if child.notes_heading]
    notes = sheet_notes(sheet)
    return [(path, note.heading, note.text) for path, note in zip(paths, notes, strict=True)]


def _finish(
    ws: Worksheet,
    sheet: Sheet,
    columns: Sequence[tuple[Column, int | None, str]],
    widths: dict[int, float],
    key_column: int,
    first_header_row: int,
    last_row: int,
) -> None:
    """Column widths, fonts on the empty cells too, freeze, and the print setup of a government form."""
    for index in range(1, len(columns) + 1):
        ws.column_dimensions[get_column_letter(index)].width = widths[index]
    key_letter = get_column_letter(key_column)
    ws.column_dimensions[key_letter].hidden = True
    width = len(columns)
    for row in ws.iter_rows(min_row=1, max_row=last_row, min_col=1, max_col=key_column):
        for cell in row:
            if cell.font.name != FONT_NAME:
                cell.font = STYLES.body
    if first_header_row:
        ws.freeze_panes = f"A{first_header_row + 1}"
    ws.print_area = f"A1:{get_column_letter(width)}{last_row}"
    # One page, like the PDF and the ward's own print: no headings repeated over a second page.
    print_setup(ws, f"{wareki_year(sheet.fiscal_year)} {sheet.ward}", one_page=True)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = 0.5
    ws.page_margins.bottom = 0.6
    ws.page_margins.header = 0.3
    ws.page_margins.footer = 0.3
    ws.sheet_view.zoomScale = 100
