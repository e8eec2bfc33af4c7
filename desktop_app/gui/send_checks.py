"""Before a sheet leaves the office (印刷, メール作成): its 誤り shown, and the person asked."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app.domain import Severity, Sheet, validate

# More than this many are summarised: the dialog must fit the screen.
SHOWN_ERRORS = 8


def errors_text(sheet: Sheet) -> str | None:
    """The sheet's 誤り as a list a person reads, or None when there are none."""
    errors = [finding.message for finding in validate(sheet) if finding.severity is Severity.ERROR]
    if not errors:
        return None
    lines = [f"・{message}" for message in errors[:SHOWN_ERRORS]]
    if len(errors) > SHOWN_ERRORS:
        lines.append(f"ほか{len(errors) - SHOWN_ERRORS}件（チェック結果の欄にすべてあります）")
    return "\n".join(lines)


def confirm_despite_errors(parent: QWidget | None, sheet: Sheet, action: str) -> bool:
    """True when the sheet has no 誤り or the person chooses to go on anyway (`action`: 印刷, メール作成…)."""
    text = errors_text(sheet)
    if text is None:
        return True
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(f"{action}の前の確認")
    box.setText(f"{sheet.year_label} {sheet.ward}のシートに誤りがあります。このまま{action}しますか？")
    box.setInformativeText(text)
    go_on = box.addButton(f"このまま{action}", QMessageBox.ButtonRole.AcceptRole)
    fix = box.addButton("シートに戻って直す", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(fix)
    box.exec()
    return box.clickedButton() is go_on
