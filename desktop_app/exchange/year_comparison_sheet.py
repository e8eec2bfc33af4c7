"""The 年度比較 worksheet of the consolidation: every year held, side by side, and a line chart of 執行率."""

from __future__ import annotations

from typing import Final

from openpyxl.chart import LineChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from desktop_app.domain import wareki_year
from desktop_app.domain.year_comparison import YearComparison
from desktop_app.exchange.xlsx.cells import AMOUNT_FORMAT, NULL_TEXT, put_text, value_cell
from desktop_app.exchange.xlsx.print_setup import print_setup
from desktop_app.exchange.xlsx.styles import STYLES

RATE_FORMAT: Final = "0.0%"
# The three figures shown for each year, in this order.
YEAR_COLUMNS: Final = ("当初予算", "決算額", "執行率")
CHART_TABLE_HEADING: Final = "執行率の推移（グラフ用）"


def comparison_title(fiscal_year: int) -> str:
    return f"{wareki_year(fiscal_year)}までの年度比較（当初予算・決算額・執行率）"


def write_year_comparison(ws: Worksheet, comparison: YearComparison, fiscal_year: int) -> None:
    """Per ward and category a row, per year three columns; then each ward's 執行率 by year, charted."""
    put_text(ws, 1, 1, comparison_title(fiscal_year)).font = STYLES.title
    years = comparison.years
    header = 3
    for column, text in ((1, "区"), (2, "経費区分")):
        _head(ws, header, column, text)
        _head(ws, header + 1, column, "")
        ws.merge_cells(start_row=header, start_column=column, end_row=header + 1, end_column=column)
    for number, year in enumerate(years):
        first = 3 + number * len(YEAR_COLUMNS)
        _head(ws, header, first, f"{wareki_year(year)}（{year}）")
        for offset, text in enumerate(YEAR_COLUMNS):
            if offset:
                _head(ws, header, first + offset, "")
            _head(ws, header + 1, first + offset, text)
        ws.merge_cells(start_row=header, start_column=first, end_row=header, end_column=first + len(YEAR_COLUMNS) - 1)
    row = header + 2
    for line in comparison.rows:
        font = STYLES.bold if line.is_total else STYLES.body
        fill = STYLES.total_fill if line.is_total else None
        for column, text in ((1, line.ward), (2, line.category)):
            cell = put_text(ws, row, column, text)
            cell.font, cell.alignment, cell.border = font, STYLES.left, STYLES.border
            if fill is not None:
                cell.fill = fill
        for number, year in enumerate(years):
            figures = line.by_year.get(year)
            values = (None, None, None) if figures is None else (figures.initial, figures.settled, figures.rate)
            for offset, value in enumerate(values):
                column = 3 + number * len(YEAR_COLUMNS) + offset
                cell = value_cell(ws, row, column)
                if value is None:
                    put_text(ws, row, column, NULL_TEXT)
                    cell.alignment = STYLES.plain_center
                else:
                    cell.value = value
                    cell.number_format = RATE_FORMAT if offset == 2 else AMOUNT_FORMAT
                    cell.alignment = STYLES.right
                cell.font, cell.border = font, STYLES.border
                if fill is not None:
                    cell.fill = fill
        row += 1

    row += 1
    # The chart and its data start a page of their own rather than being cut in two.
    ws.row_breaks.append(Break(id=row - 1))
    put_text(ws, row, 1, CHART_TABLE_HEADING).font = STYLES.heading
    row += 1
    table_header = row
    lines = comparison.total_rows()
    _head(ws, row, 1, "年度")
    for column, line in enumerate(lines, start=2):
        _head(ws, row, column, line.ward)
    for year in years:
        row += 1
        label = put_text(ws, row, 1, wareki_year(year))
        label.font, label.border = STYLES.body, STYLES.border
        for column, line in enumerate(lines, start=2):
            figures = line.by_year.get(year)
            cell = value_cell(ws, row, column)
            # An empty cell, not ―: the chart leaves a gap for a year without a settlement.
            if figures is not None and figures.rate is not None:
                cell.value = figures.rate
            cell.number_format = RATE_FORMAT
            cell.font, cell.border = STYLES.body, STYLES.border
    if years and lines:
        chart = LineChart()
        chart.title = "執行率の推移（決算額 ÷ 最終予算）"
        chart.y_axis.title = "執行率"
        chart.y_axis.numFmt = "0%"
        chart.x_axis.title = "年度"
        # openpyxl hides both axes unless told otherwise.
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        data = Reference(ws, min_col=2, max_col=1 + len(lines), min_row=table_header, max_row=table_header + len(years))
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=table_header + 1, max_row=table_header + len(years)))
        for series in chart.series:
            series.marker.symbol = "circle"
            series.smooth = False
        chart.width = 24
        chart.height = 10
        ws.add_chart(chart, f"A{row + 2}")

    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 24
    for column in range(3, 3 + len(years) * len(YEAR_COLUMNS)):
        ws.column_dimensions[get_column_letter(column)].width = 11
    ws.freeze_panes = f"C{header + 2}"
    print_setup(ws, comparison_title(fiscal_year), one_page=False)


def _head(ws: Worksheet, row: int, column: int, text: str) -> None:
    cell = put_text(ws, row, column, text)
    cell.font, cell.alignment, cell.border, cell.fill = STYLES.bold, STYLES.center, STYLES.border, STYLES.header_fill
