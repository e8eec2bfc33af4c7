"""A ward's sheet as an Excel workbook in the city's layout: a real spreadsheet, ready to print.

The visible cells are what people read and edit; a hidden column of row keys and a hidden
worksheet holding the sheet file let `xlsx_import` give back exactly what was exported while a
person's edits in the visible cells still win.
"""

from __future__ import annotations

import datetime
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any, Final

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from desktop_app import APP_NAME
from desktop_app.domain import MAX_STAGES, Sheet, sheet_totals, wareki_date, wareki_year
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
)
from desktop_app.domain.money import NULL_MARK
from desktop_app.exchange.errors import ExchangeError
from desktop_app.exchange.json_format import dump_sheet

DATA_SHEET: Final = "_machizukuri"
DATA_FORMAT: Final = "machizukuri-xlsx/1"
# Marks the hidden key column in each header row (the last such cell: a stage could bear this name).
KEY_HEADER: Final = "machizukuri:key"
TITLE_KEY: Final = "T"
VISION_KEY: Final = "V"
OVERVIEW_KEY: Final = "O"
HEADER_KEY: Final = KEY_HEADER
TOTAL_KEY: Final = "S"
NOTES_KEY: Final = "N"
CATEGORY_KEY_PREFIX: Final = "C"
GROUP_KEY_PREFIX: Final = "G"
PROJECT_KEY_PREFIX: Final = "P"
NOTE_KEY_PREFIX: Final = "NP"
CHILD_INDENT: Final = 2
NULL_TEXT: Final = NULL_MARK
AMOUNT_FORMAT: Final = "#,##0"
FONT_NAME: Final = "游ゴシック"
# Excel refuses longer cell text; openpyxl would cut it silently.
MAX_CELL_TEXT: Final = 32_767
# A chunk of the hidden sheet file stays well under the cell limit, escapes included.
_DATA_CHUNK: Final = 8_000
# The file's dates are fixed so that the same sheet gives the same bytes.
FIXED_TIMESTAMP: Final = datetime.datetime(2000, 1, 1)
_ZIP_TIMESTAMP: Final = (1980, 1, 1, 0, 0, 0)

_COLUMN_WIDTHS: Final = {
    Column.NO: 6.0,
    Column.NAME: 28.0,
    Column.DESCRIPTION: 60.0,
    Column.STAGES: 12.0,
    Column.REMARKS: 24.0,
}

# ---------------------------------------------------------------- cell text escaping

# XML 1.0 cannot carry these at all, and a bare CR comes back as LF: OOXML writes them as _xHHHH_.
_XML_UNSAFE: Final = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_NEEDS_ESCAPE: Final = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}")
_LOOKS_ESCAPED: Final = re.compile("_x[0-9A-Fa-f]{4}")
# Only what a writer ever escapes is decoded: control characters, U+FFFE/FFFF and the escaped `_`.
_ESCAPE_SEQUENCE: Final = re.compile("_x(00[01][0-9A-Fa-f]|005[Ff]|[Ff]{3}[EeFf])_")


def encode_cell_text(text: str) -> str:
    """Text as an OOXML string, escaped the way Excel escapes it, so that it survives the file.

    Characters XML cannot hold become `_xHHHH_`; a `_` that would otherwise start such a
    sequence is written `_x005F_`. Excel and LibreOffice show the original text.
    """
    if not _NEEDS_ESCAPE.search(text):
        return text
    parts: list[str] = []
    for index, char in enumerate(text):
        if _XML_UNSAFE.match(char):
            parts.append(f"_x{ord(char):04X}_")
        elif char == "_" and _starts_escape(text, index):
            parts.append("_x005F_")
        else:
            parts.append(char)
    return "".join(parts)


def _starts_escape(text: str, index: int) -> bool:
    """Whether the `_` at index would read as the start of `_xHHHH_` once encoded."""
    end = index + 6
    if end >= len(text) or not _LOOKS_ESCAPED.match(text, index):
        return False
    return text[end] == "_" or bool(_XML_UNSAFE.match(text[end]))


def decode_cell_text(text: str) -> str:
    """The text a cell shows, from its stored form (the inverse of `encode_cell_text`).

    openpyxl already turns `_x005F_` into `_` in files Excel or LibreOffice saved (shared
    strings), but not in the inline strings of our own files; decoding only what a writer
    escapes gives the right text either way.
    """
    if "_x" not in text:
        return text
    return _ESCAPE_SEQUENCE.sub(lambda match: chr(int(match.group(1), 16)), text)


def value_cell(ws: Worksheet, row: int, column: int) -> Cell:
    """The cell to write a value in: never one covered by a merge, whose value Excel would drop."""
    cell = ws.cell(row=row, column=column)
    if isinstance(cell, MergedCell):
        raise AssertionError(f"{ws.title}!{cell.coordinate} is covered by a merged range")
    return cell


def put_text(ws: Worksheet, row: int, column: int, text: str) -> Cell:
    """A cell holding `text` as text, never as a formula (a name may well begin with `=`)."""
    encoded = encode_cell_text(text)
    if len(encoded) > MAX_CELL_TEXT:
        where = f"{ws.title}!{get_column_letter(column)}{row}"
        raise ExchangeError(f"{where}の文字が長すぎてExcelのセルに入りません（{MAX_CELL_TEXT:,}文字まで）。")
    cell = value_cell(ws, row, column)
    cell.value = encoded
    # openpyxl treats any str starting with "=" as a formula; a person's text must stay text.
    cell.data_type = "s"
    return cell


# ---------------------------------------------------------------- row heights

# Neither Excel nor LibreOffice grows a row to fit wrapped text on opening a file, so each row
# gets a height from an estimate of its lines: a full-width character is about two units of
# column width at 10 pt, a line about 13.5 pt.
_LINE_HEIGHT: Final = 13.5
_ROW_PADDING: Final = 4.0
_MIN_ROW_HEIGHT: Final = 18.0


def _text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "FWA" else 1 for char in text)


def _line_count(text: str, column_width: float) -> int:
    capacity = max(column_width - 1.5, 1.0) * 0.95
    return sum(max(1, math.ceil(_text_width(part) / capacity)) for part in text.split("\n"))


def _fit_row_height(ws: Worksheet, row: int, texts: Iterable[tuple[str, float]]) -> None:
    lines = max((_line_count(text, width) for text, width in texts if text), default=1)
    ws.row_dimensions[row].height = max(_MIN_ROW_HEIGHT, lines * _LINE_HEIGHT + _ROW_PADDING)


# ---------------------------------------------------------------- styles


class _Styles:
    """The few cell looks of the form (openpyxl shares equal styles, so one instance serves all)."""

    title: Font = Font(name=FONT_NAME, size=16, bold=True)
    vision: Font = Font(name=FONT_NAME, size=11)
    heading: Font = Font(name=FONT_NAME, size=12, bold=True)
    body: Font = Font(name=FONT_NAME, size=10)
    bold: Font = Font(name=FONT_NAME, size=10, bold=True)
    border: Border = Border(
        left=Side(style="thin"), right=Side(style="thin"), top=Side(style="thin"), bottom=Side(style="thin")
    )
    header_fill: PatternFill = PatternFill("solid", fgColor="D9D9D9")
    group_fill: PatternFill = PatternFill("solid", fgColor="F2F2F2")
    total_fill: PatternFill = PatternFill("solid", fgColor="EDEDED")
    center: Alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left: Alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    left_top: Alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
    child: Alignment = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=CHILD_INDENT)
    right: Alignment = Alignment(horizontal="right", vertical="center")
    plain_left: Alignment = Alignment(horizontal="left", vertical="center")
    title_center: Alignment = Alignment(horizontal="center", vertical="center")
    wrapped_center: Alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    plain_center: Alignment = Alignment(horizontal="center", vertical="center")


STYLES: Final = _Styles()


def _style(
    cell: Cell | MergedCell, font: Font, alignment: Alignment, *, border: bool = True, fill: PatternFill | None = None
) -> None:
    cell.font = font
    cell.alignment = alignment
    if border:
        cell.border = STYLES.border
    if fill is not None:
        cell.fill = fill


# ---------------------------------------------------------------- one ward's worksheet


def project_key(path: tuple[int, int | None]) -> str:
    index, child = path
    return f"{PROJECT_KEY_PREFIX}{index}" if child is None else f"{PROJECT_KEY_PREFIX}{index}.{child}"


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
            _style(ws.cell(row=row, column=column), font, STYLES.left, fill=fill)

    def banner(row: int, text: str, font: Font, alignment: Alignment, row_key: str) -> None:
        _style(put_text(ws, row, 1, text), font, alignment, border=False)
        ws.merge_cells(f"A{row}:{last_letter}{row}")
        _fit_row_height(ws, row, [(text, sum(widths.values()) * 0.9)])
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
    for table in tables:
        _style(put_text(ws, row, 1, table.heading), STYLES.heading, STYLES.plain_left, border=False)
        _style(put_text(ws, row, width, UNIT_LABEL), STYLES.body, STYLES.right, border=False)
        key(row, f"{CATEGORY_KEY_PREFIX}{category_index.get(table.category, '')}")
        ws.row_dimensions[row].height = 20
        row += 1
        for index, (_, _, header) in enumerate(columns, start=1):
            _style(put_text(ws, row, index, header), STYLES.bold, STYLES.center, fill=STYLES.header_fill)
        key(row, HEADER_KEY)
        _fit_row_height(ws, row, [(header, widths[index]) for index, (_, _, header) in enumerate(columns, start=1)])
        first_header_row = first_header_row or row
        row += 1
        top_level_rows: dict[str, list[int]] = {}
        # Group headings with subtotals: their row and the project rows under them, summed at the end.
        open_group: tuple[int, list[int]] | None = None
        group_sums: list[tuple[int, list[int]]] = []
        for layout_row in table.rows:
            if layout_row.kind is RowKind.GROUP:
                boxed(row, STYLES.group_fill, STYLES.bold)
                put_text(ws, row, 1, layout_row.text)
                merged = description_column if layout_row.amounts else width
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=merged)
                _fit_row_height(ws, row, [(layout_row.text, sum(widths[c] for c in range(1, merged + 1)))])
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
                    cell.value = _total_formula(get_column_letter(column), top_level_rows.get(layout_row.category, []))
                    cell.number_format = AMOUNT_FORMAT
                    cell.alignment = STYLES.right
                key(row, TOTAL_KEY)
            else:
                project = layout_row.project
                assert project is not None and layout_row.path is not None
                boxed(row)
                _put_no(ws, row, no_column, layout_row.no)
                name_cell = put_text(ws, row, name_column, layout_row.text)
                if layout_row.kind is RowKind.CHILD:
                    name_cell.alignment = STYLES.child
                else:
                    top_level_rows.setdefault(layout_row.category, []).append(row)
                    if open_group is not None:
                        open_group[1].append(row)
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
                texts = [
                    (layout_row.text, widths[name_column] - (CHILD_INDENT if layout_row.kind is RowKind.CHILD else 0)),
                    (project.description, widths[description_column]),
                ]
                if remarks_column:
                    texts.append((remarks(project, layout), widths[remarks_column]))
                _fit_row_height(ws, row, texts)
            row += 1
        for group_row, rows in group_sums:
            for column in stage_column.values():
                cell = value_cell(ws, group_row, column)
                cell.value = _total_formula(get_column_letter(column), rows)
                cell.number_format = AMOUNT_FORMAT
                cell.alignment = STYLES.right
        row += 1

    notes = _notes_with_paths(sheet)
    if notes:
        _style(put_text(ws, row, name_column, layout.notes_heading), STYLES.heading, STYLES.plain_left, border=False)
        key(row, NOTES_KEY)
        row += 1
        for path, heading, text in notes:
            _style(put_text(ws, row, name_column, heading), STYLES.body, STYLES.left_top)
            _style(put_text(ws, row, description_column, text), STYLES.body, STYLES.left_top)
            key(row, NOTE_KEY_PREFIX + project_key(path)[len(PROJECT_KEY_PREFIX) :])
            _fit_row_height(ws, row, [(heading, widths[name_column]), (text, widths[description_column])])
            row += 1
    last_row = max(row - 1, 2)
    _finish(ws, sheet, columns, widths, key_column, first_header_row, last_row)


def parent_formula(letter: str, first: int, last: int) -> str:
    """A parent's amount in one stage: the sum of its sub-items' cells (― when they all are ―)."""
    return _total_formula(letter, list(range(first, last + 1)))


# The printable area of A4 landscape with the margins below, in points, and the points of one unit
# of Excel's column width (about a digit of the 10 pt font plus its padding).
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
                (_line_count(text, total if where <= 0 else widths[where]) for text, where in texts if text), default=1
            )
            height += max(_MIN_ROW_HEIGHT, lines * _LINE_HEIGHT + _ROW_PADDING)
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


# Excel takes at most 255 arguments per function; a long table is summed in nested groups.
_MAX_ARGUMENTS: Final = 200


def _total_formula(letter: str, rows: Sequence[int]) -> str:
    """合計 of one stage: the top-level project rows only (sub-items are already in their parent).

    Shows ― when every project has ―, as the domain's totals do, yet stays a live formula.
    """
    ranges = _row_ranges(rows)
    if not ranges:
        return f'="{NULL_TEXT}"'
    references = [f"{letter}{first}" if first == last else f"{letter}{first}:{letter}{last}" for first, last in ranges]
    count = _nested("COUNT", references)
    total = _nested("SUM", references)
    return f'=IF({count}=0,"{NULL_TEXT}",{total})'


def _nested(function: str, references: Sequence[str]) -> str:
    if len(references) <= _MAX_ARGUMENTS:
        return f"{function}({','.join(references)})"
    chunks = [references[i : i + _MAX_ARGUMENTS] for i in range(0, len(references), _MAX_ARGUMENTS)]
    inner = ",".join(_nested(function, chunk) for chunk in chunks)
    return f"SUM({inner})"


def _row_ranges(rows: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive rows folded into (first, last) ranges."""
    ranges: list[tuple[int, int]] = []
    for row in rows:
        if ranges and ranges[-1][1] == row - 1:
            ranges[-1] = (ranges[-1][0], row)
        else:
            ranges.append((row, row))
    return ranges


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


def print_setup(ws: Worksheet, footer: str, *, one_page: bool) -> None:
    """A4 landscape, as wide as the page, centred, with the footer of the city's forms.

    `one_page` fits the height too (a ward's sheet); otherwise pages run on (a long summary).
    """
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    odd_footer(ws).left.text = footer.replace("&", "&&")
    odd_footer(ws).center.text = "&P / &N"
    odd_footer(ws).right.text = made_on_footer()


def odd_footer(ws: Worksheet) -> HeaderFooterItem:
    """The footer Excel prints on every page (no even or first-page footers are used)."""
    footer = ws.oddFooter
    if footer is None:  # openpyxl gives every worksheet one, though its type allows none
        footer = ws.oddFooter = HeaderFooterItem()
    return footer


def made_on_footer(today: datetime.date | None = None) -> str:
    """`作成日 令和8年11月30日`: written out, since Excel's &D prints the date in the PC's own format."""
    return f"作成日 {wareki_date(today or datetime.date.today())}"


# ---------------------------------------------------------------- the hidden sheet file


def store_sheet_data(wb: Workbook, sheets: Iterable[tuple[str, Sheet]]) -> None:
    """The sheet files, one row per worksheet, in a hidden worksheet: the fallback for what no
    cell shows (allocations, group descriptions, status codes, stage locks…)."""
    ws = wb.create_sheet(DATA_SHEET)
    ws.sheet_state = "veryHidden"
    put_text(ws, 1, 1, DATA_FORMAT)
    for row, (title, sheet) in enumerate(sheets, start=2):
        put_text(ws, row, 1, title)
        text = dump_sheet(sheet)
        for column, start in enumerate(range(0, len(text), _DATA_CHUNK), start=2):
            put_text(ws, row, column, text[start : start + _DATA_CHUNK])


# ---------------------------------------------------------------- the workbook


def new_workbook(title: str, *, now: datetime.datetime | None = None) -> Workbook:
    wb = Workbook()
    moment = now or FIXED_TIMESTAMP
    wb.properties.title = _XML_UNSAFE.sub("", title)
    wb.properties.creator = APP_NAME
    wb.properties.lastModifiedBy = APP_NAME
    wb.properties.created = moment
    wb.properties.modified = moment
    return wb


def render_xlsx(sheet: Sheet, *, now: datetime.datetime | None = None) -> bytes:
    """The sheet as an .xlsx file: the ward's worksheet in the city's layout.

    Without `now` the file's dates are fixed, so the same sheet always gives the same bytes.
    """
    wb = new_workbook(sheet.title, now=now)
    ws = wb.active
    assert ws is not None
    ws.title = sheet.ward
    write_sheet(ws, sheet)
    store_sheet_data(wb, [(ws.title, sheet)])
    return workbook_bytes(wb)


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose members carry one fixed date, so the same workbook gives the same bytes."""

    def writestr(self, zinfo_or_arcname: Any, data: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=_ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)

    def write(self, filename: Any, arcname: Any = None, *args: Any, **kwargs: Any) -> None:
        # openpyxl writes each worksheet to a temporary file and adds it with write(), which
        # would stamp the member with that file's modification time.
        with open(filename, "rb") as stream:
            self.writestr(str(arcname if arcname is not None else filename), stream.read())


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes (openpyxl's own save would stamp the current time)."""
    buffer = io.BytesIO()
    archive = _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(wb, archive).save()
    return buffer.getvalue()
