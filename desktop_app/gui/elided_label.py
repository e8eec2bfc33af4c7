"""A heading label that shortens its text with 「…」 to the width it is given, never widening the window."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

# More than any screen shows on one line: a 10 MB title is cut to this before Qt measures it, so
# eliding stays instant (issue 11: a 10 MB title could not be painted).
MAX_MEASURED = 1000
MAX_TOOLTIP = 500


class ElidedLabel(QLabel):
    """Shows up to `max_lines` lines of its text, each elided to the label's width; the tooltip has more."""

    def __init__(self, parent: QWidget | None = None, *, max_lines: int = 1) -> None:
        super().__init__(parent)
        self._full = ""
        self._max_lines = max_lines
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def setText(self, text: str) -> None:  # Qt's name: main_window uses it as any QLabel
        self._full = text
        tip = text[:MAX_TOOLTIP] + ("…" if len(text) > MAX_TOOLTIP else "")
        self.setToolTip(tip if tip != self._shown(self.width()) else "")
        self._refresh()

    def _shown(self, width: int) -> str:
        metrics = self.fontMetrics()
        lines = self._full[: MAX_MEASURED * self._max_lines].split("\n")
        kept = lines[: self._max_lines]
        if len(lines) > self._max_lines:
            kept[-1] += "…"
        out = []
        for line in kept:
            cut = line[:MAX_MEASURED] + ("…" if len(line) > MAX_MEASURED else "")
            out.append(metrics.elidedText(cut, Qt.TextElideMode.ElideRight, max(width, 0)))
        return "\n".join(out)

    def _refresh(self) -> None:
        available = self.contentsRect().width()
        super().setText(self._shown(available))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._refresh()

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:
        return QSize(0, super().sizeHint().height())
