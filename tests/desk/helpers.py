"""Shared steps of the planning division's tests: the CLI, mails as Outlook saves them."""

from __future__ import annotations

import json
from email import encoders
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

from desktop_app.domain import Sheet
from desktop_app.exchange.json_format import dump_sheet, load_sheet_bytes

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def outlook_mail(
    attachments: list[tuple[str, bytes, tuple[str, str]]],
    *,
    subject: str = "令和2年度 北区まちづくり推進経費（決算額）",
    charset: str = "iso-2022-jp",
    name_style: str = "rfc2231",
    date: str = "Mon, 30 Nov 2026 10:00:00 +0900",
) -> bytes:
    """A received mail as Outlook or Thunderbird saves it: multipart/mixed, base64 attachments,
    an encoded subject, and a Japanese file name either RFC 2231 encoded or as an encoded word."""
    message = MIMEMultipart("mixed")
    message["From"] = "kita@city.kumamoto.lg.jp"
    message["To"] = "seisaku@city.kumamoto.lg.jp"
    message["Subject"] = Header(subject, charset)  # type: ignore[assignment]  # email takes a Header; typeshed says str
    message["Date"] = date
    message.attach(MIMEText("政策企画課 御中\n\n添付のとおり送付します。\n", "plain", charset))
    for name, data, (maintype, subtype) in attachments:
        part = MIMEBase(maintype, subtype)
        part.set_payload(data)
        encoders.encode_base64(part)
        if name_style == "rfc2231":
            part.add_header("Content-Disposition", "attachment", filename=(charset, "", name))
        else:
            encoded = Header(name, charset).encode()
            part.add_header("Content-Disposition", "attachment", filename=encoded)
            part.set_param("name", encoded)
        message.attach(part)
    return message.as_bytes()


def edited(sheet: Sheet, change: object) -> Sheet:
    """The sheet after a change to its JSON data (`change(data)` edits it in place)."""
    data = json.loads(dump_sheet(sheet))
    change(data)  # type: ignore[operator]
    return load_sheet_bytes(json.dumps(data, ensure_ascii=False).encode("utf-8"), "edited.json")


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
