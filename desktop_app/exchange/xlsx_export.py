"""A ward's sheet as an Excel workbook in the city's layout: a real spreadsheet, ready to print.

The visible cells are what people read and edit; a hidden column of row keys and a hidden
worksheet holding the sheet file let `xlsx_import` give back exactly what was exported while a
person's edits in the visible cells still win.
"""

from __future__ import annotations

import datetime

from desktop_app.domain import Sheet
from desktop_app.exchange.xlsx.cells import decode_cell_text, encode_cell_text
from desktop_app.exchange.xlsx.hidden_record import DATA_SHEET, store_sheet_data
from desktop_app.exchange.xlsx.layout_writer import write_sheet
from desktop_app.exchange.xlsx.styles import FONT_NAME
from desktop_app.exchange.xlsx.workbook import new_workbook, workbook_bytes

# What other modules and the tests take from here; the parts live in desktop_app.exchange.xlsx.
__all__ = ["DATA_SHEET", "FONT_NAME", "decode_cell_text", "encode_cell_text", "render_xlsx"]


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
