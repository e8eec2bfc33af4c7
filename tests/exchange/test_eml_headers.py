"""The draft's headers cannot be forged through 設定 or a sheet's text (issue 11, item 17)."""

from __future__ import annotations

import email
import email.policy
import json
import logging
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.cli import main
from desktop_app.domain import Stage
from desktop_app.exchange.eml_draft import address_problem, render_eml
from desktop_app.exchange.errors import ExchangeError
from desktop_app.settings import Settings, SettingsError, load_settings, save_settings, settings_path
from tests.factories import small_sheet


@pytest.fixture
def db_path(sample_db: Path) -> Path:
    """The command line refuses a named database that does not exist: these run on one made by `init --samples`."""
    return sample_db


FORGED = '"A\r\nBcc: x@y.z" <a@example.jp>'

BAD_ADDRESSES = [
    (FORGED, "改行や制御文字"),
    ("a@example.jp\r\nBcc: x@y.z", "改行や制御文字"),
    ("a@example.jp\nBcc: x@y.z", "改行や制御文字"),
    ("a\x00b@example.jp", "改行や制御文字"),
    ("seisaku@city.kumamoto.lg.jp\x85", "改行や制御文字"),
    ("a@example.jp\u202e", "改行や制御文字"),
    ("a@example.jp (comment) x@y.z", "「a@example.jp (comment) x@y.z」が正しくありません"),
    ("<a@example.jp> Bcc: x@y.z", "正しくありません"),
    ("a@localhost", "「a@localhost」が正しくありません"),
    ("a@@example.jp", "正しくありません"),
    ('"x@y.z" <a@example.jp> <b@example.jp>', "正しくありません"),
]


def _draft(to_address: str, sender_name: str = "熊本 花子", sheet: object = None) -> bytes:
    return render_eml(
        sheet or small_sheet(),  # type: ignore[arg-type]
        to_address=to_address,
        sender_name=sender_name,
        attachment=b"PK",
        attachment_name="x.xlsx",
    )


@pytest.mark.parametrize(("address", "words"), BAD_ADDRESSES)
def test_an_address_that_is_not_plain_addresses_is_refused_in_one_sentence(address: str, words: str) -> None:
    with pytest.raises(ExchangeError) as caught:
        _draft(address)
    message = str(caught.value)
    assert words in message and "\n" not in message and "\r" not in message and "\x00" not in message
    assert address_problem(address) == message


@pytest.mark.parametrize(
    "address",
    [
        "seisaku@city.kumamoto.lg.jp",
        "政策企画課 <seisaku@city.kumamoto.lg.jp>",
        '"政策企画課" <seisaku@city.kumamoto.lg.jp>; kikaku@example.jp',
        "a.b+c@example.jp、d@example.jp",
        "",
    ],
)
def test_plain_addresses_as_staff_type_them_are_accepted(address: str) -> None:
    assert address_problem(address) is None
    message = email.message_from_bytes(_draft(address), policy=email.policy.default)
    assert "Bcc" not in message


def test_a_forged_sender_name_or_a_stage_name_never_reaches_the_draft() -> None:
    with pytest.raises(ExchangeError, match="担当者名に改行や制御文字"):
        _draft("a@example.jp", sender_name="花子\r\nBcc: x@y.z")
    sheet = small_sheet()
    stages = (*sheet.stages[:3], Stage("決算額\r\nBcc: x@y.z"))  # the stage reached names the subject
    with pytest.raises(ExchangeError, match=r"メールの件名「.*\\r\\nBcc: x@y\.z.*」に改行や制御文字") as caught:
        _draft("a@example.jp", sheet=replace(sheet, stages=stages))
    assert "\n" not in str(caught.value)


def test_settings_refuse_a_forged_address_when_saved_and_drop_it_when_read(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "settings.json"
    with pytest.raises(SettingsError, match="改行や制御文字"):
        save_settings(Settings(planning_address=FORGED), path)
    assert not path.exists()
    with pytest.raises(SettingsError, match="担当者名"):
        save_settings(Settings(staff_name="a\x00b"), path)
    path.write_text(json.dumps({"planning_address": FORGED, "staff_name": "熊本 花子"}), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        loaded = load_settings(path)
    assert loaded.planning_address == "" and loaded.staff_name == "熊本 花子"
    assert "planning_address ignored" in caplog.text


def test_the_command_line_draft_from_a_planted_settings_file_has_no_forged_header(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text(json.dumps({"planning_address": FORGED}), encoding="utf-8")
    target = tmp_path / "draft.eml"
    code = main(["--db", str(db_path), "export", "eml", "--ward", "東区", "--year", "2020", "-o", str(target)])
    assert code == 0, capsys.readouterr().err
    raw = target.read_bytes()
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert b"Bcc" not in headers and b"x@y.z" not in headers and b"\x00" not in raw
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["To"] is None


def test_the_settings_dialog_refuses_a_forged_address(qtbot: QtBot) -> None:
    from desktop_app.gui.dialogs import SettingsDialog

    settings = Settings(planning_address="seisaku@city.kumamoto.lg.jp")
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog.dialog)
    dialog.mail.setText("a\x00b@example.jp")
    dialog._accept()
    assert "改行や制御文字" in dialog.error.text()
    assert settings.planning_address == "seisaku@city.kumamoto.lg.jp"
    dialog.mail.setText("政策企画課 <seisaku@city.kumamoto.lg.jp>")
    dialog._accept()
    assert settings.planning_address == "政策企画課 <seisaku@city.kumamoto.lg.jp>"
