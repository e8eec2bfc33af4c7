"""The Excel export: the city's layout as a person opening the file in Excel finds it."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from dataclasses import replace
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import MergedCell
from openpyxl.worksheet.worksheet import Worksheet

from benchmarks.synthetic import synthetic_sheet
from desktop_app import APP_NAME, operations
from desktop_app.domain import Category, Sheet, Status, new_sheet
from desktop_app.domain.layout import NOTES_HEADING, UNIT_LABEL
from desktop_app.exchange.errors import ExchangeError
from desktop_app.exchange.xlsx_export import (
    DATA_SHEET,
    FONT_NAME,
    decode_cell_text,
    encode_cell_text,
    render_xlsx,
)
from desktop_app.exchange.xlsx_import import read_xlsx
from tests.factories import FUKKO, MACHI, plain, project, small_sheet
from tests.strategies import text

# The samples in today's default layout, with the contract's titles: these tests read cells by
# address. Each ward's own layout is tested in tests/exchange/test_ward_layouts.py.
SAMPLES = {sheet.ward: plain(sheet) for sheet in operations.sample_sheets()}


def open_book(sheet: Sheet) -> Any:
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(sheet)))


def ward_sheet(sheet: Sheet) -> Worksheet:
    ws = open_book(sheet)[sheet.ward]
    assert isinstance(ws, Worksheet)
    return ws


def row_values(ws: Worksheet, row: int, last: int = 8) -> list[Any]:
    return [ws.cell(row=row, column=column).value for column in range(1, last + 1)]


def find_row(ws: Worksheet, column: int, value: object) -> int:
    for (cell,) in ws.iter_rows(min_col=column, max_col=column):
        if cell.value == value and cell.row is not None:
            return cell.row
    raise AssertionError(f"{value!r} not in column {column}")


# ---------------------------------------------------------------- what the page says


def test_title_vision_heading_and_unit_of_the_higashi_sample() -> None:
    ws = ward_sheet(SAMPLES["東区"])
    assert ws.title == "東区"
    assert ws["A1"].value == "令和2年度 東区まちづくりの取組"
    assert ws["A2"].value == "自然豊かな 笑顔あふれる未来のまち"
    assert ws["A4"].value == "【東区まちづくり推進経費】"
    assert ws["H4"].value == UNIT_LABEL  # top right of the table
    assert ws["H4"].alignment.horizontal == "right"
    assert row_values(ws, 5) == ["№", "事業名", "事業内容", "当初予算", "9月補正後", "2月補正後", "決算額", "備考"]
    second = find_row(ws, 1, "【東区復興支援自治推進経費】")
    assert ws.cell(row=second, column=8).value == UNIT_LABEL
    assert row_values(ws, second + 1)[:3] == ["№", "事業名", "事業内容"]


def test_project_rows_show_number_name_description_amounts_and_remarks() -> None:
    ws = ward_sheet(SAMPLES["東区"])
    first = row_values(ws, 6)
    assert first[:2] == [1, "地域活動理解促進事業"]
    assert first[2].startswith("「地域のために自分ができることを考える」")
    assert first[3:7] == [267, 0, 0, 0]
    assert first[7] == "中止"
    row = find_row(ws, 2, "自然環境魅力向上事業")
    assert row_values(ws, row)[3:7] == ["―"] * 4  # no budget line, not 0
    for column in range(4, 8):
        cell = ws.cell(row=row, column=column)
        assert cell.data_type == "s"
        assert cell.alignment.horizontal == "center"


def test_amounts_are_right_aligned_numbers_with_thousands_separators() -> None:
    ws = ward_sheet(SAMPLES["東区"])
    row = find_row(ws, 2, "東区地域コミュニティづくり支援補助金")
    cell = ws.cell(row=row, column=4)
    assert cell.value == 2200
    assert cell.data_type == "n"
    assert cell.number_format == "#,##0"
    assert cell.alignment.horizontal == "right"


def test_groups_span_the_table_and_sub_items_are_indented() -> None:
    ws = ward_sheet(small_sheet())
    assert ws["A6"].value == "地域活動の負担軽減"
    assert "A6:H6" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A6"].font.bold
    parent, first_child, second_child = 8, 9, 10
    assert ws.cell(row=parent, column=2).value == "地域力活性化・強化支援事業"
    assert ws.cell(row=parent, column=2).alignment.indent == 0
    assert ws.cell(row=first_child, column=1).value == "①"
    assert ws.cell(row=first_child, column=2).value == "【幸田】花のまちづくり事業"  # 校区 before the name
    assert ws.cell(row=first_child, column=2).alignment.indent > 0
    assert ws.cell(row=second_child, column=2).alignment.indent > 0
    assert ws.cell(row=second_child, column=8).value == "中止"


def test_new_projects_are_marked_before_the_name() -> None:
    ws = ward_sheet(small_sheet())
    assert find_row(ws, 2, "【新規】地域防災力強化経費")
    chuo = ward_sheet(SAMPLES["中央区"])
    assert find_row(chuo, 2, "【新規】地域デビュー応援事業")


def test_totals_are_sum_formulas_over_top_level_projects_only() -> None:
    ws = ward_sheet(small_sheet())
    # Rows: 6 group, 7 project, 8 parent, 9–10 its sub-items, 11 group, 12 project, 13 合計.
    assert ws["A13"].value == "合計"
    assert ws["D13"].value == '=IF(COUNT(D7:D8,D12)=0,"―",SUM(D7:D8,D12))'
    assert ws["G13"].value == '=IF(COUNT(G7:G8,G12)=0,"―",SUM(G7:G8,G12))'
    assert ws["D13"].data_type == "f"
    assert ws["D13"].number_format == "#,##0"
    assert ws["D13"].font.bold
    fukko_total = find_row(ws, 1, "合計") + 5
    assert ws.cell(row=fukko_total, column=1).value == "合計"
    assert ws.cell(row=fukko_total, column=4).value == f'=IF(COUNT(D{fukko_total - 1})=0,"―",SUM(D{fukko_total - 1}))'


def test_a_stage_of_only_dashes_totals_to_a_dash_not_zero() -> None:
    # The formula gives ― when no top-level cell holds a number, as the domain's totals do.
    sheet = replace(small_sheet(), projects=(project("1", "未着手の事業", (100, None, None, None)),))
    ws = ward_sheet(sheet)
    total = find_row(ws, 1, "合計")
    assert ws.cell(row=total, column=5).value == '=IF(COUNT(E6)=0,"―",SUM(E6))'


def test_a_long_table_keeps_every_function_under_excels_argument_limit() -> None:
    # 300 parents each with a sub-item: 300 separate ranges, more than Excel's 255 arguments.
    children = (project("①", "内訳", (1, 1, 1, 1)),)
    projects = tuple(project(str(i), f"事業{i}", (1, 1, 1, 1), children=children) for i in range(300))
    ws = ward_sheet(replace(small_sheet(), projects=projects))
    formula = ws.cell(row=find_row(ws, 1, "合計"), column=4).value
    assert isinstance(formula, str)
    assert formula.startswith("=IF(SUM(COUNT(D6,D8,")
    assert "SUM(SUM(D6,D8," in formula
    assert formula.count("D") == 600
    for function in ("COUNT(", "SUM("):
        for part in formula.split(function)[1:]:
            assert part.split(")")[0].count(",") < 255


def test_remarks_and_numbered_notes_under_the_tables() -> None:
    sheet = small_sheet()
    first = replace(sheet.projects[0], notes_heading="１－①")
    ws = ward_sheet(replace(sheet, projects=(first, *sheet.projects[1:])))
    assert ws["H7"].value == "中止 ※１－①"
    heading_row = find_row(ws, 2, NOTES_HEADING)
    assert ws.cell(row=heading_row + 1, column=2).value == "１－①"
    assert ws.cell(row=heading_row + 1, column=3).value == "新型コロナウイルス感染症の影響により中止"


def test_a_sheet_without_projects_still_gets_an_empty_table_to_fill_in() -> None:
    ws = ward_sheet(new_sheet("東区", 2021))
    assert ws["A1"].value == "令和3年度 東区まちづくりの取組"
    assert ws["A4"].value == "【東区まちづくり推進経費】"
    assert ws["A5"].value == "№"
    assert ws["A6"].value == "合　計"  # as 東区 labels its totals
    ws = ward_sheet(new_sheet("西区", 2021))
    # 西区 prints no heading over its table, and its groups in a first column headed with the year.
    assert (ws["A5"].value, ws["B5"].value) == ("令和３年度\nまちづくりの\n推進方針", "№")
    assert ws["A6"].value == "まちづくり推進経費　合計額"


# ---------------------------------------------------------------- how it looks and prints


def test_fonts_borders_wrapping_and_column_widths() -> None:
    ws = ward_sheet(SAMPLES["東区"])
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=8):
        for cell in row:
            if not isinstance(cell, MergedCell):
                assert cell.font.name == FONT_NAME, cell.coordinate
    for column in range(1, 9):
        border = ws.cell(row=6, column=column).border
        assert (border.left.style, border.right.style, border.top.style, border.bottom.style) == ("thin",) * 4
    assert ws["C6"].alignment.wrap_text
    assert ws["B6"].alignment.wrap_text
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABCDEFGH"}
    assert widths["B"] >= 28 and widths["C"] >= 60 and widths["H"] >= 24
    assert all(widths[letter] >= 12 for letter in "DEFG")
    # A description of three lines gets a row tall enough for them, and keeps its line breaks.
    sheet = SAMPLES["東区"]
    three = replace(sheet.projects[0], description="一行目\n二行目\n三行目")
    ws = ward_sheet(replace(sheet, projects=(three, *sheet.projects[1:])))
    assert ws["C6"].value == "一行目\n二行目\n三行目"
    assert ws.row_dimensions[6].height >= 3 * 13


def test_page_setup_is_a4_landscape_on_one_page_like_the_pdf() -> None:
    ws = ward_sheet(SAMPLES["東区"])
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    fit = ws.sheet_properties.pageSetUpPr
    assert fit is not None and fit.fitToPage
    assert ws.page_setup.fitToWidth == 1
    assert ws.page_setup.fitToHeight == 1
    assert ws.print_title_rows is None  # one page: no headings repeated over 西区's notes
    assert ws.freeze_panes == "A6"
    assert ws.print_options.horizontalCentered
    assert ws.page_margins.left < 0.75  # narrower than Excel's default, for the wide table
    assert ws.oddFooter is not None
    left, center, right = (part.text or "" for part in (ws.oddFooter.left, ws.oddFooter.center, ws.oddFooter.right))
    footer = left + center + right
    assert "令和2年度" in footer and "東区" in footer
    # Written in 和暦: Excel's &D would print the PC's own format (「印刷日 11/30/2026」).
    assert re.search(r"作成日 令和\d+年\d+月\d+日", right) and "&D" not in footer
    assert str(ws.print_area).endswith(f"$A$1:$H${ws.max_row}")


def test_workbook_properties_and_deterministic_bytes() -> None:
    sheet = SAMPLES["北区"]
    wb = open_book(sheet)
    assert wb.properties.title == "令和2年度 北区まちづくりの取組"
    assert wb.properties.creator == APP_NAME
    assert wb.sheetnames == ["北区", DATA_SHEET]
    assert wb[DATA_SHEET].sheet_state == "veryHidden"
    assert render_xlsx(sheet) == render_xlsx(sheet)


def test_formula_like_text_is_written_as_text() -> None:
    sheet = small_sheet()
    tricky = replace(sheet.projects[0], name="=SUM(A1:A9)", description="+81 90", note="@メモ", no="-1", section="=1")
    ws = ward_sheet(replace(sheet, title="=令和2年度", vision="-未来", projects=(tricky, *sheet.projects[1:])))
    for coordinate, expected in (
        ("A1", "=令和2年度"),
        ("A2", "-未来"),
        ("A7", "-1"),
        ("B7", "=SUM(A1:A9)"),
        ("C7", "+81 90"),
        ("H7", "中止 @メモ"),
    ):
        assert ws[coordinate].data_type == "s", coordinate
        assert ws[coordinate].value == expected


_FORMULA_STARTS = st.sampled_from(["=", "+", "-", "@"])
# What openpyxl returns unchanged: no characters that XML needs escaped as _xHHHH_.
_plain_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), max_size=30)


@given(start=_FORMULA_STARTS, name=_plain_text, note=_plain_text)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_name_or_note_is_a_string_cell_with_the_same_text(start: str, name: str, note: str) -> None:
    sheet = small_sheet()
    tricky = replace(sheet.projects[2], name=start + name, note=start + note, status=Status.IMPLEMENTED)
    ws = ward_sheet(replace(sheet, projects=(*sheet.projects[:2], tricky, sheet.projects[3])))
    name_cell, remarks_cell = ws["B12"], ws["H12"]
    assert name_cell.data_type == "s" and remarks_cell.data_type == "s"
    assert decode_cell_text(name_cell.value) == start + name
    assert decode_cell_text(remarks_cell.value) == start + note
    if "_x" not in name:
        assert name_cell.value == start + name


@given(text)
@settings(max_examples=200)
def test_cell_text_escaping_round_trips_any_text(value: str) -> None:
    encoded = encode_cell_text(value)
    assert decode_cell_text(encoded) == value
    assert not any(ord(char) < 32 and char not in "\t\n" for char in encoded)


def test_control_characters_and_escape_lookalikes_survive_the_file() -> None:
    sheet = small_sheet()
    odd = replace(sheet.projects[2], name="改行\r\nと\x01制御文字 _x0041_ a_b", description="\uffff")
    again = read_xlsx(render_xlsx(replace(sheet, projects=(*sheet.projects[:2], odd, sheet.projects[3]))), "x.xlsx")
    assert again[0].projects[2].name == odd.name
    assert again[0].projects[2].description == "\uffff"


def test_text_too_long_for_a_cell_is_refused_clearly() -> None:
    sheet = small_sheet()
    huge = replace(sheet.projects[2], description="あ" * 40_000)
    with pytest.raises(ExchangeError, match=r"東区!C12の文字が長すぎて"):
        render_xlsx(replace(sheet, projects=(*sheet.projects[:2], huge, sheet.projects[3])))


def test_unlisted_and_empty_categories_still_get_a_table_heading() -> None:
    sheet = replace(small_sheet(), categories=(Category(FUKKO, 10000), Category(MACHI, 17000)))
    ws = ward_sheet(sheet)
    assert ws["A4"].value == "【東区復興支援自治推進経費】"  # the sheet's category order


def test_a_large_sheet_exports_quickly() -> None:
    # The goal is 0.5 s (benchmarks/bench_xlsx.py); this only catches a gross regression.
    import time

    sheet = synthetic_sheet("東区", 2020, projects=200)
    render_xlsx(sheet)
    started = time.perf_counter()
    render_xlsx(sheet)
    assert time.perf_counter() - started < 2.0


def test_listing_sheets_does_not_import_openpyxl(tmp_path: Any) -> None:
    code = (
        "import sys\n"
        "from desktop_app import operations\n"
        f"ws = operations.open_workspace(__import__('pathlib').Path({str(tmp_path / 'db.sqlite3')!r}))\n"
        "operations.list_sheets_summary(ws)\n"
        "operations.render_sheet(operations.sample_sheets()[0], 'json')\n"
        "assert 'openpyxl' not in sys.modules, 'openpyxl imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
