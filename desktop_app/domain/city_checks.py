"""What the planning division checks of each ward's sheet before it consolidates the city.

The sheet's own findings (validation.py: 配分額 overrun, 決算額 above the budget, 内訳 sums) plus
what only matters city-wide: stages a ward has not entered yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from desktop_app.domain.model import Sheet
from desktop_app.domain.validation import Severity, validate


@dataclass(frozen=True)
class WardCheck:
    """One thing to look at in a ward's figures; `category` None when it is about the whole sheet."""

    ward: str
    message: str
    category: str | None = None
    is_error: bool = False

    @property
    def text(self) -> str:
        """`北区: まちづくり推進経費の当初予算 計 …`: the line as the command line prints it."""
        return f"{self.ward}: {self.message}"


def ward_checks(sheet: Sheet) -> list[WardCheck]:
    """The checks of one ward's sheet, errors first, in sheet order."""
    found = [
        WardCheck(sheet.ward, finding.message, finding.category, finding.severity is Severity.ERROR)
        for finding in validate(sheet)
    ]
    found.sort(key=lambda check: not check.is_error)
    missing = unentered_stages(sheet)
    if missing and len(missing) == len(sheet.stages):
        found.append(WardCheck(sheet.ward, "金額がまだ1つも入力されていません。"))
    elif missing:
        found.append(WardCheck(sheet.ward, f"{'・'.join(missing)}がまだ入力されていません。"))
    return found


def unentered_stages(sheet: Sheet) -> list[str]:
    """Stages in which no project has an amount (not even 0): the year has not got there yet."""
    entered = {index for project in sheet.all_projects() for index, a in enumerate(project.amounts) if a is not None}
    return [stage.name for index, stage in enumerate(sheet.stages) if index not in entered]


def city_checks(sheets: Sequence[Sheet]) -> dict[str, list[WardCheck]]:
    """Every sheet's checks, by ward."""
    return {sheet.ward: ward_checks(sheet) for sheet in sheets}
