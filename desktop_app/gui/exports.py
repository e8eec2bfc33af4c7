"""Window actions around files: the email draft, the consolidation with progress, restoring a backup."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog, QWidget

from desktop_app import operations
from desktop_app.domain import Sheet, wareki_year
from desktop_app.operations import ExchangeError, StorageError
from desktop_app.settings import Settings, save_settings

log = logging.getLogger("machizukuri.gui.exports")


def _offer_folder(parent: QWidget, path: Path, title: str, text: str) -> None:
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setText(text)
    open_folder = box.addButton("フォルダを開く", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Ok)
    box.exec()
    if box.clickedButton() is open_folder:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


def create_mail_draft(parent: QWidget, sheet: Sheet, settings: Settings) -> Path | None:
    """Write the .eml draft (Excel attached) to the export folder and open it in the mail program."""
    if not settings.planning_address:
        answer = QMessageBox.question(
            parent,
            "メール作成",
            "政策企画課のメールアドレスが設定されていません。宛先なしで下書きを作りますか？\n（設定は「ファイル」→「設定」）",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
    folder = settings.export_dir()
    path = folder / operations.default_export_name(sheet, "eml")
    try:
        operations.export_sheet(
            sheet,
            "eml",
            path,
            overwrite=True,
            options={"to": settings.planning_address, "from_name": settings.staff_name},
        )
    except ExchangeError as exc:
        QMessageBox.warning(parent, "メールを作成できませんでした", str(exc))
        return None
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        _offer_folder(
            parent, path, "メール作成", f"メールの下書き {path.name} を保存しました。メールソフトで開いてください。"
        )
    return path


def run_consolidation(parent: QWidget, workspace: operations.Workspace, year: int, settings: Settings) -> Path | None:
    """全区集計 of a year, with a progress dialog; offers to open the folder afterwards."""
    default = settings.export_dir() / operations.consolidated_file_name(year)
    name, _ = QFileDialog.getSaveFileName(
        parent, f"{wareki_year(year)} 全区集計", str(default), "Excel ブック (*.xlsx)"
    )
    if not name:
        return None
    target = Path(name)
    settings.export_folder = str(target.parent)
    save_settings(settings)
    progress = QProgressDialog("全区集計を作成しています…", "", 0, 100, parent)
    progress.setWindowTitle("全区集計")
    progress.setCancelButton(None)
    progress.setMinimumDuration(0)
    progress.setValue(0)

    def report(done: int, total: int, what: str) -> None:
        progress.setMaximum(max(total, 1))
        progress.setValue(done)
        progress.setLabelText(f"{what}を集計しています…（{done}/{total}）")
        QApplication.processEvents()

    try:
        result = operations.consolidate(workspace, year, target, overwrite=True, progress=report)
    except (ExchangeError, StorageError) as exc:
        progress.close()
        QMessageBox.warning(parent, "全区集計を作成できませんでした", str(exc))
        return None
    progress.close()
    notes = "\n".join(result.problems)
    text = f"{result.path.name} を保存しました。" + (f"\n\n注意:\n{notes}" if notes else "")
    _offer_folder(parent, result.path, "全区集計", text)
    return result.path


def restore_from_backup(parent: QWidget, workspace: operations.Workspace) -> bool:
    """Choose a backup and restore it (the current state is backed up first)."""
    from desktop_app.gui.dialogs import RestoreDialog

    backups = operations.list_backups(workspace)
    if not backups:
        QMessageBox.information(parent, "バックアップから復元", "バックアップがまだありません。")
        return False
    chosen = RestoreDialog(backups, parent).choose()
    if chosen is None:
        return False
    answer = QMessageBox.question(
        parent,
        "バックアップから復元",
        f"{chosen.taken_at:%Y-%m-%d %H:%M}のバックアップに戻します。いまのデータは復元の前にバックアップします。よろしいですか？",
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    try:
        operations.restore_backup(workspace, chosen.path)
    except StorageError as exc:
        QMessageBox.warning(parent, "復元できませんでした", str(exc))
        return False
    QMessageBox.information(parent, "バックアップから復元", "復元しました。")
    return True
