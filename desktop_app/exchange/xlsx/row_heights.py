"""Row heights from an estimate of the wrapped lines, since no spreadsheet grows a row on opening."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from typing import Final

from openpyxl.worksheet.worksheet import Worksheet

# Neither Excel nor LibreOffice grows a row to fit wrapped text on opening a file, so each row
# gets a height from an estimate of its lines: a full-width character is about two units of
# column width at 10 pt, a line about 13.5 pt.
LINE_HEIGHT: Final = 13.5
ROW_PADDING: Final = 4.0
MIN_ROW_HEIGHT: Final = 18.0


def _text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "FWA" else 1 for char in text)


def line_count(text: str, column_width: float) -> int:
    capacity = max(column_width - 1.5, 1.0) * 0.95
    return sum(max(1, math.ceil(_text_width(part) / capacity)) for part in text.split("\n"))


def fit_row_height(ws: Worksheet, row: int, texts: Iterable[tuple[str, float]]) -> None:
    lines = max((line_count(text, width) for text, width in texts if text), default=1)
    ws.row_dimensions[row].height = max(MIN_ROW_HEIGHT, lines * LINE_HEIGHT + ROW_PADDING)
