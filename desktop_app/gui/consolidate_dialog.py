"""全区集計 in the window: from the database or a received folder, checked on screen, then saved."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app import operations
from desktop_app.domain import format_amount, format_rate, sheet_totals, wareki_short, wareki_year
from desktop_app.domain.year_comparison import YearComparison
from desktop_app.gui.exports import offer_saved
from desktop_app.gui.panels import STAGE_COLOURS
from desktop_app.gui.worker import Cancelled, in_own_workspace, run_in_background
from desktop_app.operations import ExchangeError, StorageError

log = logging.getLogger("machizukuri.gui.consolidate")

LINE_COLOURS = (*STAGE_COLOURS, "#b07aa1", "#333333")


class YearRateChart(QWidget):
    """執行率 by year, one line per ward and one for the city (drawn with QPainter)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.comparison: YearComparison | None = None
        self.setMinimumHeight(220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_comparison(self, comparison: YearComparison | None) -> None:
        self.comparison = comparison
        self.update()

    def series(self) -> list[tuple[str, list[tuple[int, float]]]]:
        """(name, [(year, rate)…]) for each line drawn; years without a rate are gaps."""
        if self.comparison is None:
            return []
        lines = []
        for row in self.comparison.total_rows():
            points = [
                (year, f.rate) for year in self.comparison.years if (f := row.by_year.get(year)) and f.rate is not None
            ]
            lines.append((row.ward, [(year, rate) for year, rate in points if rate is not None]))
        return lines

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        comparison = self.comparison
        lines = self.series()
        if comparison is None or not any(points for _, points in lines):
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, "執行率を出せる年度がまだありません（決算額が必要です）"
            )
            painter.end()
            return
        metrics = painter.fontMetrics()
        legend_height = metrics.height() + 8
        left_margin = metrics.horizontalAdvance("100%") + 12
        area = QRectF(
            left_margin,
            legend_height + 6,
            self.width() - left_margin - 16,
            self.height() - legend_height - metrics.height() - 18,
        )
        peak = max([1.0] + [rate for _, points in lines for _, rate in points])
        top = min(2.0, (int(peak * 10) + 1) / 10)
        years = comparison.years

        def point(year: int, rate: float) -> QPointF:
            index = years.index(year)
            x = area.left() + (area.width() * (index + 0.5) / len(years))
            return QPointF(x, area.bottom() - area.height() * rate / top)

        painter.setPen(QPen(QColor("#dddddd")))
        for level in (0.0, 0.5, 1.0, 1.5):
            if level > top:
                continue
            y = area.bottom() - area.height() * level / top
            painter.drawLine(int(area.left()), int(y), int(area.right()), int(y))
            painter.setPen(QColor("#555555"))
            painter.drawText(4, int(y + metrics.ascent() / 2), f"{level:.0%}")
            painter.setPen(QPen(QColor("#dddddd")))
        painter.setPen(QColor("#333333"))
        for year in years:
            x = point(year, 0).x()
            label = wareki_short(year)
            painter.drawText(
                int(x - metrics.horizontalAdvance(label) / 2), int(area.bottom() + metrics.height() + 2), label
            )
        x_legend = float(left_margin)
        for number, (name, points) in enumerate(lines):
            colour = QColor(LINE_COLOURS[number % len(LINE_COLOURS)])
            pen = QPen(colour, 3.0 if name == "全区" else 2.0)
            painter.setPen(pen)
            for (year_a, rate_a), (year_b, rate_b) in itertools.pairwise(points):
                painter.drawLine(point(year_a, rate_a), point(year_b, rate_b))
            painter.setBrush(colour)
            for year, rate in points:
                painter.drawEllipse(point(year, rate), 3.0, 3.0)
            painter.fillRect(QRectF(x_legend, 6, 14, 4), colour)
            painter.setPen(QColor("#333333"))
            painter.drawText(int(x_legend + 18), 6 + metrics.ascent() - 2, name)
            x_legend += 30 + metrics.horizontalAdvance(name)
        painter.end()


class ConsolidateDialog(QDialog):
    """Choose the year and the source, see wards, totals, checks and the years compared; then save."""

    def __init__(
        self, workspace: operations.Workspace, year: int, export_folder: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.export_folder = export_folder
        self.plan: operations.ConsolidationPlan | None = None
        self.folder: Path | None = None
        self.setWindowTitle("全区集計")
        self.resize(1040, 680)

        self.year_combo = QComboBox()
        years = sorted({s.fiscal_year for s in operations.list_sheets_summary(workspace)} | {year}, reverse=True)
        for value in years:
            self.year_combo.addItem(f"{wareki_year(value)}（{value}）", value)
        self.year_combo.setCurrentIndex(max(self.year_combo.findData(year), 0))
        self.from_database = QRadioButton("データベースから")
        self.from_database.setChecked(True)
        self.from_folder = QRadioButton("受信フォルダから")
        self.folder_label = QLabel("（フォルダ未選択）")
        choose = QPushButton("フォルダを選ぶ…")
        choose.clicked.connect(self.choose_folder)
        self.run_button = QPushButton("集計する")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.make_plan)
        top = QHBoxLayout()
        top.addWidget(QLabel("年度"))
        top.addWidget(self.year_combo)
        top.addSpacing(12)
        top.addWidget(self.from_database)
        top.addWidget(self.from_folder)
        top.addWidget(choose)
        top.addWidget(self.folder_label, 1)
        top.addWidget(self.run_button)

        self.headline = QLabel("年度と集計元を選んで「集計する」を押してください。保存する前に内容を確かめられます。")
        self.headline.setWordWrap(True)
        self.summary_model = QStandardItemModel(self)
        self.summary_table = self._table(self.summary_model)
        self.problem_list = QListWidget()
        self.comparison_model = QStandardItemModel(self)
        self.comparison_table = self._table(self.comparison_model)
        self.chart = YearRateChart()
        comparison_page = QSplitter(Qt.Orientation.Vertical)
        comparison_page.addWidget(self.chart)
        comparison_page.addWidget(self.comparison_table)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.summary_table, "集計")
        self.tabs.addTab(self.problem_list, "確認事項")
        self.tabs.addTab(comparison_page, "年度比較")

        self.save_button = QPushButton("保存…")
        self.save_button.setEnabled(False)
        # Not connected to `save` itself: `clicked` passes its checked flag, which `save` would take for the target.
        self.save_button.clicked.connect(lambda: self.save())
        close = QPushButton("閉じる")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.headline)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)

    def _table(self, model: QStandardItemModel) -> QTableView:
        table = QTableView()
        table.setModel(model)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.setWordWrap(True)
        return table

    def choose_folder(self) -> None:
        name = QFileDialog.getExistingDirectory(
            self, "各区から届いたファイルのフォルダ", str(self.folder or self.export_folder)
        )
        if name:
            self.set_folder(Path(name))

    def set_folder(self, folder: Path) -> None:
        self.folder = folder
        self.folder_label.setText(str(folder))
        self.from_folder.setChecked(True)

    # ------------------------------------------------------------ the plan

    def make_plan(self) -> operations.ConsolidationPlan | None:
        """Gather the sheets, checks and comparison off the window's thread, and show them."""
        year = int(self.year_combo.currentData())
        folder = self.folder if self.from_folder.isChecked() else None
        if self.from_folder.isChecked() and folder is None:
            QMessageBox.information(self, "全区集計", "受信フォルダを選んでください。")
            return None
        owner = self.workspace
        try:
            plan = run_in_background(
                self,
                "全区集計",
                "シートを集めています…",
                lambda _report: in_own_workspace(
                    owner, lambda ws: operations.plan_consolidation(ws, year, from_files=folder)
                ),
            )
        except Cancelled:
            return None
        except (ExchangeError, StorageError, OSError) as exc:
            QMessageBox.warning(self, "全区集計できませんでした", str(exc))
            return None
        self.show_plan(plan)
        return plan

    def show_plan(self, plan: operations.ConsolidationPlan) -> None:
        self.plan = plan
        wards = "・".join(sheet.ward for sheet in plan.sheets)
        notes = len(plan.problems) + len(plan.check_lines)
        self.headline.setText(
            f"{wareki_year(plan.fiscal_year)}: {len(plan.sheets)}区（{wards}）"
            + (f"、確認事項 {notes}件（「確認事項」のタブ）" if notes else "、確認事項はありません")
        )
        self._fill_summary(plan)
        self.problem_list.clear()
        self.problem_list.addItems(plan.problems + plan.check_lines)
        self._fill_comparison(plan.comparison)
        self.chart.set_comparison(plan.comparison)
        self.save_button.setEnabled(True)

    def _fill_summary(self, plan: operations.ConsolidationPlan) -> None:
        stage_names = plan.sheets[0].stage_names if plan.sheets else ()
        self.summary_model.clear()
        self.summary_model.setHorizontalHeaderLabels(["区", "経費区分", *stage_names, "配分額", "執行率", "確認"])
        red = QColor("#a00000")
        for sheet in plan.sheets:
            totals = sheet_totals(sheet)
            checks = plan.checks.get(sheet.ward, [])
            names = {c.category for c in totals.categories}
            rows = [(c.category, c.amounts, c.allocation, c.execution_rate) for c in totals.categories]
            rows.append(("計", totals.amounts, totals.allocation, totals.execution_rate))
            for category, amounts, allocation, rate in rows:
                notes = [c for c in checks if (c.category == category if category != "計" else c.category not in names)]
                items = [QStandardItem(sheet.ward), QStandardItem(category)]
                items += [self._number(format_amount(a)) for a in amounts]
                items += [self._number(format_amount(allocation)), self._number(format_rate(rate))]
                note = QStandardItem("\n".join(c.message for c in notes))
                if any(c.is_error for c in notes):
                    note.setForeground(red)
                items.append(note)
                self.summary_model.appendRow(items)
        self.summary_table.resizeRowsToContents()

    def _fill_comparison(self, comparison: YearComparison) -> None:
        self.comparison_model.clear()
        headers = ["区", "経費区分"]
        for year in comparison.years:
            short = wareki_short(year)
            headers += [f"{short} 当初予算", f"{short} 決算額", f"{short} 執行率"]
        self.comparison_model.setHorizontalHeaderLabels(headers)
        for row in comparison.rows:
            items = [QStandardItem(row.ward), QStandardItem(row.category)]
            for year in comparison.years:
                figures = row.by_year.get(year)
                if figures is None:
                    items += [self._number("―") for _ in range(3)]
                else:
                    items += [
                        self._number(format_amount(figures.initial)),
                        self._number(format_amount(figures.settled)),
                        self._number(format_rate(figures.rate)),
                    ]
            self.comparison_model.appendRow(items)

    @staticmethod
    def _number(text: str) -> QStandardItem:
        item = QStandardItem(text)
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return item

    # ------------------------------------------------------------ saving

    def default_target(self) -> Path:
        year = self.plan.fiscal_year if self.plan else int(self.year_combo.currentData())
        return self.export_folder / operations.consolidated_file_name(year)

    def save(self, target: Path | None = None) -> Path | None:
        """Write the workbook shown (the file is replaced whole, or left as it was).

        Without `target` the person is asked where, and told afterwards with the folder to open."""
        if self.plan is None:
            return None
        asked = target is None
        if target is None:
            name, _ = QFileDialog.getSaveFileName(
                self, "全区集計の保存", str(self.default_target()), "Excel ブック (*.xlsx)"
            )
            if not name:
                return None
            target = Path(name)
        plan = self.plan
        try:
            result = run_in_background(
                self,
                "全区集計",
                "全区集計を作成しています…",
                lambda report: operations.write_consolidation(plan, target, overwrite=True, progress=report),
            )
        except Cancelled:
            return None
        except (ExchangeError, OSError) as exc:
            QMessageBox.warning(self, "全区集計を保存できませんでした", str(exc))
            return None
        self.export_folder = result.path.parent
        self.headline.setText(f"{result.path} に保存しました（{result.sheets}区）。")
        if asked:  # as every save the person chose the place of: said, with the folder a click away
            offer_saved(self, result.path, "全区集計", f"{result.path.name} を保存しました。")
        return result.path
