"""Reading a ward's email (.eml) for the sheet files attached to it.

The planning division saves the wards' mails from Outlook or Thunderbird, or gets our own drafts
(exchange/eml_draft.py). Either way the sheet is an attached .xlsx (or .json); everything else in
the mail — the covering note, a PDF, Outlook's winmail.dat — is named and left aside.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.header
import email.policy
import email.utils
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Final

from desktop_app.domain import Sheet
from desktop_app.exchange.errors import ImportFileError
from desktop_app.exchange.reading import MAX_EML_BYTES

SHEET_SUFFIXES: Final = (".xlsx", ".xlsm", ".json")


class NoSheetAttachedError(ImportFileError):
    """A readable mail that carries no sheet file: a folder of received mails skips it, naming it."""


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes


@dataclass(frozen=True)
class ReceivedMail:
    """What a saved mail carries: its sheet files, the other attachments' names, when it was written."""

    file_name: str
    subject: str
    # The mail's Date: when the draft was made (our drafts) or the mail sent; None when unreadable.
    sent_at: dt.datetime | None
    sheet_files: tuple[Attachment, ...]
    skipped: tuple[str, ...]

    def skipped_message(self) -> str | None:
        """One sentence naming the attachments that are not sheets, or None when there are none."""
        if not self.skipped:
            return None
        names = "".join(f"「{name}」" for name in self.skipped)
        return f"{self.file_name}: 添付{names}はシートのファイルではないため読み飛ばしました。"


def check_eml_size(size: int, file_name: str) -> None:
    if size > MAX_EML_BYTES:
        raise ImportFileError(
            file_name,
            f"メールが大きすぎます（{size / 1024 / 1024:.0f}MB、{MAX_EML_BYTES // 1024 // 1024}MBまで）",
        )


def parse_eml(raw: bytes, file_name: str) -> ReceivedMail:
    """The sheet attachments of a saved mail; a mail without any is refused, naming what it holds."""
    check_eml_size(len(raw), file_name)
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # the parser is lenient; this is only a last resort
        raise ImportFileError(file_name, f"メールのファイルとして読めません（{type(exc).__name__}）") from exc
    if not message.keys():
        raise ImportFileError(file_name, "メールのファイル（.eml）ではありません（ヘッダーがありません）")
    sheets: list[Attachment] = []
    skipped: list[str] = []
    for number, part in enumerate(_attachments(message), start=1):
        name = _file_name(part) or f"添付ファイル{number}"
        if not name.lower().endswith(SHEET_SUFFIXES):
            skipped.append(name)
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        sheets.append(Attachment(name, data))
    mail = ReceivedMail(
        file_name=file_name,
        subject=_header_text(message, "Subject"),
        sent_at=_sent_at(message),
        sheet_files=tuple(sheets),
        skipped=tuple(skipped),
    )
    if not sheets:
        others = f"（添付: {'、'.join(skipped)}）" if skipped else "（添付ファイルがありません）"
        raise NoSheetAttachedError(file_name, f"シートの添付ファイル（.xlsx / .json）がありません{others}")
    return mail


def sheets_in_mail(mail: ReceivedMail) -> list[Sheet]:
    """Every sheet in the mail's attached files; a message names the mail and the attachment."""
    from desktop_app.exchange.json_format import load_sheet_bytes

    found: list[Sheet] = []
    for attachment in mail.sheet_files:
        where = f"{mail.file_name}の添付「{attachment.name}」"
        if attachment.name.lower().endswith(".json"):
            found.append(load_sheet_bytes(attachment.data, where))
        else:
            from desktop_app.exchange.xlsx_import import read_xlsx

            found += read_xlsx(attachment.data, where)
    return found


def read_eml(raw: bytes, file_name: str) -> tuple[list[Sheet], ReceivedMail]:
    mail = parse_eml(raw, file_name)
    return sheets_in_mail(mail), mail


def read_eml_path(path: Path) -> tuple[list[Sheet], ReceivedMail]:
    """A saved mail on disk, its type and size checked before it is read."""
    from desktop_app.exchange.reading import read_import_file

    return read_eml(read_import_file(path), path.name)


def _attachments(message: Message) -> list[Message]:
    """Parts that are files: named, or marked as attachments (walk() also enters forwarded mails)."""
    found = []
    for part in message.walk():
        if part.is_multipart():
            continue
        disposition = (part.get_content_disposition() or "").lower()
        if disposition == "attachment" or _file_name(part):
            found.append(part)
    return found


def _file_name(part: Message) -> str | None:
    """The attachment's name, from RFC 2231 (`filename*=`), an encoded word, or Content-Type's name."""
    name = part.get_filename() or part.get_param("name", header="content-type")
    if isinstance(name, tuple):  # an RFC 2231 triple the policy left undecoded
        name = email.utils.collapse_rfc2231_value(name)
    if not name:
        return None
    text = str(name)
    if "=?" in text:
        # Outlook and older Thunderbird put an encoded word inside the quoted name, which RFC 2047
        # does not allow, so the parser leaves it as it is.
        with contextlib.suppress(LookupError, ValueError, UnicodeDecodeError):
            text = str(email.header.make_header(email.header.decode_header(text)))
    # A name is only a label here; path parts from the sender's PC mean nothing.
    return text.replace("\\", "/").rsplit("/", 1)[-1].strip() or None


def _header_text(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a malformed header must not stop the attachments from being read
        return ""
    return "" if value is None else str(value)


def _sent_at(message: Message) -> dt.datetime | None:
    text = _header_text(message, "Date")
    if not text:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    # "-0000" (zone unknown) gives a naive time: read it as this PC's local time.
    return moment if moment.tzinfo is not None else moment.astimezone()
