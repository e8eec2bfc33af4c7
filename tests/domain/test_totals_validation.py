"""Totals per category and stage, 執行率, and the findings the city looks for."""

from __future__ import annotations

from dataclasses import replace

import pytest

from desktop_app.domain import (
    Severity,
    SheetStructureError,
    Status,
    check_structure,
    format_rate,
    next_year_sheet,
    sheet_totals,
    validate,
)
from tests.factories import FUKKO, MACHI, project, small_sheet


def test_category_totals_skip_subitems_and_dashes() -> None:
    totals = sheet_totals(small_sheet())
    machi = totals.for_category(MACHI)
    assert machi is not None
    assert machi.amounts == (868, 376, 376, 129)
    assert machi.allocation == 17000
    assert machi.remaining == 17000 - 868
    assert totals.amounts == (868 + 1380, 376 + 2004, 376 + 2004, 129 + 1857)


def test_execution_rate_is_settlement_over_last_budget_stage() -> None:
    totals = sheet_totals(small_sheet())
    fukko = totals.for_category(FUKKO)
    assert fukko is not None
    assert fukko.execution_rate == pytest.approx(1857 / 2004)
    assert format_rate(fukko.execution_rate) == "92.7%"
    assert format_rate(None) == "―"


def test_a_column_of_dashes_totals_to_dash_not_zero() -> None:
    sheet = small_sheet()
    only_dash = replace(sheet, projects=(sheet.projects[2],))
    assert sheet_totals(only_dash).for_category(MACHI).amounts == (None, None, None, None)  # type: ignore[union-attr]


def test_a_clean_sheet_has_no_findings() -> None:
    assert validate(small_sheet()) == []


def test_initial_budget_over_allocation_is_reported() -> None:
    sheet = small_sheet()
    big = project("9", "大型事業", (17000, None, None, None))
    findings = validate(replace(sheet, projects=(*sheet.projects, big)))
    assert len(findings) == 1
    assert findings[0].severity is Severity.ERROR
    assert "配分額 17,000千円" in findings[0].message
    assert "868千円超えています" in findings[0].message


def test_settlement_above_budget_names_the_project_and_stage() -> None:
    sheet = small_sheet()
    over = project("4", "あさひばリビング", (420, 348, 348, 698))
    findings = validate(replace(sheet, projects=(*sheet.projects, over)))
    assert [f.project_path for f in findings] == [(4, None)]
    assert "№4「あさひばリビング」の決算額 698千円が2月補正後 348千円を超えています" in findings[0].message


def test_parent_not_equal_to_children_is_a_finding_and_a_structure_error() -> None:
    sheet = small_sheet()
    broken_parent = replace(sheet.projects[1], amounts=(600, 376, 376, 129))
    broken = replace(sheet, projects=(sheet.projects[0], broken_parent, *sheet.projects[2:]))
    findings = validate(broken)
    assert len(findings) == 1 and "内訳の合計 601千円と一致しません" in findings[0].message
    with pytest.raises(SheetStructureError, match="内訳の合計601"):
        check_structure(broken)


def test_structure_refuses_unknown_category_and_wrong_width() -> None:
    sheet = small_sheet()
    with pytest.raises(SheetStructureError, match="経費区分"):
        check_structure(replace(sheet, projects=(project("1", "x", (1, 2, 3, 4), category="不明"),)))
    with pytest.raises(SheetStructureError, match="段階の数4"):
        check_structure(replace(sheet, projects=(project("1", "x", (1, 2, 3)),)))


def test_next_year_copies_projects_with_empty_amounts_and_planned_status() -> None:
    following = next_year_sheet(small_sheet())
    assert following.fiscal_year == 2021
    assert following.title == "令和3年度 東区まちづくりの取組"
    assert [p.name for p in following.projects] == [p.name for p in small_sheet().projects]
    assert all(a is None for p in following.all_projects() for a in p.amounts)
    assert {p.status for p in following.all_projects()} == {Status.PLANNED}
    assert following.projects[1].children[0].district == "幸田"
    assert not any(p.new for p in following.all_projects())


def test_a_cancelled_project_with_a_settlement_is_asked_about_not_called_wrong() -> None:
    # 西区 printed №7 中止 with a 決算額 of 2,500千円: the 負担金 was paid before the event was called off.
    from desktop_app import operations

    nishi = next(sheet for sheet in operations.sample_sheets() if sheet.ward == "西区")
    found = [f for f in validate(nishi) if "中止ですが" in f.message]
    assert [(f.severity, f.message.split("は中止")[0]) for f in found] == [
        (Severity.WARNING, "№7「西区にぎわいづくり推進経費」")
    ]
    assert not [f for f in validate(nishi) if f.severity is Severity.ERROR]
