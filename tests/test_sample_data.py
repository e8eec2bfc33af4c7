"""The bundled FY2020 sheets reproduce the totals the city published, ward by ward."""

from __future__ import annotations

import unicodedata

import pytest

from desktop_app import operations
from desktop_app.domain import Sheet, check_structure, sheet_totals
from desktop_app.paths import data_path

MACHI, FUKKO = "まちづくり推進経費", "復興支援自治推進経費"

# (当初予算, 9月補正後, 2月補正後, 決算額) in 千円, as printed in the 合計 / 計 rows of seed 001.
PUBLISHED = {
    "中央区": {MACHI: (17000, 8600, 8600, 7088), FUKKO: (10000, 10000, 7256, 6422)},
    "東区": {MACHI: (17000, 6000, 6000, 5748), FUKKO: (10000, 10000, 8300, 8069)},
    "西区": {MACHI: (17000, 7500, 6634, 6441), FUKKO: (10000, 10000, 9400, 9051)},
    "南区": {MACHI: (17000, 9127, 9127, 6203), FUKKO: (10000, 10000, 7313, 5662)},
    "北区": {MACHI: (17000, 8137, 6419, 5209), FUKKO: (10000, 10000, 8741, 7643)},
}


@pytest.fixture(scope="module")
def samples() -> dict[str, Sheet]:
    return {sheet.ward: sheet for sheet in operations.sample_sheets()}


def test_all_five_wards_of_fy2020_are_bundled(samples: dict[str, Sheet]) -> None:
    assert sorted(samples) == sorted(PUBLISHED)
    assert {sheet.fiscal_year for sheet in samples.values()} == {2020}


@pytest.mark.parametrize("ward", list(PUBLISHED))
def test_totals_equal_the_published_rows(samples: dict[str, Sheet], ward: str) -> None:
    totals = sheet_totals(samples[ward])
    for category, expected in PUBLISHED[ward].items():
        found = totals.for_category(category)
        assert found is not None, category
        assert found.amounts == expected, f"{ward} {category}"
        assert found.allocation == expected[0]


@pytest.mark.parametrize("ward", list(PUBLISHED))
def test_every_project_is_complete(samples: dict[str, Sheet], ward: str) -> None:
    sheet = samples[ward]
    check_structure(sheet)  # sub-items sum to their parents, categories and groups are known
    # Titles as the ward wrote them: 令和２年度 with a full-width figure in some.
    assert unicodedata.normalize("NFKC", sheet.title).startswith("令和2年度") and ward in sheet.title
    assert sheet.vision
    for project in sheet.all_projects():
        assert project.name.strip() and "【新規】" not in project.name
        assert len(project.amounts) == 4


def test_documented_facts_of_the_source(samples: dict[str, Sheet]) -> None:
    minami = samples["南区"]
    parent = next(p for p in minami.projects if p.name == "地域力活性化・強化支援事業")
    assert parent.amounts == (2581, 2113, 2110, 1571)
    assert [c.district for c in parent.children][:2] == ["幸田", "幸田"]
    nishi = samples["西区"]
    notes = {p.notes_heading: p for p in nishi.projects if p.notes_heading}
    assert "延期" in notes["７－③"].note
    assert notes["５－②"].status.value == "partial"
    chuo = samples["中央区"]
    zero_budget = next(p for p in chuo.projects if p.name.startswith("空き店舗"))
    assert zero_budget.amounts == (None, None, None, None)  # ― is not 0


def test_the_choices_are_recorded_next_to_the_data() -> None:
    notes = data_path("resources", "sample", "NOTES.md").read_text(encoding="utf-8")
    for ward in PUBLISHED:
        assert f"## {ward}" in notes
