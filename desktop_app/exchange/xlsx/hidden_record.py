"""The hidden worksheet holding each sheet's file: written on export, read back on import.

It fills in what no cell shows (allocations, group descriptions, status codes, stage locks…);
what a cell shows still wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from openpyxl import Workbook

from desktop_app.domain import Sheet
from desktop_app.exchange.errors import ImportFileError
from desktop_app.exchange.json_format import dump_sheet, load_sheet_bytes
from desktop_app.exchange.xlsx.cells import decode_cell_text, put_text
from desktop_app.exchange.xlsx.limits import MAX_MEMBER_BYTES, MAX_MEMBERS
from desktop_app.exchange.xlsx.load import as_worksheet, value_rows

DATA_SHEET: Final = "_machizukuri"
DATA_FORMAT: Final = "machizukuri-xlsx/1"
# A chunk of the hidden sheet file stays well under the cell limit, escapes included.
_DATA_CHUNK: Final = 8_000
# The hidden sheet: one row per worksheet, the sheet file cut into 8,000-character cells.
_DATA_ROWS: Final = 1 + MAX_MEMBERS
_DATA_COLUMNS: Final = 1 + MAX_MEMBER_BYTES // 8_000


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


def stored_sheets(workbook: Workbook, file_name: str) -> dict[str, Sheet]:
    """The sheet files kept in the hidden worksheet, by the title of the worksheet they belong to."""
    if DATA_SHEET not in workbook.sheetnames:
        return {}
    ws = as_worksheet(workbook[DATA_SHEET])
    if ws is None:
        return {}
    cells = value_rows(ws, file_name, _DATA_ROWS, _DATA_COLUMNS)
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
