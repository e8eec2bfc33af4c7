"""The main window: choose year and ward, edit the sheet, see totals and history, export.

Wiring: it builds the actions and menus, connects them, and hands the work on — the page's widgets
to gui/sheet_area.py, the sheet's use-cases to gui/sheet_actions.py, file actions to gui/exports.py,
its place on the screen to gui/window_state.py, the edits to the SheetEditor.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QRect, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QToolBar,
)

from desktop_app import operations
from desktop_app.domain import WARDS, Sheet, wareki_year
from desktop_app.domain.edits import (
    group_name_taken,
    plan_delete,
    plan_details,
    plan_indent,
    plan_insert,
    plan_move,
    plan_new_group,
    plan_outdent,
    plan_set_group,
)
from desktop_app.domain.layout import Column
from desktop_app.gui import exports, sheet_actions, window_state
from desktop_app.gui.send_checks import confirm_despite_errors
from desktop_app.gui.sheet_area import EMPTY_PAGE, TABLE_PAGE, SheetArea
from desktop_app.gui.sheet_editor import EditorUpdate, SheetEditor
from desktop_app.gui.sheet_model import SheetTableModel
from desktop_app.operations import SearchHit, StorageError
from desktop_app.settings import Settings, save_settings

if TYPE_CHECKING:
    from desktop_app.gui.dialogs import SearchDialog

log = logging.getLogger("machizukuri.gui")


def _set_prefixed_text(action: QAction, prefix: str, text: str) -> None:
    """`元に戻す 入力`: what the step is, as QUndoGroup's own actions say it."""
    action.setText(f"{prefix} {text}" if text else prefix)


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
        self.model = SheetTableModel(self, perform=self.editor.perform)
        self.model.readonly = workspace.readonly
        self._search_dialog: SearchDialog | None = None  # built when first asked for
        self._taken_lock: operations.DatabaseLock | None = None  # by 編集できるようにする; let go of on closing
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(lambda: self.message_bar.hide())
        # The sheet's year and ward; Qt adds the application's name itself (never twice).
        self.setWindowTitle("")
        if icon is not None:
            self.setWindowIcon(icon)
        self._build_widgets()
        self._build_actions()
        self._build_menus_and_toolbar()
        self.editor.updated.connect(self._sheet_updated)
        self.editor.saved.connect(self._saved)
        self.editor.failed.connect(self.show_problem)
        self._fill_years()
        self.year_combo.currentIndexChanged.connect(self.open_selected)
        self.ward_combo.currentIndexChanged.connect(self.open_selected)
        self.open_selected()
        # While this window holds the write lock, it tells other PCs it is alive (storage/lock.py).
        self.lock_timer = QTimer(self)
        self.lock_timer.timeout.connect(self.keep_lock)
        if workspace.lock is not None and workspace.lock.held and not workspace.readonly:
            self.lock_timer.start(operations.lock_heartbeat_ms())

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
        area = SheetArea()
        self.area = area
        self.setCentralWidget(area)
        # The window's code and its tests name these directly.
        self.view, self.message_bar, self.pages = area.view, area.message_bar, area.pages
        self.title_label, self.vision_label = area.title_label, area.vision_label
        self.empty_page, self.empty_label = area.empty_page, area.empty_label
        self.from_last_year_button, self.blank_button = area.from_last_year_button, area.blank_button
        self.project_panel, self.totals_panel, self.side = area.project_panel, area.totals_panel, area.side
        self.view.setModel(self.model)
        self.view.problem.connect(self.show_problem)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.from_last_year_button.clicked.connect(self.create_from_last_year)
        self.blank_button.clicked.connect(self.create_blank_sheet)
        self.project_panel.details_submitted.connect(self._submit_details)
        self.totals_panel.jump_to.connect(self.jump_to)
        self.stage_label = QLabel()
        self.statusBar().addWidget(self.stage_label)
        # Offered when every 決算額 is in: a settled year is 確定 at once.
        self.settle_button = QPushButton("決算額が入力されました: この年度を確定…")
        self.settle_button.setFlat(True)
        self.settle_button.setStyleSheet("color: #0b5394; text-decoration: underline;")
        self.settle_button.clicked.connect(self.settle_year)
        self.settle_button.hide()
        self.statusBar().addPermanentWidget(self.settle_button)
        self.saved_label = QLabel()
        self.statusBar().addPermanentWidget(self.saved_label)
        self.readonly_label = QLabel("読み取り専用")
        self.readonly_label.setStyleSheet("color: #a00000; font-weight: bold;")
        self.statusBar().addPermanentWidget(self.readonly_label)
        self.readonly_label.setVisible(self.workspace.readonly)

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
        # Our own actions rather than QUndoGroup's, so that a step storage refuses goes back.
        undo_group = self.editor.undo_group
        self.undo_action = self._action("元に戻す", self.editor.undo, QKeySequence.StandardKey.Undo)
        self.redo_action = self._action("やり直し", self.editor.redo, QKeySequence.StandardKey.Redo)
        # Ctrl+Y as in Excel on every platform, beside the platform's own (Ctrl+Shift+Z on Linux).
        redo_keys = [*QKeySequence.keyBindings(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Y")]
        self.redo_action.setShortcuts(list(dict.fromkeys(redo_keys)))
        for action, prefix, can, text in (
            (self.undo_action, "元に戻す", undo_group.canUndoChanged, undo_group.undoTextChanged),
            (self.redo_action, "やり直し", undo_group.canRedoChanged, undo_group.redoTextChanged),
        ):
            action.setEnabled(False)
            can.connect(action.setEnabled)
            text.connect(partial(_set_prefixed_text, action, prefix))
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
            "次年度のシートを作成…",
            self.create_next_year,
            None,
            "事業を引き継ぎ、金額は空、状況は予定。配分額を入力します",
        )
        self.sheet_settings_action = self._action(
            "シートの設定…", self.open_sheet_settings, None, "表題・めざす区の姿・経費区分と配分額"
        )
        self.settle_action = self._action(
            "この年度を確定…", self.settle_year, None, "決算額まで入力した年度の段階をすべて確定する"
        )
        self.fold_action = self._action(
            "合計・詳細の欄を表示", self.toggle_panel, "F8", "下の欄をたたんで、表を画面いっぱいに使う"
        )
        self.fold_action.setCheckable(True)
        self.fold_action.setChecked(True)
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
        # The summary, the checks and the years compared are shown before anything is saved.
        self.consolidate_action = self._action(
            "全区集計…",
            self.open_consolidate,
            None,
            "データベースか受信フォルダから全区を集計し、確認事項と年度比較を見てから保存する",
        )
        self.receive_action = self._action(
            "受信…", self.open_receive, "Ctrl+R", "各区から届いたメール・Excelを、変わる内容を確かめてから取り込む"
        )
        self.receive_action.setEnabled(not self.workspace.readonly)
        self.json_action = self._action("JSON出力…", self.export_json, None, "このシートをJSON（交換形式）で保存")
        self.backup_action = self._action("今すぐバックアップ", self.backup_now)
        self.restore_action = self._action("バックアップから復元…", self.restore_backup)
        self.settings_action = self._action("設定…", self.open_settings)
        self.make_editable_action = self._action(
            "編集できるようにする", self.make_editable, None, "ほかのパソコンが使い終えたら、このパソコンで編集する"
        )
        # Only a window read-only because another PC held the database can become editable.
        self.make_editable_action.setVisible(self.workspace.readonly and self.workspace.db.readonly_reason is None)
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
        for action in (self.import_action, self.receive_action, self.json_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        for action in (self.xlsx_action, self.pdf_action, self.mail_action, self.consolidate_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        for action in (self.backup_action, self.restore_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.make_editable_action)
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
        view_menu = self.menuBar().addMenu("表示(&V)")
        view_menu.addAction(self.fold_action)
        sheet_menu = self.menuBar().addMenu("シート(&S)")
        sheet_menu.addAction(self.sheet_settings_action)
        sheet_menu.addSeparator()
        self.stage_menu = sheet_menu.addMenu("段階の確定")
        self.stage_menu.aboutToShow.connect(self._fill_stage_menu)
        sheet_menu.addAction(self.settle_action)
        sheet_menu.addSeparator()
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
        # The ward's own work only (全区集計 is in the file menu): the whole bar fits 1366 px.
        for action in (self.xlsx_action, self.pdf_action, self.mail_action, self.search_action):
            bar.addAction(action)
        self.addToolBar(bar)
        self.toolbar = bar

    # ------------------------------------------------------------ choosing a sheet

    def _fill_years(self, select: int | None = None) -> None:
        held = operations.fiscal_years(self.workspace)
        years = set(held) | {current_fiscal_year()}
        chosen = select or self.settings.last_year or max(held or [current_fiscal_year()])
        # A year asked for that has no sheet yet is listed too, so its page says so and offers to create one.
        years.add(chosen)
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
        try:
            sheet = self.editor.open(ward, year)
        except StorageError as exc:
            # A damaged or unreadable database: said as what it is, never as "no sheet yet".
            QMessageBox.warning(self, "シートを開けませんでした", str(exc))
            return
        self.settings.last_year = year
        if sheet is not None and focus_id is not None:
            self.view.select_project(focus_id, 0)

    def _sheet_updated(self, update: EditorUpdate) -> None:
        sheet, findings, changes, focus_id = update.sheet, update.findings, update.changes, update.focus_id
        if changes is not None:
            self._edit_shown(update)
            return
        current = self.view.currentIndex()
        keep = (current.row(), current.column()) if current.isValid() else None
        self.model.set_sheet(sheet, findings)
        has_sheet = sheet is not None
        self.pages.setCurrentIndex(TABLE_PAGE if has_sheet else EMPTY_PAGE)
        editable = has_sheet and not self.workspace.readonly
        for action in [*self.edit_actions, self.next_year_action, self.sheet_settings_action]:
            action.setEnabled(editable)
        for action in (self.xlsx_action, self.pdf_action, self.mail_action, self.json_action):
            action.setEnabled(has_sheet)
        if sheet is None:
            year, ward = self.selected_year(), self.selected_ward()
            source = operations.earlier_sheet_year(self.workspace, ward=ward, fiscal_year=year)
            self.area.show_no_sheet(year, ward, source, readonly=self.workspace.readonly)
            self.totals_panel.show_totals(None, None, [])
            self.project_panel.show_project(None, [], readonly=True)
            self.stage_label.clear()
            self.settle_button.hide()
            self.settle_action.setEnabled(False)
            self.setWindowTitle(f"{wareki_year(year)} {ward}")
            return
        self.area.show_heading(sheet)
        self.setWindowTitle(f"{sheet.year_label} {sheet.ward}")
        self.totals_panel.show_totals(sheet, self.model.totals, findings)
        if focus_id is not None:
            self.view.select_project(focus_id)
        elif keep is not None and keep[0] < self.model.rowCount() and keep[1] < self.model.columnCount():
            self.view.setCurrentIndex(self.model.index(*keep))
        self._show_current_project()
        self._show_stage(sheet, opened=True)

    def _edit_shown(self, update: EditorUpdate) -> None:
        """After an edit or an undo: the table repaints what changed; the panels refresh if they show it."""
        changes = update.changes
        assert changes is not None and update.sheet is not None
        current = self.view.currentIndex()
        keep = (current.row(), current.column()) if current.isValid() else None
        self.model.set_sheet(update.sheet, update.findings, changes)
        self.message_bar.hide()
        if changes.totals or update.findings != self.totals_panel.findings_shown:
            self.totals_panel.show_totals(update.sheet, self.model.totals, update.findings)
        if update.focus_id is not None:
            self.view.select_project(update.focus_id)
        elif changes.shape and keep is not None and keep[0] < self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(*keep))
        shown = self.project_panel.project
        if changes.shape or (shown is not None and shown.id in changes.project_ids) or update.focus_id is not None:
            self._show_current_project()
        if changes.shape:
            self.area.show_heading(update.sheet)  # the sheet settings change the title and vision too
        self._show_stage(update.sheet, opened=bool(changes.stages) or changes.amounts)

    def _show_stage(self, sheet: Sheet, *, opened: bool) -> None:
        sheet_actions.show_stage(self, sheet, opened=opened)

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
            entries = operations.project_history(self.workspace, sheet_id=self.editor.sheet.id, project_id=project.id)
        self.project_panel.show_project(project, entries, readonly=self.workspace.readonly)

    def _submit_details(self, project_id: int, values: dict[str, object]) -> None:
        self.editor.perform(lambda sheet: plan_details(sheet, project_id, values))

    def jump_to(self, project_id: int, stage: int | None) -> None:
        column = self.model.column_of(Column.STAGES, stage) if stage is not None else self.model.column_of(Column.NAME)
        self.view.select_project(project_id, column)
        self.view.setFocus()

    # ------------------------------------------------------------ edits

    def _selected_or_none(self) -> int | None:
        ids = self.view.current_project_ids()
        return ids[-1] if ids else None

    def insert_project(self) -> None:
        after = self._selected_or_none()
        new_id = self.editor.new_project_id()
        if self.editor.perform(lambda sheet: plan_insert(sheet, new_id, after_id=after)) is not None:
            self.view.select_project(new_id, self.model.column_of(Column.NAME))

    def delete_projects(self) -> None:
        ids = self.view.current_project_ids()
        if not ids:
            self.show_problem("削除する事業を選んでください。")
            return
        self.editor.perform(lambda sheet: plan_delete(sheet, ids))

    def move_project(self, delta: int) -> None:
        project_id = self._selected_or_none()
        if project_id is not None:
            self.editor.perform(lambda sheet: plan_move(sheet, project_id, delta))

    def indent_project(self) -> None:
        project_id = self._selected_or_none()
        if project_id is not None:
            self.editor.perform(lambda sheet: plan_indent(sheet, project_id))

    def outdent_project(self) -> None:
        project_id = self._selected_or_none()
        if project_id is not None:
            self.editor.perform(lambda sheet: plan_outdent(sheet, project_id))

    def new_group(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        ids = self.view.current_project_ids()
        name, ok = QInputDialog.getText(self, "新しいグループ", "グループ（見出し）の名前:")
        sheet = self.editor.sheet
        if not ok or sheet is None:
            return
        repeat = False
        if name.strip() and group_name_taken(sheet, name):
            answer = QMessageBox.question(
                self,
                "新しいグループ",
                f"「{name.strip()}」という見出しはすでにあります。同じ名前の見出しをもう1つ作りますか？\n"
                "（別の見出しとして、それぞれの事業と小計で印刷されます。南区の2つの「防災・減災」のように。）",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            repeat = True
        self.editor.perform(lambda sheet: plan_new_group(sheet, name, ids, repeat=repeat))

    def _fill_group_menu(self) -> None:
        self.group_menu.clear()
        sheet = self.editor.sheet
        if sheet is None:
            return
        ids = self.view.current_project_ids()
        # By position: a repeated name (南区's two 防災・減災) is two entries, each its own heading,
        # told apart by which of that name it is.
        choices: list[tuple[str, int | None]] = []
        counts = Counter(group.name for group in sheet.groups)
        seen: Counter[str] = Counter()
        for index, group in enumerate(sheet.groups):
            seen[group.name] += 1
            label = f"{group.name}（{seen[group.name]}つ目）" if counts[group.name] > 1 else group.name
            choices.append((label, index))
        for name, target in [*choices, ("（グループなし）", None)]:
            action = self.group_menu.addAction(name)
            action.triggered.connect(partial(self._set_group, ids, target))
            action.setEnabled(bool(ids) and not self.workspace.readonly)

    def _set_group(self, ids: list[int], group: int | None) -> None:
        self.editor.perform(lambda sheet: plan_set_group(sheet, ids, group))

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
        sheet_actions.set_stage_locked(self, stage, locked)

    # ------------------------------------------------------------ sheets

    def create_next_year(self) -> None:
        sheet = self.editor.sheet
        if sheet is not None:
            self._new_year_sheet(sheet.ward, sheet.fiscal_year + 1)

    def create_from_last_year(self) -> None:
        self._new_year_sheet(self.selected_ward(), self.selected_year())

    def create_blank_sheet(self) -> None:
        self._new_year_sheet(self.selected_ward(), self.selected_year(), carry=False)

    def _new_year_sheet(self, ward: str, year: int, *, carry: bool = True) -> None:
        sheet_actions.new_year_sheet(self, ward, year, carry=carry)

    def open_sheet_settings(self) -> None:
        sheet_actions.open_sheet_settings(self)

    def settle_year(self) -> None:
        sheet_actions.settle_year(self)

    def show_new_sheet(self, sheet: Sheet) -> None:
        """A sheet just created: its year listed and chosen, the sheet shown."""
        self._fill_years(select=sheet.fiscal_year)
        self.open_sheet(sheet.ward, sheet.fiscal_year)

    def open_search(self) -> None:
        from desktop_app.gui.dialogs import SearchDialog

        if self._search_dialog is None:
            self._search_dialog = SearchDialog(
                lambda text: operations.search(self.workspace, text=text), self._open_hit, self
            )
        self._search_dialog.show()

    def _open_hit(self, hit: SearchHit) -> None:
        self.open_sheet(hit.ward, hit.fiscal_year, focus_id=hit.project_id)
        self.activateWindow()

    # ------------------------------------------------------------ files (the work is in gui/exports.py)

    def import_files(self) -> None:
        exports.import_files(self, self.workspace, self.settings, replaced=self._sheets_replaced)

    def _sheets_replaced(self) -> None:
        """After an import or a restore: the undo steps describe rows that are gone."""
        self.editor.reset_undo()
        self._fill_years()
        self.open_selected()

    def export_xlsx(self) -> None:
        if self.editor.sheet is not None:
            exports.export_sheet(self, self.editor.sheet, self.settings, "xlsx")

    def export_json(self) -> None:
        if self.editor.sheet is not None:
            exports.export_sheet(self, self.editor.sheet, self.settings, "json")

    def print_preview(self) -> None:
        from desktop_app.gui.print_preview import PrintPreviewDialog

        sheet = self.editor.sheet
        if sheet is not None and confirm_despite_errors(self, sheet, "印刷"):
            preview = PrintPreviewDialog(sheet, self.settings, self)
            preview.exec()
            preview.deleteLater()

    def create_mail(self) -> None:
        sheet = self.editor.sheet
        if sheet is not None and confirm_despite_errors(self, sheet, "メール作成"):
            exports.create_mail_draft(self, sheet, self.settings)

    def backup_now(self) -> None:
        path = exports.backup_now(self, self.workspace)
        if path is not None:
            self.statusBar().showMessage(f"バックアップしました: {path}", 8000)

    def restore_backup(self) -> None:
        if exports.restore_from_backup(self, self.workspace):
            self._sheets_replaced()

    def open_settings(self) -> None:
        from desktop_app.gui.dialogs import SettingsDialog

        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            save_settings(self.settings)
            self.statusBar().showMessage("設定を保存しました。", 4000)

    def show_about(self) -> None:
        from desktop_app.gui.dialogs import about_dialog

        icon = self.icon.pixmap(96, 96) if self.icon is not None else QPixmap()
        about_dialog(icon, self.workspace.path, operations.backup_folder(self.workspace), self).exec()

    # ------------------------------------------------------------ the window's size and the lower panel

    def toggle_panel(self, shown: bool) -> None:
        window_state.toggle_panel(self.side, self.settings, shown)

    def place_on_screen(self, screen: QRect | None = None) -> None:
        window_state.place_on_screen(self, self.area, self.side, self.fold_action, self.settings, screen)

    def _remember_layout(self) -> None:
        window_state.remember_layout(self, self.area, self.settings)

    # ------------------------------------------------------------ the write lock

    def keep_lock(self) -> None:
        """The heartbeat: when another PC took the database over meanwhile, stop editing and say so once."""
        message = operations.keep_write_lock(self.workspace)
        if message is not None:
            self.show_readonly(message)
        elif operations.lock_was_retaken(self.workspace):
            # Another PC may have edited while this one slept: show the database as it is now; the
            # undo steps may describe rows that changed.
            self.editor.reset_undo()
            self._fill_years()
            self.open_selected()
            self.statusBar().showMessage(
                "データベースを読み直しました（ほかのパソコンの変更があれば表示しています）。", 10000
            )

    def show_readonly(self, message: str) -> None:
        """The workspace has just become read-only: the window turns into the one opened read-only."""
        self.lock_timer.stop()
        self.model.readonly = True
        self.readonly_label.show()
        self.receive_action.setEnabled(False)
        # Its steps can no longer be written, and the other PC may change what they describe.
        self.editor.reset_undo()
        self.open_selected()  # re-applies what may be edited, and shows what the other PC has saved
        self.make_editable_action.setVisible(True)
        self.statusBar().showMessage(message)
        QMessageBox.warning(self, "読み取り専用に切り替えました", message)

    def make_editable(self) -> None:
        """Take the write lock after all (its holder has closed, or gone silent) and allow editing."""
        problem = operations.take_write_lock(self.workspace)
        if problem is not None:
            QMessageBox.information(self, "編集できません", problem)
            return
        self.model.readonly = False
        self.readonly_label.hide()
        self.make_editable_action.setVisible(False)
        self.receive_action.setEnabled(True)
        self.editor.reset_undo()
        self._fill_years()  # the other PC may have added a year
        self.open_selected()
        self._taken_lock = self.workspace.lock
        self.lock_timer.start(operations.lock_heartbeat_ms())
        self.statusBar().showMessage("編集できるようになりました。", 8000)

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

    def open_receive(self) -> None:
        from desktop_app.gui.receive_dialog import ReceiveDialog

        dialog = ReceiveDialog(self.workspace, self.settings.export_dir(), self)
        dialog.imported.connect(self._received)
        dialog.exec()
        dialog.deleteLater()

    def _received(self, _outcomes: list[operations.ImportOutcome]) -> None:
        self._sheets_replaced()

    def open_consolidate(self) -> None:
        from desktop_app.gui.consolidate_dialog import ConsolidateDialog

        folder = self.settings.export_dir()
        dialog = ConsolidateDialog(self.workspace, self.selected_year(), folder, self)
        dialog.exec()
        if dialog.export_folder != folder:  # saved elsewhere: the next save dialog opens there
            self.settings.export_folder = str(dialog.export_folder)
        # Not kept as the window's child until it closes (a process ending with it alive crashed on exit).
        dialog.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.lock_timer.stop()
        if self._taken_lock is not None:
            self._taken_lock.release()
        if self._search_dialog is not None:
            self._search_dialog.close()
        self.settings.ward = self.selected_ward() if not self.settings.ward else self.settings.ward
        self._remember_layout()
        try:
            save_settings(self.settings)
        except OSError as exc:
            log.warning("settings not saved: %s", exc)
        event.accept()
