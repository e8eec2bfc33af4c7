"""Print preview of the one-page ward summary (QtPdf), with 印刷 and 保存."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app import operations
from desktop_app.domain import Sheet
from desktop_app.gui.exports import offer_saved
from desktop_app.gui.worker import run_in_background
from desktop_app.operations import ExchangeError
from desktop_app.settings import Settings

PAPERS = (("自動（A4、収まらなければA3）", "auto"), ("A4 横", "a4"), ("A3 横", "a3"))
PRINT_DPI = 300
# A dialog listing more than this many projects would not fit a screen.
MAX_LISTED = 15
# Above this many projects the PDF is rendered off the window's thread. Measured (benchmarks/bench_pdf.py,
# shared 2-core machine): 150–300 projects 0.06–0.09 s, the first render of a process 0.17 s (the font);
# a slow office PC takes several times that. Small sheets render in place: no progress dialog flashes.
BACKGROUND_PROJECTS = 150


class PrintPreviewDialog(QDialog):
    """Shows the page exactly as it will print; 印刷 sends it to a printer, 保存 keeps the PDF."""

    def __init__(self, sheet: Sheet, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheet = sheet
        self.settings = settings
        self.data = b""
        self.paper_name = "A4"
        self.setWindowTitle(f"印刷プレビュー - {sheet.year_label} {sheet.ward}")
        self.resize(1100, 800)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.paper = QComboBox()
        for label, value in PAPERS:
            self.paper.addItem(label, value)
        self.paper.currentIndexChanged.connect(self.refresh)
        self.info = QLabel()
        self.info.setWordWrap(True)
        print_button = QPushButton("印刷…")
        print_button.clicked.connect(self.print_page)
        save_button = QPushButton("PDFを保存…")
        save_button.clicked.connect(self.save)
        close_button = QPushButton("閉じる")
        close_button.clicked.connect(self.reject)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("用紙"))
        bar.addWidget(self.paper)
        bar.addWidget(self.info, 1)
        bar.addWidget(print_button)
        bar.addWidget(save_button)
        bar.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self._buffer: QBuffer | None = None
        # Characters of the sheet the font lacks: asked about once, before the preview appears.
        self.warnings: tuple[str, ...] = ()
        self.refresh()

    def exec(self) -> int:
        """Show the preview, unless the person, told which characters will not print, chooses やめる."""
        if self.warnings and not confirm_unprintable(self, self.warnings):
            return int(QDialog.DialogCode.Rejected)
        return super().exec()

    def refresh(self) -> None:
        paper = str(self.paper.currentData())
        try:
            if sum(1 for _ in self.sheet.all_projects()) > BACKGROUND_PROJECTS:
                # Rendered on a worker thread; this window and the main window keep painting.
                shown = self if self.isVisible() else (self.parentWidget() or self)
                result = run_in_background(
                    shown,
                    "印刷プレビュー",
                    "PDFを作成しています…",
                    lambda _report: operations.preview_pdf(self.sheet, paper=paper),
                    cancellable=False,  # one reportlab call: nothing to stop midway
                )
            else:
                result = operations.preview_pdf(self.sheet, paper=paper)
        except ExchangeError as exc:
            self.info.setText(str(exc))
            self.info.setStyleSheet("color: #a00000;")
            return
        self.data = result.data
        self.warnings = result.warnings
        self.paper_name = result.paper
        self.info.setStyleSheet("")
        self.info.setText(result.message or f"{result.paper} 横・1枚（文字 {result.font_size:.1f} pt）")
        self.document.close()
        # QPdfDocument reads from the device while the document lives: keep the buffer.
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(self.data))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)

    def print_page(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        size = QPageSize.PageSizeId.A3 if self.paper_name == "A3" else QPageSize.PageSizeId.A4
        printer.setPageLayout(
            QPageLayout(QPageSize(size), QPageLayout.Orientation.Landscape, printer.pageLayout().margins())
        )
        printer.setDocName(f"{self.sheet.year_label} {self.sheet.ward} まちづくり推進経費")
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("印刷")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        painter = QPainter()
        if not painter.begin(printer):
            QMessageBox.warning(self, "印刷できませんでした", "プリンターを開けませんでした。")
            return
        try:
            target = painter.viewport()
            page_size = self.document.pagePointSize(0)
            scale = PRINT_DPI / 72
            image = self.document.render(0, QSize(int(page_size.width() * scale), int(page_size.height() * scale)))
            fitted = image.scaled(
                target.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            painter.drawImage(0, 0, fitted.convertToFormat(QImage.Format.Format_RGB32))
        finally:
            painter.end()

    def save(self) -> None:
        default = self.settings.export_dir() / operations.default_export_name(self.sheet, "pdf")
        name, _ = QFileDialog.getSaveFileName(self, "PDFを保存", str(default), "PDF (*.pdf)")
        if not name:
            return
        path = Path(name)
        try:
            # The file dialog has already asked before replacing; the database is refused here.
            operations.save_rendered(path, self.data, "pdf", overwrite=True)
        except ExchangeError as exc:
            QMessageBox.warning(self, "保存できませんでした", str(exc))
            return
        self.settings.export_folder = str(path.parent)
        offer_saved(self, path, "PDFを保存", f"{path.name} を保存しました。", open_file=True)


def confirm_unprintable(parent: QWidget, warnings: Sequence[str]) -> bool:
    """Tell which characters of which project will print as 〓; True when the person chooses 続ける."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("印刷できない文字があります")
    shown_lines = list(warnings[:MAX_LISTED])
    if len(warnings) > MAX_LISTED:
        shown_lines.append(f"ほか{len(warnings) - MAX_LISTED}件")
    box.setText(
        "次の文字は印刷用のフォントにないため、〓で印刷されます。このまま続けますか？\n\n" + "\n".join(shown_lines)
    )
    go_on = box.addButton("続ける", QMessageBox.ButtonRole.AcceptRole)
    stop = box.addButton("やめる", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(stop)
    box.exec()
    return box.clickedButton() is go_on
