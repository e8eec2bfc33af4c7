"""The few cell looks of the city's form: fonts, borders, fills and alignments."""

from __future__ import annotations

from typing import Final

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

CHILD_INDENT: Final = 2
# ＭＳ Ｐゴシック, not 游ゴシック: Excel spaces 游ゴシック's lines about 1.7 em apart, so the row
# heights estimated below (1.35 em a line) would clip the last line of a multi-line cell in Excel;
# ＭＳ Ｐゴシック's lines are about 1.2 em apart, and every Japanese Windows has it.
FONT_NAME: Final = "ＭＳ Ｐゴシック"


class _Styles:
    """The few cell looks of the form (openpyxl shares equal styles, so one instance serves all)."""

    title: Font = Font(name=FONT_NAME, size=16, bold=True)
    vision: Font = Font(name=FONT_NAME, size=11)
    heading: Font = Font(name=FONT_NAME, size=12, bold=True)
    body: Font = Font(name=FONT_NAME, size=10)
    bold: Font = Font(name=FONT_NAME, size=10, bold=True)
    border: Border = Border(
        left=Side(style="thin"), right=Side(style="thin"), top=Side(style="thin"), bottom=Side(style="thin")
    )
    header_fill: PatternFill = PatternFill("solid", fgColor="D9D9D9")
    group_fill: PatternFill = PatternFill("solid", fgColor="F2F2F2")
    total_fill: PatternFill = PatternFill("solid", fgColor="EDEDED")
    center: Alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left: Alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    left_top: Alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
    child: Alignment = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=CHILD_INDENT)
    right: Alignment = Alignment(horizontal="right", vertical="center")
    plain_left: Alignment = Alignment(horizontal="left", vertical="center")
    title_center: Alignment = Alignment(horizontal="center", vertical="center")
    wrapped_center: Alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    plain_center: Alignment = Alignment(horizontal="center", vertical="center")


STYLES: Final = _Styles()


def style(
    cell: Cell | MergedCell, font: Font, alignment: Alignment, *, border: bool = True, fill: PatternFill | None = None
) -> None:
    cell.font = font
    cell.alignment = alignment
    if border:
        cell.border = STYLES.border
    if fill is not None:
        cell.fill = fill
