"""The main window: choose year and ward, edit the sheet, see totals and history, export."""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop_app import APP_NAME, operations
from desktop_app.domain import WARDS, Finding, Sheet, new_sheet, next_year_sheet, sheet_totals, wareki_year
from desktop_app.domain.edits import (
    CellInput,
    current_stage,
    plan_cells,
    plan_clear,
    plan_delete,
    plan_details,
    plan_indent,
    plan_insert,
    plan_move,
    plan_new_group,
    plan_outdent,
    plan_rename_group,
    plan_set_group,
    plan_stage_lock,
)
from desktop_app.domain.layout import Column
from desktop_app.exchange.errors import ExchangeError
from desktop_app.gui.panels import ProjectPanel, TotalsPanel

if TYPE_CHECKING:
    from desktop_app.gui.dialogs import SearchDialog
from desktop_app.gui.sheet_editor import SheetEditor
from desktop_app.gui.sheet_model import SheetTableModel
from desktop_app.gui.sheet_view import SheetTableView
from desktop_app.settings import Settings, save_settings
from desktop_app.storage import (
    SearchHit,
    StorageError,
    find_sheet_id,
    history,
    insert_sheet,
    load_sheet,
    search_projects,
    sheet_years,
)

log = logging.getLogger("machizukuri.gui")


def current_fiscal_year(today: dt.date | None = None) -> int:
    """April to March: January 2027 belongs to FY2026."""
    today = today or dt.date.today()
    return today.year if today.month >= 4 else today.year - 1


class MainWindow(QMainWindow):
    """Year and ward at the top, the sheet in the middle, details and totals at the side."""

    def __init__(self, workspace: operations.Workspace, settings: Settings, icon: QIcon | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        self.settings = settings
        self.icon = icon
        self.editor = SheetEditor(workspace, self)
        self.model = SheetTableModel(self)
        self.model.readonly = workspace.readonly
        self.model.edit_cells = self._edit_cells
        self.model.rename_group = self._rename_group
        self._search_dialog: SearchDialog | None = None  # built when first asked for
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(lambda: self.message_bar.hide())
        self.setWindowTitle(APP_NAME)
        if icon is not None:
            self.setWindowIcon(icon)
        self._build_widgets()
        self._build_actions()
        self._build_menus_and_toolbar()
        self._build_desk_actions()
        self.editor.sheet_changed.connect(self._sheet_changed)
        self.editor.saved.connect(self._saved)
        self.editor.failed.connect(self.show_problem)
        self._fill_years()
        self.year_combo.currentIndexChanged.connect(self.open_selected)
        self.ward_combo.currentIndexChanged.connect(self.open_selected)
        self.open_selected()

    # ------------------------------------------------------------ building

    def _build_widgets(self) -> None:
        self.year_combo = QComboBox()
        self.year_combo.setMinimumWidth(160)
        self.year_combo.setToolTip("年度")
        self.ward_combo = QComboBox()
        self.ward_combo.setMinimumWidth(110)
        self.ward_combo.setToolTip("区")
        for ward in WARDS:
            self.ward_combo.addItem(ward.name, ward.name)
        if self.settings.ward:
            self.ward_combo.setCurrentText(self.settings.ward)
        self.view = SheetTableView()
        self.view.setModel(self.model)
        self.view.problem.connect(self.show_problem)
        self.view.clear_requested.connect(self._clear_cells)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.message_bar = QLabel()
        self.message_bar.setWordWrap(True)
        self.message_bar.setStyleSheet(
            "background: #fdecea; color: #8a1c1c; border: 1px solid #f5c2c0; padding: 4px 8px;"
        )
        self.message_bar.hide()
        self.title_label = QLabel()
        self.title_label.setStyleSheet("font-size: 13pt; font-weight: bold; padding: 2px 4px;")
        self.vision_label = QLabel()
        self.vision_label.setStyleSheet("color: #444444; padding: 0 4px 4px 4px;")
        self.empty_page = QWidget()
        empty_layout = QVBoxLayout(self.empty_page)
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("font-size: 12pt;")
        self.from_last_year_button = QPushButton("前年度のシートから作成")
        self.from_last_year_button.clicked.connect(self.create_from_last_year)
        self.blank_button = QPushButton("空のシートを作成")
        self.blank_button.clicked.connect(self.create_blank_sheet)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.from_last_year_button)
        buttons.addWidget(self.blank_button)
        buttons.addStretch(1)
        empty_layout.addStretch(1)
        empty_layout.addWidget(self.empty_label)
        empty_layout.addLayout(buttons)
        empty_layout.addStretch(2)
        table_page = QWidget()
        table_layout = QVBoxLayout(table_page)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.title_label)
        table_layout.addWidget(self.vision_label)
        table_layout.addWidget(self.message_bar)
        table_layout.addWidget(self.view, 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(table_page)
        self.pages.addWidget(self.empty_page)
        self.project_panel = ProjectPanel()
        self.project_panel.details_submitted.connect(self._submit_details)
        self.totals_panel = TotalsPanel()
        self.totals_panel.jump_to.connect(self.jump_to)
        # The table takes the whole width (the amounts must be visible); details sit below it.
        self.side = QTabWidget()
        self.side.addTab(self.totals_panel, "合計・チェック")
        self.side.addTab(self.project_panel, "事業の詳細・履歴")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.pages)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([520, 230])
        self.setCentralWidget(splitter)
        self.saved_label = QLabel()
        self.statusBar().addPermanentWidget(self.saved_label)
        if self.workspace.readonly:
            readonly = QLabel("読み取り専用")
            readonly.setStyleSheet("color: #a00000; font-weight: bold;")
            self.statusBar().addPermanentWidget(readonly)

    def _action(
        self,
        text: str,
        slot: object,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        undo_group = self.editor.undo_group
        self.undo_action = undo_group.createUndoAction(self, "元に戻す")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = undo_group.createRedoAction(self, "やり直し")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        self.insert_action = self._action("行の追加", self.insert_project, "Ctrl+Shift++", "選んだ事業の下に事業を追加")
        self.delete_action = self._action(
            "行の削除", self.delete_projects, "Ctrl+-", "選んだ事業を削除（元に戻せます）"
        )
        self.up_action = self._action("上へ", partial(self.move_project, -1), "Alt+Up", "事業を1つ上へ")
        self.down_action = self._action("下へ", partial(self.move_project, 1), "Alt+Down", "事業を1つ下へ")
        self.indent_action = self._action("内訳にする", self.indent_project, "Alt+Right", "上の事業の内訳にする")
        self.outdent_action = self._action("内訳から戻す", self.outdent_project, "Alt+Left", "内訳を独立した事業に戻す")
        self.group_action = self._action(
            "新しいグループ", self.new_group, None, "選んだ事業を新しいグループ見出しの下にまとめる"
        )
        self.copy_action = self._action("コピー", self.view.copy_selection, QKeySequence.StandardKey.Copy)
        self.paste_action = self._action("貼り付け", self.view.paste, QKeySequence.StandardKey.Paste)
        self.next_year_action = self._action(
            "次年度のシートを作成", self.create_next_year, None, "事業をそのまま写し、金額は空、状況は予定にします"
        )
        self.search_action = self._action(
            "検索", self.open_search, QKeySequence.StandardKey.Find, "全年度・全区の事業を検索"
        )
        self.import_action = self._action(
            "取込…", self.import_files, "Ctrl+O", "シートのファイル（.json / .xlsx）を取り込む"
        )
        self.xlsx_action = self._action("Excel出力", self.export_xlsx, "Ctrl+E", "このシートを市の様式のExcelに出力")
        self.pdf_action = self._action(
            "印刷プレビュー", self.print_preview, "Ctrl+P", "1枚の区のまとめ（PDF）を表示・印刷"
        )
        self.mail_action = self._action(
            "メール作成", self.create_mail, None, "Excelを添付した政策企画課あてのメール下書きを開く"
        )
        self.consolidate_action = self._action(
            "全区集計", self.consolidate, None, "この年度の全区を1つのExcelにまとめる"
        )
        self.json_action = self._action("JSON出力…", self.export_json, None, "このシートをJSON（交換形式）で保存")
        self.backup_action = self._action("今すぐバックアップ", self.backup_now)
        self.restore_action = self._action("バックアップから復元…", self.restore_backup)
        self.settings_action = self._action("設定…", self.open_settings)
        self.about_action = self._action("バージョン情報", self.show_about)
        self.quit_action = self._action("終了", self.close, QKeySequence.StandardKey.Quit)
        self.edit_actions = [
            self.insert_action,
            self.delete_action,
            self.up_action,
            self.down_action,
            self.indent_action,
            self.outdent_action,
            self.group_action,
            self.paste_action,
        ]
        for action in [*self.edit_actions, self.copy_action]:
            self.view.addAction(action)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _build_menus_and_toolbar(self) -> None:
        file_menu = self.menuBar().addMenu("ファイル(&F)")
        for action in (self.import_action, self.json_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        for action in (self.xlsx_action, self.pdf_action, self.mail_action, self.consolidate_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        for action in (self.backup_action, self.restore_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addAction(self.quit_action)
        edit_menu = self.menuBar().addMenu("編集(&E)")
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.copy_action)
        edit_menu.addAction(self.paste_action)
        edit_menu.addSeparator()
        for action in self.edit_actions[:-1]:
            edit_menu.addAction(action)
        self.group_menu = edit_menu.addMenu("グループを変更")
        self.group_menu.aboutToShow.connect(self._fill_group_menu)
        edit_menu.addSeparator()
        edit_menu.addAction(self.search_action)
        sheet_menu = self.menuBar().addMenu("シート(&S)")
        self.stage_menu = sheet_menu.addMenu("段階の確定")
        self.stage_menu.aboutToShow.connect(self._fill_stage_menu)
        sheet_menu.addAction(self.next_year_action)
        help_menu = self.menuBar().addMenu("ヘルプ(&H)")
        help_menu.addAction(self.about_action)

        bar = QToolBar("操作")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.addWidget(QLabel(" 年度 "))
        bar.addWidget(self.year_combo)
        bar.addWidget(QLabel(" 区 "))
        bar.addWidget(self.ward_combo)
        bar.addSeparator()
        for action in (self.undo_action, self.redo_action):
            bar.addAction(action)
        bar.addSeparator()
        for action in self.edit_actions[:-1]:
            bar.addAction(action)
        bar.addSeparator()
        for action in (
            self.xlsx_action,
            self.pdf_action,
            self.mail_action,
            self.consolidate_action,
            self.search_action,
        ):
            bar.addAction(action)
        self.addToolBar(bar)
        self.toolbar = bar

    # ------------------------------------------------------------ choosing a sheet

    def _fill_years(self, select: int | None = None) -> None:
        years = set(sheet_years(self.workspace.db)) | {current_fiscal_year()}
        chosen = select or self.settings.last_year or max(sheet_years(self.workspace.db) or [current_fiscal_year()])
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for year in sorted(years, reverse=True):
            self.year_combo.addItem(f"{wareki_year(year)}（{year}）", year)
        position = self.year_combo.findData(chosen)
        self.year_combo.setCurrentIndex(max(position, 0))
        self.year_combo.blockSignals(False)

    def selected_year(self) -> int:
        return int(self.year_combo.currentData())

    def selected_ward(self) -> str:
        return str(self.ward_combo.currentData())

    def open_selected(self) -> None:
        self.open_sheet(self.selected_ward(), self.selected_year())

    def open_sheet(self, ward: str, year: int, focus_id: int | None = None) -> None:
        if self.selected_year() != year or self.selected_ward() != ward:
            if self.year_combo.findData(year) < 0:
                self._fill_years(select=year)
            for combo, value in ((self.year_combo, year), (self.ward_combo, ward)):
                combo.blockSignals(True)
                combo.setCurrentIndex(combo.findData(value))
                combo.blockSignals(False)
        sheet = self.editor.open(ward, year)
        self.settings.last_year = year
        if sheet is not None and focus_id is not None:
            self.view.select_project(focus_id, 0)

    def _sheet_changed(self, sheet: Sheet | None, findings: list[Finding], focus_id: int | None) -> None:
        current = self.view.currentIndex()
        keep = (current.row(), current.column()) if current.isValid() else None
        self.model.set_sheet(sheet, findings)
        has_sheet = sheet is not None
        self.pages.setCurrentIndex(0 if has_sheet else 1)
        editable = has_sheet and not self.workspace.readonly
        for action in [*self.edit_actions, self.next_year_action]:
            action.setEnabled(editable)
        for action in (self.xlsx_action, self.pdf_action, self.mail_action, self.json_action):
            action.setEnabled(has_sheet)
        if sheet is None:
            year, ward = self.selected_year(), self.selected_ward()
            self.empty_label.setText(f"{wareki_year(year)} {ward}のシートはまだありません。")
            source = self._latest_year_before(ward, year)
            self.from_last_year_button.setText(
                f"{wareki_year(source)}のシートから作成" if source is not None else "前年度のシートから作成"
            )
            self.from_last_year_button.setEnabled(source is not None and not self.workspace.readonly)
            self.blank_button.setEnabled(not self.workspace.readonly)
            self.totals_panel.show_totals(None, None, [])
            self.project_panel.show_project(None, [], readonly=True)
            self.setWindowTitle(f"{APP_NAME} - {wareki_year(year)} {ward}")
            return
        self.title_label.setText(sheet.title)
        self.vision_label.setText(sheet.vision)
        self.vision_label.setVisible(bool(sheet.vision))
        self.setWindowTitle(f"{APP_NAME} - {sheet.year_label} {sheet.ward}")
        self.totals_panel.show_totals(sheet, sheet_totals(sheet), findings)
        if focus_id is not None:
            self.view.select_project(focus_id)
        elif keep is not None and keep[0] < self.model.rowCount() and keep[1] < self.model.columnCount():
            self.view.setCurrentIndex(self.model.index(*keep))
        self._show_current_project()
        stage = current_stage(sheet)
        if stage is not None:
            self.statusBar().showMessage(f"入力中の段階: {sheet.stages[stage].name}", 4000)

    # ------------------------------------------------------------ side panel

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_current_project()

    def _show_current_project(self) -> None:
        index = self.view.currentIndex()
        project = None
        if index.isValid() and index.row() < len(self.model.rows):
            project = self.model.rows[index.row()].project
        entries = []
        if project is not None and project.id is not None and self.editor.sheet is not None:
            assert self.editor.sheet.id is not None
            entries = history(self.workspace.db, sheet_id=self.editor.sheet.id, project_id=project.id)
        self.project_panel.show_project(project, entries, readonly=self.workspace.readonly)

    def _submit_details(self, project_id: int, values: dict[str, object]) -> None:
        self.editor.perform_with(lambda sheet: plan_details(sheet, project_id, values))

    def jump_to(self, project_id: int, stage: int | None) -> None:
        column = self.model.column_of(Column.STAGES, stage) if stage is not None else self.model.column_of(Column.NAME)
        self.view.select_project(project_id, column)
        self.view.setFocus()

    # ------------------------------------------------------------ edits

    def _edit_cells(self, inputs: list[CellInput], description: str) -> bool:
        ok = self.editor.perform_with(lambda sheet: plan_cells(sheet, inputs, description))
        if ok:
            self.message_bar.hide()
        return ok

    def _rename_group(self, old: str, new: str) -> bool:
        return self.editor.perform_with(lambda sheet: plan_rename_group(sheet, old, new))

    def _clear_cells(self, cells: list[tuple[int, Column, int | None]]) -> None:
        self.editor.perform_with(lambda sheet: plan_clear(sheet, cells))

    def _selected_or_none(self) -> int | None:
        ids = self.view.current_project_ids()
        return ids[-1] if ids else None

    def insert_project(self) -> None:
        after = self._selected_or_none()
        new_id = self.editor.new_project_id()
        if self.editor.perform_with(lambda sheet: plan_insert(sheet, new_id, after_id=after)):
            self.view.select_project(new_id, self.model.column_of(Column.NAME))

    def delete_projects(self) -> None:
        ids = self.view.current_project_ids()
        if not ids:
            self.show_problem("削除する事業を選んでください。")
            return
        self.editor.perform_with(lambda sheet: plan_delete(sheet, ids))

    def move_project(self, delta: int) -> None:
        project_id = self._selected_or_none()
        if project_id is not None:
            self.editor.perform_with(lambda sheet: plan_move(sheet, project_id, delta))

    def indent_project(self) -> None:
        project_id = self._selected_or_none()
        if project_id is not None:
            self.editor.perform_with(lambda sheet: plan_indent(sheet, project_id))

    def outdent_project(self) -> None:
        project_id = self._selected_or_none()
        if project_id is not None:
            self.editor.perform_with(lambda sheet: plan_outdent(sheet, project_id))

    def new_group(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        ids = self.view.current_project_ids()
        name, ok = QInputDialog.getText(self, "新しいグループ", "グループ（見出し）の名前:")
        if ok:
            self.editor.perform_with(lambda sheet: plan_new_group(sheet, name, ids))

    def _fill_group_menu(self) -> None:
        self.group_menu.clear()
        sheet = self.editor.sheet
        if sheet is None:
            return
        ids = self.view.current_project_ids()
        for name in [group.name for group in sheet.groups] + [None]:
            action = self.group_menu.addAction(name or "（グループなし）")
            action.triggered.connect(partial(self._set_group, ids, name))
            action.setEnabled(bool(ids) and not self.workspace.readonly)

    def _set_group(self, ids: list[int], name: str | None) -> None:
        self.editor.perform_with(lambda sheet: plan_set_group(sheet, ids, name))

    def _fill_stage_menu(self) -> None:
        self.stage_menu.clear()
        sheet = self.editor.sheet
        if sheet is None:
            return
        for index, stage in enumerate(sheet.stages):
            action = self.stage_menu.addAction(stage.name)
            action.setCheckable(True)
            action.setChecked(stage.locked)
            action.setEnabled(not self.workspace.readonly)
            action.triggered.connect(partial(self.set_stage_locked, index))

    def set_stage_locked(self, stage: int, locked: bool) -> None:
        sheet = self.editor.sheet
        if sheet is None:
            return
        if not locked:
            answer = QMessageBox.question(
                self,
                "確定の解除",
                f"{sheet.stages[stage].name}の確定を解除すると、その列の金額を変更できるようになります。解除しますか？",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.editor.perform_with(lambda s: plan_stage_lock(s, stage, locked))

    # ------------------------------------------------------------ sheets

    def create_next_year(self) -> None:
        sheet = self.editor.sheet
        if sheet is None:
            return
        self._create_sheet(next_year_sheet(sheet), f"{sheet.year_label}から作成")

    def _latest_year_before(self, ward: str, year: int) -> int | None:
        """The most recent earlier year that has a sheet for this ward (years may be skipped)."""
        earlier = [y for y in sheet_years(self.workspace.db) if y < year and find_sheet_id(self.workspace.db, ward, y)]
        return max(earlier) if earlier else None

    def create_from_last_year(self) -> None:
        ward, year = self.selected_ward(), self.selected_year()
        source = self._latest_year_before(ward, year)
        if source is None:
            self.show_problem(f"{ward}の{wareki_year(year)}より前のシートがありません。")
            return
        try:
            previous = load_sheet(self.workspace.db, ward, source)
        except StorageError as exc:
            self.show_problem(str(exc))
            return
        self._create_sheet(next_year_sheet(previous, year), f"{previous.year_label}から作成")

    def create_blank_sheet(self) -> None:
        sheet = new_sheet(self.selected_ward(), self.selected_year())
        self._create_sheet(sheet, "空のシートを作成")

    def _create_sheet(self, sheet: Sheet, reason: str) -> None:
        if self.workspace.readonly:
            self.show_problem("読み取り専用で開いているため、シートを作成できません。")
            return
        try:
            insert_sheet(self.workspace.db, sheet, reason=reason)
        except StorageError as exc:
            self.show_problem(str(exc))
            return
        self._fill_years(select=sheet.fiscal_year)
        self.open_sheet(sheet.ward, sheet.fiscal_year)
        self.statusBar().showMessage(f"{sheet.year_label} {sheet.ward}のシートを作成しました。", 6000)

    def open_search(self) -> None:
        from desktop_app.gui.dialogs import SearchDialog

        if self._search_dialog is None:
            self._search_dialog = SearchDialog(
                lambda text: search_projects(self.workspace.db, text), self._open_hit, self
            )
        self._search_dialog.show()

    def _open_hit(self, hit: SearchHit) -> None:
        self.open_sheet(hit.ward, hit.fiscal_year, focus_id=hit.project_id)
        self.activateWindow()

    # ------------------------------------------------------------ files

    def import_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, "取り込むファイル", str(self.settings.export_dir()), "シート (*.json *.xlsx *.eml);;すべて (*)"
        )
        if not names:
            return
        try:
            outcomes = operations.import_files(self.workspace, [Path(name) for name in names])
        except (ExchangeError, StorageError) as exc:
            QMessageBox.warning(self, "取り込めませんでした", f"{exc}\n\nデータベースは変更していません。")
            return
        lines = [f"{o.sheet.year_label} {o.sheet.ward}（{len(o.sheet.projects)}事業）" for o in outcomes]
        self.editor.reset_undo()
        self._fill_years()
        self.open_selected()
        QMessageBox.information(self, "取り込みました", "次のシートを取り込みました。\n" + "\n".join(lines))

    def _save_path(self, title: str, default_name: str, pattern: str) -> Path | None:
        folder = self.settings.export_dir()
        name, _ = QFileDialog.getSaveFileName(self, title, str(folder / default_name), pattern)
        if not name:
            return None
        path = Path(name)
        self.settings.export_folder = str(path.parent)
        return path

    def _export(self, fmt: str, title: str, pattern: str) -> Path | None:
        sheet = self.editor.sheet
        if sheet is None:
            return None
        path = self._save_path(title, operations.default_export_name(sheet, fmt), pattern)
        if path is None:
            return None
        try:
            # The file dialog has already asked before replacing an existing file.
            return operations.export_sheet(sheet, fmt, path, overwrite=True).path
        except ExchangeError as exc:
            QMessageBox.warning(self, "出力できませんでした", str(exc))
            return None

    def _done_with_file(self, path: Path, what: str) -> None:
        box = QMessageBox(self)
        box.setWindowTitle(what)
        box.setText(f"{path.name} を保存しました。\n{path.parent}")
        open_folder = box.addButton("フォルダを開く", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Ok)
        box.exec()
        if box.clickedButton() is open_folder:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))

    def export_xlsx(self) -> None:
        path = self._export("xlsx", "Excel出力", "Excel ブック (*.xlsx)")
        if path is not None:
            self._done_with_file(path, "Excel出力")

    def export_json(self) -> None:
        path = self._export("json", "JSON出力", "シート JSON (*.json)")
        if path is not None:
            self._done_with_file(path, "JSON出力")

    def print_preview(self) -> None:
        from desktop_app.gui.print_preview import PrintPreviewDialog

        sheet = self.editor.sheet
        if sheet is not None:
            PrintPreviewDialog(sheet, self.settings, self).exec()

    def create_mail(self) -> None:
        from desktop_app.gui.exports import create_mail_draft

        if self.editor.sheet is not None:
            create_mail_draft(self, self.editor.sheet, self.settings)

    def consolidate(self) -> None:
        from desktop_app.gui.exports import run_consolidation

        run_consolidation(self, self.workspace, self.selected_year(), self.settings)

    def backup_now(self) -> None:
        try:
            path = operations.backup_now(self.workspace)
        except StorageError as exc:
            QMessageBox.warning(self, "バックアップできませんでした", str(exc))
            return
        self.statusBar().showMessage(f"バックアップしました: {path}", 8000)

    def restore_backup(self) -> None:
        from desktop_app.gui.exports import restore_from_backup

        if restore_from_backup(self, self.workspace):
            self.editor.reset_undo()
            self._fill_years()
            self.open_selected()

    def open_settings(self) -> None:
        from desktop_app.gui.dialogs import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            save_settings(self.settings)
            self.statusBar().showMessage("設定を保存しました。", 4000)

    def show_about(self) -> None:
        from desktop_app.gui.dialogs import about_dialog

        icon = self.icon.pixmap(96, 96) if self.icon is not None else QPixmap()
        about_dialog(icon, self.workspace.path, self).exec()

    # ------------------------------------------------------------ feedback

    def show_problem(self, message: str) -> None:
        if not message:
            self.message_bar.hide()
            return
        self.message_bar.setText(message)
        self.message_bar.show()
        self.statusBar().showMessage(message, 10000)
        self._message_timer.start(15000)

    def _saved(self, when: str) -> None:
        self.saved_label.setText(f"保存済み {when}")
        self.saved_label.setToolTip("変更はすぐにデータベースに保存されています")

    # ------------------------------------------------------------ the planning division's desk (issue 15)

    def _build_desk_actions(self) -> None:
        self.receive_action = self._action(
            "受信…", self.open_receive, "Ctrl+R", "各区から届いたメール・Excelを、変わる内容を確かめてから取り込む"
        )
        self.consolidate_check_action = self._action(
            "全区集計（確認・年度比較）…",
            self.open_consolidate,
            None,
            "データベースか受信フォルダから全区を集計し、確認事項と年度比較を見てから保存する",
        )
        file_menu = self.menuBar().actions()[0].menu()
        assert isinstance(file_menu, QMenu)
        file_menu.insertAction(self.json_action, self.receive_action)
        file_menu.insertAction(self.backup_action, self.consolidate_check_action)
        file_menu.insertSeparator(self.backup_action)
        self.receive_action.setEnabled(not self.workspace.readonly)

    def open_receive(self) -> None:
        from desktop_app.gui.receive_dialog import ReceiveDialog

        dialog = ReceiveDialog(self.workspace, self.settings.export_dir(), self)
        dialog.imported.connect(self._received)
        dialog.exec()

    def _received(self, _outcomes: list[operations.ImportOutcome]) -> None:
        self.editor.reset_undo()
        self._fill_years()
        self.open_selected()

    def open_consolidate(self) -> None:
        from desktop_app.gui.consolidate_dialog import ConsolidateDialog

        ConsolidateDialog(self.workspace, self.selected_year(), self.settings.export_dir(), self).exec()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._search_dialog is not None:
            self._search_dialog.close()
        self.settings.ward = self.selected_ward() if not self.settings.ward else self.settings.ward
        try:
            save_settings(self.settings)
        except OSError as exc:
            log.warning("settings not saved: %s", exc)
        event.accept()
