"""Year on year: per ward and category, 当初予算, 決算額 and 執行率 of every year held."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from desktop_app.domain.model import Sheet, ward_order
from desktop_app.domain.money import sum_amounts
from desktop_app.domain.totals import sheet_totals

WARD_TOTAL = "計"
CITY = "全区"
CITY_TOTAL = "合計"


@dataclass(frozen=True)
class YearFigures:
    """One year's 当初予算, 決算額 and the last budget stage, and the 執行率 they give."""

    initial: int | None
    settled: int | None
    last_budget: int | None

    @property
    def rate(self) -> float | None:
        if self.settled is None or not self.last_budget:
            return None
        return self.settled / self.last_budget


@dataclass(frozen=True)
class ComparisonRow:
    ward: str
    category: str
    by_year: dict[int, YearFigures]

    @property
    def is_total(self) -> bool:
        return self.category in (WARD_TOTAL, CITY_TOTAL)


@dataclass(frozen=True)
class YearComparison:
    years: tuple[int, ...]
    rows: tuple[ComparisonRow, ...]

    def total_rows(self) -> list[ComparisonRow]:
        """Each ward's 計 and the city's 合計: the lines of the 執行率 chart."""
        return [row for row in self.rows if row.is_total]


def _figures(sheet: Sheet, amounts: Sequence[int | None]) -> YearFigures:
    budget, settlement = sheet.last_budget_index(), sheet.settlement_index()
    return YearFigures(
        initial=amounts[0] if amounts else None,
        settled=amounts[settlement] if settlement is not None else None,
        last_budget=amounts[budget] if budget is not None else None,
    )


def _summed(parts: Sequence[YearFigures]) -> YearFigures:
    # The city's rate counts only wards that have both a budget and a settlement, so a ward that
    # has not settled yet does not drag the rate down.
    settled_parts = [p for p in parts if p.settled is not None and p.last_budget]
    return YearFigures(
        initial=sum_amounts([p.initial for p in parts]),
        settled=sum_amounts([p.settled for p in settled_parts]) if settled_parts else None,
        last_budget=sum_amounts([p.last_budget for p in settled_parts]) if settled_parts else None,
    )


def compare_years(sheets: Sequence[Sheet], up_to: int) -> YearComparison:
    """Every year of `sheets` up to `up_to` (later ones are left out), ward by ward in the city's order."""
    chosen = sorted((s for s in sheets if s.fiscal_year <= up_to), key=lambda s: (ward_order(s.ward), s.fiscal_year))
    years = tuple(sorted({sheet.fiscal_year for sheet in chosen}))
    rows: list[ComparisonRow] = []
    city: dict[str, dict[int, list[YearFigures]]] = {}
    wards = list(dict.fromkeys(sheet.ward for sheet in chosen))
    for ward in wards:
        per_category: dict[str, dict[int, YearFigures]] = {}
        overall: dict[int, YearFigures] = {}
        for sheet in (s for s in chosen if s.ward == ward):
            totals = sheet_totals(sheet)
            for category in totals.categories:
                figures = _figures(sheet, category.amounts)
                per_category.setdefault(category.category, {})[sheet.fiscal_year] = figures
                city.setdefault(category.category, {}).setdefault(sheet.fiscal_year, []).append(figures)
            overall[sheet.fiscal_year] = _figures(sheet, totals.amounts)
            city.setdefault(CITY_TOTAL, {}).setdefault(sheet.fiscal_year, []).append(overall[sheet.fiscal_year])
        rows += [ComparisonRow(ward, name, by_year) for name, by_year in per_category.items()]
        rows.append(ComparisonRow(ward, WARD_TOTAL, overall))
    # The city's total last, after its categories.
    names = [name for name in city if name != CITY_TOTAL] + ([CITY_TOTAL] if CITY_TOTAL in city else [])
    rows += [ComparisonRow(CITY, name, {year: _summed(parts) for year, parts in city[name].items()}) for name in names]
    return YearComparison(years, tuple(rows))
