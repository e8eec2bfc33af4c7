"""Importing an exported workbook: exact round trips, a person's edits win, clear refusals."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings

from benchmarks.synthetic import synthetic_sheet
from desktop_app import operations
from desktop_app.domain import Category, Group, Sheet, Stage, Status
from desktop_app.exchange.errors import ImportFileError
from desktop_app.exchange.xlsx_export import DATA_SHEET, render_xlsx
from desktop_app.exchange.xlsx_import import NOT_OUR_LAYOUT, read_xlsx
from desktop_app.storage import load_sheet
from tests.factories import FUKKO, MACHI, plain, small_sheet
from tests.strategies import sheets

# The samples in today's default layout, with the contract's titles: these tests read cells by
# address. Each ward's own layout is tested in tests/exchange/test_ward_layouts.py.
SAMPLES = {sheet.ward: plain(sheet) for sheet in operations.sample_sheets()}
WARDS_OWN = {sheet.ward: sheet for sheet in operations.sample_sheets()}
FILE = "R02_東区.xlsx"


def edited(sheet: Sheet, edit: Callable[[Any], None]) -> bytes:
    """The export of `sheet` after a person changed it (simulated with openpyxl) and saved."""
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(sheet)))
    edit(wb[sheet.ward])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def refusal(raw: bytes, file_name: str = FILE) -> str:
    with pytest.raises(ImportFileError) as caught:
        read_xlsx(raw, file_name)
    return str(caught.value)


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("ward", sorted(SAMPLES))
def test_every_sample_sheet_comes_back_unchanged(ward: str) -> None:
    for sheet in (SAMPLES[ward], WARDS_OWN[ward]):
        assert read_xlsx(render_xlsx(sheet), f"{ward}.xlsx") == [sheet]


def test_small_sheet_with_groups_sub_items_and_two_categories_comes_back_unchanged() -> None:
    sheet = small_sheet()
    assert read_xlsx(render_xlsx(sheet), FILE) == [sheet]


def test_hidden_details_come_back_allocations_locks_sections_notes() -> None:
    sheet = small_sheet()
    first = replace(sheet.projects[0], section="東部まちセン", notes_heading="１－①", status=Status.CANCELLED)
    planned = replace(sheet.projects[2], status=Status.PLANNED)
    sheet = replace(
        sheet,
        stages=(Stage("当初予算", locked=True), *sheet.stages[1:]),
        categories=(*sheet.categories, Category("未使用の区分", 500)),
        groups=(*sheet.groups, Group("使っていないグループ", "説明")),
        projects=(first, sheet.projects[1], planned, sheet.projects[3]),
    )
    assert read_xlsx(render_xlsx(sheet), FILE) == [sheet]


def test_a_large_synthetic_sheet_comes_back_unchanged() -> None:
    sheet = synthetic_sheet("南区", 2020, projects=200)
    assert read_xlsx(render_xlsx(sheet), FILE) == [sheet]


@given(sheet=sheets())
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_sheet_comes_back_unchanged(sheet: Sheet) -> None:
    assert read_xlsx(render_xlsx(sheet), "x.xlsx") == [sheet]


def test_import_through_operations_into_the_database(empty_workspace: operations.Workspace, tmp_path: Path) -> None:
    path = tmp_path / FILE
    operations.export_sheet(SAMPLES["東区"], "xlsx", path)
    outcomes = operations.import_files(empty_workspace, [path])
    assert [outcome.sheet.ward for outcome in outcomes] == ["東区"]
    assert load_sheet(empty_workspace.db, "東区", 2020) == SAMPLES["東区"]


# ---------------------------------------------------------------- a person's edits win


def test_an_edited_figure_is_imported() -> None:
    raw = edited(SAMPLES["東区"], lambda ws: ws.__setitem__("G7", 1500))
    sheet = read_xlsx(raw, FILE)[0]
    assert sheet.projects[1].name == "東区地域コミュニティづくり支援補助金"
    assert sheet.projects[1].amounts == (2200, 1700, 1640, 1500)
    assert sheet.projects[0] == SAMPLES["東区"].projects[0]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [(1500.0, 1500), ("1,500", 1500), ("１，５００", 1500), ("1500千円", 1500), ("―", None), ("", None), (None, None)],
)
def test_figures_as_people_type_them(typed: object, expected: int | None) -> None:
    raw = edited(SAMPLES["東区"], lambda ws: ws.__setitem__("D7", typed))
    assert read_xlsx(raw, FILE)[0].projects[1].amounts[0] == expected


def test_edited_texts_status_and_new_mark_are_imported() -> None:
    def edit(ws: Any) -> None:
        ws["B7"] = "【新規】東区地域コミュニティ補助金"
        ws["C7"] = "新しい説明"
        ws["H7"] = "縮小 規模を縮小して実施"
        ws["H6"] = ""  # 中止 taken back: it went ahead after all
        ws["A7"] = "2-1"

    sheet = read_xlsx(edited(SAMPLES["東区"], edit), FILE)[0]
    changed = sheet.projects[1]
    assert (changed.no, changed.name, changed.new, changed.description) == (
        "2-1",
        "東区地域コミュニティ補助金",
        True,
        "新しい説明",
    )
    assert (changed.status, changed.note) == (Status.REDUCED, "規模を縮小して実施")
    # No mark means 予定 or 実施: with a 決算額 of 0 it was carried out.
    assert sheet.projects[0].status is Status.IMPLEMENTED


def test_renamed_group_and_category_keep_their_hidden_details() -> None:
    def edit(ws: Any) -> None:
        ws["A6"] = "負担を軽くする"
        ws["A4"] = "【東区まちづくり経費】"

    sheet = read_xlsx(edited(small_sheet(), edit), FILE)[0]
    assert sheet.groups[0] == Group("負担を軽くする", "気軽に参加できる地域活動")
    assert sheet.projects[0].group == "負担を軽くする"
    assert sheet.categories[0] == Category("まちづくり経費", 17000)
    assert {p.category for p in sheet.projects[:3]} == {"まちづくり経費"}


def test_a_row_a_person_inserted_becomes_a_new_project_in_its_place() -> None:
    def edit(ws: Any) -> None:
        total = next(row for row in range(1, ws.max_row + 1) if ws.cell(row=row, column=1).value == "合計")
        for merged in [r for r in ws.merged_cells.ranges if r.min_row >= total]:
            ws.unmerge_cells(str(merged))
        ws.insert_rows(total)
        for column, value in enumerate(["4", "追加した事業", "説明", 100, "―", "―", "―", ""], start=1):
            ws.cell(row=total, column=column, value=value)

    sheet = read_xlsx(edited(small_sheet(), edit), FILE)[0]
    added = sheet.projects[3]
    assert (added.no, added.name, added.category, added.group) == ("4", "追加した事業", MACHI, "その他")
    assert added.amounts == (100, None, None, None)
    assert added.status is Status.PLANNED
    assert sheet.projects[4].category == FUKKO


def test_a_deleted_row_is_gone() -> None:
    sheet = read_xlsx(edited(small_sheet(), lambda ws: ws.delete_rows(12)), FILE)[0]
    assert [p.name for p in sheet.projects] == [
        "地域活動理解促進事業",
        "地域力活性化・強化支援事業",
        "地域防災力強化経費",
    ]


def test_totals_are_never_read_even_when_a_person_typed_over_them() -> None:
    raw = edited(small_sheet(), lambda ws: ws.__setitem__("D13", 999999))
    assert read_xlsx(raw, FILE) == [small_sheet()]


def test_without_the_hidden_sheet_the_visible_cells_are_enough() -> None:
    def edit(ws: Any) -> None:
        del ws.parent[DATA_SHEET]

    sheet = read_xlsx(edited(SAMPLES["東区"], edit), FILE)[0]
    original = SAMPLES["東区"]
    assert (sheet.ward, sheet.fiscal_year, sheet.title) == ("東区", 2020, original.title)
    assert [p.name for p in sheet.projects] == [p.name for p in original.projects]
    assert [p.amounts for p in sheet.projects] == [p.amounts for p in original.projects]
    for imported, before in zip(sheet.projects, original.projects, strict=True):
        if before.status in (Status.PLANNED, Status.IMPLEMENTED):
            # Neither prints a mark: a project with a 決算額 was carried out, one without is 予定.
            expected = Status.PLANNED if before.amounts[-1] is None else Status.IMPLEMENTED
            assert imported.status is expected
        else:
            assert imported.status is before.status
    assert [c.name for c in sheet.categories] == [c.name for c in original.categories]


def test_a_renamed_worksheet_still_finds_its_hidden_record() -> None:
    def edit(ws: Any) -> None:
        ws.title = "提出用"

    assert read_xlsx(edited(small_sheet(), edit), FILE) == [small_sheet()]


def test_a_retitled_year_is_read_from_the_title() -> None:
    raw = edited(small_sheet(), lambda ws: ws.__setitem__("A1", "令和３年度 東区まちづくりの取組"))
    sheet = read_xlsx(raw, FILE)[0]
    assert (sheet.fiscal_year, sheet.title) == (2021, "令和３年度 東区まちづくりの取組")


# ---------------------------------------------------------------- errors name the cell


def test_an_impossible_year_in_the_title_names_the_title_cell() -> None:
    raw = edited(small_sheet(), lambda ws: ws.__setitem__("A1", "令和0年度 東区まちづくりの取組"))
    assert refusal(raw) == "R02_東区.xlsx: 東区!A1: 「令和0」は年度として読めません（例: 2020、令和2年度、R2）。"


def test_text_in_an_amount_cell_names_the_sheet_and_cell() -> None:
    message = refusal(edited(SAMPLES["東区"], lambda ws: ws.__setitem__("F12", "abc")))
    assert message == "R02_東区.xlsx: 東区!F12: 「abc」は金額として読めません（数字で入力してください）。"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [(-5, "マイナス"), (1.5, "小数"), ("#REF!", "金額として読めません"), ("5000円", "円単位")],
)
def test_unreadable_figures_are_refused_with_the_reason(typed: object, reason: str) -> None:
    message = refusal(edited(SAMPLES["東区"], lambda ws: ws.__setitem__("E8", typed)))
    assert message.startswith("R02_東区.xlsx: 東区!E8: ")
    assert reason in message


def test_a_formula_without_a_saved_result_is_refused() -> None:
    message = refusal(edited(SAMPLES["東区"], lambda ws: ws.__setitem__("D6", "=100+200")))
    assert "東区!D6: 数式の計算結果がファイルに保存されていません" in message


def test_a_parent_is_the_sum_of_its_sub_items_so_a_sub_item_edit_gives_a_right_parent() -> None:
    sheet = small_sheet()
    ws = openpyxl.load_workbook(io.BytesIO(render_xlsx(sheet)))[sheet.ward]
    assert ws["D8"].value == '=IF(COUNT(D9:D10)=0,"―",SUM(D9:D10))'
    (read,) = read_xlsx(edited(sheet, lambda ws: ws.__setitem__("D9", 500)), FILE)
    parent = next(project for project in read.projects if project.children)
    assert parent.children[0].amounts[0] == 500
    other = parent.children[1].amounts[0]
    assert other is not None
    assert parent.amounts[0] == 500 + other


def test_a_parent_typed_over_with_a_wrong_sum_names_the_parents_cell() -> None:
    message = refusal(edited(small_sheet(), lambda ws: ws.__setitem__("D8", 700)))
    assert "東区!D8: №2「地域力活性化・強化支援事業」の当初予算 700が内訳の合計 601と一致しません" in message


def test_an_emptied_name_is_refused() -> None:
    assert "東区!B7: 事業名が空です" in refusal(edited(small_sheet(), lambda ws: ws.__setitem__("B7", None)))


def test_an_indented_row_without_a_parent_is_refused() -> None:
    def edit(ws: Any) -> None:
        ws["B7"].alignment = openpyxl.styles.Alignment(indent=2)

    assert "東区!B7: 内訳の行" in refusal(edited(small_sheet(), edit))


def test_a_row_under_the_total_is_refused() -> None:
    message = refusal(edited(small_sheet(), lambda ws: ws.__setitem__("B14", "合計の下の事業")))
    assert "東区!A14: 合計の行より下に行があります" in message


# ---------------------------------------------------------------- files that are not ours


def test_not_a_zip_is_refused() -> None:
    assert refusal(b"just some text") == (
        "R02_東区.xlsx: Excelファイル（.xlsx）ではないか、壊れています（ZIP形式として読めません）。"
    )


def test_an_old_xls_or_password_protected_file_is_refused() -> None:
    assert "古い形式のExcelファイル（.xls）" in refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))


def test_a_zip_that_is_not_a_workbook_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refusal(buffer.getvalue()) == "R02_東区.xlsx: ZIPファイルですが、Excelのブック（.xlsx）ではありません。"


def test_a_truncated_workbook_is_refused() -> None:
    raw = render_xlsx(small_sheet())
    message = refusal(raw[: len(raw) // 2])
    assert message.startswith("R02_東区.xlsx: ")
    assert "読めません" in message


def test_a_workbook_with_a_damaged_part_is_refused() -> None:
    source = zipfile.ZipFile(io.BytesIO(render_xlsx(small_sheet())))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            data = source.read(item)
            archive.writestr(item, b"<broken" if item.filename.endswith("sheet1.xml") else data)
    assert (
        refusal(buffer.getvalue())
        == "R02_東区.xlsx: Excelファイルが壊れていて読めません（xl/worksheets/sheet1.xmlがXMLとして読めません）。"
    )


def test_a_foreign_workbook_is_refused() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "東区"
    ws.append(["年度", "区", "金額"])
    ws.append([2020, "東区", 1000])
    ws.append(["=A2+1", "=B2", "=SUM(C2:C2)"])  # formulas with no saved result are no reason to fail
    buffer = io.BytesIO()
    wb.save(buffer)
    assert refusal(buffer.getvalue()) == f"R02_東区.xlsx: {NOT_OUR_LAYOUT}。"


def test_a_damaged_hidden_record_is_refused() -> None:
    def edit(ws: Any) -> None:
        ws.parent[DATA_SHEET]["B2"] = "{not json"

    message = refusal(edited(small_sheet(), edit))
    assert f"非表示の管理用シート（{DATA_SHEET}）が壊れています" in message


def test_a_header_without_remarks_column_is_refused() -> None:
    def edit(ws: Any) -> None:
        ws["H5"] = "メモ"

    assert "東区!H5: 見出しの行に「備考」の列がありません" in refusal(edited(small_sheet(), edit))


def test_a_column_added_to_the_layout_is_not_read_as_a_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.domain import layout

    wider = (*layout.CITY_COLUMNS[:-1], layout.Column.STATUS, layout.CITY_COLUMNS[-1])
    monkeypatch.setattr(layout, "CITY_COLUMNS", wider)
    sheet = small_sheet()
    ws = openpyxl.load_workbook(io.BytesIO(render_xlsx(sheet)))[sheet.ward]
    assert [ws.cell(row=5, column=c).value for c in range(8, 10)] == ["状況", "備考"]
    (read,) = read_xlsx(render_xlsx(sheet), FILE)
    assert read.stage_names == sheet.stage_names
    assert read == sheet


def test_a_consolidated_workbook_gives_every_ward_back() -> None:
    from desktop_app.exchange.consolidation import build_consolidated_workbook

    sheets = sorted(SAMPLES.values(), key=lambda s: ["中央区", "東区", "西区", "南区", "北区"].index(s.ward))
    raw = build_consolidated_workbook(sheets, 2020, problems=[], progress=None)
    assert read_xlsx(raw, "集計.xlsx") == sheets


def test_a_sheet_of_another_ward_in_the_title_keeps_the_worksheets_ward() -> None:
    sheet = small_sheet(ward="北区")
    assert read_xlsx(render_xlsx(sheet), FILE)[0].ward == "北区"


def test_an_empty_workbook_part_is_never_a_traceback() -> None:
    for raw in (b"", b"PK\x03\x04", b"PK\x05\x06" + bytes(18)):
        assert refusal(raw).startswith("R02_東区.xlsx: ")
