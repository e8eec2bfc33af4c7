"""Row heights from an estimate of the wrapped lines, since no spreadsheet grows a row on opening."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Final

from openpyxl.worksheet.worksheet import Worksheet

# Neither Excel nor LibreOffice grows a row to fit wrapped text on opening a file, so each row
# gets a height from an estimate of its lines, made in Excel's geometry (what the wards print
# with): a column `w` wide is w × 7 + 5 pixels at 96 dpi (7: the widest digit of the workbook's
# default font, Calibri 11), less the cell's margins; the text is ＭＳ Ｐゴシック, whose Japanese
# characters are one em wide and its Latin letters and figures about half that.
BODY_SIZE: Final = 10.0
LINE_HEIGHT: Final = 13.5  # one line of 10 pt text
ROW_PADDING: Final = 4.0
MIN_ROW_HEIGHT: Final = 18.0

_DIGIT_PX: Final = 7
_COLUMN_PADDING_PX: Final = 5
_CELL_MARGIN_PX: Final = 3  # each side
_POINTS_PER_PX: Final = 0.75

_FULL_WIDTH_EM: Final = 1.0
_HALF_WIDTH_EM: Final = 0.5  # ｶﾀｶﾅ
_NARROW_EM: Final = 0.6  # Latin letters, figures and ASCII signs, proportional in ＭＳ Ｐゴシック
_SPACE_EM: Final = 0.3
# A Latin word or figure (「LOVEW」「2,200」) moves to the next line whole; anything else may break.
_TOKEN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,%'/\-]*|.", re.DOTALL)


def _char_em(char: str) -> float:
    kind = unicodedata.east_asian_width(char)
    if kind in "FWA":
        return _FULL_WIDTH_EM
    if kind == "H":
        return _HALF_WIDTH_EM
    return _SPACE_EM if char == " " else _NARROW_EM


def _text_em(text: str) -> float:
    return sum(_char_em(char) for char in text)


def column_points(column_width: float) -> float:
    """The room for text in a column of `column_width` units, in points."""
    pixels = math.floor(column_width * _DIGIT_PX + _COLUMN_PADDING_PX) - 2 * _CELL_MARGIN_PX
    return max(pixels, 1) * _POINTS_PER_PX


def _paragraph_lines(paragraph: str, room_em: float) -> int:
    lines, used = 1, 0.0
    for token in _TOKEN.findall(paragraph):
        width = _text_em(token)
        if used + width <= room_em:
            used += width
        elif token == " ":
            used = room_em  # a space where the line ends starts no line of its own
        elif width <= room_em:
            lines, used = lines + 1, width
        else:
            # A word wider than the column is broken between its letters.
            for char in token:
                char_width = _char_em(char)
                if used + char_width > room_em and used > 0:
                    lines, used = lines + 1, 0.0
                used += char_width
    return lines


def line_count(text: str, column_width: float, size: float = BODY_SIZE) -> int:
    """The lines `text` takes in a column `column_width` units wide at `size` points, line breaks kept."""
    room_em = column_points(column_width) / size
    return sum(_paragraph_lines(paragraph, room_em) for paragraph in text.split("\n"))


def fit_row_height(ws: Worksheet, row: int, texts: Iterable[tuple[str, float]], size: float = BODY_SIZE) -> None:
    lines = max((line_count(text, width, size) for text, width in texts if text), default=1)
    line_height = LINE_HEIGHT * size / BODY_SIZE
    ws.row_dimensions[row].height = max(MIN_ROW_HEIGHT, lines * line_height + ROW_PADDING)
