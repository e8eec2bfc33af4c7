"""The sheet as a Qt table, laid out as the ward prints it: headings, groups, projects, sub-items, totals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from desktop_app.domain import Finding, Project, Sheet, format_amount, format_rate, sheet_totals
from desktop_app.domain.edits import CellInput, SheetChanges, current_stage, plan_cells, plan_clear, plan_rename_group
from desktop_app.domain.layout import EDITOR_COLUMNS, Column, RowKind, expand_columns, sheet_tables
from desktop_app.domain.totals import SheetTotals

if TYPE_CHECKING:
    from desktop_app.gui.sheet_editor import Planner

_Index = QModelIndex | QPersistentModelIndex

GROUP_BRUSH = QBrush(QColor("#e8eef5"))
TOTAL_BRUSH = QBrush(QColor("#dde7f0"))
CURRENT_STAGE_BRUSH = QBrush(QColor("#fff8dc"))
LOCKED_BRUSH = QBrush(QColor("#f0f0f0"))
COMPUTED_BRUSH = QBrush(QColor("#f4f4f4"))
FINDING_BRUSH = QBrush(QColor("#fde2e2"))
MUTED_TEXT = QBrush(QColor("#777777"))
BOLD = QFont()
BOLD.setBold(True)

# Built once: data() and flags() run thousands of times per repaint.
_BASE_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDITABLE_FLAGS = _BASE_FLAGS | Qt.ItemFlag.ItemIsEditable
_CHECKABLE_FLAGS = _BASE_FLAGS | Qt.ItemFlag.ItemIsUserCheckable
_ALIGN_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ALIGN_CENTER = int(Qt.AlignmentFlag.AlignCenter)
_ALIGN_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

# Custom roles the view and the tests read.
ROW_KIND_ROLE = Qt.ItemDataRole.UserRole + 1
PROJECT_ID_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Row:
    """One table row, as the sheet's layout prints it (`sheet_tables`), with what the editor needs.

    Headings, group rows and totals carry their printed text; `group` is a heading's position in
    `Sheet.groups`, so two headings of one name (南区's 防災・減災) stay two rows with two identities.
    """

    kind: RowKind
    text: str = ""
    project: Project | None = None
    # Not compared: a sub-item's row reads the same when only its parent's sum moved.
    parent: Project | None = field(default=None, compare=False)
    group: int | None = None
    category: str | None = None
    no: str = ""
    amounts: tuple[int | None, ...] = ()

    @property
    def key(self) -> tuple[object, ...]:
        """What the row stands for, whatever it shows: an edit that keeps every key repaints in place."""
        return (self.kind, self.project.id if self.project else None, self.group, self.category)


def build_rows(sheet: Sheet, totals: SheetTotals | None = None) -> list[Row]:
    """The window's rows: every printed table of the sheet in print order, each after its heading.

    Groups stay heading rows even where the sheet prints them at the side (西区, group_style
    "side"): a heading row is where a clerk renames a group and the rows under it say which group a
    project is in; a merged vertical cell would give the editor neither. Print and Excel follow the layout.
    """
    rows: list[Row] = []
    for table in sheet_tables(sheet, totals or sheet_totals(sheet)):
        if table.heading:
            rows.append(Row(RowKind.HEADING, table.heading, category=table.category or None))
        for printed in table.rows:
            parent = None
            if printed.kind is RowKind.CHILD and printed.path is not None:
                parent = sheet.projects[printed.path[0]]
            rows.append(
                Row(
                    printed.kind,
                    printed.text,
                    printed.project,
                    parent,
                    printed.group,
                    printed.category or None,
                    printed.no,
                    printed.amounts,
                )
            )
    return rows


def _columns(sheet: Sheet) -> list[tuple[Column, int | None, str]]:
    """The editor's columns, the text column headed as the ward heads it (北区: 事業概要)."""
    return [
        (column, stage, sheet.layout.description_label or header if column is Column.DESCRIPTION else header)
        for column, stage, header in expand_columns(EDITOR_COLUMNS, sheet.stage_names)
    ]


class SheetTableModel(QAbstractTableModel):
    """Model of one sheet; edits go to `perform` (the editor's), which applies them and calls `set_sheet`."""

    def __init__(self, parent: Any = None, *, perform: Callable[[Planner], SheetChanges | None] | None = None) -> None:
        super().__init__(parent)
        self.sheet: Sheet | None = None
        self.rows: list[Row] = []
        self.columns: list[tuple[Column, int | None, str]] = []
        self.totals: SheetTotals | None = None
        self.readonly = False
        self._current_stage: int | None = None
        self._findings: dict[tuple[int, int | None], list[str]] = {}
        # The editor's single entrance: plans, applies and records an edit; None when refused.
        self.perform: Callable[[Planner], SheetChanges | None] = perform or (lambda planner: None)

    # ------------------------------------------------------------ edits

    def edit_cells(self, inputs: list[CellInput], description: str) -> bool:
        """Typed or pasted values; False when refused (the editor reports why)."""
        return self.perform(lambda sheet: plan_cells(sheet, inputs, description)) is not None

    def clear_cells(self, cells: list[tuple[int, Column, int | None]]) -> bool:
        return self.perform(lambda sheet: plan_clear(sheet, cells)) is not None

    def rename_group(self, position: int, new: str) -> bool:
        """Rename the heading at `position` in the sheet's groups (only that one of a repeated name)."""
        return self.perform(lambda sheet: plan_rename_group(sheet, position, new)) is not None

    # ------------------------------------------------------------ content

    def set_sheet(
        self, sheet: Sheet | None, findings: list[Finding] | None = None, changes: SheetChanges | None = None
    ) -> None:
        """Show a sheet; `changes` (what an edit touched) repaints just those rows, else the rows are reset."""
        totals = sheet_totals(sheet) if sheet is not None else None
        new_rows = build_rows(sheet, totals) if sheet is not None else []
        new_columns = _columns(sheet) if sheet is not None else []
        # Only an edit of the same sheet that moved no row can keep the rows. Comparing what each
        # row stands for also catches a row that changed table (a new 経費区分 in a ward that
        # prints a table per category), which the edit alone does not call a change of shape.
        in_place = (
            changes is not None
            and not changes.shape
            and self.sheet is not None
            and sheet is not None
            and self.sheet.id == sheet.id
            and [row.key for row in new_rows] == [row.key for row in self.rows]
            and new_columns == self.columns
        )
        if not in_place:
            self.beginResetModel()
        old_findings = self._findings
        old_rows = self.rows
        self.sheet = sheet
        self.rows = new_rows
        self.columns = new_columns
        self.totals = totals
        self._current_stage = current_stage(sheet) if sheet is not None else None
        self._findings = {}
        for finding in findings or []:
            if finding.project_path is None or sheet is None:
                continue
            top, child = finding.project_path
            project = sheet.projects[top] if child is None else sheet.projects[top].children[child]
            if project.id is not None:
                self._findings.setdefault((project.id, finding.stage), []).append(finding.message)
        if not in_place:
            self.endResetModel()
            return
        assert changes is not None
        self._announce(changes, old_findings, old_rows)

    def _announce(
        self, changes: SheetChanges, old_findings: dict[tuple[int, int | None], list[str]], old_rows: list[Row]
    ) -> None:
        """Tell the view which rows changed, so an edit repaints a few rows, not the whole table."""
        last_column = len(self.columns) - 1
        if last_column < 0 or not self.rows:
            return
        if changes.stages:
            # A stage locked or opened: that column's colours, the current stage and the headers move.
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, last_column))
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, last_column)
            return
        ids = set(changes.project_ids)
        ids.update(key[0] for key in old_findings.keys() ^ self._findings.keys())
        ids.update(
            key[0] for key in old_findings.keys() & self._findings.keys() if old_findings[key] != self._findings[key]
        )
        # The edited projects, and every other row that now reads differently: a category's total,
        # a group's subtotal on its heading (南区); the totals of untouched categories stay put.
        numbers = [
            number
            for number, (row, old) in enumerate(zip(self.rows, old_rows, strict=True))
            if (row.project is not None and row.project.id in ids) or row != old
        ]
        # One signal per run of adjacent rows: a sub-item and its parent, a heading and its first project.
        start = previous = None
        for number in [*numbers, None]:
            if number is not None and previous is not None and number == previous + 1:
                previous = number
                continue
            if start is not None and previous is not None:
                self.dataChanged.emit(self.index(start, 0), self.index(previous, last_column))
            start = previous = number

    def row_of_project(self, project_id: int) -> int | None:
        for number, row in enumerate(self.rows):
            if row.project is not None and row.project.id == project_id:
                return number
        return None

    def column_of(self, column: Column, stage: int | None = None) -> int | None:
        for number, (kind, index, _) in enumerate(self.columns):
            if kind is column and index == stage:
                return number
        return None

    def cell_at(self, row: int, column: int) -> tuple[Row, Column, int | None]:
        kind, stage, _ = self.columns[column]
        return self.rows[row], kind, stage

    # ------------------------------------------------------------ Qt model API

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical or not 0 <= section < len(self.columns) or self.sheet is None:
            return None
        _, stage, header = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            if stage is not None and self.sheet.stages[stage].locked:
                return f"{header}\n（確定）"  # on a line of its own: the column stays as narrow as the amounts
            return header
        if role == Qt.ItemDataRole.FontRole and stage is not None and stage == self._current_stage:
            return BOLD
        if role == Qt.ItemDataRole.ToolTipRole and stage is not None:
            if self.sheet.stages[stage].locked:
                return f"{header}は確定済みです（変更できません）"
            if stage == self._current_stage:
                return f"{header}: いま入力中の段階です"
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid() or self.sheet is None:
            return Qt.ItemFlag.NoItemFlags
        if self.readonly:
            return _BASE_FLAGS
        row, column, stage = self.cell_at(index.row(), index.column())
        if row.kind is RowKind.GROUP:
            return _EDITABLE_FLAGS if index.column() == 0 and row.group is not None else _BASE_FLAGS
        if row.project is None:
            return _BASE_FLAGS
        if column is Column.NEW:
            return _CHECKABLE_FLAGS
        if column is Column.STAGES and stage is not None and (self.sheet.stages[stage].locked or row.project.children):
            return _BASE_FLAGS
        if column is Column.CATEGORY and row.kind is RowKind.CHILD:
            return _BASE_FLAGS
        return _EDITABLE_FLAGS

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.sheet is None:
            return None
        row, column, stage = self.cell_at(index.row(), index.column())
        if role == ROW_KIND_ROLE:
            return row.kind.value
        if role == PROJECT_ID_ROLE:
            return row.project.id if row.project else None
        if row.kind is RowKind.HEADING:
            return self._heading_data(row, index.column(), role)
        if row.kind is RowKind.GROUP:
            return self._group_data(row, index.column(), column, stage, role)
        if row.project is None:
            return self._total_data(row, index.column(), column, stage, role)
        return self._project_data(row, row.project, column, stage, role)

    def _heading_data(self, row: Row, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and column == 0:
            return row.text
        if role == Qt.ItemDataRole.FontRole:
            return BOLD
        return None

    def _group_data(self, row: Row, number: int, column: Column, stage: int | None, role: int) -> Any:
        # The heading as printed (南区: with its subtotal; 中央区: with its 方向性 line); edited, its name.
        if role == Qt.ItemDataRole.DisplayRole:
            if number == 0:
                return row.text
            if column is Column.STAGES and stage is not None and stage < len(row.amounts):
                return format_amount(row.amounts[stage])
            return None
        if role == Qt.ItemDataRole.EditRole and number == 0:
            return self._group_name(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column is Column.STAGES:
            return _ALIGN_RIGHT
        if role == Qt.ItemDataRole.BackgroundRole:
            return GROUP_BRUSH
        if role == Qt.ItemDataRole.FontRole:
            return BOLD
        if role == Qt.ItemDataRole.ToolTipRole and number == 0:
            return "グループ（見出し）: ダブルクリックまたはF2で名前を変更"
        return None

    def _group_name(self, row: Row) -> str:
        assert self.sheet is not None
        if row.group is None or not 0 <= row.group < len(self.sheet.groups):
            return ""
        return self.sheet.groups[row.group].name

    def _total_data(self, row: Row, number: int, column: Column, stage: int | None, role: int) -> Any:
        assert self.totals is not None
        found = self.totals.for_category(row.category or "")
        if role == Qt.ItemDataRole.DisplayRole:
            if number == 0:
                return row.text  # the ward's own label: 合　計, 「南区まちづくり推進経費　合計」…
            if column is Column.STAGES and stage is not None and stage < len(row.amounts):
                return format_amount(row.amounts[stage])
            if column is Column.REMARKS:
                return f"執行率 {format_rate(found.execution_rate if found else None)}"
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _ALIGN_RIGHT if column is Column.STAGES or number == 0 else None
        if role == Qt.ItemDataRole.FontRole:
            return BOLD
        if role == Qt.ItemDataRole.BackgroundRole:
            return TOTAL_BRUSH
        return None

    def _project_data(self, row: Row, project: Project, column: Column, stage: int | None, role: int) -> Any:
        assert self.sheet is not None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, project, column, stage)
        if role == Qt.ItemDataRole.EditRole:
            return self._edit_value(project, column, stage)
        if role == Qt.ItemDataRole.CheckStateRole and column is Column.NEW:
            return Qt.CheckState.Checked if project.new else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column is Column.STAGES:
                return _ALIGN_RIGHT
            if column in (Column.NO, Column.STATUS, Column.NEW):
                return _ALIGN_CENTER
            return _ALIGN_LEFT
        if role == Qt.ItemDataRole.BackgroundRole:
            if column is Column.STAGES and project.id is not None and self._findings.get((project.id, stage)):
                return FINDING_BRUSH
            if column is Column.STAGES and stage is not None:
                if self.sheet.stages[stage].locked:
                    return LOCKED_BRUSH
                if project.children:
                    return COMPUTED_BRUSH
                if stage == self._current_stage:
                    return CURRENT_STAGE_BRUSH
            return None
        if role == Qt.ItemDataRole.ForegroundRole and project.status.value in ("cancelled", "postponed"):
            return MUTED_TEXT if column is not Column.STATUS else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(project, column, stage)
        return None

    def _display(self, row: Row, project: Project, column: Column, stage: int | None) -> str | None:
        if column is Column.NO:
            return row.no  # as printed: 3, ③ or (3)
        if column is Column.NAME:
            # As printed: the 校区, 【新規】 or （新規） in the ward's style, and in one table the
            # other category's tag 【復興支援自治推進経費】 on its own first line (中央区).
            indent = "　　" if row.kind is RowKind.CHILD else ""
            return indent + row.text.replace("\n", "\n" + indent) if indent else row.text
        if column is Column.DESCRIPTION:
            return project.description
        if column is Column.CATEGORY:
            return project.category
        if column is Column.STAGES and stage is not None:
            return format_amount(project.amounts[stage])
        if column is Column.STATUS:
            return project.status.label
        if column is Column.REMARKS:
            return project.note
        return None

    def _edit_value(self, project: Project, column: Column, stage: int | None) -> Any:
        if column is Column.STAGES and stage is not None:
            amount = project.amounts[stage]
            return "" if amount is None else str(amount)
        if column is Column.NEW:
            return project.new
        if column is Column.STATUS:
            return project.status.label
        values: dict[Column, Any] = {
            Column.NO: project.no,
            Column.NAME: project.name,
            Column.DESCRIPTION: project.description,
            Column.CATEGORY: project.category,
            Column.REMARKS: project.note,
        }
        return values.get(column)

    def _tooltip(self, project: Project, column: Column, stage: int | None) -> str | None:
        messages = []
        if project.id is not None:
            messages += self._findings.get((project.id, stage if column is Column.STAGES else None), [])
        if column is Column.DESCRIPTION and project.description:
            messages.append(project.description)
        if column is Column.STAGES and project.children:
            messages.append("内訳の合計です（内訳の行に入力してください）")
        if column is Column.REMARKS and project.note:
            messages.append(project.note)
        return "\n".join(messages) or None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or self.sheet is None or self.readonly:
            return False
        if not self.flags(index) & (Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable):
            return False
        row, column, stage = self.cell_at(index.row(), index.column())
        if row.kind is RowKind.GROUP:
            if row.group is None or str(value) == self._group_name(row):
                return row.group is not None
            return self.rename_group(row.group, str(value))
        if row.project is None or row.project.id is None:
            return False
        if role == Qt.ItemDataRole.CheckStateRole and column is Column.NEW:
            value = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
        elif role != Qt.ItemDataRole.EditRole:
            return False
        return self.edit_cells([CellInput(row.project.id, column, stage, value)], "入力")
