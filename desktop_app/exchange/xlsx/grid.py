"""One worksheet's cells, with the rows and columns of the city's layout located."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Final

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from desktop_app.domain import MAX_PROJECT_ROWS, MAX_STAGES
from desktop_app.domain.layout import Column, city_columns
from desktop_app.domain.model import DEFAULT_LAYOUT, GROUPS_AT_SIDE
from desktop_app.exchange.errors import ImportFileError
from desktop_app.exchange.xlsx.cells import decode_cell_text
from desktop_app.exchange.xlsx.keys import HEADER_KEY, KEY_HEADER, NOTE_KEY_PREFIX, PROJECT_KEY_PREFIX
from desktop_app.exchange.xlsx.limits import SCAN_COLUMNS, SCAN_ROWS
from desktop_app.exchange.xlsx.load import ReadCell, ReadWorksheet, as_worksheet, cell_rows, value_rows

NOT_OUR_LAYOUT: Final = "このアプリが書き出したExcelの形式ではありません"
# The columns are found from the layout the exporter writes (CITY_COLUMNS): those before the
# stages by position from the left, those after them by their heading from the right, so that a
# column added to the layout is never taken for a stage. № and 事業名 stay first and second.
NO_COLUMN, NAME_COLUMN = 1, 2


class Grid:
    """One worksheet's cells, with the rows that make up the city's layout located."""

    def __init__(
        self,
        ws: ReadWorksheet,
        file_name: str,
        cached: Callable[[], Workbook],
        description_labels: frozenset[str],
        remarks_expected: bool | None = None,
    ) -> None:
        self.title: str = ws.title
        self.file_name = file_name
        self._cached_loader = cached
        self._cached_rows: list[tuple[object, ...]] | None = None
        self.rows = cell_rows(ws, file_name, SCAN_ROWS + 1, SCAN_COLUMNS)
        if len(self.rows) > SCAN_ROWS:
            raise self.fail_sheet(
                f"行が多すぎます（{SCAN_ROWS:,}行目より下にも入力があります。"
                f"事業と内訳は合わせて{MAX_PROJECT_ROWS:,}件までです）"
            )
        self.key_column: int | None = None
        self.description_labels = description_labels
        # Whether the exported layout had 備考 (None: no hidden record says so, either will do).
        self.remarks_expected = remarks_expected
        self.columns: dict[Column, int] = {}
        # № and 事業名 (columns 1 and 2, or 2 and 4 in the side style), and the side column of groups (0: none).
        self.no_column, self.name_column, self.side_column = NO_COLUMN, NAME_COLUMN, 0
        self.stage_columns: list[int] = []
        self.remarks_column = 0
        self.last_column = 0
        self.header_rows: list[int] = self._find_header_rows()
        self.keys: dict[int, str] = self._read_keys() if self.header_rows else {}

    # -- locating

    def _find_header_rows(self) -> list[int]:
        candidates = [number for number in range(1, len(self.rows) + 1) if self._looks_like_header(number)]
        if not candidates:
            return []
        for number in candidates:
            # The last one: a stage could be named like the marker, the key column comes after 備考.
            for index, cell in enumerate(self.rows[number - 1], start=1):
                if cell.value == KEY_HEADER:
                    self.key_column = index
            if self.key_column:
                break
        if self.key_column is not None:
            # A project row whose cells happen to read №/事業名/事業内容 carries its own key.
            candidates = [n for n in candidates if self._raw_key(n) in ("", HEADER_KEY)]
        for number in candidates:
            # Without the key column in reach the headings may run on past what is read.
            if self.key_column is None and self.label(number, SCAN_COLUMNS).strip():
                raise self.fail(number, SCAN_COLUMNS, f"列が多すぎます（段階（当初予算など）は{MAX_STAGES}個までです）")
        self._locate_columns(candidates[0])
        return candidates

    def _looks_like_header(self, number: int, side: bool | None = None) -> bool:
        if side is None:
            return self._looks_like_header(number, False) or self._looks_like_header(number, True)
        columns = _layout_columns(side)
        before = columns[: columns.index(Column.STAGES)]
        for index, column in enumerate(before, start=1):
            if column in (Column.SIDE, Column.MARK):
                continue  # headed as the ward likes (西区: 「令和２年度…推進方針」), or not at all
            text = self.label(number, index).strip()
            if text != column.value and not (column is Column.DESCRIPTION and text in self.description_labels):
                return False
        return True

    def _locate_columns(self, header: int) -> None:
        """Where each column of the layout is: the stages are what lies between those before
        them and those after them (備考 only where the ward prints one)."""
        columns = _layout_columns(not self._looks_like_header(header, False))
        split = columns.index(Column.STAGES)
        self.columns = {column: index for index, column in enumerate(columns[:split], start=1)}
        self.no_column, self.name_column = self.columns[Column.NO], self.columns[Column.NAME]
        self.side_column = self.columns.get(Column.SIDE, 0)
        if self.key_column is not None:
            last = self.key_column - 1
        else:
            filled = [i for i in range(1, len(self.rows[header - 1]) + 1) if self.label(header, i).strip()]
            last = filled[-1]
        self.last_column = last
        for column in reversed(columns[split + 1 :]):
            if self.label(header, last).strip() == column.value:
                self.columns[column] = last
                last -= 1
            elif column is not Column.REMARKS or self.remarks_expected:
                raise self.fail(header, last, f"見出しの行に「{column.value}」の列がありません（{NOT_OUR_LAYOUT}）")
        self.stage_columns = list(range(split + 1, last + 1))
        if not self.stage_columns:
            raise self.fail(header, split + 1, f"見出しの行に段階（当初予算など）の列がありません（{NOT_OUR_LAYOUT}）")
        self.remarks_column = self.columns.get(Column.REMARKS, 0)

    def side_label(self) -> str:
        """The heading of the side column of groups ("" without one)."""
        return self.label(self.header_rows[0], self.side_column) if self.side_column and self.header_rows else ""

    def _raw_key(self, number: int) -> str:
        if self.key_column is None:
            return ""
        return self.label(number, self.key_column).strip()

    def _read_keys(self) -> dict[int, str]:
        """Row keys by row number."""
        keys: dict[int, str] = {}
        seen: set[str] = set()
        for number in range(1, len(self.rows) + 1):
            key = self._raw_key(number)
            # A group's heading is printed again wherever the group resumes; only a project's
            # key must be unique, since a copied project row is a new project.
            if key and key not in seen:
                if key.startswith((PROJECT_KEY_PREFIX, NOTE_KEY_PREFIX)):
                    seen.add(key)
                keys[number] = key
        return keys

    # -- reading cells

    def cell(self, number: int, column: int) -> ReadCell | None:
        row = self.rows[number - 1] if 0 < number <= len(self.rows) else ()
        return row[column - 1] if column <= len(row) else None

    def value(self, number: int, column: int) -> object:
        cell = self.cell(number, column)
        if cell is None:
            return None
        if cell.data_type == "f":
            return self._formula_result(number, column)
        return cell.value

    def _formula_result(self, number: int, column: int) -> object:
        """What a formula a person typed shows: the value Excel saved with it."""
        if self._cached_rows is None:
            ws = as_worksheet(self._cached_loader()[self.title])
            assert ws is not None, "the same file loaded again has the same worksheets"
            self._cached_rows = value_rows(ws, self.file_name, SCAN_ROWS, SCAN_COLUMNS)
        row = self._cached_rows[number - 1] if number <= len(self._cached_rows) else ()
        value = row[column - 1] if column <= len(row) else None
        if value is None:
            raise self.fail(
                number,
                column,
                "数式の計算結果がファイルに保存されていません（数式ではなく値を入力してください）",
            )
        return value

    def text(self, number: int, column: int) -> str:
        value = self.value(number, column)
        if value is None:
            return ""
        if isinstance(value, str):
            return decode_cell_text(value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    def label(self, number: int, column: int) -> str:
        """A cell's text as stored, formulas not worked out: for finding the layout's rows."""
        cell = self.cell(number, column)
        if cell is None or cell.data_type == "f" or not isinstance(cell.value, str):
            return ""
        return decode_cell_text(cell.value)

    def indent(self, number: int, column: int) -> float:
        cell = self.cell(number, column)
        try:
            alignment = getattr(cell, "alignment", None)  # an empty cell of read-only mode has none
        except (IndexError, KeyError) as exc:
            raise self.fail(
                number, column, "セルの書式の番号がファイルの中にありません（ファイルが壊れています）"
            ) from exc
        return float(alignment.indent or 0) if alignment is not None else 0.0

    def is_blank(self, number: int, column: int) -> bool:
        """No value at all; a formula counts as a value without being worked out."""
        cell = self.cell(number, column)
        return cell is None or cell.value is None or cell.value == ""

    def is_empty(self, number: int) -> bool:
        return all(self.is_blank(number, column) for column in range(1, self.last_column + 1))

    def key(self, number: int) -> str:
        return self.keys.get(number, "")

    def address(self, number: int, column: int) -> str:
        return f"{self.title}!{get_column_letter(column)}{number}"

    def fail(self, number: int, column: int, message: str) -> ImportFileError:
        return ImportFileError(self.file_name, f"{self.address(number, column)}: {message}")

    def fail_sheet(self, message: str) -> ImportFileError:
        return ImportFileError(self.file_name, f"{self.title}: {message}")


def _layout_columns(side: bool) -> tuple[Column, ...]:
    """The columns the exporter writes: the default layout's, with the side column of groups and
    the marks after № in the side style (西区)."""
    return city_columns(replace(DEFAULT_LAYOUT, group_style=GROUPS_AT_SIDE) if side else DEFAULT_LAYOUT)
