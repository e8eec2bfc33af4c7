"""Groups printed at the side (西区, layout group_style "side"): one merged vertical cell per group at
the left of its rows, the group's circled number after each №, in the PDF and in the Excel alike."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import openpyxl
import pypdf
from openpyxl.worksheet.worksheet import Worksheet

from desktop_app import operations
from desktop_app.domain import Group, Sheet
from desktop_app.domain.layout import group_mark, layout_from_dict, layout_to_dict
from desktop_app.domain.model import DEFAULT_LAYOUT, GROUPS_AT_SIDE
from desktop_app.exchange.pdf_summary import render_pdf
from desktop_app.exchange.xlsx.hidden_record import DATA_SHEET
from desktop_app.exchange.xlsx.row_heights import line_count
from desktop_app.exchange.xlsx_export import render_xlsx
from desktop_app.exchange.xlsx_import import read_xlsx
from tests.factories import small_sheet

NISHI = next(sheet for sheet in operations.sample_sheets() if sheet.ward == "西区")
LABEL = "令和２年度\nまちづくりの\n推進方針"
KANA = "あいうえおかきくけこ"


def positions(data: bytes, wanted: set[str]) -> list[tuple[str, float, float]]:
    """(character, x, y) of each wanted character drawn on the page, in drawing order."""
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: float) -> None:
        if text.strip() in wanted:
            found.append((text.strip(), round(cm[4] + tm[4], 1), round(cm[5] + tm[5], 1)))

    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    reader.pages[0].extract_text(visitor_text=visit)
    return found


def with_first_group_named(name: str) -> Sheet:
    """The small sheet in the side style, its first group (two projects, one with sub-items) renamed."""
    sheet = small_sheet()
    old = sheet.groups[0].name
    return replace(
        sheet,
        groups=(Group(name), *sheet.groups[1:]),
        projects=tuple(replace(p, group=name) if p.group == old else p for p in sheet.projects),
        layout=replace(sheet.layout, group_style=GROUPS_AT_SIDE),
    )


def test_the_layout_option_is_carried_as_data_and_others_stay_as_they_were() -> None:
    assert NISHI.layout.group_style == "side" and NISHI.layout.group_column_label == LABEL
    data = layout_to_dict(NISHI.layout)
    assert (data["group_style"], data["group_column_label"]) == ("side", LABEL)
    assert layout_from_dict(data) == NISHI.layout
    assert "group_style" not in layout_to_dict(DEFAULT_LAYOUT)
    assert [group_mark(name) for name in ("①地域", "　④被災者", "防災・減災", "")] == ["①", "④", "", ""]


def test_the_nishi_pdf_is_one_a4_page_with_its_groups_written_vertically() -> None:
    result = render_pdf(NISHI, produced=date(2021, 6, 1))
    assert result.paper == "A4" and result.message is None
    text = pypdf.PdfReader(io.BytesIO(result.data)).pages[0].extract_text()
    assert "〓" not in text  # no character the font lacks
    # No heading row: the name never stands on one line; its characters stand one under the other.
    assert not any("地域ニーズに柔軟" in line for line in text.splitlines())
    drawn = positions(result.data, set("①地域ニーズに柔軟"))
    first = next((x, y) for char, x, y in drawn if char == "①")
    column = [(char, y) for char, x, y in drawn if x == first[0] and y <= first[1]]
    assert "".join(char for char, _ in column).startswith("①地域ニ")
    assert [y for _, y in column] == sorted((y for _, y in column), reverse=True)  # top to bottom


def test_a_long_group_name_wraps_into_vertical_lines_right_to_left_on_one_page() -> None:
    name = "①" + KANA * 12  # 121 characters: far taller than an A4 page in one line
    result = render_pdf(with_first_group_named(name), produced=date(2021, 6, 1))
    assert result.paper == "A4"
    drawn = positions(result.data, set(KANA))
    assert "".join(char for char, _, _ in drawn) == KANA * 12  # every character, in order
    lines = list(dict.fromkeys(x for _, x, _ in drawn))  # x of each vertical line, in reading order
    assert 2 <= len(lines) <= 4
    assert lines == sorted(lines, reverse=True)  # the first line rightmost


def test_rows_grow_to_hold_a_group_name_in_one_vertical_line_when_the_page_has_room() -> None:
    name = "①" + KANA * 3
    result = render_pdf(with_first_group_named(name), produced=date(2021, 6, 1))
    drawn = positions(result.data, set(KANA))
    assert len({x for _, x, _ in drawn}) == 1  # one line
    ys = [y for _, _, y in drawn]
    # 30 characters one under the other: taller than the group's rows would be for their own texts.
    assert max(ys) - min(ys) >= 29 * result.font_size * 0.99


def _rows_by_no(ws: Worksheet) -> dict[str, int]:
    return {str(ws.cell(row, 2).value): row for row in range(1, ws.max_row + 1) if ws.cell(row, 4).value}


def test_the_nishi_excel_merges_each_group_into_one_wrapped_cell_with_marks_after_the_numbers() -> None:
    ws = openpyxl.load_workbook(io.BytesIO(render_xlsx(NISHI)))["西区"]
    rows = _rows_by_no(ws)
    header = rows["№"]  # the second table's header row
    assert [ws.cell(header, column).value for column in (1, 2, 4, 5)] == [LABEL, "№", "事業名", "事業内容"]
    merged = {str(cell_range) for cell_range in ws.merged_cells.ranges}
    for first, last in (("1", "3"), ("4", "5"), ("6", "8")):
        assert f"A{rows[first]}:A{rows[last]}" in merged
    names = [group.name for group in NISHI.groups]
    assert [ws.cell(rows[no], 1).value for no in ("1", "4", "6", "9")] == names
    assert [ws.cell(rows[str(no)], 3).value for no in range(1, 10)] == list("①①①②②③③③④")
    for no in ("1", "4", "6", "9"):
        alignment = ws.cell(rows[no], 1).alignment
        # Across and wrapped, not stacked: LibreOffice clips stacked text to one line.
        assert (alignment.textRotation, alignment.wrap_text, alignment.vertical) == (0, True, "top")
    # No heading row: a group's name is in no column but the side one.
    texts = [cell.value for row in ws.iter_rows(min_col=2) for cell in row if isinstance(cell.value, str)]
    assert not any(name in text for name in names for text in texts)
    # Group ④ stands beside one row: that row is grown to hold its whole name, wrapped.
    width = ws.column_dimensions["A"].width
    assert ws.row_dimensions[rows["9"]].height >= line_count(names[3], width) * 13.5 >= 3 * 13.5


def test_the_nishi_excel_is_read_back_exactly_and_its_side_cells_are_its_groups() -> None:
    raw = render_xlsx(NISHI)
    assert read_xlsx(raw, "x.xlsx") == [NISHI]
    wb = openpyxl.load_workbook(io.BytesIO(raw))
    ws = wb["西区"]
    renamed = "②産学官民が連携したまちづくり"
    ws.cell(_rows_by_no(ws)["4"], 1).value = renamed
    ws.cell(_rows_by_no(ws)["5"], 3).value = "⑨"  # a mark follows from the group's name: not read
    buffer = io.BytesIO()
    wb.save(buffer)
    (read,) = read_xlsx(buffer.getvalue(), "x.xlsx")
    assert [group.name for group in read.groups] == [
        NISHI.groups[0].name,
        renamed,
        *(group.name for group in NISHI.groups[2:]),
    ]
    assert [p.group for p in read.projects] == [
        renamed if p.group == NISHI.groups[1].name else p.group for p in NISHI.projects
    ]


def test_a_side_style_workbook_without_its_record_gets_its_groups_from_the_side_cells() -> None:
    sheet = with_first_group_named("①地域活動の負担軽減")
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(sheet)))
    del wb[DATA_SHEET]
    buffer = io.BytesIO()
    wb.save(buffer)
    (read,) = read_xlsx(buffer.getvalue(), "x.xlsx")
    assert [group.name for group in read.groups] == [group.name for group in sheet.groups]
    assert [(p.no, p.group, len(p.children)) for p in read.projects] == [
        (p.no, p.group, len(p.children)) for p in sheet.projects
    ]
    assert (read.layout.group_style, read.layout.group_column_label) == ("side", "グループ")
