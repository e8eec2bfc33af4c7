"""One workbook of every ward's sheet for a fiscal year: what the planning division compares.

A summary sheet (集計) comes first — each ward's totals per category and stage, allocations,
執行率, the city's totals and a chart — then each ward's sheet in the city's layout.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Final

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from desktop_app.domain import CITY_WARDS, Sheet, sheet_totals, sum_amounts, ward_order, wareki_year
from desktop_app.domain.city_checks import WardCheck, city_checks
from desktop_app.domain.layout import UNIT_LABEL
from desktop_app.domain.model import Amounts
from desktop_app.domain.totals import execution_rate
from desktop_app.domain.year_comparison import YearComparison
from desktop_app.exchange.eml_read import NoSheetAttachedError, read_eml
from desktop_app.exchange.errors import ExchangeError, ImportFileError
from desktop_app.exchange.json_format import load_sheet_bytes
from desktop_app.exchange.reading import read_import_file
from desktop_app.exchange.xlsx.cells import AMOUNT_FORMAT, NULL_TEXT, put_text, value_cell
from desktop_app.exchange.xlsx.hidden_record import store_sheet_data
from desktop_app.exchange.xlsx.layout_writer import write_sheet
from desktop_app.exchange.xlsx.print_setup import print_setup
from desktop_app.exchange.xlsx.row_heights import fit_row_height
from desktop_app.exchange.xlsx.styles import FONT_NAME, STYLES
from desktop_app.exchange.xlsx.workbook import new_workbook, workbook_bytes
from desktop_app.exchange.xlsx_import import read_xlsx

SUMMARY_TITLE: Final = "集計"
COMPARISON_TITLE: Final = "年度比較"
CHECK_HEADING: Final = "確認"
RATE_FORMAT: Final = "0.0%"
CITY_LABEL: Final = "全区"
WARD_TOTAL_LABEL: Final = "計"
CITY_TOTAL_LABEL: Final = "合計"
PROBLEMS_HEADING: Final = "確認事項"
CHART_TABLE_HEADING: Final = "区別の合計（グラフ用）"
_WARNING_FONT: Final = Font(name=FONT_NAME, size=10, color="C00000")
CHECK_WIDTH: Final = 60.0

Progress = Callable[[int, int, str], None]


def consolidated_title(fiscal_year: int) -> str:
    """`令和2年度 まちづくり推進経費 全区集計`."""
    return f"{wareki_year(fiscal_year)} まちづくり推進経費 全区集計"


def build_consolidated_workbook(
    sheets: list[Sheet],
    fiscal_year: int,
    *,
    problems: list[str],
    progress: Progress | None = None,
    checks: Mapping[str, Sequence[WardCheck]] | None = None,
    comparison: YearComparison | None = None,
) -> bytes:
    """The summary and every ward's sheet of `fiscal_year` in one .xlsx, in the city's ward order.

    Sheets of another year are left out and said so among the problems shown on the summary.
    Each ward's checks (computed here unless given) go in the summary's 確認 column; with a
    `comparison`, a 年度比較 sheet follows the wards' sheets.
    """
    problems = list(problems)
    chosen: dict[str, Sheet] = {}
    for sheet in sheets:
        if sheet.fiscal_year != fiscal_year:
            problems.append(
                f"{sheet.year_label} {sheet.ward}のシートは{wareki_year(fiscal_year)}ではないため除きました。"
            )
            continue
        if sheet.ward in chosen:
            raise ExchangeError(f"{sheet.year_label} {sheet.ward}のシートが2つあります（1つにしてください）。")
        chosen[sheet.ward] = sheet
    ordered = sorted(chosen.values(), key=lambda s: ward_order(s.ward))
    title = consolidated_title(fiscal_year)
    wb = new_workbook(title)
    summary = wb.active
    assert summary is not None
    summary.title = SUMMARY_TITLE
    write_summary(
        summary, ordered, fiscal_year, problems, checks=checks if checks is not None else city_checks(ordered)
    )
    for done, sheet in enumerate(ordered, start=1):
        write_sheet(wb.create_sheet(sheet.ward), sheet)
        if progress is not None:
            progress(done, len(ordered), sheet.ward)
    if comparison is not None:
        from desktop_app.exchange.year_comparison_sheet import write_year_comparison

        write_year_comparison(wb.create_sheet(COMPARISON_TITLE), comparison, fiscal_year)
    # The wards' records go along, so the consolidated file can be imported back as it is.
    store_sheet_data(wb, [(sheet.ward, sheet) for sheet in ordered])
    return workbook_bytes(wb)


# ---------------------------------------------------------------- the summary sheet


def _stage_names(sheets: list[Sheet], problems: list[str]) -> tuple[str, ...]:
    """The stage columns: the first ward's, with a problem noted for any ward that differs."""
    if not sheets:
        return ()
    names = sheets[0].stage_names
    for sheet in sheets[1:]:
        if sheet.stage_names != names:
            problems.append(
                f"{sheet.ward}の段階（{'・'.join(sheet.stage_names)}）が{sheets[0].ward}"
                f"（{'・'.join(names)}）と違います（列の位置で集計しました）。"
            )
    return names


def _fit(amounts: Amounts, width: int) -> Amounts:
    return tuple(amounts[i] if i < len(amounts) else None for i in range(width))


def write_summary(
    ws: Worksheet,
    sheets: list[Sheet],
    fiscal_year: int,
    problems: list[str],
    *,
    checks: Mapping[str, Sequence[WardCheck]] | None = None,
) -> None:
    """The 集計 sheet: per ward and category each stage's total, allocation and 執行率, the
    ward's checks beside its rows, the city's totals, the problems found, and a bar chart of
    each ward's stages."""
    checks = checks or {}
    problems = list(problems)
    stage_names = _stage_names(sheets, problems)
    width = len(stage_names)
    reference = sheets[0] if sheets else None
    budget_index = reference.last_budget_index() if reference else None
    settlement_index = reference.settlement_index() if reference else None
    headers = ["区", "経費区分", *stage_names, "配分額", "執行率", CHECK_HEADING]
    last_column = len(headers)
    allocation_column = 3 + width
    rate_column = allocation_column + 1
    check_column = rate_column + 1

    title = put_text(ws, 1, 1, consolidated_title(fiscal_year))
    title.font = STYLES.title
    title.alignment = STYLES.plain_left
    row = 2
    if problems:
        put_text(ws, row, 1, PROBLEMS_HEADING).font = STYLES.heading
        row += 1
        for problem in problems:
            put_text(ws, row, 1, f"・{problem}").font = _WARNING_FONT
            row += 1
    row += 1
    unit = put_text(ws, row, rate_column, UNIT_LABEL)
    unit.alignment = STYLES.right
    row += 1
    header_row = row
    for column, text in enumerate(headers, start=1):
        cell = put_text(ws, row, column, text)
        _box(cell, STYLES.bold, STYLES.center)
        cell.fill = STYLES.header_fill
    row += 1

    def line(
        ward: str,
        label: str,
        amounts: Amounts,
        allocation: int | None,
        rate: float | None,
        bold: bool,
        notes: Sequence[WardCheck] = (),
    ) -> None:
        nonlocal row
        font = STYLES.bold if bold else STYLES.body
        note = "\n".join(f"・{check.message}" for check in notes)
        note_cell = put_text(ws, row, check_column, note)
        _box(note_cell, _WARNING_FONT if any(c.is_error for c in notes) else STYLES.body, STYLES.left)
        if note:
            fit_row_height(ws, row, [(note, CHECK_WIDTH)])
        _box(put_text(ws, row, 1, ward), font, STYLES.left)
        _box(put_text(ws, row, 2, label), font, STYLES.left)
        for index, amount in enumerate(_fit(amounts, width)):
            _number(ws, row, 3 + index, amount, AMOUNT_FORMAT, font)
        _number(ws, row, allocation_column, allocation, AMOUNT_FORMAT, font)
        _number(ws, row, rate_column, rate, RATE_FORMAT, font)
        if bold:
            for column in range(1, last_column + 1):
                ws.cell(row=row, column=column).fill = STYLES.total_fill
        row += 1

    city_categories: dict[str, list[tuple[Amounts, int | None]]] = {}
    ward_totals: list[tuple[str, Amounts]] = []
    ward_allocations: list[int] = []
    for sheet in sheets:
        totals = sheet_totals(sheet)
        if totals.allocation is not None:
            ward_allocations.append(totals.allocation)
        ward_checks = list(checks.get(sheet.ward, ()))
        category_names = {category.category for category in totals.categories}
        for category in totals.categories:
            amounts = _fit(category.amounts, width)
            rate = execution_rate(amounts, budget_index, settlement_index)
            notes = [check for check in ward_checks if check.category == category.category]
            line(sheet.ward, category.category, amounts, category.allocation, rate, bold=False, notes=notes)
            city_categories.setdefault(category.category, []).append((amounts, category.allocation))
        overall = _fit(totals.amounts, width)
        line(
            sheet.ward,
            WARD_TOTAL_LABEL,
            overall,
            totals.allocation,
            execution_rate(overall, budget_index, settlement_index),
            bold=True,
            notes=[check for check in ward_checks if check.category not in category_names],
        )
        ward_totals.append((sheet.ward, overall))
    for category_name, parts in city_categories.items():
        amounts = tuple(sum_amounts([a[i] for a, _ in parts]) for i in range(width))
        allocations = [allocation for _, allocation in parts if allocation is not None]
        line(
            CITY_LABEL,
            category_name,
            amounts,
            sum(allocations) if allocations else None,
            execution_rate(amounts, budget_index, settlement_index),
            bold=False,
        )
    city = tuple(sum_amounts([amounts[i] for _, amounts in ward_totals]) for i in range(width))
    line(
        CITY_LABEL,
        CITY_TOTAL_LABEL,
        city,
        sum(ward_allocations) if ward_allocations else None,
        execution_rate(city, budget_index, settlement_index),
        bold=True,
    )
    table_end = row - 1

    row += 1
    # The chart and its data start a page of their own rather than being cut in two.
    ws.row_breaks.append(Break(id=row - 1))
    chart_row = _chart_table(ws, row, stage_names, ward_totals)
    if ward_totals and width:
        _chart(ws, chart_row, len(ward_totals), width, anchor=f"A{chart_row + len(ward_totals) + 2}")

    widths = [10.0, 26.0, *([12.0] * width), 12.0, 10.0, CHECK_WIDTH]
    for column, value in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(column)].width = value
    for cells in ws.iter_rows(min_row=1, max_row=max(row + len(ward_totals), table_end), max_col=last_column):
        for styled in cells:
            if styled.font.name != FONT_NAME:
                styled.font = STYLES.body
    ws.freeze_panes = f"C{header_row + 1}"
    print_setup(ws, consolidated_title(fiscal_year), one_page=False)


def _box(cell: Cell | MergedCell, font: Font, alignment: Alignment) -> None:
    cell.font = font
    cell.alignment = alignment
    cell.border = STYLES.border


def _number(ws: Worksheet, row: int, column: int, value: float | None, number_format: str, font: Font) -> None:
    """An amount or a rate, right-aligned in its format; ― centred when there is none."""
    cell = value_cell(ws, row, column)
    if value is None:
        put_text(ws, row, column, NULL_TEXT)
        _box(cell, font, STYLES.plain_center)
    else:
        cell.value = value
        cell.number_format = number_format
        _box(cell, font, STYLES.right)


def _chart_table(ws: Worksheet, row: int, stage_names: tuple[str, ...], ward_totals: list[tuple[str, Amounts]]) -> int:
    """Each ward's overall totals in one block, the chart's data; returns its header row."""
    put_text(ws, row, 1, CHART_TABLE_HEADING).font = STYLES.heading
    row += 1
    header_row = row
    # The stages sit in the same columns as in the table above; the ward spans the first two.
    for column, text in enumerate(["区", "", *stage_names], start=1):
        cell = put_text(ws, row, column, text)
        _box(cell, STYLES.bold, STYLES.center)
        cell.fill = STYLES.header_fill
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    for ward, amounts in ward_totals:
        row += 1
        _box(put_text(ws, row, 1, ward), STYLES.body, STYLES.left)
        _box(ws.cell(row=row, column=2), STYLES.body, STYLES.left)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        for index, amount in enumerate(amounts):
            cell = value_cell(ws, row, 3 + index)
            # An empty cell, not ―: a chart reads text as nothing anyway, and a gap is honest.
            if amount is not None:
                cell.value = amount
            cell.number_format = AMOUNT_FORMAT
            _box(cell, STYLES.body, STYLES.right)
    return header_row


def _chart(ws: Worksheet, header_row: int, wards: int, stages: int, *, anchor: str) -> None:
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = "区別 段階ごとの合計（千円）"
    chart.y_axis.title = "千円"
    chart.y_axis.numFmt = AMOUNT_FORMAT
    chart.y_axis.majorGridlines = None
    # openpyxl hides both axes unless told otherwise; the wards and amounts must show.
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    data = Reference(ws, min_col=3, max_col=2 + stages, min_row=header_row, max_row=header_row + wards)
    categories = Reference(ws, min_col=1, min_row=header_row + 1, max_row=header_row + wards)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    chart.width = 24
    chart.height = 10
    ws.add_chart(chart, anchor)


# ---------------------------------------------------------------- a folder of the wards' files


def sheets_from_folder(folder: Path, fiscal_year: int) -> tuple[list[Sheet], list[str]]:
    """The sheets of `fiscal_year` in every .xlsx of a folder, and the problems to show.

    Missing wards and files of another year are problems (the latter are skipped); the same
    ward in two files, or an unreadable file, is an error naming the files.
    """
    if not folder.is_dir():
        raise ImportFileError(folder.name or str(folder), "フォルダが見つかりません")
    entries = sorted(
        path
        for path in folder.iterdir()
        # ~$ and .~lock are the lock files Excel and LibreOffice leave beside an open workbook.
        if not path.name.startswith(("~$", ".")) and path.is_file()
    )
    files = [path for path in entries if path.suffix.lower() in RECEIVED_SUFFIXES]
    found: dict[str, tuple[Sheet, str]] = {}
    problems: list[str] = [
        f"{path.name}はシートのファイル（.xlsx / .eml / .json）ではないため読み飛ばしました。"
        for path in entries
        if path.suffix.lower() not in RECEIVED_SUFFIXES
    ]
    for path in files:
        for sheet in _received_sheets(path.name, read_import_file(path), problems):
            if sheet.fiscal_year != fiscal_year:
                problems.append(
                    f"{path.name}は{sheet.year_label}（{sheet.ward}）のファイルのため除きました"
                    f"（集計するのは{wareki_year(fiscal_year)}です）。"
                )
                continue
            if sheet.ward in found:
                first = found[sheet.ward][1]
                raise ImportFileError(
                    path.name,
                    f"{sheet.year_label} {sheet.ward}のシートが「{first}」と「{path.name}」の両方にあります"
                    "（どちらか一方だけをフォルダに置いてください）",
                )
            found[sheet.ward] = (sheet, path.name)
    problems += [f"{ward.name}のファイルがありません。" for ward in CITY_WARDS if ward.name not in found]
    sheets = sorted((sheet for sheet, _ in found.values()), key=lambda s: ward_order(s.ward))
    return sheets, problems


RECEIVED_SUFFIXES: Final = (".xlsx", ".xlsm", ".eml", ".json")


def _received_sheets(file_name: str, raw: bytes, problems: list[str]) -> list[Sheet]:
    """The sheets in one received file: a workbook, a sheet file, or a saved mail carrying either."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".eml":
        try:
            sheets, mail = read_eml(raw, file_name)
        except NoSheetAttachedError as exc:
            problems.append(f"{exc.file_name}は読み飛ばしました（{exc.detail}）。")
            return []
        skipped = mail.skipped_message()
        if skipped:
            problems.append(skipped)
        return sheets
    if suffix == ".json":
        return [load_sheet_bytes(raw, file_name)]
    return read_xlsx(raw, file_name)
