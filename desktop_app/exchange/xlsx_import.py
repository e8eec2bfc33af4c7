"""Reading back a workbook this app exported, after a person may have edited it in Excel.

What a cell shows wins: names, descriptions, amounts, 備考, groups and headings are read from the
cells. The hidden sheet file (see `xlsx_export`) only fills in what no cell shows: allocations,
group descriptions, 予定 versus 実施, 担当, stage locks, and the exact text of cells nobody touched.
Totals are never read: they are the spreadsheet's business, not the sheet's.
"""

from __future__ import annotations

from desktop_app.domain import Sheet
from desktop_app.exchange.xlsx.grid import NOT_OUR_LAYOUT
from desktop_app.exchange.xlsx.layout_reader import read_workbook
from desktop_app.exchange.xlsx.load import open_workbook

# What other modules and the tests take from here; the parts live in desktop_app.exchange.xlsx.
__all__ = ["NOT_OUR_LAYOUT", "read_xlsx"]


def read_xlsx(raw: bytes, file_name: str) -> list[Sheet]:
    """Every ward sheet in a workbook this app exported (one, or five from a consolidation)."""
    workbook = open_workbook(raw, file_name)
    opened = [workbook]
    try:
        return read_workbook(workbook, raw, file_name, opened)
    finally:
        for book in opened:
            book.close()
