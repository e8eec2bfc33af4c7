"""Text in and out of a cell: escaped the way Excel escapes it, never taken for a formula."""

from __future__ import annotations

import re
from typing import Final

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from desktop_app.domain.money import NULL_MARK
from desktop_app.exchange.errors import ExchangeError

NULL_TEXT: Final = NULL_MARK
AMOUNT_FORMAT: Final = "#,##0"
# Excel refuses longer cell text; openpyxl would cut it silently.
MAX_CELL_TEXT: Final = 32_767

# ---------------------------------------------------------------- cell text escaping

# XML 1.0 cannot carry these at all, and a bare CR comes back as LF: OOXML writes them as _xHHHH_.
XML_UNSAFE: Final = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
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
        if XML_UNSAFE.match(char):
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
    return text[end] == "_" or bool(XML_UNSAFE.match(text[end]))


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
