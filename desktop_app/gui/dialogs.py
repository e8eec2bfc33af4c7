"""Dialogs whose layout lives in ui/*.ui (Qt Designer): settings, search, about, restore."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QFile, Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from desktop_app import APP_NAME, __version__
from desktop_app.domain import WARDS, wareki_moment, wareki_year
from desktop_app.operations import BackupInfo, SearchHit, backup_sheet_count
from desktop_app.paths import data_path, user_data_dir
from desktop_app.settings import Settings, settings_problem

_W = TypeVar("_W", bound=QWidget)


def load_ui(name: str, parent: QWidget | None = None) -> QDialog:
    """A dialog built from ui/<name>.ui."""
    file = QFile(str(data_path("ui", f"{name}.ui")))
    if not file.open(QFile.OpenModeFlag.ReadOnly):
        raise RuntimeError(f"ui/{name}.ui is missing from the installation")
    try:
        widget = QUiLoader().load(file, parent)
    finally:
        file.close()
    assert isinstance(widget, QDialog)
    return widget


def child(dialog: QWidget, kind: type[_W], name: str) -> _W:
    found = dialog.findChild(kind, name)
    if found is None:
        raise RuntimeError(f"{name} missing in the dialog's .ui file")
    return found


class SettingsDialog:
    """This PC's ward, staff name, the planning division's address and the export folder."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        self.settings = settings
        self.dialog = load_ui("settings_dialog", parent)
        self.ward = child(self.dialog, QComboBox, "wardCombo")
        self.staff = child(self.dialog, QLineEdit, "staffEdit")
        self.mail = child(self.dialog, QLineEdit, "mailEdit")
        self.folder = child(self.dialog, QLineEdit, "folderEdit")
        self.error = child(self.dialog, QLabel, "errorLabel")
        self.ward.addItems([ward.name for ward in WARDS])
        if settings.ward:
            self.ward.setCurrentText(settings.ward)
        self.staff.setText(settings.staff_name)
        self.mail.setText(settings.planning_address)
        self.folder.setText(settings.export_folder or str(settings.export_dir()))
        child(self.dialog, QPushButton, "browseButton").clicked.connect(self._browse)
        buttons = child(self.dialog, QDialogButtonBox, "buttonBox")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.dialog.reject)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.dialog, "出力先フォルダ", self.folder.text())
        if folder:
            self.folder.setText(folder)

    def _accept(self) -> None:
        address = self.mail.text().strip()
        # The same rules the draft's headers are built under (issue 11: no forged Bcc, no NUL).
        problem = settings_problem(Settings(staff_name=self.staff.text(), planning_address=address))
        if problem is not None:
            self.error.setText(problem)
            return
        folder = self.folder.text().strip()
        if folder and not Path(folder).is_dir():
            self.error.setText(f"出力先フォルダ「{folder}」がありません。")
            return
        self.settings.ward = self.ward.currentText()
        self.settings.staff_name = self.staff.text().strip()
        self.settings.planning_address = address
        self.settings.export_folder = folder
        self.dialog.accept()

    def exec(self) -> bool:
        try:
            return self.dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            # Deleted once used: a dialog left among the window's children was seen to be deleted
            # twice when the window went (a crash at closing).
            self.dialog.deleteLater()


class SearchDialog:
    """Search every year and ward; double-click opens the sheet at the project."""

    def __init__(
        self,
        search: Callable[[str], list[SearchHit]],
        open_hit: Callable[[SearchHit], None],
        parent: QWidget | None = None,
    ) -> None:
        self.search = search
        self.open_hit = open_hit
        self.dialog = load_ui("search_dialog", parent)
        self.query = child(self.dialog, QLineEdit, "queryEdit")
        self.results = child(self.dialog, QTreeWidget, "resultsTree")
        self.count = child(self.dialog, QLabel, "countLabel")
        self.results.setColumnWidth(0, 110)
        self.results.setColumnWidth(1, 70)
        self.results.setColumnWidth(2, 40)
        self.results.setColumnWidth(3, 260)
        self._timer = QTimer(self.dialog)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.run)
        self.query.textChanged.connect(lambda _text: self._timer.start())
        self.results.itemActivated.connect(self._activate)
        child(self.dialog, QDialogButtonBox, "buttonBox").rejected.connect(self.dialog.reject)
        self.dialog.finished.connect(lambda _result: self._timer.stop())
        self.hits: list[SearchHit] = []

    def run(self) -> None:
        text = self.query.text()
        self.hits = self.search(text)
        self.results.clear()
        for hit in self.hits:
            detail = " ".join(part for part in (hit.description, hit.note) if part).replace("\n", " ")
            item = QTreeWidgetItem([wareki_year(hit.fiscal_year), hit.ward, hit.no, hit.name, detail[:120]])
            item.setToolTip(4, detail)
            self.results.addTopLevelItem(item)
        if not text.strip():
            self.count.setText("語を入れると検索します。")
        else:
            self.count.setText(f"{len(self.hits)}件" + ("（最初の500件）" if len(self.hits) >= 500 else ""))

    def _activate(self, item: QTreeWidgetItem, _column: int) -> None:
        index = self.results.indexOfTopLevelItem(item)
        if 0 <= index < len(self.hits):
            self.open_hit(self.hits[index])

    def show(self) -> None:
        self.dialog.show()
        self.query.setFocus()

    def close(self) -> None:
        self._timer.stop()
        self.dialog.close()


def about_dialog(icon: QPixmap | None, db_path: Path, backups: Path, parent: QWidget | None = None) -> QDialog:
    dialog = load_ui("about_dialog", parent)
    child(dialog, QLabel, "titleLabel").setText(APP_NAME)
    child(dialog, QLabel, "versionLabel").setText(f"バージョン {__version__}")
    child(dialog, QLabel, "dataFolderLabel").setText(
        f"データフォルダ: {user_data_dir()}\nデータベース: {db_path}\nバックアップ: {backups}"
    )
    child(dialog, QLabel, "creditsLabel").setText(
        "熊本市 各区役所 まちづくり推進経費の事業シートを入力・印刷・Excel出力するためのアプリです。\n"
        "フォント: IPAexゴシック（IPAフォントライセンスv1.0）、記号用 DejaVu Sans（Bitstream Vera ライセンス）"
    )
    if icon is not None:
        child(dialog, QLabel, "iconLabel").setPixmap(icon.scaled(96, 96, Qt.AspectRatioMode.KeepAspectRatio))
    child(dialog, QDialogButtonBox, "buttonBox").accepted.connect(dialog.accept)
    return dialog


class RestoreDialog:
    """The backups with their date, reason and sheet count; returns the one to restore."""

    def __init__(self, backups: list[BackupInfo], parent: QWidget | None = None) -> None:
        self.backups = backups
        self.dialog = load_ui("restore_dialog", parent)
        self.tree = child(self.dialog, QTreeWidget, "backupsTree")
        buttons = child(self.dialog, QDialogButtonBox, "buttonBox")
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("復元")
        ok.setEnabled(False)
        for info in backups:
            count = backup_sheet_count(info.path)
            item = QTreeWidgetItem(
                [
                    wareki_moment(info.taken_at, seconds=True),
                    info.reason_label,
                    "読めません" if count is None else f"{count}",
                    info.path.name,
                ]
            )
            self.tree.addTopLevelItem(item)
        for column in range(4):
            self.tree.resizeColumnToContents(column)
        self.tree.currentItemChanged.connect(lambda current, _old: ok.setEnabled(current is not None))
        buttons.accepted.connect(self.dialog.accept)
        buttons.rejected.connect(self.dialog.reject)

    def choose(self) -> BackupInfo | None:
        if self.dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        item = self.tree.currentItem()
        if item is None:
            return None
        return self.backups[self.tree.indexOfTopLevelItem(item)]
