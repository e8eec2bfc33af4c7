"""Opening a checked file with openpyxl and reading rows of cells within the limits."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, TypeAlias, TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from desktop_app.domain import MAX_TEXT_LENGTH
from desktop_app.exchange.errors import ImportFileError
from desktop_app.exchange.xlsx.zip_checks import check_file


def open_workbook(raw: bytes, file_name: str) -> Workbook:
    """The workbook in `raw`, checked first (see `zip_checks`), formulas as written."""
    check_file(raw, file_name)
    return load(raw, file_name, data_only=False)


def load(raw: bytes, file_name: str, *, data_only: bool) -> Workbook:
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

    def __init__(self, strings: Sequence[object]) -> None:
        self._strings = strings

    def __len__(self) -> int:
        return len(self._strings)

    def __getitem__(self, index: int) -> object:
        if not 0 <= index < len(self._strings):
            return _MissingString(index)
        return self._strings[index]


class ReadCell(Protocol):
    """What the import uses of a cell of a read-only worksheet (openpyxl's ReadOnlyCell or EmptyCell)."""

    @property
    def value(self) -> object: ...

    @property
    def data_type(self) -> str: ...


# A worksheet as the import opens it (read-only mode); not a chartsheet. types-openpyxl gives
# ReadOnlyWorksheet Worksheet's own iter_rows, `self: Worksheet` included: hence the two
# ignore[misc] below, where a ReadOnlyWorksheet is passed as that self.
ReadWorksheet: TypeAlias = Worksheet | ReadOnlyWorksheet
_Row = TypeVar("_Row", tuple[ReadCell, ...], tuple[object, ...])


def as_worksheet(sheet: object) -> ReadWorksheet | None:
    """The worksheet a workbook holds under a title; None for a chartsheet."""
    return sheet if isinstance(sheet, (Worksheet, ReadOnlyWorksheet)) else None


def cell_rows(ws: ReadWorksheet, file_name: str, max_row: int, max_col: int) -> list[tuple[ReadCell, ...]]:
    """Rows 1..max_row, columns 1..max_col of a worksheet as cells (formulas as written), each checked;
    trailing empty rows dropped."""

    def read() -> list[tuple[ReadCell, ...]]:
        rows = ws.iter_rows(min_row=1, max_row=max_row, min_col=1, max_col=max_col)  # type: ignore[misc]
        return [tuple(row) for row in rows]

    rows = _read_rows(ws, file_name, read)
    _check_values(ws, file_name, [[cell.value for cell in row] for row in rows])
    return _without_blank_tail(rows, lambda row: [cell.value for cell in row])


def value_rows(ws: ReadWorksheet, file_name: str, max_row: int, max_col: int) -> list[tuple[object, ...]]:
    """As `cell_rows`, the cells' values only (a formula's saved result when loaded with data_only)."""

    def read() -> list[tuple[object, ...]]:
        rows = ws.iter_rows(min_row=1, max_row=max_row, min_col=1, max_col=max_col, values_only=True)  # type: ignore[misc]
        return [tuple(row) for row in rows]

    rows = _read_rows(ws, file_name, read)
    _check_values(ws, file_name, rows)
    return _without_blank_tail(rows, list)


def _read_rows(ws: ReadWorksheet, file_name: str, read: Callable[[], list[_Row]]) -> list[_Row]:
    try:
        return read()
    except Exception as exc:  # the parser raises ValueError, IndexError, KeyError… on a damaged sheet
        raise ImportFileError(
            file_name, f"{ws.title}: ワークシートが壊れていて読めません（{type(exc).__name__}）"
        ) from exc


def _check_values(ws: ReadWorksheet, file_name: str, rows: Iterable[Iterable[object]]) -> None:
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
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


def _without_blank_tail(rows: list[_Row], values: Callable[[_Row], Iterable[object]]) -> list[_Row]:
    while rows and all(blank(value) for value in values(rows[-1])):
        rows.pop()
    return rows


def blank(value: object) -> bool:
    return value is None or value == ""
