"""Row heights in the exported Excel fit their text: every line shows, and no row is lines taller than its text.

Excel's geometry: a column 75 wide is 75 × 7 + 5 = 530 pixels, 524 inside the cell's margins, so 39
full-width characters of 10 pt (13⅓ px each) fit on one line, and 78 half-width ｶﾀｶﾅ.
"""

from __future__ import annotations

import io
from dataclasses import replace

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from desktop_app.exchange.xlsx.row_heights import LINE_HEIGHT, MIN_ROW_HEIGHT, line_count
from desktop_app.exchange.xlsx_export import render_xlsx
from tests.factories import plain, small_sheet


def test_full_width_and_half_width_characters_fill_a_line_as_in_excel() -> None:
    assert line_count("あ" * 39, 75) == 1
    assert line_count("あ" * 40, 75) == 2
    assert line_count("あ" * 100, 75) == 3  # two and a half lines' worth: three lines, not four
    assert line_count("ｱ" * 78, 75) == 1  # half-width katakana (南区's 「ﾊﾞｽﾂｱｰ」) are half as wide
    assert line_count("2,200千円 " * 7, 75) == 1  # figures and spaces are narrow too: 49 characters


def test_line_breaks_and_whole_latin_words_count_as_lines() -> None:
    assert line_count("一行目\n二行目\n三行目", 75) == 3
    assert line_count("一行目\n\n三行目", 75) == 3  # an empty line is a line
    # 「LOVEW」 does not fit after 37 characters: it moves to the next line whole, as Excel wraps it.
    assert line_count("あ" * 37 + "LOVEW", 75) == 2
    assert line_count("あ" * 37 + "LO", 75) == 1
    # The same text in a wider column, or in smaller type, takes fewer lines.
    assert line_count("あ" * 60, 75) == 2
    assert line_count("あ" * 60, 120) == 1
    assert line_count("あ" * 60, 75, size=6) == 1


def _ward_sheet(data: bytes) -> Worksheet:
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert isinstance(ws, Worksheet)
    return ws


def _row_of(ws: Worksheet, name: str) -> int:
    return next(cell.row for row in ws.iter_rows() for cell in row if cell.value == name)


def test_a_three_line_description_gets_three_lines_and_a_one_line_name_one() -> None:
    sheet = plain(small_sheet())
    projects = list(sheet.projects)
    projects[0] = replace(projects[0], name="三行の事業", description="一行目\n二行目\n三行目")
    projects[2] = replace(projects[2], name="一行の事業", description="短い説明")
    ws = _ward_sheet(render_xlsx(replace(sheet, projects=tuple(projects))))
    three = ws.row_dimensions[_row_of(ws, "三行の事業")].height
    one = ws.row_dimensions[_row_of(ws, "一行の事業")].height
    assert three is not None and one is not None
    assert three >= 3 * LINE_HEIGHT
    assert three < 4 * LINE_HEIGHT  # no empty band under the third line
    assert one == MIN_ROW_HEIGHT  # not a row of two or three lines for one line of text
