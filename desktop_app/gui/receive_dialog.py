"""受信: the wards' files (mails, workbooks, sheet files), what each would change, and the import of those ticked."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app import operations
from desktop_app.domain.sheet_diff import describe_diff, summarise_diff
from desktop_app.gui.worker import Cancelled, in_own_workspace, run_in_background
from desktop_app.operations import ExchangeError, StorageError

log = logging.getLogger("machizukuri.gui.receive")

COLUMNS = ("取り込む", "年度", "区", "ファイル", "変更", "注意")
FILE_FILTER = "各区のファイル (*.eml *.xlsx *.json);;すべて (*)"
_WARNING_COLOUR = QColor("#a00000")


class ReceiveDialog(QDialog):
    """Files dropped or chosen, one row per sheet; nothing is written until 取り込む."""

    # The outcomes of an import, so the window can reopen the sheet it shows.
    imported = Signal(list)

    def __init__(
        self, workspace: operations.Workspace, folder: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.folder = folder or Path.home()
        self.previews: list[operations.ImportPreview] = []
        self.sources: list[Path] = []
        self.setWindowTitle("受信（各区から届いたファイルの取込）")
        self.setAcceptDrops(True)
        self.resize(980, 620)

        self.hint = QLabel(
            "各区から届いたメール（.eml）・Excel・JSONのファイルか、それらを入れたフォルダをここにドロップしてください。"
            "取り込むと何が変わるかを表示します。チェックしたシートだけを「取り込む」で取り込みます。"
        )
        self.hint.setWordWrap(True)
        choose_files = QPushButton("ファイルを選ぶ…")
        choose_files.clicked.connect(self.choose_files)
        choose_folder = QPushButton("フォルダを選ぶ…")
        choose_folder.clicked.connect(self.choose_folder)
        top = QHBoxLayout()
        top.addWidget(choose_files)
        top.addWidget(choose_folder)
        top.addStretch(1)

        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        self.table.setWordWrap(True)
        self.table.selectionModel().currentRowChanged.connect(lambda current, _: self._show_details(current.row()))
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setPlaceholderText("行を選ぶと、その区のシートで変わる内容がここに出ます。")
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #8a1c1c;")
        self.problems.hide()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setSizes([330, 170])

        self.import_button = QPushButton("取り込む")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.import_checked)
        close = QPushButton("閉じる")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        self.status = QLabel()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addLayout(top)
        layout.addWidget(self.problems)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self.model.itemChanged.connect(lambda _item: self._update_buttons())

    # ------------------------------------------------------------ choosing files

    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "各区から届いたファイル", str(self.folder), FILE_FILTER)
        if names:
            self.load([Path(name) for name in names])

    def choose_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "各区から届いたファイルのフォルダ", str(self.folder))
        if name:
            self.load([Path(name)])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.load(paths)

    # ------------------------------------------------------------ previews

    def load(self, paths: Sequence[Path]) -> bool:
        """Read the files and show what each sheet would change; the database is only read."""
        self.sources = list(paths)
        self.folder = paths[0] if paths[0].is_dir() else paths[0].parent
        owner = self.workspace
        try:
            received = run_in_background(
                self,
                "受信",
                "届いたファイルを読んでいます…",
                lambda report: in_own_workspace(
                    owner, lambda ws: operations.preview_received(ws, paths, progress=report)
                ),
            )
        except Cancelled:
            return False
        except (ExchangeError, StorageError, OSError) as exc:
            QMessageBox.warning(self, "受信", f"ファイルを読めませんでした。\n{exc}")
            return False
        self.show_previews(received)
        return True

    def show_previews(self, received: operations.ReceivedPreview) -> None:
        self.previews = list(received.previews)
        self.model.removeRows(0, self.model.rowCount())
        for preview in self.previews:
            self.model.appendRow(self._row(preview))
        self.table.resizeColumnsToContents()
        # The warning column takes what is left and wraps, rather than widening the dialog.
        self.table.setColumnWidth(len(COLUMNS) - 1, 360)
        self.table.resizeRowsToContents()
        if received.problems:
            self.problems.setText("\n".join(f"・{problem}" for problem in received.problems))
            self.problems.show()
        else:
            self.problems.hide()
        if self.previews:
            self.table.selectRow(0)
        else:
            self.details.setPlainText("取り込めるシートはありませんでした。")
        self._update_buttons()

    def _row(self, preview: operations.ImportPreview) -> list[QStandardItem]:
        check = QStandardItem()
        check.setCheckable(True)
        check.setEditable(False)
        # Ticked for what changes something and risks nothing; a warning waits for the person.
        ticked = not preview.diff.is_empty and preview.warning is None
        check.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        check.setEnabled(not self.workspace.readonly and not preview.diff.is_empty)
        warning = preview.warning or "、".join(preview.notes)
        items = [
            check,
            QStandardItem(f"{preview.sheet.year_label}（{preview.sheet.fiscal_year}）"),
            QStandardItem(preview.sheet.ward),
            QStandardItem(preview.source),
            QStandardItem(summarise_diff(preview.diff)),
            QStandardItem(warning),
        ]
        if preview.warning:
            items[-1].setForeground(_WARNING_COLOUR)
        items[-1].setToolTip(warning)
        for item in items[1:]:
            item.setEditable(False)
        return items

    def _show_details(self, row: int) -> None:
        if not 0 <= row < len(self.previews):
            self.details.clear()
            return
        preview = self.previews[row]
        lines = [f"{preview.sheet.year_label} {preview.sheet.ward}（{preview.source}）", *describe_diff(preview.diff)]
        if preview.warning:
            lines += ["", f"注意: {preview.warning}"]
        lines += [f"注意: {note}" for note in preview.notes]
        self.details.setPlainText("\n".join(lines))

    def checked_rows(self) -> list[int]:
        return [
            row
            for row in range(self.model.rowCount())
            if (item := self.model.item(row, 0)) is not None and item.checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, row: int, checked: bool) -> None:
        item = self.model.item(row, 0)
        if item is not None:
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def _update_buttons(self) -> None:
        count = len(self.checked_rows())
        self.import_button.setEnabled(bool(count) and not self.workspace.readonly)
        self.import_button.setText(f"取り込む（{count}シート）" if count else "取り込む")
        self.status.setText("読み取り専用のため取り込めません。" if self.workspace.readonly else "")

    # ------------------------------------------------------------ importing

    def import_checked(self) -> list[operations.ImportOutcome]:
        """Import the ticked sheets: one backup, one transaction; 中止 leaves the database as it was."""
        chosen = [self.previews[row] for row in self.checked_rows()]
        if not chosen or self.workspace.readonly:
            return []
        owner = self.workspace
        try:
            outcomes = run_in_background(
                self,
                "受信",
                "取り込んでいます…",
                lambda report: in_own_workspace(
                    owner, lambda ws: operations.import_previewed(ws, chosen, progress=report)
                ),
            )
        except Cancelled:
            QMessageBox.information(self, "受信", "中止しました。データベースは変更していません。")
            return []
        except (ExchangeError, StorageError, OSError) as exc:
            QMessageBox.warning(self, "取り込めませんでした", f"{exc}\n\nデータベースは変更していません。")
            return []
        self.imported.emit(outcomes)
        lines = [f"{o.sheet.year_label} {o.sheet.ward}（{len(o.sheet.projects)}事業）" for o in outcomes]
        self.status.setText("取り込みました: " + "、".join(lines))
        log.info("received and imported %s", lines)
        # What is left to decide, against the database as it now is.
        if self.sources:
            self.load(self.sources)
            self.status.setText("取り込みました: " + "、".join(lines))
        return outcomes
