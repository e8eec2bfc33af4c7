"""The consolidation checks each ward beside its row, and compares the years the database holds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.chart import LineChart
from openpyxl.worksheet.worksheet import Worksheet

from desktop_app import operations
from desktop_app.domain import Category, Sheet, new_sheet
from desktop_app.exchange.consolidation import COMPARISON_TITLE, SUMMARY_TITLE
from desktop_app.exchange.json_format import dump_sheet
from desktop_app.exchange.xlsx_export import render_xlsx
from desktop_app.exchange.xlsx_import import read_xlsx
from desktop_app.storage import replace_sheets
from tests.desk.helpers import edited, write
from tests.factories import open_year, project, run_cli


def sample(ward: str) -> Sheet:
    return open_year(next(sheet for sheet in operations.sample_sheets() if sheet.ward == ward))


def over_allocated_kita() -> Sheet:
    # №1 北区笑顔交流プロジェクト 3,100 → 4,600: the まちづくり 当初予算 計 becomes 18,500 over 17,000.
    return edited(sample("北区"), lambda data: data["projects"][0]["amounts"].__setitem__(0, 4600))


def summary(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    ws = openpyxl.load_workbook(path)[SUMMARY_TITLE]
    rows = list(ws.iter_rows(values_only=True))
    header_index = next(i for i, row in enumerate(rows) if row[0] == "区")
    header = [str(value) for value in rows[header_index]]
    return {
        (row[0], row[1]): dict(zip(header, row, strict=False))
        for row in rows[header_index + 1 :]
        if isinstance(row[0], str) and isinstance(row[1], str)
    }


def test_an_over_allocation_is_flagged_beside_the_wards_row_and_on_stderr(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    kita = write(tmp_path / "kita.json", dump_sheet(over_allocated_kita()).encode("utf-8"))
    assert run_cli(capsys, "--db", str(db_path), "import", str(kita))[0] == 0
    target = tmp_path / "集計.xlsx"
    code, _, err = run_cli(capsys, "--db", str(db_path), "consolidate", "--year", "2020", "-o", str(target))
    assert code == 0, err
    message = "まちづくり推進経費の当初予算 計 18,500千円が配分額 17,000千円を1,500千円超えています。"
    assert f"注意: 北区: {message}" in err.splitlines()
    rows = summary(target)
    assert rows[("北区", "まちづくり推進経費")]["当初予算"] == 18500
    assert message in rows[("北区", "まちづくり推進経費")]["確認"]
    # The settlement above the budget is a project of the same category: on that row too.
    assert (
        "⑥「「北区の魅力」発信事業！」の決算額 867千円が2月補正後 649千円を超えています。"
        in (rows[("北区", "まちづくり推進経費")]["確認"])
    )
    assert not rows[("北区", "復興支援自治推進経費")]["確認"]
    assert not rows[("中央区", "まちづくり推進経費")]["確認"]
    assert "配分額" not in (rows[("東区", "まちづくり推進経費")]["確認"] or "")


def test_stages_not_entered_unequal_sub_items_and_a_missing_ward(
    workspace: operations.Workspace, tmp_path: Path
) -> None:
    early = new_sheet("東区", 2024, categories=[Category("まちづくり推進経費", 19000)])
    early = replace(early, projects=(project("1", "見守り", (19000, None, None, None)),))
    replace_sheets(workspace.db, [early], source="test")
    result = operations.consolidate(workspace, 2024, tmp_path / "R6.xlsx")
    assert "東区: 9月補正後・2月補正後・決算額がまだ入力されていません。" in result.problems
    assert "中央区のシートがありません。" in result.problems
    rows = summary(result.path)
    assert rows[("東区", "計")]["確認"] == "・9月補正後・2月補正後・決算額がまだ入力されていません。"


def test_the_city_total_counts_the_common_line_where_it_has_a_sheet(
    workspace: operations.Workspace, tmp_path: Path
) -> None:
    # Seed 002, FY2024: まちづくり推進経費 各区19百万円, 共通5百万円, 計1億円.
    sheets = []
    for ward in ("中央区", "東区", "西区", "南区", "北区", "5区共通"):
        allocation = 5000 if ward == "5区共通" else 19000
        sheet = new_sheet(ward, 2024, categories=[Category("まちづくり推進経費", allocation)])
        sheets.append(replace(sheet, projects=(project("1", "事業", (allocation, None, None, None)),)))
    replace_sheets(workspace.db, sheets, source="test")
    result = operations.consolidate(workspace, "R6", tmp_path / "R6.xlsx")
    rows = summary(result.path)
    assert rows[("5区共通", "まちづくり推進経費")]["配分額"] == 5000
    assert rows[("全区", "合計")]["当初予算"] == 100000
    assert rows[("全区", "合計")]["配分額"] == 100000
    assert not any("5区共通のシートがありません" in p for p in result.problems)


def test_the_year_on_year_sheet_has_every_year_up_to_the_chosen_one_and_its_chart(
    workspace: operations.Workspace, tmp_path: Path
) -> None:
    def year(sheet: Sheet, fiscal_year: int, settled: int) -> Sheet:
        def change(data: dict[str, Any]) -> None:
            data["fiscal_year"] = fiscal_year
            data["projects"][0]["amounts"] = [267, 267, 267, settled]

        return edited(sheet, change)

    replace_sheets(
        workspace.db,
        [year(sample("東区"), 2019, 200), year(sample("北区"), 2019, 0), year(sample("東区"), 2021, 100)],
        source="test",
    )
    result = operations.consolidate(workspace, 2020, tmp_path / "R2.xlsx")
    wb = openpyxl.load_workbook(result.path)
    ws = wb[COMPARISON_TITLE]
    texts = [cell.value for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert "令和元年度（2019）" in texts and "令和2年度（2020）" in texts
    assert not any("令和3年度" in text for text in texts)  # after the chosen year: left out
    rows = {(r[0], r[1]): r for r in ws.iter_rows(values_only=True) if r[0] and r[1]}
    # Per year: 当初予算, 決算額, 執行率. 東区 2019 has 200 settled on №1 instead of 0.
    higashi = rows[("東区", "まちづくり推進経費")]
    assert list(higashi[2:5]) == [17000, 5948, pytest.approx(5948 / 6267)]
    assert list(higashi[5:8]) == [17000, 5748, pytest.approx(5748 / 6000)]
    assert rows[("中央区", "計")][2:5] == ("―", "―", "―")  # no FY2019 sheet for 中央区
    assert isinstance(ws, Worksheet)
    charts = ws._charts  # type: ignore[attr-defined]  # openpyxl keeps a loaded sheet's charts only here
    assert len(charts) == 1 and isinstance(charts[0], LineChart)
    assert len(charts[0].series) == 6  # the five wards and the city
    # The extra sheet does not stop the consolidated file from being imported back.
    assert [sheet.ward for sheet in read_xlsx(result.path.read_bytes(), result.path.name)] == [
        "中央区",
        "東区",
        "西区",
        "南区",
        "北区",
    ]


def test_from_files_the_comparison_takes_the_files_year_and_the_databases_earlier_years(
    workspace: operations.Workspace, tmp_path: Path
) -> None:
    earlier = edited(sample("西区"), lambda data: data.update(fiscal_year=2019))
    replace_sheets(workspace.db, [earlier], source="test")
    inbox = tmp_path / "inbox"
    write(inbox / "kita.xlsx", render_xlsx(over_allocated_kita()))
    plan = operations.plan_consolidation(workspace, 2020, from_files=inbox)
    assert plan.comparison.years == (2019, 2020)
    kita = next(row for row in plan.comparison.rows if row.ward == "北区" and row.category == "まちづくり推進経費")
    assert kita.by_year[2020].initial == 18500  # the file's figure, not the database's
    assert [row.ward for row in plan.comparison.rows if row.category == "計"] == ["西区", "北区"]


def test_the_years_totals_query_gives_the_same_comparison_as_the_whole_sheets(
    workspace: operations.Workspace,
) -> None:
    from desktop_app.domain.year_comparison import compare_years
    from desktop_app.storage import list_sheets, load_sheet
    from desktop_app.storage.year_totals import category_total_sheets

    # 南区's sub-items must not count twice; a category without amounts stays ―.
    earlier = edited(sample("南区"), lambda data: data.update(fiscal_year=2019))
    empty = new_sheet("西区", 2019, categories=[Category("まちづくり推進経費", 17000), Category("その他", None)])
    replace_sheets(workspace.db, [earlier, empty], source="test")
    whole = [load_sheet(workspace.db, s.ward, s.fiscal_year) for s in list_sheets(workspace.db)]
    reduced = category_total_sheets(workspace.db, before_year=2021)
    assert compare_years(reduced, 2020) == compare_years(whole, 2020)
    assert [s.fiscal_year for s in category_total_sheets(workspace.db, before_year=2020)] == [2019, 2019]
