"""The email draft to the planning division: opens as unsent, says what is attached, carries the file."""

from __future__ import annotations

import email
import email.policy
import email.utils
from dataclasses import replace
from email.message import EmailMessage

import pytest

from desktop_app import operations
from desktop_app.domain import Project, Sheet
from desktop_app.exchange.eml_draft import render_eml
from desktop_app.exchange.errors import ExchangeError
from tests.factories import small_sheet

XLSX = b"PK\x03\x04" + bytes(range(256)) * 40
XLSX_NAME = "R02_東区_まちづくり推進経費.xlsx"
ADDRESS = "seisaku@city.kumamoto.lg.jp"


def draft(sheet: Sheet, to_address: str = ADDRESS, sender_name: str = "熊本 花子") -> EmailMessage:
    raw = render_eml(sheet, to_address=to_address, sender_name=sender_name, attachment=XLSX, attachment_name=XLSX_NAME)
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def higashi() -> Sheet:
    return next(sheet for sheet in operations.sample_sheets() if sheet.ward == "東区")


def up_to_stage(sheet: Sheet, last: int | None) -> Sheet:
    """The sheet as it stood when stages after `last` were not entered yet."""

    def cut(project: Project) -> Project:
        amounts = tuple(a if last is not None and i <= last else None for i, a in enumerate(project.amounts))
        return replace(project, amounts=amounts, children=tuple(cut(child) for child in project.children))

    return replace(sheet, projects=tuple(cut(project) for project in sheet.projects))


def test_draft_opens_unsent_addressed_to_the_planning_division() -> None:
    message = draft(higashi())
    assert message["X-Unsent"] == "1"
    assert message["To"] == ADDRESS
    assert message["From"] is None  # Outlook sends from the user's own account
    assert message["Subject"] == "令和2年度 東区まちづくり推進経費（決算額）"
    assert email.utils.parsedate_to_datetime(message["Date"]) is not None
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith(">")
    assert not message.defects


def test_subject_names_the_latest_stage_entered() -> None:
    sheet = small_sheet()
    assert draft(up_to_stage(sheet, 2))["Subject"] == "令和2年度 東区まちづくり推進経費（2月補正後）"
    assert draft(up_to_stage(sheet, 0))["Subject"] == "令和2年度 東区まちづくり推進経費（当初予算）"
    assert draft(up_to_stage(sheet, None))["Subject"] == "令和2年度 東区まちづくり推進経費（当初予算）"


def test_body_is_a_polite_note_with_the_settled_totals_and_execution_rate() -> None:
    text = body(draft(higashi()))
    assert text.startswith("政策企画課 御中")
    assert "東区役所の熊本 花子です。" in text
    assert XLSX_NAME in text
    assert "まちづくり推進経費　5,748（2月補正後 6,000、執行率 95.8%）" in text
    assert "復興支援自治推進経費　8,069（2月補正後 8,300、執行率 97.2%）" in text
    assert "合計　13,817" in text
    assert "よろしくお願いいたします。" in text
    assert text.rstrip().endswith("熊本市東区役所\n熊本 花子")


def test_before_the_settlement_the_body_gives_the_budget_without_a_rate() -> None:
    text = body(draft(up_to_stage(higashi(), 1)))
    assert "【9月補正後の合計】" in text
    assert "まちづくり推進経費　6,000" in text
    assert "執行率" not in text


def test_a_category_without_projects_is_left_out_of_the_totals() -> None:
    sheet = small_sheet()
    sheet = replace(sheet, projects=tuple(p for p in sheet.projects if p.category == "まちづくり推進経費"))
    text = body(draft(sheet))
    assert "まちづくり推進経費　129（2月補正後 376、執行率 34.3%）" in text
    assert "復興支援自治推進経費" not in text
    assert "・合計" not in text  # one category: its line is the total


def test_attachment_keeps_its_japanese_name_type_and_bytes() -> None:
    attachments = list(draft(higashi()).iter_attachments())
    assert len(attachments) == 1
    (attachment,) = attachments
    assert attachment.get_filename() == XLSX_NAME
    assert attachment.get_content_type() == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert attachment.get_content() == XLSX


def test_without_address_or_name_it_is_still_a_valid_draft() -> None:
    message = draft(small_sheet(), to_address="", sender_name="")
    assert message["To"] is None
    assert message["X-Unsent"] == "1"
    assert "東区役所です。" in body(message)
    assert not message.defects
    assert next(iter(message.iter_attachments())).get_content() == XLSX


def test_several_addresses_as_outlook_users_type_them() -> None:
    message = draft(small_sheet(), to_address="政策企画課 <seisaku@city.kumamoto.lg.jp>; kikaku@example.jp")
    assert [address.addr_spec for address in message["To"].addresses] == [ADDRESS, "kikaku@example.jp"]
    assert message["To"].addresses[0].display_name == "政策企画課"


def test_a_mistyped_address_is_refused_in_japanese() -> None:
    with pytest.raises(ExchangeError, match="宛先のメールアドレス「seisaku city」"):
        draft(small_sheet(), to_address="seisaku city")


def test_file_is_plain_ascii_with_crlf_lines_of_legal_length() -> None:
    raw = render_eml(
        small_sheet(), to_address=ADDRESS, sender_name="熊本 花子", attachment=XLSX, attachment_name=XLSX_NAME
    )
    raw.decode("ascii")  # every non-ASCII character encoded, so no mail program misreads it
    lines = raw.split(b"\r\n")
    assert all(b"\n" not in line for line in lines)
    # RFC 5322's hard limit; only the xlsx MIME type, which cannot be folded, passes the soft 78.
    assert max(len(line) for line in lines) <= 998
    assert [line for line in lines if len(line) > 78] == [
        b"Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ]
