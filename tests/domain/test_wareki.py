"""和暦: every fiscal year a person reads is shown in the Japanese era."""

from __future__ import annotations

import pytest

from desktop_app.domain import FiscalYearError, parse_fiscal_year, wareki_short, wareki_year
from desktop_app.domain.wareki import find_fiscal_year


@pytest.mark.parametrize(
    ("year", "label", "short"),
    [
        (2020, "令和2年度", "R02"),
        (2019, "令和元年度", "R01"),
        (2018, "平成30年度", "H30"),
        (1989, "平成元年度", "H01"),
        (1988, "昭和63年度", "S63"),
        (2024, "令和6年度", "R06"),
    ],
)
def test_era_labels(year: int, label: str, short: str) -> None:
    assert wareki_year(year) == label
    assert wareki_short(year) == short
    assert parse_fiscal_year(label) == year


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2020", 2020),
        ("R2", 2020),
        ("r2", 2020),
        ("令和２年度", 2020),
        ("H30", 2018),
        ("２０２０年度", 2020),
        (2020, 2020),
    ],
)
def test_reads_what_people_write(text: str | int, year: int) -> None:
    assert parse_fiscal_year(text) == year


@pytest.mark.parametrize("text", ["", "令和", "R", "abc", "1800", "3000年度"])
def test_refuses_unreadable_years(text: str) -> None:
    with pytest.raises(FiscalYearError):
        parse_fiscal_year(text)


def test_finds_the_year_in_a_title() -> None:
    assert find_fiscal_year("令和２年度 東区まちづくりの取組") == 2020
    assert find_fiscal_year("令和元年度 西区") == 2019
    assert find_fiscal_year("東区まちづくりの取組") is None
