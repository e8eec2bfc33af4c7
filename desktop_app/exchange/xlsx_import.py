"""Reading back a workbook this app exported, after a person may have edited it in Excel.

What a cell shows wins: names, descriptions, amounts, 備考, groups and headings are read from the
cells. The hidden sheet file (see `xlsx_export`) only fills in what no cell shows: allocations,
group descriptions, 予定 versus 実施, 担当, stage locks, and the exact text of cells nobody touched.
Totals are never read: they are the spreadsheet's business, not the sheet's.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import IO, Any, Final
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from desktop_app.domain import (
    MAX_CATEGORIES,
    MAX_PROJECT_ROWS,
    MAX_STAGES,
    MAX_TEXT_LENGTH,
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
    city_columns,
    header_cells,
    parse_display_name,
    print_categories,
    remarks,
    sheet_tables,
    status_mark,
    stored_no,
    total_label,
)
from desktop_app.domain.model import (
    DEFAULT_CATEGORY_NAMES,
    DEFAULT_LAYOUT,
    TABLES_SINGLE,
    WARD_LAYOUTS,
    normalized_group_indexes,
)
from desktop_app.domain.wareki import find_fiscal_year
from desktop_app.exchange.errors import ImportFileError
from desktop_app.exchange.json_format import load_sheet_bytes
from desktop_app.exchange.xlsx_export import (
    CATEGORY_KEY_PREFIX,
    DATA_FORMAT,
    DATA_SHEET,
    GROUP_KEY_PREFIX,
    HEADER_KEY,
    KEY_HEADER,
    NOTE_KEY_PREFIX,
    NOTES_KEY,
    OVERVIEW_KEY,
    PROJECT_KEY_PREFIX,
    TITLE_KEY,
    TOTAL_KEY,
    VISION_KEY,
    decode_cell_text,
    parent_formula,
    project_key,
)

NOT_OUR_LAYOUT: Final = "このアプリが書き出したExcelの形式ではありません"
# The columns are found from the layout the exporter writes (CITY_COLUMNS): those before the
# stages by position from the left, those after them by their heading from the right, so that a
# column added to the layout is never taken for a stage. № and 事業名 stay first and second.
_NO_COLUMN, _NAME_COLUMN = 1, 2
# Sub-item numbers as the wards write them: ①…⑳, ㉑…㊿.
_CIRCLED: Final = re.compile("^[\u2460-\u2473\u3251-\u325f\u32b1-\u32bf]")
# A subtotal printed in a group's heading: 「人材育成の充実（2,090千円）」.
_HEADING_SUBTOTAL: Final = re.compile(r"（[0-9,―]+千円）$")
_STATUS_WORD: Final = re.compile(r"^(\S+)(?:[ \u3000]+(.*))?$", re.DOTALL)
_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0"

# What is read is bounded before anything is read (a 219 KB file once held a 200 MB description,
# a stray cell at XFD1048576 once ran into MemoryError). The sizes a zip member declares are what
# zipfile lets it unpack to: a member that lies fails its CRC check instead.
# A ward's sheet unpacks to about 1 MB (1,000 rows); a year of the five wards to under 2 MB.
_MAX_MEMBERS: Final = 1_000
_MAX_MEMBER_BYTES: Final = 32 * 1024 * 1024
_MAX_TOTAL_BYTES: Final = 64 * 1024 * 1024
# XML of a spreadsheet packs 5-25 times smaller; only a bomb packs a large member 200 times.
_MAX_RATIO: Final = 200
_RATIO_CHECKED_FROM: Final = 1024 * 1024
# The columns the city's layout uses: №, 事業名, 事業内容, the stages, 備考 and the hidden key;
# one more is read to tell a sheet with too many stages from one with exactly the most.
_LAYOUT_COLUMNS: Final = 3 + MAX_STAGES + 2
_SCAN_COLUMNS: Final = _LAYOUT_COLUMNS + 1
# Title, vision and a blank; per category its heading, column headings, 合計 and a blank; per
# project row a group heading above it and a numbered note under the tables; the notes' heading;
# then room for blank rows a person adds. A filled row below this is refused, not ignored.
_SCAN_ROWS: Final = 3 + 4 * MAX_CATEGORIES + 3 * MAX_PROJECT_ROWS + 1 + 1_000
# Cells per row: Excel's last column is XFD. Cells in the rows read: far more than the layout's
# 4,084 rows × 18 columns, far fewer than it takes to keep openpyxl busy for long.
_MAX_CELLS_PER_ROW: Final = 16_384
_MAX_CELLS: Final = 200_000
_MAIN_NS: Final = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL_TAG: Final = f"{_MAIN_NS}c"
_ROW_TAG: Final = f"{_MAIN_NS}row"
_SHEET_DATA_TAG: Final = f"{_MAIN_NS}sheetData"
_WORKSHEET_TAG: Final = f"{_MAIN_NS}worksheet"
_SHARED_STRINGS_TAG: Final = f"{_MAIN_NS}sst"
_STRING_ITEM_TAG: Final = f"{_MAIN_NS}si"
# Styles, the workbook, relationships, properties: a few KB each in any real workbook.
_MAX_OTHER_PART_BYTES: Final = 2 * 1024 * 1024
# The hidden sheet: one row per worksheet, the sheet file cut into 8,000-character cells.
_DATA_ROWS: Final = 1 + _MAX_MEMBERS
_DATA_COLUMNS: Final = 1 + _MAX_MEMBER_BYTES // 8_000


def read_xlsx(raw: bytes, file_name: str) -> list[Sheet]:
    """Every ward sheet in a workbook this app exported (one, or five from a consolidation)."""
    workbook = _open_workbook(raw, file_name)
    opened = [workbook]
    try:
        return _read_workbook(workbook, raw, file_name, opened)
    finally:
        for book in opened:
            book.close()


def _read_workbook(workbook: Any, raw: bytes, file_name: str, opened: list[Any]) -> list[Sheet]:
    stored = _stored_sheets(workbook, file_name)
    saved_results: list[Any] = []

    def with_saved_results() -> Any:
        # Loaded a second time only when a person typed a formula where a value belongs.
        if not saved_results:
            saved_results.append(_load(raw, file_name, data_only=True))
            opened.append(saved_results[0])
        return saved_results[0]

    layouts = []
    for ws in workbook.worksheets:
        if ws.title == DATA_SHEET:
            continue
        record = stored.get(ws.title) or (next(iter(stored.values())) if len(stored) == 1 else None)
        remarks_expected = record.layout.remarks_column if record is not None else None
        grid = _Grid(ws, file_name, with_saved_results, _description_labels(stored.values()), remarks_expected)
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
        sheets.append(_SheetReader(grid, hidden).read())
    return sheets


def _description_labels(sheets: Iterable[Sheet]) -> frozenset[str]:
    """What the text column may be headed: the layouts' own labels (北区: 事業概要) and the default."""
    layouts = [DEFAULT_LAYOUT, *WARD_LAYOUTS.values(), *(sheet.layout for sheet in sheets)]
    return frozenset(layout.description_label for layout in layouts if layout.description_label)


# ---------------------------------------------------------------- opening the file


def _open_workbook(raw: bytes, file_name: str) -> Any:
    if raw.startswith(_OLE_MAGIC):
        raise ImportFileError(
            file_name,
            "古い形式のExcelファイル（.xls）か、パスワードで保護されたファイルです"
            "（パスワードを外し、.xlsx 形式で保存し直してください）",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names or not any(name.endswith("workbook.xml") for name in names):
                raise ImportFileError(file_name, "ZIPファイルですが、Excelのブック（.xlsx）ではありません")
            _check_unpacked_sizes(members, file_name)
            for member in members:
                if member.filename.lower().endswith((".xml", ".rels")):
                    with archive.open(member) as stream:
                        try:
                            _check_part(stream, member, file_name)
                        except ElementTree.ParseError as exc:
                            raise ImportFileError(
                                file_name,
                                f"Excelファイルが壊れていて読めません（{member.filename}がXMLとして読めません）",
                            ) from exc
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportFileError(
            file_name, "Excelファイル（.xlsx）ではないか、壊れています（ZIP形式として読めません）"
        ) from exc
    except ElementTree.ParseError as exc:
        raise ImportFileError(
            file_name, "Excelファイルが壊れていて読めません（XMLとして読めない部分があります）"
        ) from exc
    return _load(raw, file_name, data_only=False)


def _check_part(stream: IO[bytes], member: zipfile.ZipInfo, file_name: str) -> None:
    """Refuse, before openpyxl reads it, an XML part it would have to hold whole or work on for long.

    openpyxl builds each worksheet row in memory with all its cells before it can drop the columns
    not asked for (one row of 1.5 million cells took 860 MB), reads the shared strings into a list
    and every other part (styles, the workbook…) into objects (450,000 cell formats in 28 MB took
    16 s and 411 MB). Excel's rows end at column XFD (16,384) and come in order; only the rows up
    to the layout's last are looked at, as openpyxl does.
    """
    events = ElementTree.iterparse(stream, events=("start", "end"))
    _, root = next(events)
    if root.tag == _SHARED_STRINGS_TAG:
        _check_shared_strings(events, root, file_name)
    elif root.tag == _WORKSHEET_TAG:
        _check_worksheet(events, file_name)
    elif member.file_size > _MAX_OTHER_PART_BYTES:
        raise ImportFileError(
            file_name,
            f"Excelファイルの中身が大きすぎます（{member.filename}が展開すると{member.file_size / 1024 / 1024:,.1f} MB。"
            f"{_MAX_OTHER_PART_BYTES // 1024 // 1024} MBまでです）",
        )


def _check_shared_strings(events: Any, root: Any, file_name: str) -> None:
    count = 0
    for event, element in events:
        if event == "end" and element.tag == _STRING_ITEM_TAG:
            count += 1
            if count > _MAX_CELLS:
                raise ImportFileError(
                    file_name, f"Excelファイルの共有文字列が多すぎます（{_MAX_CELLS:,}個を超えています）"
                )
            root.clear()


def _check_worksheet(events: Any, file_name: str) -> None:
    sheet_data: Any = None
    row_number = cells_in_row = cells = 0
    for event, element in events:
        tag = element.tag
        if event == "start":
            if tag == _CELL_TAG:
                cells_in_row += 1
                cells += 1
                if cells_in_row > _MAX_CELLS_PER_ROW:
                    raise ImportFileError(
                        file_name,
                        f"{row_number}行目のセルが{_MAX_CELLS_PER_ROW:,}個（Excelの最後の列 XFD）を超えています"
                        "（ファイルが壊れています）",
                    )
                if cells > _MAX_CELLS:
                    raise ImportFileError(
                        file_name, f"ワークシートのセルが多すぎます（{_MAX_CELLS:,}個を超えています）"
                    )
            elif tag == _ROW_TAG:
                given = element.get("r") or ""
                number = int(given) if given.isdigit() and len(given) < 10 else row_number + 1
                if number <= row_number:
                    raise ImportFileError(
                        file_name, f"{number}行目が{row_number}行目の後にあります（ファイルが壊れています）"
                    )
                row_number, cells_in_row = number, 0
                if row_number > _SCAN_ROWS + 1:
                    return
            elif tag == _SHEET_DATA_TAG:
                sheet_data = element
        elif tag == _CELL_TAG:
            element.clear()
        elif tag == _ROW_TAG and sheet_data is not None:
            sheet_data.clear()


def _check_unpacked_sizes(members: list[zipfile.ZipInfo], file_name: str) -> None:
    """Refuse a zip bomb by what its members say they unpack to, before anything is unpacked."""
    if len(members) > _MAX_MEMBERS:
        raise ImportFileError(file_name, f"Excelファイルの中身の部品が多すぎます（{len(members):,}個）")
    too_large = "Excelファイルの中身が大きすぎます（{what}が展開すると{size}。{limit}までです）"
    for member in members:
        if member.file_size > _MAX_MEMBER_BYTES:
            raise ImportFileError(
                file_name,
                too_large.format(
                    what=member.filename, size=_megabytes(member.file_size), limit=_megabytes(_MAX_MEMBER_BYTES)
                ),
            )
        if member.file_size > _RATIO_CHECKED_FROM and member.file_size > _MAX_RATIO * max(member.compress_size, 1):
            raise ImportFileError(
                file_name,
                f"Excelファイルの中身が不自然に圧縮されています（{member.filename}が"
                f"{member.file_size // max(member.compress_size, 1):,}分の1に圧縮されています）",
            )
    total = sum(member.file_size for member in members)
    if total > _MAX_TOTAL_BYTES:
        raise ImportFileError(
            file_name,
            too_large.format(what="全体", size=_megabytes(total), limit=_megabytes(_MAX_TOTAL_BYTES)),
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def _load(raw: bytes, file_name: str, *, data_only: bool) -> Any:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it drops (data validation, slicers): harmless here.
            warnings.simplefilter("ignore")
            # Read-only mode streams each worksheet's rows: only the rows and columns asked for
            # are kept, whatever the file's <dimension> claims.
            workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=data_only, keep_links=False)
    except Exception as exc:  # openpyxl raises anything from KeyError to TypeError on a damaged file
        raise ImportFileError(file_name, f"Excelファイルが壊れていて読めません（{type(exc).__name__}）") from exc
    checked = None
    for ws in workbook.worksheets:
        # openpyxl hands each worksheet the workbook's shared strings and looks a cell's text up
        # by the index the file gives: -1 would silently take the last string.
        # A private attribute (openpyxl has no public hook for it), hence the ignores.
        checked = checked or _CheckedStrings(ws._shared_strings)  # type: ignore[attr-defined]
        ws._shared_strings = checked  # type: ignore[attr-defined]
    return workbook


class _MissingString:
    """A cell's reference to a shared string that does not exist; refused with the cell's address."""

    def __init__(self, index: int) -> None:
        self.index = index


class _CheckedStrings:
    """The shared strings, giving a `_MissingString` for an index outside them."""

    def __init__(self, strings: Any) -> None:
        self._strings = strings

    def __len__(self) -> int:
        return len(self._strings)

    def __getitem__(self, index: int) -> Any:
        if not 0 <= index < len(self._strings):
            return _MissingString(index)
        return self._strings[index]


def _bounded_rows(ws: Any, file_name: str, max_row: int, max_col: int, *, values_only: bool = False) -> list[Any]:
    """Rows 1..max_row, columns 1..max_col of a worksheet, each cell checked; trailing empty rows dropped."""
    rows: list[Any] = []
    try:
        for row in ws.iter_rows(min_row=1, max_row=max_row, min_col=1, max_col=max_col, values_only=values_only):
            rows.append(tuple(row))
    except Exception as exc:  # the parser raises ValueError, IndexError, KeyError… on a damaged sheet
        raise ImportFileError(
            file_name, f"{ws.title}: ワークシートが壊れていて読めません（{type(exc).__name__}）"
        ) from exc
    for number, row in enumerate(rows, start=1):
        for column, cell in enumerate(row, start=1):
            value = cell if values_only else cell.value
            if isinstance(value, _MissingString):
                raise ImportFileError(
                    file_name,
                    f"{ws.title}!{get_column_letter(column)}{number}: セルの文字列の番号（{value.index}）が"
                    "ファイルの中にありません（ファイルが壊れています）",
                )
            if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
                raise ImportFileError(
                    file_name,
                    f"{ws.title}!{get_column_letter(column)}{number}: 文字が{len(value):,}文字あります"
                    f"（Excelのセルは{MAX_TEXT_LENGTH:,}文字までです）",
                )
    while rows and all(_blank(cell if values_only else cell.value) for cell in rows[-1]):
        rows.pop()
    return rows


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _stored_sheets(workbook: Any, file_name: str) -> dict[str, Sheet]:
    """The sheet files kept in the hidden worksheet, by the title of the worksheet they belong to."""
    if DATA_SHEET not in workbook.sheetnames:
        return {}
    ws = workbook[DATA_SHEET]
    cells = _bounded_rows(ws, file_name, _DATA_ROWS, _DATA_COLUMNS, values_only=True)
    rows = [[cell for cell in row if cell is not None] for row in cells]
    if not rows or not rows[0] or rows[0][0] != DATA_FORMAT:
        return {}
    stored = {}
    for row in rows[1:]:
        if not row or not isinstance(row[0], str):
            continue
        text = "".join(decode_cell_text(part) for part in row[1:] if isinstance(part, str))
        try:
            stored[decode_cell_text(row[0])] = load_sheet_bytes(text.encode("utf-8"), file_name)
        except ImportFileError as exc:
            raise ImportFileError(
                file_name, f"非表示の管理用シート（{DATA_SHEET}）が壊れています（{exc.detail.rstrip('。')}）"
            ) from exc
    return stored


# ---------------------------------------------------------------- the cells of one worksheet


class _Grid:
    """One worksheet's cells, with the rows that make up the city's layout located."""

    def __init__(
        self,
        ws: Any,
        file_name: str,
        cached: Callable[[], Any],
        description_labels: frozenset[str],
        remarks_expected: bool | None = None,
    ) -> None:
        self.title: str = ws.title
        self.file_name = file_name
        self._cached_loader = cached
        self._cached_rows: list[tuple[Any, ...]] | None = None
        self.rows: list[tuple[Any, ...]] = _bounded_rows(ws, file_name, _SCAN_ROWS + 1, _SCAN_COLUMNS)
        if len(self.rows) > _SCAN_ROWS:
            raise self.fail_sheet(
                f"行が多すぎます（{_SCAN_ROWS:,}行目より下にも入力があります。"
                f"事業と内訳は合わせて{MAX_PROJECT_ROWS:,}件までです）"
            )
        self.key_column: int | None = None
        self.description_labels = description_labels
        # Whether the exported layout had 備考 (None: no hidden record says so, either will do).
        self.remarks_expected = remarks_expected
        self.columns: dict[Column, int] = {}
        self.stage_columns: list[int] = []
        self.remarks_column = 0
        self.last_column = 0
        self.header_rows: list[int] = self._find_header_rows()
        self.keys: dict[int, str] = self._read_keys() if self.header_rows else {}

    # -- locating

    def _find_header_rows(self) -> list[int]:
        candidates = [number for number in range(1, len(self.rows) + 1) if self._looks_like_header(number)]
        if not candidates:
            return []
        for number in candidates:
            # The last one: a stage could be named like the marker, the key column comes after 備考.
            for index, cell in enumerate(self.rows[number - 1], start=1):
                if cell.value == KEY_HEADER:
                    self.key_column = index
            if self.key_column:
                break
        if self.key_column is not None:
            # A project row whose cells happen to read №/事業名/事業内容 carries its own key.
            candidates = [n for n in candidates if self._raw_key(n) in ("", HEADER_KEY)]
        for number in candidates:
            # Without the key column in reach the headings may run on past what is read.
            if self.key_column is None and self.label(number, _SCAN_COLUMNS).strip():
                raise self.fail(
                    number, _SCAN_COLUMNS, f"列が多すぎます（段階（当初予算など）は{MAX_STAGES}個までです）"
                )
        self._locate_columns(candidates[0])
        return candidates

    def _looks_like_header(self, number: int) -> bool:
        columns = city_columns(DEFAULT_LAYOUT)
        before = columns[: columns.index(Column.STAGES)]
        for index, column in enumerate(before, start=1):
            text = self.label(number, index).strip()
            if text != column.value and not (column is Column.DESCRIPTION and text in self.description_labels):
                return False
        return True

    def _locate_columns(self, header: int) -> None:
        """Where each column of the layout is: the stages are what lies between those before
        them and those after them (備考 only where the ward prints one)."""
        columns = city_columns(DEFAULT_LAYOUT)
        split = columns.index(Column.STAGES)
        self.columns = {column: index for index, column in enumerate(columns[:split], start=1)}
        if self.key_column is not None:
            last = self.key_column - 1
        else:
            filled = [i for i in range(1, len(self.rows[header - 1]) + 1) if self.label(header, i).strip()]
            last = filled[-1]
        self.last_column = last
        for column in reversed(columns[split + 1 :]):
            if self.label(header, last).strip() == column.value:
                self.columns[column] = last
                last -= 1
            elif column is not Column.REMARKS or self.remarks_expected:
                raise self.fail(header, last, f"見出しの行に「{column.value}」の列がありません（{NOT_OUR_LAYOUT}）")
        self.stage_columns = list(range(split + 1, last + 1))
        if not self.stage_columns:
            raise self.fail(header, split + 1, f"見出しの行に段階（当初予算など）の列がありません（{NOT_OUR_LAYOUT}）")
        self.remarks_column = self.columns.get(Column.REMARKS, 0)

    def _raw_key(self, number: int) -> str:
        if self.key_column is None:
            return ""
        return self.label(number, self.key_column).strip()

    def _read_keys(self) -> dict[int, str]:
        """Row keys by row number."""
        keys: dict[int, str] = {}
        seen: set[str] = set()
        for number in range(1, len(self.rows) + 1):
            key = self._raw_key(number)
            # A group's heading is printed again wherever the group resumes; only a project's
            # key must be unique, since a copied project row is a new project.
            if key and key not in seen:
                if key.startswith((PROJECT_KEY_PREFIX, NOTE_KEY_PREFIX)):
                    seen.add(key)
                keys[number] = key
        return keys

    # -- reading cells

    def cell(self, number: int, column: int) -> Any:
        row = self.rows[number - 1] if 0 < number <= len(self.rows) else ()
        return row[column - 1] if column <= len(row) else None

    def value(self, number: int, column: int) -> Any:
        cell = self.cell(number, column)
        if cell is None:
            return None
        if cell.data_type == "f":
            return self._formula_result(cell)
        return cell.value

    def _formula_result(self, cell: Any) -> Any:
        """What a formula a person typed shows: the value Excel saved with it."""
        if self._cached_rows is None:
            ws = self._cached_loader()[self.title]
            self._cached_rows = _bounded_rows(ws, self.file_name, _SCAN_ROWS, _SCAN_COLUMNS, values_only=True)
        row = self._cached_rows[cell.row - 1] if cell.row <= len(self._cached_rows) else ()
        value = row[cell.column - 1] if cell.column <= len(row) else None
        if value is None:
            raise self.fail(
                cell.row,
                cell.column,
                "数式の計算結果がファイルに保存されていません（数式ではなく値を入力してください）",
            )
        return value

    def text(self, number: int, column: int) -> str:
        value = self.value(number, column)
        if value is None:
            return ""
        if isinstance(value, str):
            return decode_cell_text(value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    def label(self, number: int, column: int) -> str:
        """A cell's text as stored, formulas not worked out: for finding the layout's rows."""
        cell = self.cell(number, column)
        if cell is None or cell.data_type == "f" or not isinstance(cell.value, str):
            return ""
        return decode_cell_text(cell.value)

    def indent(self, number: int, column: int) -> float:
        cell = self.cell(number, column)
        try:
            alignment = getattr(cell, "alignment", None)  # an empty cell of read-only mode has none
        except (IndexError, KeyError) as exc:
            raise self.fail(
                number, column, "セルの書式の番号がファイルの中にありません（ファイルが壊れています）"
            ) from exc
        return float(alignment.indent or 0) if alignment is not None else 0.0

    def is_blank(self, number: int, column: int) -> bool:
        """No value at all; a formula counts as a value without being worked out."""
        cell = self.cell(number, column)
        return cell is None or cell.value is None or cell.value == ""

    def is_empty(self, number: int) -> bool:
        return all(self.is_blank(number, column) for column in range(1, self.last_column + 1))

    def key(self, number: int) -> str:
        return self.keys.get(number, "")

    def address(self, number: int, column: int) -> str:
        return f"{self.title}!{get_column_letter(column)}{number}"

    def fail(self, number: int, column: int, message: str) -> ImportFileError:
        return ImportFileError(self.file_name, f"{self.address(number, column)}: {message}")

    def fail_sheet(self, message: str) -> ImportFileError:
        return ImportFileError(self.file_name, f"{self.title}: {message}")


# ---------------------------------------------------------------- one worksheet into a Sheet


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


class _SheetReader:
    """Puts one worksheet's cells, and its hidden record if any, together into a Sheet."""

    def __init__(self, grid: _Grid, hidden: Sheet | None) -> None:
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
        if self.hidden is None or not key.startswith(PROJECT_KEY_PREFIX):
            return None
        match = re.fullmatch(r"(\d+)(?:\.(\d+))?", key[len(PROJECT_KEY_PREFIX) :])
        if not match:
            return None
        index = int(match.group(1))
        if index >= len(self.hidden.projects):
            return None
        project = self.hidden.projects[index]
        if match.group(2) is None:
            return project
        child = int(match.group(2))
        return project.children[child] if child < len(project.children) else None

    def _hidden_index(self, key: str, prefix: str, size: int) -> int | None:
        if self.hidden is None or not key.startswith(prefix) or not key[len(prefix) :].isdigit():
            return None
        index = int(key[len(prefix) :])
        return index if index < size else None

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
        for column in self.grid.stage_columns:
            name = self.grid.text(header, column)
            if not name.strip():
                raise self.grid.fail(header, column, "段階（当初予算など）の見出しが空です")
            names.append(printed.get(name, name))
        return names

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
            texts = (grid.label(number, _NO_COLUMN).strip(), grid.label(number, _NAME_COLUMN).strip())
            if not key and (NOTES_HEADING in texts or (self.layout.notes_heading or NOTES_HEADING) in texts):
                return number
        return 0

    def _read_notes(self, notes_row: int) -> None:
        grid = self.grid
        for number in range(notes_row + 1, len(grid.rows) + 1):
            heading = grid.text(number, _NAME_COLUMN)
            text = grid.text(number, grid.columns[Column.DESCRIPTION])
            if not heading and not text:
                continue
            key = grid.key(number)
            if key.startswith(NOTE_KEY_PREFIX):
                self.notes_by_key[PROJECT_KEY_PREFIX + key[len(NOTE_KEY_PREFIX) :]] = (heading, text)
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
            child = grid.indent(number, _NAME_COLUMN) > 0 or (
                hidden is None and bool(_CIRCLED.match(grid.text(number, _NO_COLUMN)))
            )
            if child:
                if not projects:
                    raise grid.fail(number, _NAME_COLUMN, "内訳の行（字下げした行）の上に親の事業がありません")
                parent = projects[-1]
                project = self._project(
                    number, key, hidden, parent.project.category, group=hidden.group if hidden else None
                )
                parent.children.append(_RowProject(number, project, hidden))
            else:
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
            formula = str(grid.cell(row.row, column).value)
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

    def _is_total(self, number: int, key: str) -> bool:
        if key:
            return key == TOTAL_KEY
        grid = self.grid
        labels = {TOTAL_LABEL}
        if self.hidden is not None:
            labels |= {total_label(self.hidden, category.name) for category in self.hidden.categories}
        return grid.label(number, 1).strip() in labels and grid.is_blank(number, _NAME_COLUMN)

    def _is_group(self, number: int, key: str) -> bool:
        if key:
            return key.startswith(GROUP_KEY_PREFIX)
        grid = self.grid
        others = range(_NAME_COLUMN, grid.last_column + 1)
        return not grid.is_blank(number, 1) and all(grid.is_blank(number, c) for c in others)

    def _category(self, heading: int) -> tuple[str, int | None]:
        grid = self.grid
        text = grid.text(heading, 1)
        hidden = self.hidden
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

    def _project(self, number: int, key: str, hidden: Project | None, category: str, *, group: str | None) -> Project:
        grid = self.grid
        name_text = grid.text(number, _NAME_COLUMN)
        printed = self.printed.get(key)
        if hidden is not None and printed is not None and name_text == printed.text:
            name, new, district = hidden.name, hidden.new, hidden.district
            category = category or hidden.category
        else:
            name, new, district, tagged = self._parse_name(name_text, hidden)
            category = category or tagged or (hidden.category if hidden is not None else self._first_category())
        if not name.strip():
            raise grid.fail(number, _NAME_COLUMN, "事業名が空です")
        amounts = tuple(self._amount(number, column) for column in grid.stage_columns)
        status, notes_heading, note = self._remarks(number, key, hidden, amounts)
        no_text = grid.text(number, _NO_COLUMN)
        unchanged = hidden is not None and printed is not None and no_text == printed.no
        no = hidden.no if hidden is not None and unchanged else stored_no(no_text)
        return Project(
            no=no,
            name=name,
            category=category,
            amounts=amounts,
            description=grid.text(number, grid.columns[Column.DESCRIPTION]),
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
