"""Each reader of the .xlsx format against the writer it inverts (desktop_app.exchange.xlsx).

The whole sheet's round trip is in test_xlsx_import; these pin down each pair on its own, so that a
change to one side that the other does not follow fails here with the part named.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app import operations
from desktop_app.domain import Sheet
from desktop_app.exchange.errors import ImportFileError
from desktop_app.exchange.xlsx.cells import NULL_TEXT, decode_cell_text, put_text
from desktop_app.exchange.xlsx.formulas import parent_formula, total_formula
from desktop_app.exchange.xlsx.hidden_record import DATA_SHEET, store_sheet_data, stored_sheets
from desktop_app.exchange.xlsx.keys import (
    CATEGORY_KEY_PREFIX,
    GROUP_KEY_PREFIX,
    key_index,
    note_key,
    parse_project_key,
    project_key,
    project_key_of_note,
)
from desktop_app.exchange.xlsx.load import as_worksheet, load, open_workbook, value_rows
from desktop_app.exchange.xlsx.workbook import new_workbook, workbook_bytes
from desktop_app.exchange.xlsx.zip_checks import check_file
from tests.strategies import sheets, text

FILE = "部品.xlsx"
paths = st.tuples(st.integers(0, 10_000), st.one_of(st.none(), st.integers(0, 100)))
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ---------------------------------------------------------------- keys


@given(paths)
def test_a_project_key_names_its_project_and_no_other_kind_of_row(path: tuple[int, int | None]) -> None:
    key = project_key(path)
    assert parse_project_key(key) == path
    assert key_index(key, CATEGORY_KEY_PREFIX) is None and key_index(key, GROUP_KEY_PREFIX) is None
    # A note's key points back at its project's row, and is never taken for a project row itself.
    assert project_key_of_note(note_key(path)) == key
    assert parse_project_key(note_key(path)) is None
    assert project_key_of_note(key) is None


@given(st.integers(0, 10_000), st.sampled_from([CATEGORY_KEY_PREFIX, GROUP_KEY_PREFIX]))
def test_a_category_or_group_key_gives_back_its_position(index: int, prefix: str) -> None:
    assert key_index(f"{prefix}{index}", prefix) == index
    assert parse_project_key(f"{prefix}{index}") is None


@pytest.mark.parametrize("key", ["", "P", "Px", "P1.", "P.1", "P1.2.3", "P-1", "C", "C1x", "G²", "T"])
def test_keys_a_person_mangled_name_no_row(key: str) -> None:
    assert parse_project_key(key) is None
    assert key_index(key, CATEGORY_KEY_PREFIX) is None and key_index(key, GROUP_KEY_PREFIX) is None


# ---------------------------------------------------------------- formulas

_REFERENCE = re.compile(r"D(\d+)(?::D(\d+))?")


def _rows_referenced(formula: str) -> list[int]:
    """The rows a formula's references cover, once each (COUNT and SUM name the same ones)."""
    rows: set[int] = set()
    for first, last in _REFERENCE.findall(formula):
        rows.update(range(int(first), int(last or first) + 1))
    return sorted(rows)


@given(st.lists(st.integers(1, 5_000), unique=True, max_size=400).map(sorted))
def test_a_total_sums_exactly_the_rows_given_within_excels_argument_limit(rows: list[int]) -> None:
    formula = total_formula("D", rows)
    assert _rows_referenced(formula) == rows
    if not rows:
        assert formula == f'="{NULL_TEXT}"'
    for function in ("COUNT(", "SUM("):
        for part in formula.split(function)[1:]:
            assert part.split(")")[0].count(",") < 255


@given(st.integers(1, 5_000), st.integers(1, 50))
def test_a_parents_sum_covers_exactly_its_sub_items(first: int, count: int) -> None:
    formula = parent_formula("D", first, first + count - 1)
    assert _rows_referenced(formula) == list(range(first, first + count))
    assert formula == total_formula("D", list(range(first, first + count)))


# ---------------------------------------------------------------- cells, through a real file


@given(st.lists(text, min_size=1, max_size=5))
@SLOW
def test_any_text_put_in_a_cell_reads_back_the_same_from_the_file(texts: list[str]) -> None:
    wb = new_workbook("t")
    ws = wb.active
    assert ws is not None
    ws.title = "東区"
    for column, value in enumerate([*texts, "end"], start=1):
        put_text(ws, 1, column, value)
    book = open_workbook(workbook_bytes(wb), FILE)
    read = as_worksheet(book["東区"])
    assert read is not None
    (row,) = value_rows(read, FILE, 1, len(texts) + 1)
    # An empty text is an empty cell, which reads as None.
    assert [decode_cell_text(value) if isinstance(value, str) else value for value in row] == [
        *(value or None for value in texts),
        "end",
    ]


# ---------------------------------------------------------------- the hidden record


@given(st.lists(sheets(), min_size=1, max_size=3))
@SLOW
def test_the_hidden_record_gives_back_every_sheet_stored(stored: list[Sheet]) -> None:
    wb = new_workbook("t")
    titles = [f"シート{number}" for number in range(len(stored))]
    store_sheet_data(wb, zip(titles, stored, strict=True))
    book = load(workbook_bytes(wb), FILE, data_only=False)
    assert stored_sheets(book, FILE) == dict(zip(titles, stored, strict=True))


def test_a_workbook_without_the_hidden_record_has_none() -> None:
    book = load(workbook_bytes(new_workbook("t")), FILE, data_only=False)
    assert DATA_SHEET not in book.sheetnames and stored_sheets(book, FILE) == {}


# ---------------------------------------------------------------- the zip


@given(sheets())
@SLOW
def test_what_the_writer_zips_passes_the_readers_checks_and_is_the_same_every_time(sheet: Sheet) -> None:
    def written() -> bytes:
        wb = new_workbook(sheet.title)
        store_sheet_data(wb, [(sheet.ward, sheet)])
        return workbook_bytes(wb)

    raw = written()
    check_file(raw, FILE)
    assert written() == raw


def test_the_zip_checks_refuse_what_is_not_a_workbook() -> None:
    with pytest.raises(ImportFileError, match="ZIP形式として読めません"):
        check_file(b"PK\x03\x04 not really", FILE)


# ---------------------------------------------------------------- print setup


def test_every_worksheet_the_app_writes_prints_like_the_citys_forms(
    workspace: operations.Workspace, tmp_path: Path
) -> None:
    # A ward's sheet, the consolidated summary and the year-on-year comparison share one print setup.
    result = operations.consolidate(workspace, 2020, tmp_path / "全区集計.xlsx")
    book = openpyxl.load_workbook(result.path)
    printed = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
    assert len(printed) >= 3
    for ws in printed:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9, ws.title
        fit = ws.sheet_properties.pageSetUpPr
        assert fit is not None and fit.fitToPage and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.print_options.horizontalCentered, ws.title
        assert ws.oddFooter is not None, ws.title
        assert ws.oddFooter.center.text == "&P / &N", ws.title
        assert re.fullmatch(r"作成日 令和\d+年\d+月\d+日", ws.oddFooter.right.text or ""), ws.title
