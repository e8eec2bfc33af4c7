"""Before 印刷 and メール作成 a sheet's 誤り are shown and the clerk is asked (北区's 決算額 over its budget)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop_app.gui.main_window import MainWindow
from desktop_app.gui.send_checks import errors_text


class _Answer:
    """Stands in for the clerk at the message box: records what it said, presses one button."""

    def __init__(self, press: str) -> None:
        self.press = press
        self.seen: list[tuple[str, str]] = []

    def exec(self, box: QMessageBox) -> int:
        self.seen.append((box.text(), box.informativeText()))
        for button in box.buttons():
            if button.text() == self.press:
                button.click()
        return 0


@pytest.mark.parametrize(("action", "verb"), [("pdf_action", "印刷"), ("mail_action", "メール作成")])
def test_a_sheet_with_errors_is_shown_and_going_back_stops_it(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch, action: str, verb: str
) -> None:
    window.open_sheet("北区", 2020)
    answer = _Answer("シートに戻って直す")
    monkeypatch.setattr(QMessageBox, "exec", lambda box: answer.exec(box))
    started: list[str] = []
    monkeypatch.setattr("desktop_app.gui.print_preview.PrintPreviewDialog.exec", lambda self: started.append("印刷"))
    monkeypatch.setattr("desktop_app.gui.exports.create_mail_draft", lambda *a: started.append("メール作成"))
    getattr(window, action).trigger()
    ((text, detail),) = answer.seen
    assert text == f"令和2年度 北区のシートに誤りがあります。このまま{verb}しますか？"
    assert "⑥「「北区の魅力」発信事業！」の決算額 867千円が2月補正後 649千円を超えています。" in detail
    assert started == []
    answer.press = f"このまま{verb}"
    getattr(window, action).trigger()
    assert started == [verb]


def test_a_sheet_without_errors_goes_straight_on(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    window.open_sheet("中央区", 2020)
    assert window.editor.sheet is not None and errors_text(window.editor.sheet) is None
    asked: list[str] = []

    def record(box: QMessageBox) -> int:
        asked.append(box.text())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", record)
    started: list[str] = []
    monkeypatch.setattr("desktop_app.gui.print_preview.PrintPreviewDialog.exec", lambda self: started.append("印刷"))
    window.pdf_action.trigger()
    assert asked == [] and started == ["印刷"]
