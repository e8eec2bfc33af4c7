"""The consolidated workbook the planning division gets: summary, chart, problems, ward sheets."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from desktop_app import operations
from desktop_app.domain import Sheet, Stage, ward_order
from desktop_app.exchange.consolidation import (
    COMPARISON_TITLE,
    SUMMARY_TITLE,
    build_consolidated_workbook,
    sheets_from_folder,
)
from desktop_app.exchange.errors import ExchangeError, ImportFileError
from desktop_app.exchange.xlsx_export import DATA_SHEET, render_xlsx
from tests.factories import small_sheet

SAMPLES = sorted(operations.sample_sheets(), key=lambda sheet: ward_order(sheet.ward))
WARD_NAMES = ["中央区", "東区", "西区", "南区", "北区"]


def consolidated(sheets: list[Sheet], problems: list[str] | None = None) -> Any:
    raw = build_consolidated_workbook(sheets, 2020, problems=problems or [], progress=None)
    return openpyxl.load_workbook(io.BytesIO(raw))


def summary_rows(wb: Any) -> dict[tuple[str, str], list[Any]]:
    """(区, 経費区分) -> the rest of that summary row."""
    rows: dict[tuple[str, str], list[Any]] = {}
    for row in wb[SUMMARY_TITLE].iter_rows(values_only=True):
        if isinstance(row[0], str) and isinstance(row[1], str) and row[2] is not None:
            rows.setdefault((row[0], row[1]), list(row[2:8]))
    return rows


def test_summary_first_then_each_ward_in_the_citys_order() -> None:
    wb = consolidated(list(reversed(SAMPLES)))
    assert wb.sheetnames == [SUMMARY_TITLE, *WARD_NAMES, DATA_SHEET]
    assert wb[DATA_SHEET].sheet_state == "veryHidden"
    assert wb[SUMMARY_TITLE]["A1"].value == "令和2年度 まちづくり推進経費 全区集計"
    assert wb.properties.title == "令和2年度 まちづくり推進経費 全区集計"
    # Each ward's sheet is the city's layout, totals as formulas.
    assert wb["東区"]["A1"].value == "令和２年度 東区まちづくりの取組"  # as 東区 writes it
    assert wb["東区"]["A5"].value == "【東区まちづくり推進経費】"  # under 東区's overview


def test_summary_has_each_wards_totals_allocation_and_execution_rate() -> None:
    wb = consolidated(SAMPLES)
    rows = summary_rows(wb)
    assert rows[("東区", "まちづくり推進経費")] == [17000, 6000, 6000, 5748, 17000, pytest.approx(5748 / 6000)]
    assert rows[("東区", "復興支援自治推進経費")] == [10000, 10000, 8300, 8069, 10000, pytest.approx(8069 / 8300)]
    assert rows[("北区", "まちづくり推進経費")][:4] == [17000, 8137, 6419, 5209]
    assert rows[("北区", "計")][:5] == [27000, 18137, 15160, 12852, 27000]
    header = next(r for r in wb[SUMMARY_TITLE].iter_rows(values_only=True) if r[0] == "区")
    assert list(header[:8]) == ["区", "経費区分", "当初予算", "9月補正後", "2月補正後", "決算額", "配分額", "執行率"]


def test_city_totals_per_category_and_overall() -> None:
    wb = consolidated(SAMPLES)
    rows = summary_rows(wb)
    per_ward = [rows[(ward, "まちづくり推進経費")] for ward in WARD_NAMES]
    city = rows[("全区", "まちづくり推進経費")]
    assert city[:5] == [sum(r[i] for r in per_ward) for i in range(5)]
    assert city[0] == 5 * 17000
    overall = rows[("全区", "合計")]
    assert overall[0] == 5 * 27000
    assert overall[5] == pytest.approx(overall[3] / overall[2])


def test_rates_are_percentages_and_amounts_have_separators() -> None:
    ws = consolidated(SAMPLES)[SUMMARY_TITLE]
    row = next(r for r in ws.iter_rows() if r[0].value == "東区" and r[1].value == "まちづくり推進経費")
    assert row[2].number_format == "#,##0"
    assert row[7].number_format == "0.0%"
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9


def test_a_missing_stage_shows_a_dash_not_zero() -> None:
    sheet = replace(
        small_sheet(),
        projects=tuple(replace(p, amounts=(*p.amounts[:3], None)) for p in small_sheet().projects if not p.children),
    )
    rows = summary_rows(consolidated([sheet]))
    assert rows[("東区", "まちづくり推進経費")][3] == "―"
    assert rows[("東区", "まちづくり推進経費")][5] == "―"  # no 執行率 without a 決算額


def test_a_bar_chart_of_each_wards_stages() -> None:
    ws = consolidated(SAMPLES)[SUMMARY_TITLE]
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    assert chart.tagname == "barChart"
    assert len(chart.series) == 4  # one series per stage
    data = [r for r in ws.iter_rows(values_only=True) if r[0] in WARD_NAMES and r[1] is None]
    assert [r[0] for r in data] == WARD_NAMES
    assert data[1][2:6] == (27000, 16000, 14300, 13817)  # 東区's overall totals


def test_problems_are_listed_on_the_summary() -> None:
    ws = consolidated(SAMPLES[:3], problems=["北区のファイルがありません"])[SUMMARY_TITLE]
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert "確認事項" in texts
    assert "・北区のファイルがありません" in texts


def test_sheets_of_another_year_are_left_out_and_said_so() -> None:
    other = small_sheet(ward="西区", fiscal_year=2019)
    wb = consolidated([SAMPLES[0], other])
    assert wb.sheetnames == [SUMMARY_TITLE, "中央区", DATA_SHEET]
    texts = [c.value for c in wb[SUMMARY_TITLE]["A"] if isinstance(c.value, str)]
    assert any("令和元年度 西区のシートは令和2年度ではないため除きました" in t for t in texts)


def test_different_stage_names_are_reported() -> None:
    renamed = replace(small_sheet(ward="北区"), stages=(Stage("予算額"), *small_sheet().stages[1:]))
    ws = consolidated([small_sheet(), renamed])[SUMMARY_TITLE]
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any(t.startswith("・北区の段階（予算額・") for t in texts)


def test_the_same_ward_twice_is_an_error() -> None:
    with pytest.raises(ExchangeError, match="東区のシートが2つあります"):
        build_consolidated_workbook([small_sheet(), small_sheet()], 2020, problems=[], progress=None)


def test_progress_is_reported_per_sheet() -> None:
    calls: list[tuple[int, int, str]] = []
    build_consolidated_workbook(SAMPLES, 2020, problems=[], progress=lambda *call: calls.append(call))
    assert calls == [(i, 5, ward) for i, ward in enumerate(WARD_NAMES, start=1)]


# ---------------------------------------------------------------- from a folder of emailed files


def write_exports(folder: Path, sheets: list[Sheet]) -> None:
    for sheet in sheets:
        (folder / f"R02_{sheet.ward}.xlsx").write_bytes(render_xlsx(sheet))


def test_a_folder_with_a_ward_missing(tmp_path: Path) -> None:
    write_exports(tmp_path, [s for s in SAMPLES if s.ward != "南区"])
    (tmp_path / "~$R02_東区.xlsx").write_bytes(b"lock file of an open workbook")
    (tmp_path / "メモ.txt").write_text("関係ないファイル")
    sheets, problems = sheets_from_folder(tmp_path, 2020)
    assert [s.ward for s in sheets] == ["中央区", "東区", "西区", "北区"]
    assert sheets == [s for s in SAMPLES if s.ward != "南区"]
    # Excel's lock file is passed over in silence; anything else is named.
    assert problems == [
        "メモ.txtはシートのファイル（.xlsx / .eml / .json）ではないため読み飛ばしました。",
        "南区のファイルがありません。",
    ]


def test_a_ward_in_two_files_is_an_error_naming_both(tmp_path: Path) -> None:
    write_exports(tmp_path, SAMPLES[:2])
    (tmp_path / "R02_東区_修正版.xlsx").write_bytes(render_xlsx(SAMPLES[1]))
    with pytest.raises(ImportFileError) as caught:
        sheets_from_folder(tmp_path, 2020)
    assert "「R02_東区.xlsx」と「R02_東区_修正版.xlsx」の両方にあります" in str(caught.value)


def test_a_file_of_another_year_is_skipped_and_reported(tmp_path: Path) -> None:
    write_exports(tmp_path, SAMPLES)
    (tmp_path / "R01_東区.xlsx").write_bytes(render_xlsx(small_sheet(fiscal_year=2019)))
    sheets, problems = sheets_from_folder(tmp_path, 2020)
    assert len(sheets) == 5
    assert problems == ["R01_東区.xlsxは令和元年度（東区）のファイルのため除きました（集計するのは令和2年度です）。"]


def test_an_unreadable_file_stops_with_its_own_message(tmp_path: Path) -> None:
    write_exports(tmp_path, SAMPLES[:1])
    (tmp_path / "壊れた.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(ImportFileError, match=r"^壊れた.xlsx: Excelファイル"):
        sheets_from_folder(tmp_path, 2020)


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="フォルダが見つかりません"):
        sheets_from_folder(tmp_path / "ない", 2020)


def test_consolidate_from_the_database(workspace: operations.Workspace, tmp_path: Path) -> None:
    result = operations.consolidate(workspace, "R2", tmp_path / "全区集計.xlsx")
    wb = openpyxl.load_workbook(result.path)
    assert wb.sheetnames[: len(WARD_NAMES) + 1] == [SUMMARY_TITLE, *WARD_NAMES]
    assert summary_rows(wb)[("東区", "まちづくり推進経費")][:4] == [17000, 6000, 6000, 5748]


def test_consolidate_from_a_folder_lists_the_missing_ward(workspace: operations.Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "届いたファイル"
    folder.mkdir()
    write_exports(folder, [s for s in SAMPLES if s.ward != "南区"])
    result = operations.consolidate(workspace, 2020, tmp_path / "集計.xlsx", from_files=folder)
    assert result.problems[0] == "南区のファイルがありません。"
    # Then each ward's checks, named by ward.
    assert all(problem.startswith(("東区: ", "西区: ", "北区: ", "中央区: ")) for problem in result.problems[1:])
    wb = openpyxl.load_workbook(result.path)
    assert wb.sheetnames == [SUMMARY_TITLE, "中央区", "東区", "西区", "北区", COMPARISON_TITLE, DATA_SHEET]
    texts = [c.value for c in wb[SUMMARY_TITLE]["A"] if isinstance(c.value, str)]
    assert "・南区のファイルがありません。" in texts
