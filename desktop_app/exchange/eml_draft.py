"""An unsent email (.eml) to the planning division with the sheet's Excel file attached.

Opened in Outlook (or Thunderbird) it is a draft ready to check and send from the user's own
account, so the app never needs mail server settings or passwords.
"""

from __future__ import annotations

import email.policy
import email.utils
import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Final

from desktop_app.domain.model import DEFAULT_STAGE_NAMES, Sheet
from desktop_app.domain.money import format_amount
from desktop_app.domain.totals import format_rate, sheet_totals
from desktop_app.domain.wareki import wareki_year
from desktop_app.exchange.errors import ExchangeError
from desktop_app.messages import has_control, shown

XLSX_TYPE: Final = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
RECIPIENT: Final = "政策企画課 御中"
# make_msgid() would otherwise ask the network for this PC's domain name, which can stall for
# seconds on an office PC that is offline.
MESSAGE_ID_DOMAIN: Final = "machizukuri.invalid"
_ADDRESS_SEPARATORS: Final = re.compile(r"[;,、，；]")


def draft_subject(sheet: Sheet) -> str:
    """`令和2年度 東区まちづくり推進経費（2月補正後）`: the year, the ward and the stage reached."""
    return f"{wareki_year(sheet.fiscal_year)} {sheet.ward}まちづくり推進経費（{_stage_reached(sheet)}）"


def _stage_reached(sheet: Sheet) -> str:
    latest = sheet.latest_entered_stage()
    if latest is not None:
        return sheet.stage_names[latest]
    return sheet.stage_names[0] if sheet.stages else DEFAULT_STAGE_NAMES[0]


# One plain address: what Outlook accepts typed into 宛先, nothing a header could be built from.
_ADDR_SPEC: Final = (
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
_PLAIN_ADDRESS: Final = re.compile(
    rf'(?:"?(?P<name>[^"<>@\\]*?)"?\s*<(?P<quoted>{_ADDR_SPEC})>|(?P<bare>{_ADDR_SPEC}))'
)
MAX_SENDER_NAME: Final = 60


def _parse_recipients(to_address: str) -> tuple[list[Address], str | None]:
    if has_control(to_address):
        # A CR/LF here would start a header of its own ("Bcc: ..."); a NUL breaks mail programs.
        return [], "政策企画課のメールアドレスに改行や制御文字が含まれています（設定を確認してください）。"
    found = []
    for part in _ADDRESS_SEPARATORS.split(to_address):
        part = part.strip()
        if not part:
            continue
        match = _PLAIN_ADDRESS.fullmatch(part)
        if match is None:
            return [], f"宛先のメールアドレス「{shown(part)}」が正しくありません（設定を確認してください）。"
        address = match.group("quoted") or match.group("bare")
        local, _, domain = address.partition("@")
        found.append(Address(display_name=(match.group("name") or "").strip(), username=local, domain=domain))
    return found, None


def address_problem(to_address: str) -> str | None:
    """Why `to_address` (the planning division's, from 設定) cannot be a draft's To, or None when it can.

    Accepted: plain addresses, each optionally with a name (`政策企画課 <a@city.jp>`), separated
    by 「;」 as Outlook users type them.
    """
    return _parse_recipients(to_address)[1]


def sender_name_problem(sender_name: str) -> str | None:
    """Why the staff name (設定's 担当者名, signed under the note) cannot be used, or None."""
    if has_control(sender_name):
        return "担当者名に改行や制御文字が含まれています（設定を確認してください）。"
    if len(sender_name.strip()) > MAX_SENDER_NAME:
        return f"担当者名が長すぎます（{MAX_SENDER_NAME}文字まで）。"
    return None


def _recipients(to_address: str) -> list[Address]:
    """The addresses typed in the settings; Outlook users separate them with 「;」."""
    found, problem = _parse_recipients(to_address)
    if problem is not None:
        raise ExchangeError(problem)
    return found


def draft_body(sheet: Sheet, sender_name: str, attachment_name: str) -> str:
    """The polite covering note, with the totals of each category at the stage reached."""
    totals = sheet_totals(sheet)
    latest = sheet.latest_entered_stage()
    stage = _stage_reached(sheet)
    settlement = sheet.settlement_index()
    budget = sheet.last_budget_index()
    office = f"{sheet.ward}役所"
    who = f"{office}の{sender_name.strip()}です。" if sender_name.strip() else f"{office}です。"
    lines = [
        RECIPIENT,
        "",
        "お疲れさまです。",
        who,
        "",
        f"{wareki_year(sheet.fiscal_year)} {sheet.ward}まちづくり推進経費の事業シート（{stage}）を"
        "添付のとおり送付いたします。",
        "",
        "【添付ファイル】",
        f"　{attachment_name}",
        "",
    ]
    if latest is not None and any(c.project_count for c in totals.categories):
        lines.append(f"【{stage}の合計】（単位：千円）")
        settled = latest == settlement and budget is not None
        rows = [(c.category, c.amounts, c.execution_rate) for c in totals.categories if c.project_count]
        if len(rows) > 1:
            rows.append(("合計", totals.amounts, totals.execution_rate))
        for name, amounts, rate in rows:
            text = f"　・{name}　{format_amount(amounts[latest])}"
            if settled and budget is not None:
                text += f"（{sheet.stage_names[budget]} {format_amount(amounts[budget])}、執行率 {format_rate(rate)}）"
            lines.append(text)
        lines.append("")
    lines += ["ご確認のほど、よろしくお願いいたします。", "", "――――――――――――――――", f"熊本市{office}"]
    if sender_name.strip():
        lines.append(sender_name.strip())
    return "\n".join(lines) + "\n"


def render_eml(
    sheet: Sheet,
    *,
    to_address: str,
    sender_name: str,
    attachment: bytes,
    attachment_name: str,
    now: datetime | None = None,
) -> bytes:
    """The draft as RFC 5322 bytes (CRLF line ends), marked unsent so mail programs open it for editing.

    From is left out: Outlook fills in the user's default account. An empty `to_address` gives a
    draft without a recipient, for the user to fill in.
    """
    problem = sender_name_problem(sender_name)
    if problem is not None:
        raise ExchangeError(problem)
    subject = draft_subject(sheet)
    if has_control(subject):
        raise ExchangeError(
            f"メールの件名「{shown(subject)}」に改行や制御文字が含まれています（区名と段階名を確認してください）。"
        )
    message = EmailMessage(policy=email.policy.SMTP)
    message["X-Unsent"] = "1"
    recipients = _recipients(to_address)
    if recipients:
        message["To"] = recipients
    message["Subject"] = subject
    message["Date"] = email.utils.format_datetime(now or datetime.now().astimezone())
    message["Message-ID"] = email.utils.make_msgid(domain=MESSAGE_ID_DOMAIN)
    message.set_content(draft_body(sheet, sender_name, attachment_name))
    maintype, subtype = XLSX_TYPE
    # The file name is RFC 2231 encoded in Content-Disposition only: a `name` parameter on this long
    # Content-Type makes Python's header folding garble the MIME type itself.
    message.add_attachment(attachment, maintype=maintype, subtype=subtype, filename=attachment_name)
    return message.as_bytes()
