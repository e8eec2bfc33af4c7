"""Totals of a sheet per category and stage (計 / 合計), allocations and the execution rate."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.domain.model import Amounts, Sheet
from desktop_app.domain.money import sum_amounts


@dataclass(frozen=True)
class CategoryTotals:
    """The 計 row of one funding category, with its allocation and 執行率."""

    category: str
    allocation: int | None
    amounts: Amounts
    project_count: int
    # 決算額 / the last budget stage; None until both exist and the budget is not 0.
    execution_rate: float | None

    @property
    def remaining(self) -> int | None:
        """Allocation minus the 当初予算 計 (negative when over)."""
        if self.allocation is None or not self.amounts or self.amounts[0] is None:
            return None
        return self.allocation - self.amounts[0]


@dataclass(frozen=True)
class SheetTotals:
    """Every category's 計 and the sheet's 合計, stage by stage."""

    stage_names: tuple[str, ...]
    categories: tuple[CategoryTotals, ...]
    amounts: Amounts
    allocation: int | None
    execution_rate: float | None

    def for_category(self, name: str) -> CategoryTotals | None:
        for totals in self.categories:
            if totals.category == name:
                return totals
        return None


def execution_rate(amounts: Amounts, budget_index: int | None, settlement_index: int | None) -> float | None:
    """決算額 / the last budget stage, or None while either is missing or the budget is 0."""
    if budget_index is None or settlement_index is None:
        return None
    budget, settled = amounts[budget_index], amounts[settlement_index]
    if budget is None or settled is None or budget == 0:
        return None
    return settled / budget


def sheet_totals(sheet: Sheet) -> SheetTotals:
    """Totals per category (in the sheet's category order, then any unlisted ones) and overall."""
    width = len(sheet.stages)
    budget_index, settlement_index = sheet.last_budget_index(), sheet.settlement_index()
    names = [category.name for category in sheet.categories]
    names += sorted({p.category for p in sheet.projects} - set(names))
    per_category = []
    for name in names:
        projects = sheet.projects_in(name)
        amounts = tuple(sum_amounts([p.amounts[i] for p in projects]) for i in range(width))
        category = sheet.category(name)
        per_category.append(
            CategoryTotals(
                category=name,
                allocation=category.allocation if category else None,
                amounts=amounts,
                project_count=len(projects),
                execution_rate=execution_rate(amounts, budget_index, settlement_index),
            )
        )
    overall = tuple(sum_amounts([c.amounts[i] for c in per_category]) for i in range(width))
    allocations = [c.allocation for c in per_category if c.allocation is not None]
    return SheetTotals(
        stage_names=sheet.stage_names,
        categories=tuple(per_category),
        amounts=overall,
        allocation=sum(allocations) if allocations else None,
        execution_rate=execution_rate(overall, budget_index, settlement_index),
    )


def format_rate(rate: float | None) -> str:
    """`95.8%`, or `―` when there is no rate yet."""
    return "―" if rate is None else f"{rate * 100:.1f}%"


def totals_explanation(sheet: Sheet) -> str:
    """What 残額 and 執行率 are computed from on this sheet, in the sheet's own stage names."""
    if not sheet.stages:
        return ""
    first = sheet.stages[0].name
    budget_index, settlement_index = sheet.last_budget_index(), sheet.settlement_index()
    parts = [f"残額＝配分額−{first}の計"]
    if budget_index is not None and settlement_index is not None:
        parts.append(
            f"執行率＝{sheet.stages[settlement_index].name}÷{sheet.stages[budget_index].name}（最後の予算段階）"
        )
    return "。".join(parts) + "。"
