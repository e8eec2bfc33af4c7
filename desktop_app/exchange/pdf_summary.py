"""The one-page summary of a sheet as a PDF, in the city's layout, A4 or A3 landscape.

Drawn on a reportlab canvas with our own measuring rather than platypus tables: the page must
be fitted by trying many type sizes, and measuring a few hundred cells with plain arithmetic is
fast enough to try each size in milliseconds, while what is measured is exactly what is drawn.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal

from reportlab.lib.colors import Color, HexColor, black
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from desktop_app.domain.layout import (
    UNIT_LABEL,
    Column,
    RowKind,
    header_cells,
    remarks,
    sheet_notes,
    sheet_tables,
    side_marks,
    side_rows,
)
from desktop_app.domain.model import CITY_WARDS, GROUPS_AT_SIDE, Sheet
from desktop_app.domain.money import format_amount
from desktop_app.domain.totals import sheet_totals
from desktop_app.domain.wareki import wareki_date
from desktop_app.exchange.errors import ExchangeError
from desktop_app.exchange.fonts import (
    MISSING_MARK,
    char_widths,
    font_metrics,
    font_runs,
    missing_characters,
    printable,
    register_font,
    shown_character,
)
from desktop_app.messages import shown

Paper = Literal["A4", "A3"]
PAPER_CHOICES: Final = ("auto", "a4", "a3")
PAGE_SIZES: Final[dict[str, tuple[float, float]]] = {"A4": landscape(A4), "A3": landscape(A3)}

START_SIZE: Final = 9.0
# Below this the page is hard to read on paper: descriptions are shortened before going lower,
# and `auto` turns to A3 rather than go lower on A4.
LEGIBLE_SIZE: Final = 6.0
# What a forced A4 may shrink to, and the last resort on A3 for sheets of hundreds of projects
# (still sharp on screen when zoomed, and the text is searchable).
FORCED_A4_FLOOR: Final = 5.0
ABSOLUTE_FLOOR: Final = 3.0
SIZE_STEP: Final = 0.25
TRUNCATION_STEPS: Final = (3, 2, 1)
MAX_COLUMNS: Final[dict[str, int]] = {"A4": 2, "A3": 3}

MARGIN: Final = 10 * mm
BOTTOM_MARGIN: Final = 12 * mm
COLUMN_GAP: Final = 6 * mm
FOOTER_SIZE: Final = 7.0
ELLIPSIS: Final = "…"

HEADER_FILL: Final = HexColor("#D9E1EA")
GROUP_FILL: Final = HexColor("#EEF1F4")
TOTAL_FILL: Final = HexColor("#E2E2E2")

# The side column (group_style "side"): a full-width space before the group's name as 西区 prints it,
# up to three vertical lines side by side (1.3 em apart), one character every 1.05 em down a line.
SIDE_INDENT: Final = "\u3000"
SIDE_MAX_LINES: Final = 4
_SIDE_LINE_PITCH: Final = 1.3
_VERTICAL_STEP: Final = 1.0
_SIDE_SHORTEST_LINE: Final = 6
# Characters turned a quarter to stand upright in vertical text, and those moved to the upper right.
_ROTATED_IN_VERTICAL: Final = frozenset("ー－—‐-～〜…‥（）()「」『』【】〔〕［］[]｛｝{}〈〉《》＝=→←")
_RAISED_IN_VERTICAL: Final = frozenset("、。，．,.")
_SMALL_KANA: Final = frozenset("ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")

A3_MESSAGE: Final = "A4に収まらないためA3で作成しました。"
SHORTENED_MESSAGE: Final = "1ページに収めるため、事業内容の一部を「…」で省略しました。"

# Line-breaking rules of Japanese typesetting (禁則): what may not begin or end a line.
_NO_LINE_START: Final = frozenset(
    "、。，．,.・：；:;？！?!）」』】〕〉》］｝)]}’”ゝゞーァィゥェォッャュョヮヵヶぁぃぅぇぉっゃゅょゎ々〻‐–〜～…‥%％"
)
_NO_LINE_END: Final = frozenset("（「『【〔〈《［｛([{‘“")
# Latin words and figures (「2,200」「PTA」「R3」) are kept whole; anything else may break.
_TOKEN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,%'\-]*|.", re.DOTALL)


@dataclass(frozen=True)
class PdfResult:
    """A rendered summary: the file, its paper, the body type size, and what the user should know."""

    data: bytes
    paper: Paper
    font_size: float
    message: str | None = None
    # One sentence per project (and one for the sheet's own texts) naming characters that will not
    # print as written: the reader is told before printing, not left to find boxes on paper.
    warnings: tuple[str, ...] = ()


# --- characters the font lacks ----------------------------------------------------------------------

_PROJECT_FIELDS: Final = (
    ("no", "№"),
    ("name", "事業名"),
    ("description", "事業内容"),
    ("note", "備考"),
    ("notes_heading", "注記番号"),
    ("section", "担当"),
    ("district", "校区"),
)


def _listed(fields: Sequence[tuple[str, Sequence[str]]]) -> str:
    parts = []
    for field_name, texts in fields:
        chars = missing_characters("".join(texts))
        if chars:
            parts.append(f"{field_name}の" + "".join(f"「{shown_character(char)}」" for char in chars))
    return "、".join(parts)


def unprintable_warnings(sheet: Sheet) -> list[str]:
    """Which characters of which project (and of the sheet's own texts) the PDF cannot print.

    They print as 〓 (or, for a variation selector, in the usual form of the character before it).
    """
    register_font()
    ending = f"は印刷用のフォントにないため、{MISSING_MARK}で印刷されます。"
    warnings = []
    own = _listed(
        [
            ("表題", [sheet.title]),
            ("将来像", [sheet.vision]),
            ("区分名", [category.name for category in sheet.categories]),
            ("グループ", [text for group in sheet.groups for text in (group.name, group.description)]),
            ("段階名", sheet.stage_names),
        ]
    )
    if own:
        warnings.append(f"シートの{own}{ending}")
    for project in sheet.all_projects():
        listed = _listed([(label, [getattr(project, name) or ""]) for name, label in _PROJECT_FIELDS])
        if listed:
            warnings.append(f"事業 {shown(project.label)}の{listed}{ending}")
    return warnings


# --- content: what goes on the page, independent of any size -------------------------------------


@dataclass(frozen=True)
class _Row:
    kind: RowKind | None  # None: the column header row
    cells: tuple[str, ...]
    indent: bool = False
    # The name cell runs across the description's (南区: 「名前　内容」 in one cell).
    joined: bool = False
    # A group heading's stage cells hold the stage headings (北区), centred like the header's.
    labels: bool = False
    # Which merged cell of the side column (group_style "side") the row is in: an index of `_Table.sides`.
    side: int | None = None


@dataclass(frozen=True)
class _Table:
    heading: str
    rows: tuple[_Row, ...]
    # The column header of this table when it differs from the sheet's (stage cells left empty
    # where the group headings carry them).
    header: _Row | None = None
    # The texts of the side column's merged cells, written vertically (group_style "side").
    sides: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Content:
    title: str
    vision: str
    columns: tuple[Column, ...]
    header: _Row
    tables: tuple[_Table, ...]
    notes: tuple[str, ...]
    natural: tuple[float, ...]
    overview: str = ""
    notes_heading: str = ""


def _content(sheet: Sheet, measure: _Measure) -> _Content:
    expanded = header_cells(sheet)
    columns = tuple(column for column, _, _ in expanded)
    header = _Row(None, tuple(printable(text) for _, _, text in expanded))
    tables = []
    layout = sheet.layout
    at_side = layout.group_style == GROUPS_AT_SIDE
    for table in sheet_tables(sheet, sheet_totals(sheet)):
        rows = []
        # The side style prints no heading rows: each group is one vertical cell at the left of its rows.
        printed, runs = side_rows(sheet, table) if at_side else (list(table.rows), [])
        marks = side_marks(printed, runs)
        run_of = {index: number for number, run in enumerate(runs) for index in range(run.first, run.first + run.count)}
        for row_number, layout_row in enumerate(printed):
            project = layout_row.project
            cells: list[str] = []
            for column, stage, _ in expanded:
                if column is Column.STAGES:
                    assert stage is not None
                    amount = layout_row.amounts[stage] if stage < len(layout_row.amounts) else None
                    if layout_row.amounts:
                        cells.append(format_amount(amount))
                    else:
                        cells.append(layout_row.labels[stage] if stage < len(layout_row.labels) else "")
                elif layout_row.kind in (RowKind.GROUP, RowKind.TOTAL):
                    cells.append(layout_row.text if column is Column.NAME else "")
                elif project is None:
                    cells.append("")
                elif column is Column.MARK:
                    cells.append(marks[row_number])
                elif column is Column.NO:
                    cells.append("" if layout_row.kind is RowKind.CHILD else layout_row.no)
                elif column is Column.NAME:
                    prefix = f"{project.no} " if layout_row.kind is RowKind.CHILD and project.no else ""
                    if layout_row.joined and prefix:
                        prefix = project.no  # 「①【幸田】…」 as 南区 prints it, no space
                    cells.append(prefix + (layout_row.joined or layout_row.text))
                elif column is Column.DESCRIPTION:
                    cells.append("" if layout_row.joined else project.description)
                elif column is Column.REMARKS:
                    cells.append(remarks(project, layout))
                else:
                    cells.append("")
            rows.append(
                _Row(
                    layout_row.kind,
                    tuple(printable(cell) for cell in cells),
                    layout_row.kind is RowKind.CHILD,
                    joined=bool(layout_row.joined),
                    labels=bool(layout_row.labels),
                    side=run_of.get(row_number),
                )
            )
        own_header = None
        if not table.stage_labels_in_header:
            own_header = _Row(
                None,
                tuple(
                    "" if stage is not None else text
                    for text, (_, stage, _) in zip(header.cells, expanded, strict=True)
                ),
            )
        sides = tuple(printable(SIDE_INDENT + run.text) for run in runs)
        tables.append(_Table(printable(table.heading), tuple(rows), header=own_header, sides=sides))
    notes = tuple(printable(f"{note.heading}　{note.text}") for note in sheet_notes(sheet))
    natural = _natural_widths(columns, header, tables, measure)
    return _Content(
        printable(sheet.title),
        printable(sheet.vision),
        columns,
        header,
        tuple(tables),
        notes,
        natural,
        printable(layout.overview),
        printable(layout.notes_heading),
    )


# --- measuring ----------------------------------------------------------------------------------


class _Measure:
    """Widths and line breaks in the bundled font, in 1/1000 em so one result serves every size."""

    def __init__(self) -> None:
        self.widths, self.default = char_widths()
        ascent, descent = font_metrics()
        # From the middle of a line to its baseline, so text sits centred in its cell.
        self.centre_drop = (ascent + descent) / 2000
        self._tokens: dict[str, list[tuple[str, float]]] = {}
        # Fitting a page tries a dozen sizes over the same texts: each text is measured once.
        self._units: dict[str, float] = {}

    def units(self, text: str) -> float:
        found = self._units.get(text)
        if found is None:
            widths, default = self.widths, self.default
            found = self._units[text] = sum(widths.get(ord(char), default) for char in text)
        return found

    def tokens(self, text: str) -> list[tuple[str, float]]:
        found = self._tokens.get(text)
        if found is None:
            found = [(token, self.units(token)) for token in _TOKEN.findall(text)]
            self._tokens[text] = found
        return found

    def wrap(self, text: str, limit: float) -> list[str]:
        """Lines of at most `limit` units, broken between characters but never against 禁則."""
        lines: list[str] = []
        for paragraph in text.split("\n"):
            lines += self._wrap_paragraph(paragraph, limit)
        return lines

    def _wrap_paragraph(self, text: str, limit: float) -> list[str]:
        limit += 0.5  # a column made exactly as wide as its text must not wrap it by a rounding error
        if self.units(text) <= limit:
            return [text.strip()] if text.strip() else [""]
        tokens = list(self.tokens(text))
        lines: list[str] = []
        start, count = 0, len(tokens)
        while start < count:
            while start < count and tokens[start][0].isspace():
                start += 1
            if start >= count:
                break
            if tokens[start][1] > limit and len(tokens[start][0]) > 1:
                # A Latin word wider than the column: break it between letters after all.
                word = tokens[start][0]
                tokens[start : start + 1] = [(char, self.units(char)) for char in word]
                count = len(tokens)
            end, used = start, 0.0
            while end < count and (end == start or used + tokens[end][1] <= limit):
                used += tokens[end][1]
                end += 1
            if end < count:
                # Push characters to the next line rather than start it with 「、」 or end one with 「（」.
                while end - 1 > start and (
                    tokens[end][0][0] in _NO_LINE_START or tokens[end - 1][0][-1] in _NO_LINE_END
                ):
                    end -= 1
            lines.append("".join(token for token, _ in tokens[start:end]).rstrip())
            start = end
        return lines or [""]

    def shorten(self, line: str, limit: float) -> str:
        """The line cut so that it and 「…」 fit."""
        room = limit - self.units(ELLIPSIS)
        while line and self.units(line) > room:
            line = line[:-1]
        return line.rstrip() + ELLIPSIS


# --- composing a page at one size -----------------------------------------------------------------


@dataclass(frozen=True)
class _Rung:
    """One attempt: a paper, a body type size, how many side-by-side columns, description lines."""

    paper: Paper
    size: float
    columns: int
    description_lines: int | None


@dataclass
class _MeasuredRow:
    row: _Row
    lines: list[list[str]]
    height: float
    # On the first row of a side cell: its text's vertical lines, right to left.
    side_lines: list[str] | None = None


@dataclass
class _Placed:
    """Something put at (column, offset from the top of the flow area)."""

    what: Literal["head", "row", "notes_heading", "note"]
    column: int
    top: float
    table: _Table | None = None
    measured: _MeasuredRow | None = None
    lines: list[str] = field(default_factory=list)
    continued: bool = False


@dataclass
class _Page:
    rung: _Rung
    width: float
    height: float
    title_size: float
    vision_size: float
    flow_top: float
    column_width: float
    widths: list[float]
    leading: float
    pad_x: float
    pad_y: float
    head_height: float
    placed: list[_Placed]
    shortened: bool
    overview: list[str] = field(default_factory=list)
    overview_top: float = 0.0


def _padding(size: float) -> tuple[float, float, float]:
    """(leading, horizontal padding, vertical padding): generous at 9 pt, tight at 6 pt and below."""
    looseness = min(1.0, max(0.0, (size - LEGIBLE_SIZE) / (START_SIZE - LEGIBLE_SIZE)))
    leading = size * (1.15 + 0.1 * looseness)
    return leading, size * (0.25 + 0.15 * looseness), size * (0.08 + 0.22 * looseness)


def _natural_widths(
    columns: tuple[Column, ...], header: _Row, tables: Sequence[_Table], measure: _Measure
) -> tuple[float, ...]:
    """Per column, the widest cell on one line (header included), in 1/1000 em."""
    # A heading may hold line breaks (西区's 「令和２年度\nまちづくりの\n推進方針」): its widest line counts.
    natural = [max(measure.units(line) for line in text.split("\n")) for text in header.cells]
    for table in tables:
        for row in table.rows:
            for index, cell in enumerate(row.cells):
                column = columns[index]
                if row.kind in (RowKind.GROUP, RowKind.TOTAL) and column is not Column.STAGES:
                    continue  # these span several columns
                if row.joined and column in (Column.NAME, Column.DESCRIPTION):
                    continue
                indent = 1000 if row.indent and column is Column.NAME else 0
                natural[index] = max(natural[index], measure.units(cell) + indent)
    # Stage columns share one width, so the figures line up like the city's sheet.
    stages = [i for i, column in enumerate(columns) if column is Column.STAGES]
    widest = max((natural[i] for i in stages), default=0.0)
    for index in stages:
        natural[index] = widest
    return tuple(natural)


_MAX_NUMBER_WIDTH: Final = 4000  # 1/1000 em
# (least width in em, largest share of the room the figures leave) of the columns that wrap.
_TEXT_COLUMN_SHARES: Final = {Column.NAME: (6.0, 0.34), Column.REMARKS: (3.0, 0.26)}


def _column_widths(content: _Content, width: float, size: float, pad_x: float) -> list[float] | None:
    """Widths of the table's columns: figures as wide as they need, the texts share the rest.

    Names and remarks get what they need up to a share; descriptions, the longest texts, get the
    rest, and whatever descriptions do not need goes back to names and remarks.
    """
    scale = size / 1000
    widths = [0.0] * len(content.columns)
    flexible = []
    for index, column in enumerate(content.columns):
        if column is Column.STAGES:
            widths[index] = max(content.natural[index], 1000) * scale + 2 * pad_x
        elif column is Column.SIDE:
            widths[index] = max(content.natural[index], SIDE_MAX_LINES * _SIDE_LINE_PITCH * 1000) * scale + 2 * pad_x
        elif column in (Column.NO, Column.MARK):
            # Numbers are short; an odd long one wraps rather than squeezing the names.
            widths[index] = min(max(content.natural[index], 1000), _MAX_NUMBER_WIDTH) * scale + 2 * pad_x
        else:
            flexible.append(index)
    rest = width - sum(widths)
    if rest < 16 * size:
        return None
    want = {index: max(content.natural[index] * scale, 3 * size) + 2 * pad_x for index in flexible}
    description = next((i for i in flexible if content.columns[i] is Column.DESCRIPTION), None)
    for index in flexible:
        if index != description:
            least, share = _TEXT_COLUMN_SHARES.get(content.columns[index], (3.0, 0.2))
            want[index] = max(want[index], least * size + 2 * pad_x)
            widths[index] = min(want[index], share * rest)
    if description is None:
        if flexible:
            widths[flexible[-1]] += width - sum(widths)
        return widths
    room = width - sum(widths)
    if room < 5 * size:
        return None
    surplus = room - want[description]
    for index in flexible:
        if surplus <= 0:
            break
        extra = min(surplus, want[index] - widths[index])
        if index != description and extra > 0:
            widths[index] += extra
            surplus -= extra
    widths[description] = width - sum(widths)
    return widths


def _measure_row(
    row: _Row,
    content: _Content,
    measure: _Measure,
    widths: list[float],
    size: float,
    leading: float,
    pad_x: float,
    pad_y: float,
    description_lines: int | None,
) -> tuple[_MeasuredRow, bool]:
    """The row's lines per cell and its height; True if a description had to be shortened."""
    to_units = 1000 / size
    if row.kind is RowKind.GROUP:
        name = content.columns.index(Column.NAME)
        merged = _merged_until(row, content.columns)
        lines = measure.wrap(row.cells[name], (sum(widths[:merged]) - 2 * pad_x) * to_units)
        cells = [
            lines if index == name else ([row.cells[index]] if index >= merged and row.cells[index] else [])
            for index in range(len(widths))
        ]
        return _MeasuredRow(row, cells, len(lines) * leading + 2 * pad_y), False
    cells = []
    description_at = None
    for index, text in enumerate(row.cells):
        column = content.columns[index]
        if row.kind is RowKind.TOTAL and column is not Column.STAGES:
            cells.append([text] if text else [])
            continue
        room = widths[index] - 2 * pad_x - (size if row.indent and column is Column.NAME else 0)
        if row.joined and column is Column.NAME:
            room += _joined_width(content.columns, widths) - widths[index]
        if column is Column.STAGES or (row.kind is None and measure.units(text) * size / 1000 <= room):
            cells.append([text])
            continue
        cells.append(measure.wrap(text, room * to_units) if text else [])
        if column is Column.DESCRIPTION:
            description_at = index
    shortened = False
    if description_at is not None and description_lines is not None:
        others = max((len(lines) for i, lines in enumerate(cells) if i != description_at), default=1)
        allowed = max(description_lines, others)
        lines = cells[description_at]
        if len(lines) > allowed:
            room = (widths[description_at] - 2 * pad_x) * to_units
            cells[description_at] = [*lines[: allowed - 1], measure.shorten(lines[allowed - 1], room)]
            shortened = True
    height = max((len(lines) for lines in cells), default=1) * leading + 2 * pad_y
    return _MeasuredRow(row, cells, max(height, leading + 2 * pad_y)), shortened


def _joined_width(columns: tuple[Column, ...], widths: list[float]) -> float:
    """The width of a name cell that runs across the description's."""
    name = columns.index(Column.NAME)
    description = columns.index(Column.DESCRIPTION) if Column.DESCRIPTION in columns else name
    return sum(widths[name : description + 1])


def _vertical_lines(text: str, per_line: int) -> list[str]:
    """The text in vertical lines of at most `per_line` characters (first line first, printed
    rightmost), broken at its line breaks and never starting a line with 「、」 or 「ー」 (禁則)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        start = 0
        while start < len(paragraph) or not paragraph:
            end = min(start + per_line, len(paragraph))
            while start + 1 < end < len(paragraph) and paragraph[end] in _NO_LINE_START:
                end -= 1
            lines.append(paragraph[start:end])
            if not paragraph:
                break
            start = end
    return lines


def _fit_side_cells(table: _Table, rows: list[_MeasuredRow], size: float, pad_y: float, most: int) -> None:
    """Gives each side cell its vertical lines: the fewest (up to `most`) that its rows' height
    holds, or else as many as allowed with the rows grown evenly until they hold them."""
    step = size * _VERTICAL_STEP
    runs: dict[int, list[_MeasuredRow]] = {}
    for measured in rows:
        if measured.row.side is not None:
            runs.setdefault(measured.row.side, []).append(measured)
    for run, members in runs.items():
        text = table.sides[run]
        have = sum(measured.height for measured in members)
        chosen: list[str] = []
        for count in range(1, most + 1):
            per_line = max(1, -(-len(text.replace("\n", "")) // count))
            # More line breaks than lines allowed: one line per paragraph, however many that is.
            while len(lines := _vertical_lines(text, per_line)) > count and per_line < len(text):
                per_line += 1
            chosen = lines
            if max(map(len, lines)) * step + 2 * pad_y <= have:
                break
            if -(-len(text) // (count + 1)) < _SIDE_SHORTEST_LINE:
                break  # a short name is not cut into stubs: its rows grow instead
        need = max(map(len, chosen)) * step + 2 * pad_y
        if need > have:
            for measured in members:
                measured.height += (need - have) / len(members)
        members[0].side_lines = chosen


def _merged_until(row: _Row, columns: tuple[Column, ...]) -> int:
    """The cells merged across from the left: a whole group heading, or the label of a total
    (and of a group heading with its subtotals) across the columns before the figures."""
    stages = [i for i, column in enumerate(columns) if column is Column.STAGES]
    if row.kind is RowKind.TOTAL or (row.kind is RowKind.GROUP and any(row.cells[i] for i in stages)):
        return stages[0] if stages else len(columns)
    if row.kind is RowKind.GROUP:
        return len(columns)
    return 0


def _starts_block(row: _Row, blocks: list[list[_MeasuredRow]]) -> bool:
    """Whether a row begins a new unit that is kept in one column: sub-items and 合計 join the
    rows before them, and a project joins the group heading right above it."""
    if not blocks or row.kind is RowKind.GROUP:
        return True
    if row.side is not None and blocks[-1][-1].row.side == row.side:
        return False  # the rows of one side cell stay in one column, under their merged cell
    if row.kind in (RowKind.CHILD, RowKind.TOTAL):
        return False
    return not all(measured.row.kind is RowKind.GROUP for measured in blocks[-1])


def _compose(content: _Content, measure: _Measure, rung: _Rung) -> _Page | None:
    """The page laid out at one rung, or None if it does not fit.

    Side cells are written in one vertical line, the rows grown to hold it; only when that page
    does not fit are they wrapped into a second and a third line (right to left)."""
    if Column.SIDE not in content.columns:
        return _compose_at(content, measure, rung, 1)
    for side_lines in range(1, SIDE_MAX_LINES + 1):
        page = _compose_at(content, measure, rung, side_lines)
        if page is not None:
            return page
    return None


def _compose_at(content: _Content, measure: _Measure, rung: _Rung, side_lines: int) -> _Page | None:
    """The page laid out at one rung with side cells in at most `side_lines` vertical lines."""
    width, height = PAGE_SIZES[rung.paper]
    size = rung.size
    leading, pad_x, pad_y = _padding(size)
    title_size = min(15.0, max(10.0, size * 1.6))
    vision_size = min(10.5, max(8.0, size * 1.15))
    vision_lines = content.vision.count("\n") + 1 if content.vision else 0
    flow_top = height - MARGIN - title_size * 1.3 - vision_size * (1.2 * vision_lines + 0.3 * bool(vision_lines))
    flow_top -= size * 0.6
    inner = width - 2 * MARGIN
    # The overview (基本理念, ビジョン, 方向性…) runs across the page above the tables, at body size.
    overview = measure.wrap(content.overview, inner * 1000 / size) if content.overview else []
    overview_top = flow_top
    if overview:
        flow_top -= len(overview) * leading + size * 0.6
    flow_height = flow_top - BOTTOM_MARGIN
    column_width = (inner - (rung.columns - 1) * COLUMN_GAP) / rung.columns
    widths = _column_widths(content, column_width, size, pad_x)
    if widths is None:
        return None

    # Every row takes at least one line: when even that cannot fit, skip measuring the rows at all.
    row_count = sum(len(table.rows) for table in content.tables)
    if row_count * (leading + 2 * pad_y) > flow_height * rung.columns:
        return None

    shortened = False
    header, _ = _measure_row(content.header, content, measure, widths, size, leading, pad_x, pad_y, None)
    head_height = size * 1.1 * 1.5 + header.height
    # The heading and unit line above a table's column header.
    heading_band = head_height - header.height
    gap = size * 1.2
    placed: list[_Placed] = []
    column, used = 0, 0.0

    def next_column() -> bool:
        nonlocal column, used
        column, used = column + 1, 0.0
        return column < rung.columns

    def room_for(needed: float) -> bool:
        """True if `needed` fits here or at the top of the next column (moving there)."""
        if used + needed <= flow_height:
            return True
        return needed <= flow_height and next_column()

    for table in content.tables:
        if used:
            used += gap
        table_header, table_head_height = header, head_height
        if table.header is not None:
            table_header, _ = _measure_row(table.header, content, measure, widths, size, leading, pad_x, pad_y, None)
            table_head_height = heading_band + table_header.height
        blocks: list[list[_MeasuredRow]] = []
        for row in table.rows:
            measured, cut = _measure_row(
                row, content, measure, widths, size, leading, pad_x, pad_y, rung.description_lines
            )
            shortened = shortened or cut
            if _starts_block(row, blocks):
                blocks.append([measured])
            else:
                blocks[-1].append(measured)
        if table.sides:
            _fit_side_cells(table, [measured for block in blocks for measured in block], size, pad_y, side_lines)
        head_pending, continued = True, False
        for block in blocks:
            block_height = sum(measured.height for measured in block)
            here = used + (table_head_height if head_pending else 0.0) + block_height
            # A project stays with its sub-items (and a group heading with its first project) when
            # a fresh column can hold them together.
            if here > flow_height and table_head_height + block_height <= flow_height:
                if not next_column():
                    return None
                head_pending = True
            for measured in block:
                if not head_pending and used + measured.height > flow_height:
                    if not next_column():
                        return None
                    head_pending = True
                if head_pending:
                    if not room_for(table_head_height + measured.height):
                        return None
                    placed.append(
                        _Placed("head", column, used, table=table, measured=table_header, continued=continued)
                    )
                    used += table_head_height
                    head_pending = False
                placed.append(_Placed("row", column, used, table=table, measured=measured))
                used += measured.height
                continued = True

    if content.notes:
        limit = (column_width - size) * 1000 / size
        wrapped = [measure.wrap(note, limit) for note in content.notes]
        if used:
            used += gap
        heading_height = leading * 1.3
        if not room_for(heading_height + len(wrapped[0]) * leading):
            return None
        if content.notes_heading:
            placed.append(_Placed("notes_heading", column, used, lines=[content.notes_heading]))
            used += heading_height
        for lines in wrapped:
            if not room_for(len(lines) * leading):
                return None
            placed.append(_Placed("note", column, used, lines=lines))
            used += len(lines) * leading
    return _Page(
        rung=rung,
        width=width,
        height=height,
        title_size=title_size,
        vision_size=vision_size,
        flow_top=flow_top,
        column_width=column_width,
        widths=widths,
        leading=leading,
        pad_x=pad_x,
        pad_y=pad_y,
        head_height=head_height,
        placed=placed,
        shortened=shortened,
        overview=overview,
        overview_top=overview_top,
    )


# --- choosing the size ------------------------------------------------------------------------------


def _sizes(start: float, stop: float) -> list[float]:
    count = round((start - stop) / SIZE_STEP)
    return [start - SIZE_STEP * step for step in range(count + 1)]


def _legible(paper: Paper, columns: int) -> list[_Rung]:
    """Shrink from 9 pt to 6 pt with whole descriptions, then shorten descriptions at 6 pt."""
    rungs = [_Rung(paper, size, columns, None) for size in _sizes(START_SIZE, LEGIBLE_SIZE)]
    return rungs + [_Rung(paper, LEGIBLE_SIZE, columns, lines) for lines in TRUNCATION_STEPS]


def _small(paper: Paper, columns: int, floor: float) -> list[_Rung]:
    return [_Rung(paper, size, columns, 1) for size in _sizes(LEGIBLE_SIZE - SIZE_STEP, floor)]


def _tiers(paper: Paper, floor: float) -> list[list[list[_Rung]]]:
    """Groups of ladders tried in order; within a group the one fitting the largest type wins.

    One table across the page keeps descriptions widest, so it comes first; side-by-side columns
    are for long sheets, where they allow larger type than one very long table would.
    """
    columns = range(2, MAX_COLUMNS[paper] + 1)
    return [
        [_legible(paper, 1)],
        [_legible(paper, count) for count in columns],
        [_small(paper, count, floor) for count in (1, *columns)],
    ]


def _first_fit(content: _Content, measure: _Measure, ladder: Sequence[_Rung]) -> _Page | None:
    """The first rung of the ladder that fits; each step needs less room, so bisect."""
    if not ladder:
        return None
    last = _compose(content, measure, ladder[-1])
    if last is None:
        return None
    first = _compose(content, measure, ladder[0])
    if first is not None:
        return first
    low, high, best = 0, len(ladder) - 1, last  # ladder[low] does not fit, ladder[high] does
    while high - low > 1:
        middle = (low + high) // 2
        page = _compose(content, measure, ladder[middle])
        if page is None:
            low = middle
        else:
            high, best = middle, page
    return best


def _preference(page: _Page) -> tuple[float, int, int]:
    lines = page.rung.description_lines
    return (page.rung.size, 99 if lines is None else lines, -page.rung.columns)


def _fit(content: _Content, measure: _Measure, tiers: Sequence[Sequence[Sequence[_Rung]]]) -> _Page | None:
    for tier in tiers:
        pages = [page for ladder in tier if (page := _first_fit(content, measure, ladder)) is not None]
        if pages:
            return max(pages, key=_preference)
    return None


# --- drawing ------------------------------------------------------------------------------------------


class _Painter:
    """Draws a composed page on a canvas."""

    def __init__(self, canvas: Canvas, font: str, page: _Page, measure: _Measure, columns: tuple[Column, ...]) -> None:
        self.canvas, self.font, self.page, self.measure = canvas, font, page, measure
        self.content_columns = columns
        self.rule_width = max(0.2, min(0.5, page.rung.size * 0.06))

    def text(self, x: float, baseline: float, text: str, size: float, align: str = "left", bold: bool = False) -> None:
        if not text:
            return
        canvas = self.canvas
        canvas.setFont(self.font, size)
        # IPAexGothic has no bold face: fill and stroke the outline thinly instead (still real text).
        mode: Literal[0, 2] = 2 if bold else 0
        if bold:
            canvas.setLineWidth(size * 0.035)
        runs = font_runs(text)
        if len(runs) > 1 or runs[0][0] != self.font:
            self.mixed_text(x, baseline, runs, size, align, mode)
        elif align == "right":
            canvas.drawRightString(x, baseline, text, mode=mode)
        elif align == "centre":
            canvas.drawCentredString(x, baseline, text, mode=mode)
        else:
            canvas.drawString(x, baseline, text, mode=mode)

    def mixed_text(
        self, x: float, baseline: float, runs: list[tuple[str, str]], size: float, align: str, mode: Literal[0, 2]
    ) -> None:
        """A line with symbols IPAexGothic lacks (➤): each run in its own font, as one text object."""
        width = sum(stringWidth(run, font, size) for font, run in runs)
        if align == "right":
            x -= width
        elif align == "centre":
            x -= width / 2
        text = self.canvas.beginText(x, baseline)
        text.setTextRenderMode(mode)
        for font, run in runs:
            text.setFont(font, size)
            text.textOut(run)
        self.canvas.drawText(text)
        self.canvas.setFont(self.font, size)

    def lines_in_box(
        self, lines: list[str], x: float, top: float, width: float, height: float, align: str, bold: bool = False
    ) -> None:
        page = self.page
        size, leading = page.rung.size, page.leading
        block_top = top - (height - len(lines) * leading) / 2
        for number, line in enumerate(lines):
            baseline = block_top - number * leading - leading / 2 - self.measure.centre_drop * size
            if align == "right":
                self.text(x + width - page.pad_x, baseline, line, size, "right", bold)
            elif align == "centre":
                self.text(x + width / 2, baseline, line, size, "centre", bold)
            else:
                self.text(x + page.pad_x, baseline, line, size, "left", bold)

    def draw(self, content: _Content, produced: date) -> None:
        page, canvas = self.page, self.canvas
        canvas.setFillColor(black)
        canvas.setStrokeColor(black)
        top = page.height - MARGIN
        self.text(page.width / 2, top - page.title_size, content.title, page.title_size, "centre", bold=True)
        for number, line in enumerate(content.vision.split("\n") if content.vision else []):
            baseline = top - page.title_size * 1.3 - page.vision_size * 1.2 * (number + 1)
            self.text(page.width / 2, baseline, line, page.vision_size, "centre")
        for number, line in enumerate(page.overview):
            baseline = page.overview_top - (number + 0.5) * page.leading - self.measure.centre_drop * page.rung.size
            self.text(MARGIN, baseline, line, page.rung.size)
        footer = f"作成日: {wareki_date(produced)}"
        self.text(page.width - MARGIN, BOTTOM_MARGIN / 2, footer, FOOTER_SIZE, "right")

        rules: list[tuple[float, float, float, float]] = []
        spans = _side_spans(page.placed)
        for number, placed in enumerate(page.placed):
            left = MARGIN + placed.column * (page.column_width + COLUMN_GAP)
            top = page.flow_top - placed.top
            if placed.what == "head":
                self.head(placed, left, top, rules)
            elif placed.what == "row":
                assert placed.measured is not None
                if number in spans:
                    self.side_cell(spans[number], left, top, rules)
                self.row(placed.measured, left, top, rules)
            elif placed.what == "notes_heading":
                baseline = top - page.leading * 0.5 - self.measure.centre_drop * page.rung.size
                self.text(left, baseline, placed.lines[0], page.rung.size, bold=True)
            else:
                for number, line in enumerate(placed.lines):
                    baseline = top - (number + 0.5) * page.leading - self.measure.centre_drop * page.rung.size
                    self.text(left + (page.rung.size if number else 0), baseline, line, page.rung.size)
        canvas.setLineWidth(self.rule_width)
        canvas.setStrokeColor(black)
        canvas.lines(rules)

    def head(self, placed: _Placed, left: float, top: float, rules: list[tuple[float, float, float, float]]) -> None:
        page = self.page
        size = page.rung.size
        assert placed.table is not None and placed.measured is not None
        heading = placed.table.heading + ("（続き）" if placed.continued else "")
        baseline = top - size * 1.1 * 1.15
        self.text(left, baseline, heading, size * 1.1, bold=True)
        self.text(left + sum(page.widths), baseline, printable(UNIT_LABEL), size, "right")
        self.row(placed.measured, left, top - (page.head_height - placed.measured.height), rules)

    def row(
        self, measured: _MeasuredRow, left: float, top: float, rules: list[tuple[float, float, float, float]]
    ) -> None:
        page, canvas = self.page, self.canvas
        widths, height = page.widths, measured.height
        total_width = sum(widths)
        kind = measured.row.kind
        fill: Color | None = {None: HEADER_FILL, RowKind.GROUP: GROUP_FILL, RowKind.TOTAL: TOTAL_FILL}.get(kind)
        if fill is not None:
            canvas.setFillColor(fill)
            canvas.rect(left, top - height, total_width, height, stroke=0, fill=1)
            canvas.setFillColor(black)
        columns = len(widths)
        merged_until = _merged_until(measured.row, self.content_columns)
        x = left
        boundaries = [left]
        for width in widths:
            x += width
            boundaries.append(x)
        # Within a side cell the rules between rows stop at its right edge (side_cell draws its own).
        start = boundaries[1] if measured.row.side is not None else left
        rules.append((start, top, left + total_width, top))
        rules.append((start, top - height, left + total_width, top - height))
        mark = self.content_columns.index(Column.MARK) if Column.MARK in self.content_columns else -1
        name = self.content_columns.index(Column.NAME)
        # No rule inside a name cell that runs across the description's.
        inside: set[int] = set()
        if measured.row.joined and Column.DESCRIPTION in self.content_columns:
            inside = set(range(name + 1, self.content_columns.index(Column.DESCRIPTION) + 1))
        for index, boundary in enumerate(boundaries):
            if (kind is None and index == mark) or index in inside:
                continue  # the № heading stands over the marks too
            if index in (0, len(widths)) or index >= merged_until:
                rules.append((boundary, top, boundary, top - height))
        if kind is RowKind.GROUP:
            span = boundaries[merged_until] - left
            self.lines_in_box(measured.lines[name], left, top, span, height, "left", bold=True)
            if merged_until == columns:
                return
        if kind is RowKind.TOTAL and merged_until:
            label = measured.row.cells[name]
            self.lines_in_box([label], left, top, boundaries[merged_until] - left, height, "centre", bold=True)
        for index, lines in enumerate(measured.lines):
            if index < merged_until:
                continue
            column = self.content_columns[index]
            x, width = boundaries[index], widths[index]
            if kind is None and column is Column.NO and mark == index + 1:
                self.lines_in_box(lines, x, top, width + widths[mark], height, "centre")
            elif kind is None:
                self.lines_in_box(lines, x, top, width, height, "centre")
            elif column is Column.STAGES:
                align = "centre" if measured.row.labels else "right"
                self.lines_in_box(lines, x, top, width, height, align, bold=kind is RowKind.TOTAL)
            elif column in (Column.NO, Column.MARK):
                self.lines_in_box(lines, x, top, width, height, "centre")
            elif measured.row.indent and column is Column.NAME:
                indent = page.rung.size
                self.lines_in_box(lines, x + indent, top, width - indent, height, "left")
            else:
                self.lines_in_box(lines, x, top, width, height, "left")

    def side_cell(
        self, span: tuple[float, list[str]], left: float, top: float, rules: list[tuple[float, float, float, float]]
    ) -> None:
        """One merged cell of the side column, `span` = (its height, its vertical lines), drawn
        before the first of its rows so that its text comes first when the page is read as text."""
        page, canvas = self.page, self.canvas
        height, lines = span
        right = left + page.widths[0]
        rules.append((left, top, right, top))
        rules.append((left, top - height, right, top - height))
        if not lines:
            return
        size = page.rung.size
        step, pitch = size * _VERTICAL_STEP, size * _SIDE_LINE_PITCH
        first_centre = left + page.widths[0] / 2 + (len(lines) - 1) * pitch / 2
        # From the top, after the full-width space, as 西区 writes it (not centred in the cell).
        block_top = top - page.pad_y
        canvas.setFont(self.font, size)
        for number, line in enumerate(lines):
            x = first_centre - number * pitch
            for position, char in enumerate(line):
                y = block_top - (position + 0.5) * step
                dx = dy = 0.0
                if char in _RAISED_IN_VERTICAL:
                    dx = dy = 0.55 * size
                elif char in _SMALL_KANA:
                    dx = dy = 0.1 * size
                if char in _ROTATED_IN_VERTICAL:
                    canvas.saveState()
                    canvas.translate(x, y)
                    canvas.rotate(-90)
                    canvas.drawCentredString(0, -self.measure.centre_drop * size, char)
                    canvas.restoreState()
                else:
                    canvas.drawCentredString(x + dx, y + dy - self.measure.centre_drop * size, char)


def _side_spans(placed: Sequence[_Placed]) -> dict[int, tuple[float, list[str]]]:
    """Where each merged side cell starts among the placed things: (its height, its lines).

    A cell is the run of placed rows of one side cell in one column; the part of a run that was
    carried on to the next column (taller than a whole column) gets no text of its own."""
    spans: dict[int, tuple[float, list[str]]] = {}
    start: _Placed | None = None
    at = 0
    for number, item in enumerate(placed):
        measured = item.measured if item.what == "row" else None
        if measured is None or measured.row.side is None:
            start = None
            continue
        if start is not None and start.column == item.column and start.table is item.table:
            assert start.measured is not None
            if start.measured.row.side == measured.row.side:
                height, lines = spans[at]
                spans[at] = (height + measured.height, lines)
                continue
        start, at = item, number
        spans[number] = (measured.height, measured.side_lines or [])
    return spans


# --- the entry point --------------------------------------------------------------------------------


def _tiers_for(paper: str) -> tuple[list[list[list[_Rung]]], float]:
    if paper == "a4":
        return _tiers("A4", FORCED_A4_FLOOR), FORCED_A4_FLOOR
    if paper == "a3":
        return _tiers("A3", ABSOLUTE_FLOOR), ABSOLUTE_FLOOR
    a4 = _tiers("A4", LEGIBLE_SIZE)[:2]  # auto goes to A3 rather than below legible type on A4
    return a4 + _tiers("A3", ABSOLUTE_FLOOR), ABSOLUTE_FLOOR


def render_pdf(sheet: Sheet, *, paper: str = "auto", produced: date | None = None) -> PdfResult:
    """The sheet on exactly one landscape page, type shrunk (and descriptions shortened) to fit.

    `paper`: `auto` (A4, or A3 when A4 would need type below 6 pt), `a4` (shrink to 5 pt at the
    least, else an ExchangeError) or `a3`. `produced` is the date in the footer (today by default).
    """
    choice = paper.strip().lower()
    if choice not in PAPER_CHOICES:
        raise ExchangeError(f"用紙「{paper}」は選べません（auto / a4 / a3 のいずれか）。")
    font = register_font()
    measure = _Measure()
    content = _content(sheet, measure)
    tiers, floor = _tiers_for(choice)
    page = _fit(content, measure, tiers)
    if page is None:
        if choice == "a4":
            raise ExchangeError(
                f"A4の1ページには文字を{FORCED_A4_FLOOR:g}ポイントまで小さくしても収まりません（A3か自動を選んでください）。"
            )
        raise ExchangeError(f"事業が多すぎて、A3の1ページに文字を{floor:g}ポイントまで小さくしても収まりません。")

    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=(page.width, page.height),
        initialFontName=font,  # type: ignore[arg-type]  # a font name; types-reportlab says float
        initialFontSize=page.rung.size,
        pageCompression=1,
    )
    canvas.setTitle(content.title)
    canvas.setSubject(f"{sheet.ward} まちづくり推進経費")
    canvas.setCreator("machizukuri")
    canvas.setAuthor(f"熊本市{sheet.ward}役所" if sheet.ward in {ward.name for ward in CITY_WARDS} else "熊本市")
    painter = _Painter(canvas, font, page, measure, content.columns)
    painter.draw(content, produced or date.today())
    canvas.showPage()
    canvas.save()

    messages = []
    if page.rung.paper == "A3" and choice == "auto":
        messages.append(A3_MESSAGE)
    if page.shortened:
        messages.append(SHORTENED_MESSAGE)
    if page.rung.size < LEGIBLE_SIZE:
        messages.append(f"事業が多いため、文字を{page.rung.size:g}ポイントまで小さくしています。")
    return PdfResult(
        data=buffer.getvalue(),
        paper=page.rung.paper,
        font_size=page.rung.size,
        message="".join(messages) or None,
        warnings=tuple(unprintable_warnings(sheet)),
    )
