"""How the city's forms print: A4 landscape, as wide as the page, with the footer they carry.

Shared by a ward's sheet, the consolidated summary and the year-on-year comparison.
"""

from __future__ import annotations

import datetime

from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from desktop_app.domain import wareki_date


def print_setup(ws: Worksheet, footer: str, *, one_page: bool) -> None:
    """A4 landscape, as wide as the page, centred, with the footer of the city's forms.

    `one_page` fits the height too (a ward's sheet); otherwise pages run on (a long summary).
    """
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    odd_footer(ws).left.text = footer.replace("&", "&&")
    odd_footer(ws).center.text = "&P / &N"
    odd_footer(ws).right.text = made_on_footer()


def odd_footer(ws: Worksheet) -> HeaderFooterItem:
    """The footer Excel prints on every page (no even or first-page footers are used)."""
    footer = ws.oddFooter
    if footer is None:  # openpyxl gives every worksheet one, though its type allows none
        footer = ws.oddFooter = HeaderFooterItem()
    return footer


def made_on_footer(today: datetime.date | None = None) -> str:
    """`作成日 令和8年11月30日`: written out, since Excel's &D prints the date in the PC's own format."""
    return f"作成日 {wareki_date(today or datetime.date.today())}"
