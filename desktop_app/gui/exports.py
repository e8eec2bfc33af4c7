"""The window's file actions: import, export, email draft, backup and restore (全区集計 is gui/consolidate_dialog.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from desktop_app import operations
from desktop_app.domain import Sheet, wareki_moment
from desktop_app.domain.sheet_diff import describe_diff, summarise_diff
from desktop_app.gui.worker import Cancelled, in_own_workspace, run_in_background
from desktop_app.operations import ExchangeError, StorageError
from desktop_app.settings import Settings

log = logging.getLogger("machizukuri.gui.exports")


def offer_saved(parent: QWidget, path: Path, title: str, text: str, *, open_file: bool = False) -> None:
    """ "Saved — open it?": the message, with a button opening the folder (or the file itself)."""
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setText(text)
    open_button = box.addButton("開く" if open_file else "フォルダを開く", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Ok)
    box.exec()
    if box.clickedButton() is open_button:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path if open_file else path.parent)))


def import_files(
    parent: QWidget, workspace: operations.Workspace, settings: Settings, *, replaced: Callable[[], None]
) -> bool:
    """Choose sheet files, see what each would change, and import them all or none; `replaced`
    refreshes the window before the summary.

    The files are read, compared and stored off the window's thread (a large workbook takes a
    while), under the window's own write lock, behind a progress dialog whose 中止 leaves the
    database as it was. Nothing is stored before the person has seen the changes and said yes.
    """
    names, _ = QFileDialog.getOpenFileNames(
        parent, "取り込むファイル", str(settings.export_dir()), "シート (*.json *.xlsx *.eml);;すべて (*)"
    )
    if not names:
        return False
    paths = [Path(name) for name in names]

    def read(report: Callable[[int, int, str], None]) -> list[operations.ImportPreview]:
        def compare(own: operations.Workspace) -> list[operations.ImportPreview]:
            previews: list[operations.ImportPreview] = []
            for done, path in enumerate(paths, start=1):
                previews += operations.preview_import(own, [path])
                report(done, len(paths), path.name)
            # Refused as the import refuses it: the same ward and year twice among the files.
            operations.check_previews_distinct(previews)
            return previews

        return in_own_workspace(workspace, compare)

    try:
        previews = run_in_background(parent, "取込", "ファイルを読んでいます…", read)
        changing = [preview for preview in previews if not preview.diff.is_empty]
        if not changing:
            QMessageBox.information(
                parent, "取込", "取り込んでも変わる内容はありません。データベースは変更していません。"
            )
            return False
        if not _confirm_import(parent, changing):
            QMessageBox.information(parent, "取込", "取り込みませんでした。データベースは変更していません。")
            return False
        outcomes = run_in_background(
            parent,
            "取込",
            "取り込んでいます…",
            lambda report: in_own_workspace(
                workspace, lambda own: operations.import_previewed(own, changing, progress=report)
            ),
        )
    except Cancelled:
        QMessageBox.information(parent, "取込", "中止しました。データベースは変更していません。")
        return False
    except (ExchangeError, StorageError, OSError) as exc:
        QMessageBox.warning(parent, "取り込めませんでした", f"{exc}\n\nデータベースは変更していません。")
        return False
    lines = [f"{o.sheet.year_label} {o.sheet.ward}（{len(o.sheet.projects)}事業）" for o in outcomes]
    replaced()
    QMessageBox.information(parent, "取り込みました", "次のシートを取り込みました。\n" + "\n".join(lines))
    return True


def _confirm_import(parent: QWidget, previews: list[operations.ImportPreview]) -> bool:
    """What each sheet would change (its 追加・削除・金額… and any newer edits it would overwrite),
    asked before anything is stored; the details are one click away."""
    lines = []
    details = []
    for preview in previews:
        lines.append(
            f"・{preview.sheet.year_label} {preview.sheet.ward}（{preview.source}）: {summarise_diff(preview.diff)}"
        )
        if preview.warning:
            lines.append(f"　注意: {preview.warning}")
        details += [
            f"{preview.sheet.year_label} {preview.sheet.ward}（{preview.source}）",
            *describe_diff(preview.diff),
            "",
        ]
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if any(p.warning for p in previews) else QMessageBox.Icon.Question)
    box.setWindowTitle("取込")
    box.setText(
        "次のシートをファイルの内容に置き換えます。\n"
        + "\n".join(lines)
        + "\n\n取り込みますか？（取り込む前にデータベースのバックアップを取ります）"
    )
    box.setDetailedText("\n".join(details).strip())
    box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes


def _save_path(parent: QWidget, settings: Settings, title: str, default_name: str, pattern: str) -> Path | None:
    folder = settings.export_dir()
    name, _ = QFileDialog.getSaveFileName(parent, title, str(folder / default_name), pattern)
    if not name:
        return None
    path = Path(name)
    settings.export_folder = str(path.parent)
    return path


# Format: the save dialog's title and file pattern.
SAVE_DIALOGS = {"xlsx": ("Excel出力", "Excel ブック (*.xlsx)"), "json": ("JSON出力", "シート JSON (*.json)")}


def export_sheet(parent: QWidget, sheet: Sheet, settings: Settings, fmt: str) -> Path | None:
    """Ask where, write the sheet in `fmt`, and offer to open the folder."""
    title, pattern = SAVE_DIALOGS[fmt]
    path = _save_path(parent, settings, title, operations.default_export_name(sheet, fmt), pattern)
    if path is None:
        return None
    try:
        # The file dialog has already asked before replacing an existing file.
        written = operations.export_sheet(sheet, fmt, path, overwrite=True).path
    except ExchangeError as exc:
        QMessageBox.warning(parent, "出力できませんでした", str(exc))
        return None
    offer_saved(parent, written, title, f"{written.name} を保存しました。\n{written.parent}")
    return written


def backup_now(parent: QWidget, workspace: operations.Workspace) -> Path | None:
    try:
        return operations.backup_now(workspace)
    except StorageError as exc:
        QMessageBox.warning(parent, "バックアップできませんでした", str(exc))
        return None


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
        offer_saved(
            parent, path, "メール作成", f"メールの下書き {path.name} を保存しました。メールソフトで開いてください。"
        )
    return path


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
        f"{wareki_moment(chosen.taken_at)}のバックアップに戻します。いまのデータは復元の前にバックアップします。よろしいですか？",
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
