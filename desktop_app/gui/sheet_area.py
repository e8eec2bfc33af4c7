"""The window's middle: the sheet (or the "no sheet yet" page) above, totals and details below."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import Sheet, wareki_year
from desktop_app.gui.elided_label import ElidedLabel
from desktop_app.gui.panels import ProjectPanel, TotalsPanel
from desktop_app.gui.sheet_view import SheetTableView

TABLE_PAGE, EMPTY_PAGE = 0, 1


class SheetArea(QSplitter):
    """Layout only: the widgets, their looks and their places; MainWindow connects them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.view = SheetTableView()
        self.message_bar = QLabel()
        self.message_bar.setWordWrap(True)
        self.message_bar.setStyleSheet(
            "background: #fdecea; color: #8a1c1c; border: 1px solid #f5c2c0; padding: 4px 8px;"
        )
        self.message_bar.hide()
        # Elided to the window's width: a sheet's title must never decide how wide the window is.
        self.title_label = ElidedLabel()
        self.title_label.setStyleSheet("font-size: 13pt; font-weight: bold; padding: 2px 4px;")
        self.vision_label = ElidedLabel(max_lines=3)
        self.vision_label.setStyleSheet("color: #444444; padding: 0 4px 4px 4px;")
        self.empty_page = QWidget()
        empty_layout = QVBoxLayout(self.empty_page)
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("font-size: 12pt;")
        self.from_last_year_button = QPushButton("前年度のシートから作成")
        self.blank_button = QPushButton("空のシートを作成")
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
        self.pages.addWidget(table_page)  # TABLE_PAGE
        self.pages.addWidget(self.empty_page)  # EMPTY_PAGE
        self.project_panel = ProjectPanel()
        self.totals_panel = TotalsPanel()
        # The table takes the whole width (the amounts must be visible); details sit below it.
        self.side = QTabWidget()
        self.side.addTab(self.totals_panel, "合計・チェック")
        # Scrolled rather than squeezed: its form would otherwise take a third of a 768 px screen.
        details = QScrollArea()
        details.setWidgetResizable(True)
        details.setFrameShape(QFrame.Shape.NoFrame)
        details.setWidget(self.project_panel)
        self.side.addTab(details, "事業の詳細・履歴")
        self.addWidget(self.pages)
        self.addWidget(self.side)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 1)
        self.setSizes([520, 230])

    def show_heading(self, sheet: Sheet) -> None:
        """The sheet's title and vision above the table (no empty line where there is no vision)."""
        self.title_label.setText(sheet.title)
        self.vision_label.setText(sheet.vision)
        self.vision_label.setVisible(bool(sheet.vision))

    def show_no_sheet(self, year: int, ward: str, source_year: int | None, *, readonly: bool) -> None:
        """The page saying a year has no sheet yet, offering to create it from `source_year` or empty."""
        self.empty_label.setText(f"{wareki_year(year)} {ward}のシートはまだありません。")
        self.from_last_year_button.setText(
            f"{wareki_year(source_year)}のシートから作成" if source_year is not None else "前年度のシートから作成"
        )
        self.from_last_year_button.setEnabled(source_year is not None and not readonly)
        self.blank_button.setEnabled(not readonly)
        self.pages.setCurrentIndex(EMPTY_PAGE)
