"""Checks the city makes of a sheet, as findings a person can read and jump to."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from desktop_app.domain.layout import printed_label
from desktop_app.domain.model import Project, Sheet, Status
from desktop_app.domain.money import format_amount
from desktop_app.domain.totals import sheet_totals


class Severity(enum.Enum):
    ERROR = "誤り"
    WARNING = "確認"


@dataclass(frozen=True)
class Finding:
    """One thing wrong or worth a second look on a sheet."""

    severity: Severity
    message: str
    # Position of the project in sheet order: (index in sheet.projects, index in its children or None).
    project_path: tuple[int, int | None] | None = None
    stage: int | None = None
    category: str | None = None


def validate(sheet: Sheet) -> list[Finding]:
    """Every finding on the sheet: allocations overrun, settlements above budget, sub-item sums."""
    findings: list[Finding] = []
    findings += _allocation_findings(sheet)
    budgets = sheet.budget_indexes()
    for index, project in enumerate(sheet.projects):
        findings += _project_findings(sheet, budgets, project, (index, None), None)
        if project.children:
            findings += _children_sum_findings(sheet, project, index)
        for child_index, child in enumerate(project.children):
            findings += _project_findings(sheet, budgets, child, (index, child_index), project)
    return findings


def _allocation_findings(sheet: Sheet) -> list[Finding]:
    findings: list[Finding] = []
    if not sheet.stages:
        return findings
    first_stage = sheet.stages[0].name
    for totals in sheet_totals(sheet).categories:
        initial = totals.amounts[0] if totals.amounts else None
        if totals.allocation is not None and initial is not None and initial > totals.allocation:
            findings.append(
                Finding(
                    Severity.ERROR,
                    f"{totals.category}の{first_stage} 計 {format_amount(initial)}千円が"
                    f"配分額 {format_amount(totals.allocation)}千円を"
                    f"{format_amount(initial - totals.allocation)}千円超えています。",
                    stage=0,
                    category=totals.category,
                )
            )
    return findings


def _last_budget_amount(budgets: tuple[int, ...], project: Project) -> tuple[int, int] | None:
    """(stage index, amount) of the latest budget stage that has an amount."""
    for index in reversed(budgets):
        amount = project.amounts[index]
        if amount is not None:
            return index, amount
    return None


def _project_findings(
    sheet: Sheet, budgets: tuple[int, ...], project: Project, path: tuple[int, int | None], parent: Project | None
) -> list[Finding]:
    findings: list[Finding] = []
    label = printed_label(sheet, project, parent)
    settlement_index = sheet.settlement_index()
    if settlement_index is None:
        return findings
    settled = project.amounts[settlement_index]
    budget = _last_budget_amount(budgets, project)
    if settled is not None and budget is not None and settled > budget[1]:
        budget_index, budget_amount = budget
        findings.append(
            Finding(
                Severity.ERROR,
                f"{label}の{sheet.stages[settlement_index].name} {format_amount(settled)}千円が"
                f"{sheet.stages[budget_index].name} {format_amount(budget_amount)}千円を超えています。",
                project_path=path,
                stage=settlement_index,
                category=project.category,
            )
        )
    if project.status is Status.CANCELLED and settled:
        # Worth a look, not wrong: 西区's №7 was cancelled after its 負担金 had been paid (2,500千円).
        findings.append(
            Finding(
                Severity.WARNING,
                f"{label}は中止ですが{sheet.stages[settlement_index].name}が{format_amount(settled)}千円あります"
                "（中止の前に支出した分か確認してください）。",
                project_path=path,
                stage=settlement_index,
                category=project.category,
            )
        )
    return findings


def _children_sum_findings(sheet: Sheet, project: Project, index: int) -> list[Finding]:
    findings = []
    expected = project.children_sum()
    for stage_index, (shown, summed) in enumerate(zip(project.amounts, expected, strict=True)):
        if shown != summed:
            findings.append(
                Finding(
                    Severity.ERROR,
                    f"{printed_label(sheet, project)}の{sheet.stages[stage_index].name} {format_amount(shown)}千円が"
                    f"内訳の合計 {format_amount(summed)}千円と一致しません。",
                    project_path=(index, None),
                    stage=stage_index,
                    category=project.category,
                )
            )
    return findings


class SheetStructureError(ValueError):
    """A sheet that cannot be stored as it is; the message is Japanese and names the place."""


# Bounds on a sheet, checked on every import so that no export ever meets a sheet beyond them.
# The city has four stages; twelve leaves room for a supplementary budget every month or so and
# is still a row the printed page and Excel's columns hold (more than 251 broke the Excel import,
# 17,000 wrote past Excel's last column XFD).
MAX_STAGES: Final = 12
# A ward's sheet has two categories, under ten groups and some 20-40 projects.
MAX_CATEGORIES: Final = 20
MAX_GROUPS: Final = 200
# Projects and sub-items together.
MAX_PROJECT_ROWS: Final = 1_000
# Excel's own limit for the text of one cell; no name, description or note is anywhere near it.
MAX_TEXT_LENGTH: Final = 32_767


def check_sizes(sheet: Sheet) -> None:
    """Refuse a sheet beyond the bounds above, naming which one and where."""
    if len(sheet.stages) > MAX_STAGES:
        raise SheetStructureError(f"段階（stages）が{len(sheet.stages):,}個あります（{MAX_STAGES}個までです）。")
    if len(sheet.categories) > MAX_CATEGORIES:
        raise SheetStructureError(
            f"経費区分（categories）が{len(sheet.categories):,}個あります（{MAX_CATEGORIES}個までです）。"
        )
    if len(sheet.groups) > MAX_GROUPS:
        raise SheetStructureError(f"グループ（groups）が{len(sheet.groups):,}個あります（{MAX_GROUPS}個までです）。")
    rows = sum(1 + len(project.children) for project in sheet.projects)
    if rows > MAX_PROJECT_ROWS:
        raise SheetStructureError(f"事業と内訳が合わせて{rows:,}件あります（{MAX_PROJECT_ROWS:,}件までです）。")
    for where, text in _texts(sheet):
        if len(text) > MAX_TEXT_LENGTH:
            raise SheetStructureError(f"{where}が{len(text):,}文字あります（{MAX_TEXT_LENGTH:,}文字までです）。")


def _short(name: str) -> str:
    return name if len(name) <= 20 else name[:20] + "…"


def _texts(sheet: Sheet) -> Iterator[tuple[str, str]]:
    """Every text of the sheet with how a message names it."""
    yield "タイトル（title）", sheet.title
    yield "めざす区の姿（vision）", sheet.vision
    for stage in sheet.stages:
        yield f"段階「{_short(stage.name)}」の名前", stage.name
    for category in sheet.categories:
        yield f"経費区分「{_short(category.name)}」の名前", category.name
    for group in sheet.groups:
        yield f"グループ「{_short(group.name)}」の名前", group.name
        yield f"グループ「{_short(group.name)}」の説明（description）", group.description
    for project in sheet.projects:
        for item in (project, *project.children):
            where = f"事業「{_short(item.name)}」"
            yield f"{where}の番号（no）", item.no
            yield f"{where}の事業名（name）", item.name
            yield f"{where}の事業内容（description）", item.description
            yield f"{where}の備考（note）", item.note
            yield f"{where}の担当（section）", item.section or ""
            yield f"{where}の校区（district）", item.district or ""
            yield f"{where}の注記番号（notes_heading）", item.notes_heading or ""


def check_structure(sheet: Sheet) -> None:
    """Refuse a sheet whose parts do not fit together (the checks an import must pass).

    Amount lists must match the stages, categories and groups must be listed, sub-items have no
    sub-items of their own, and a parent's amounts equal the sums of its sub-items.
    """
    if not sheet.stages:
        raise SheetStructureError("段階（stages）が1つもありません。")
    check_sizes(sheet)
    names = [stage.name for stage in sheet.stages]
    if len(set(names)) != len(names):
        raise SheetStructureError("段階（stages）に同じ名前が重複しています。")
    category_names = [category.name for category in sheet.categories]
    if len(set(category_names)) != len(category_names):
        raise SheetStructureError("経費区分（categories）に同じ名前が重複しています。")
    # Group names may repeat (南区 prints two headings 防災・減災); `group_index` tells them apart.
    group_names = [group.name for group in sheet.groups]
    for project in sheet.projects:
        _check_project(sheet, project, category_names, group_names, parent=None)


def _check_project(
    sheet: Sheet, project: Project, categories: list[str], groups: list[str], parent: Project | None
) -> None:
    where = project.label_under(parent)
    if not project.name.strip():
        raise SheetStructureError(f"{where}の事業名（name）が空です。")
    if len(project.amounts) != len(sheet.stages):
        raise SheetStructureError(
            f"{where}の金額（amounts）が{len(project.amounts)}個で、段階の数{len(sheet.stages)}と合いません。"
        )
    if project.category not in categories:
        raise SheetStructureError(f"{where}の経費区分（category）「{project.category}」はこのシートにありません。")
    if project.group is not None and project.group not in groups:
        raise SheetStructureError(f"{where}のグループ（group）「{project.group}」はこのシートにありません。")
    index = project.group_index
    if index is not None and not (0 <= index < len(groups) and groups[index] == project.group):
        raise SheetStructureError(f"{where}のグループ番号（group_index）{index}が「{project.group}」を指していません。")
    if parent is not None:
        if project.children:
            raise SheetStructureError(f"{where}に内訳がありますが、内訳は1階層までです。")
        if project.category != parent.category:
            raise SheetStructureError(f"{where}の経費区分（category）が親の事業と違います。")
        return
    for child in project.children:
        _check_project(sheet, child, categories, groups, parent=project)
    if project.children:
        expected = project.children_sum()
        for index, (shown, summed) in enumerate(zip(project.amounts, expected, strict=True)):
            if shown != summed:
                raise SheetStructureError(
                    f"{where}の{sheet.stages[index].name}（amounts）{format_amount(shown)}が"
                    f"内訳の合計{format_amount(summed)}と一致しません。"
                )
