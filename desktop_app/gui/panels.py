"""Side panels: the chosen project's details and history, and the sheet's totals and checks."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPaintEvent, QPen, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import (
    STATUS_LABELS,
    Finding,
    Project,
    Severity,
    Sheet,
    format_amount,
    format_rate,
    wareki_moment,
)
from desktop_app.domain.totals import SheetTotals, totals_explanation
from desktop_app.operations import HistoryEntry

STAGE_COLOURS = ("#4e79a7", "#59a14f", "#f28e2b", "#e15759", "#76b7b2", "#edc948")


class ProjectPanel(QWidget):
    """Everything about one project: full description, status and reason, and who changed what."""

    # project id and the field values as shown, when 反映 is pressed
    details_submitted = Signal(int, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.title = QLabel("事業を選ぶと、ここに詳細と変更履歴が出ます。")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.status = QComboBox()
        self.status.addItems(list(STATUS_LABELS))
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText("事業内容")
        self.description.setMaximumHeight(64)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("中止・延期の理由や変更の内容（備考）")
        self.note.setMaximumHeight(48)
        self.section = QLineEdit()
        self.section.setPlaceholderText("例: 西部まちセン")
        self.district = QLineEdit()
        self.district.setPlaceholderText("例: 幸田")
        self.notes_heading = QLineEdit()
        self.notes_heading.setPlaceholderText("例: ７－③")
        self.apply_button = QPushButton("反映")
        self.apply_button.setToolTip("この欄の変更を表に反映して保存します（元に戻すこともできます）")
        self.apply_button.clicked.connect(self._apply)
        form = QFormLayout()
        form.addRow("状況", self.status)
        form.addRow("事業内容", self.description)
        form.addRow("備考・理由", self.note)
        form.addRow("担当", self.section)
        form.addRow("校区", self.district)
        form.addRow("注記番号", self.notes_heading)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        self.history = QTreeWidget()
        self.history.setHeaderLabels(["日時", "担当者", "項目", "変更前", "変更後"])
        self.history.setRootIsDecorated(False)
        self.history.setAlternatingRowColors(True)
        self.history.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        left = QVBoxLayout()
        left.addWidget(self.title)
        left.addLayout(form)
        left.addLayout(buttons)
        right = QVBoxLayout()
        right.addWidget(QLabel("変更履歴（新しい順）"))
        right.addWidget(self.history, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 4)
        self.show_project(None, [], readonly=False)

    def show_project(self, project: Project | None, history: list[HistoryEntry], *, readonly: bool) -> None:
        self.project = project
        editable = project is not None and not readonly
        for widget in (self.status, self.description, self.note, self.section, self.district, self.notes_heading):
            widget.setEnabled(editable)
        self.apply_button.setEnabled(editable)
        if project is None:
            self.title.setText("事業を選ぶと、ここに詳細と変更履歴が出ます。")
            for edit in (self.description, self.note):
                edit.setPlainText("")
            for line in (self.section, self.district, self.notes_heading):
                line.setText("")
            self.history.clear()
            return
        new = "【新規】" if project.new else ""
        self.title.setText(f"№{project.no}　{new}{project.name}" if project.no else f"{new}{project.name}")
        self.status.setCurrentText(project.status.label)
        self.description.setPlainText(project.description)
        self.note.setPlainText(project.note)
        self.section.setText(project.section or "")
        self.district.setText(project.district or "")
        self.notes_heading.setText(project.notes_heading or "")
        self.history.clear()
        for entry in history:
            when = wareki_moment(entry.changed_at)
            item = QTreeWidgetItem([when, entry.changed_by, entry.field, entry.old_value or "", entry.new_value or ""])
            self.history.addTopLevelItem(item)

    def _apply(self) -> None:
        project = self.project
        if project is None or project.id is None:
            return
        self.details_submitted.emit(
            project.id,
            {
                "status": self.status.currentText(),
                "description": self.description.toPlainText(),
                "note": self.note.toPlainText(),
                "section": self.section.text().strip() or None,
                "district": self.district.text().strip() or None,
                "notes_heading": self.notes_heading.text().strip() or None,
            },
        )


class StageChart(QWidget):
    """Bars of each stage's total per category, with the allocation as a line (drawn with QPainter)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.totals: SheetTotals | None = None
        self.setToolTip("棒: 経費区分ごとの各段階の計（千円、上の数字）／赤い破線: 配分額（当初予算の計と比べる上限）")
        self.setMinimumHeight(170)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set_totals(self, totals: SheetTotals | None) -> None:
        self.totals = totals
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        totals = self.totals
        if totals is None or not totals.categories:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "シートがありません")
            return
        metrics = painter.fontMetrics()
        # Legend: one swatch per stage, then the dashed red line of the allocation; wrapped to the width.
        entries: list[tuple[str, int | None]] = [(name, index) for index, name in enumerate(totals.stage_names)]
        if any(category.allocation for category in totals.categories):
            entries.append((ALLOCATION_LEGEND, None))
        line_height = metrics.height() + 4
        placed: list[tuple[float, float, str, int | None]] = []
        x, y = 8.0, 4.0
        for name, index in entries:
            width = 18 + metrics.horizontalAdvance(name)
            if x + width > self.width() - 8 and x > 8:
                x, y = 8.0, y + line_height
            placed.append((x, y, name, index))
            x += width + 4
        legend_height = int(y + line_height)
        for x, y, name, index in placed:
            if index is None:
                painter.setPen(QPen(QColor("#c00000"), 1.5, Qt.PenStyle.DashLine))
                painter.drawLine(int(x), int(y + 5), int(x + 12), int(y + 5))
            else:
                painter.fillRect(QRectF(x, y, 10, 10), QColor(STAGE_COLOURS[index % len(STAGE_COLOURS)]))
            painter.setPen(QColor("#333333"))
            painter.drawText(int(x + 15), int(y + metrics.ascent()), name)
        label_height = metrics.height() * 2 + 4
        area = QRectF(8, legend_height + 4, self.width() - 16, self.height() - legend_height - label_height - 8)
        peak = max(
            [a or 0 for c in totals.categories for a in c.amounts]
            + [c.allocation or 0 for c in totals.categories]
            + [1]
        )
        # Headroom above the tallest bar for its value.
        peak = int(peak * 1.3)
        group_width = area.width() / len(totals.categories)
        stages = len(totals.stage_names)
        small = QFont(painter.font())
        small.setPointSizeF(max(6.0, painter.font().pointSizeF() * 0.8))
        for number, category in enumerate(totals.categories):
            left = area.left() + number * group_width + group_width * 0.1
            bar_width = group_width * 0.8 / max(stages, 1)
            for index, amount in enumerate(category.amounts):
                height = area.height() * (amount or 0) / peak
                rect = QRectF(left + index * bar_width + 1, area.bottom() - height, bar_width - 2, height)
                painter.fillRect(rect, QBrush(QColor(STAGE_COLOURS[index % len(STAGE_COLOURS)])))
                _draw_value(painter, small, rect, format_amount(amount))
            if category.allocation:
                y = area.bottom() - area.height() * category.allocation / peak
                painter.setPen(QPen(QColor("#c00000"), 1.5, Qt.PenStyle.DashLine))
                painter.drawLine(int(left), int(y), int(left + group_width * 0.8), int(y))
            painter.setPen(QColor("#333333"))
            label = QRectF(area.left() + number * group_width, area.bottom() + 2, group_width, label_height)
            painter.drawText(
                label,
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
                category.category,
            )
        painter.setPen(QPen(QColor("#999999")))
        painter.drawLine(int(area.left()), int(area.bottom()), int(area.right()), int(area.bottom()))
        painter.end()


ALLOCATION_LEGEND = "配分額"


def _draw_value(painter: QPainter, font: QFont, bar: QRectF, text: str) -> None:
    """The amount above its bar; turned upright when the bar is narrower than the number."""
    painter.save()
    painter.setFont(font)
    painter.setPen(QColor("#222222"))
    metrics = painter.fontMetrics()
    width = metrics.horizontalAdvance(text)
    if width <= bar.width() + 4:
        painter.drawText(
            QRectF(bar.center().x() - width / 2 - 2, bar.top() - metrics.height(), width + 4, metrics.height()),
            int(Qt.AlignmentFlag.AlignCenter),
            text,
        )
    elif bar.height() > width + 8:
        # Upright inside a tall bar, in white: above it, it would run into the legend.
        painter.setPen(QColor("white"))
        painter.translate(bar.center().x() + metrics.ascent() / 2 - 1, bar.top() + width + 4)
        painter.rotate(-90)
        painter.drawText(0, 0, text)
    else:
        painter.translate(bar.center().x() + metrics.ascent() / 2 - 1, bar.top() - 2)
        painter.rotate(-90)
        painter.drawText(0, 0, text)
    painter.restore()


class TotalsPanel(QWidget):
    """Per category and stage: allocation, totals, remaining, 執行率; the chart; the findings."""

    jump_to = Signal(int, object)  # project id, stage index (or None)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table_model = QStandardItemModel(self)
        self.table = QTableView()
        self.table.setModel(self.table_model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.chart = StageChart()
        self.chart.setMinimumWidth(260)
        self.findings = QListWidget()
        self.findings.setWordWrap(True)
        self.findings.itemActivated.connect(self._jump)
        self.findings.itemClicked.connect(self._jump)
        self.findings_label = QLabel("チェック結果")
        self._shown: tuple[object, ...] | None = None
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setStyleSheet("color: #555555;")
        self.findings_shown: list[Finding] = []
        totals = QVBoxLayout()
        totals.addWidget(QLabel("経費区分ごとの合計（千円）"))
        totals.addWidget(self.table, 1)
        totals.addWidget(self.explanation)
        checks = QVBoxLayout()
        checks.addWidget(self.findings_label)
        checks.addWidget(self.findings, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(totals, 5)
        layout.addWidget(self.chart, 3)
        layout.addLayout(checks, 4)

    def show_totals(self, sheet: Sheet | None, totals: SheetTotals | None, findings: list[Finding]) -> None:
        shown = (sheet.id if sheet else None, totals, findings)
        if shown == self._shown:
            return  # an edit that moved no total and no finding: nothing here to redraw
        self._shown = shown
        self.findings_shown = findings
        self.chart.set_totals(totals)
        self.table_model.clear()
        self.findings.clear()
        if sheet is None or totals is None:
            self.findings_label.setText("チェック結果")
            self.explanation.clear()
            return
        self.explanation.setText(totals_explanation(sheet))
        headers = ["配分額", *totals.stage_names, "残額", "執行率"]
        self.table_model.setHorizontalHeaderLabels(headers)
        rows = [(c.category, c.allocation, c.amounts, c.remaining, c.execution_rate) for c in totals.categories]
        remaining = (
            None if totals.allocation is None or totals.amounts[0] is None else totals.allocation - totals.amounts[0]
        )
        rows.append(("合計", totals.allocation, totals.amounts, remaining, totals.execution_rate))
        for name, allocation, amounts, left, rate in rows:
            cells = [
                format_amount(allocation),
                *(format_amount(a) for a in amounts),
                format_amount(left),
                format_rate(rate),
            ]
            items = []
            for text in cells:
                item = QStandardItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                items.append(item)
            if left is not None and left < 0:
                items[-2].setForeground(QBrush(QColor("#c00000")))
            self.table_model.appendRow(items)
            self.table_model.setVerticalHeaderItem(self.table_model.rowCount() - 1, QStandardItem(name))
        errors = sum(1 for f in findings if f.severity is Severity.ERROR)
        self.findings_label.setText(
            f"チェック結果: 誤り {errors}件・確認 {len(findings) - errors}件"
            if findings
            else "チェック結果: 問題はありません"
        )
        for finding in findings:
            entry = QListWidgetItem(f"［{finding.severity.value}］{finding.message}")
            project_id = None
            if finding.project_path is not None:
                top, child = finding.project_path
                project = sheet.projects[top] if child is None else sheet.projects[top].children[child]
                project_id = project.id
            entry.setData(Qt.ItemDataRole.UserRole, (project_id, finding.stage))
            if finding.severity is Severity.ERROR:
                entry.setForeground(QBrush(QColor("#a00000")))
            self.findings.addItem(entry)

    def _jump(self, item: QListWidgetItem) -> None:
        project_id, stage = item.data(Qt.ItemDataRole.UserRole)
        if project_id is not None:
            self.jump_to.emit(project_id, stage)
