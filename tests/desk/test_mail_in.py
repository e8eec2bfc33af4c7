"""The wards' mails go straight in: our drafts and the same mail as Outlook/Thunderbird save it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from desktop_app import operations
from desktop_app.domain import Sheet
from desktop_app.exchange import eml_read
from desktop_app.exchange.consolidation import SUMMARY_TITLE
from desktop_app.exchange.xlsx_export import render_xlsx
from desktop_app.storage import load_sheet
from tests.desk.helpers import XLSX_TYPE, edited, outlook_mail, write
from tests.factories import database_digest, run_cli

WARDS = ("中央区", "東区", "西区", "南区", "北区")


def kita_edited() -> Sheet:
    kita = next(sheet for sheet in operations.sample_sheets() if sheet.ward == "北区")
    return edited(kita, lambda data: data["projects"][0]["amounts"].__setitem__(3, 2999))


def test_a_folder_of_the_five_wards_drafts_consolidates(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "受信 フォルダ"
    inbox.mkdir()
    for ward in WARDS:
        code, _, err = run_cli(
            capsys,
            "--db",
            str(db_path),
            "export",
            "eml",
            "--ward",
            ward,
            "--year",
            "2020",
            "-o",
            str(inbox / f"R02_{ward}.eml"),
        )
        assert code == 0, err
    (inbox / "議事メモ.docx").write_bytes(b"PK not a sheet")
    target = tmp_path / "R02_全区集計.xlsx"
    code, out, err = run_cli(
        capsys, "--db", str(db_path), "consolidate", "--year", "2020", "--from-files", str(inbox), "-o", str(target)
    )
    assert code == 0, err
    assert "5区のシートをまとめて書き出しました" in out
    assert (
        "注意: 議事メモ.docxはシートのファイル（.xlsx / .eml / .json）ではないため読み飛ばしました。"
        in err.splitlines()
    )
    assert "のファイルがありません" not in err
    wb = openpyxl.load_workbook(target)
    assert [name for name in wb.sheetnames if name in WARDS] == list(WARDS)
    rows = {(r[0], r[1]): r for r in wb[SUMMARY_TITLE].iter_rows(values_only=True) if r[0] and r[1]}
    assert rows[("北区", "計")][2:6] == (27000, 18137, 15160, 12852)


@pytest.mark.parametrize(
    ("charset", "name_style"),
    [("iso-2022-jp", "rfc2231"), ("utf-8", "rfc2231"), ("iso-2022-jp", "encoded-word"), ("utf-8", "encoded-word")],
)
def test_an_outlook_saved_mail_imports(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path, charset: str, name_style: str
) -> None:
    raw = outlook_mail(
        [
            ("R02_北区_まちづくり推進経費.xlsx", render_xlsx(kita_edited()), XLSX_TYPE),
            ("北区 説明資料.pdf", b"%PDF-1.4 not a sheet", ("application", "pdf")),
        ],
        charset=charset,
        name_style=name_style,
    )
    mail = write(tmp_path / "RE 北区の事業シート.eml", raw)
    parsed = eml_read.parse_eml(raw, mail.name)
    assert parsed.subject == "令和2年度 北区まちづくり推進経費（決算額）"
    assert [a.name for a in parsed.sheet_files] == ["R02_北区_まちづくり推進経費.xlsx"]
    assert parsed.skipped == ("北区 説明資料.pdf",)
    code, out, err = run_cli(capsys, "--db", str(db_path), "import", str(mail))
    assert code == 0, err
    assert "令和2年度 北区（14事業）を置き換えました: RE 北区の事業シート.eml" in out
    workspace = operations.open_workspace(db_path)
    try:
        assert load_sheet(workspace.db, "北区", 2020).projects[0].amounts == (3100, 500, 0, 2999)
    finally:
        workspace.close()


@pytest.mark.parametrize(
    ("attachments", "message"),
    [
        (
            [("議事録.pdf", b"%PDF-1.4", ("application", "pdf"))],
            "届いたメール.eml: シートの添付ファイル（.xlsx / .json）がありません（添付: 議事録.pdf）。",
        ),
        ([], "届いたメール.eml: シートの添付ファイル（.xlsx / .json）がありません（添付ファイルがありません）。"),
    ],
)
def test_a_mail_without_a_sheet_is_one_sentence_naming_the_file(
    capsys: pytest.CaptureFixture[str],
    db_path: Path,
    tmp_path: Path,
    attachments: list[tuple[str, bytes, tuple[str, str]]],
    message: str,
) -> None:
    run_cli(capsys, "--db", str(db_path), "list")
    before = database_digest(db_path)
    mail = write(tmp_path / "届いたメール.eml", outlook_mail(attachments))
    code, out, err = run_cli(capsys, "--db", str(db_path), "import", str(mail))
    assert (code, out) == (1, "")
    assert err.strip() == message
    assert database_digest(db_path) == before


def test_a_bad_workbook_in_a_mail_names_the_mail_and_the_attachment(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    mail = write(tmp_path / "東区.eml", outlook_mail([("R02_東区.xlsx", b"not a workbook", XLSX_TYPE)]))
    code, _, err = run_cli(capsys, "--db", str(db_path), "import", str(mail))
    assert code == 1
    assert err.startswith("東区.emlの添付「R02_東区.xlsx」: Excelファイル")
    assert len(err.strip().splitlines()) == 1


def test_an_oversized_mail_is_refused_before_it_is_read(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(eml_read, "MAX_EML_BYTES", 1024)
    mail = write(tmp_path / "大きい.eml", outlook_mail([("R02_北区.xlsx", render_xlsx(kita_edited()), XLSX_TYPE)]))
    code, _, err = run_cli(capsys, "--db", str(db_path), "import", str(mail))
    assert code == 1
    assert err.startswith("大きい.eml: メールが大きすぎます")


def test_a_folder_names_a_mail_without_a_sheet_and_goes_on(db_path: Path, tmp_path: Path) -> None:
    from desktop_app.exchange.consolidation import sheets_from_folder

    inbox = tmp_path / "inbox"
    write(inbox / "北区.eml", outlook_mail([("R02_北区.xlsx", render_xlsx(kita_edited()), XLSX_TYPE)]))
    write(inbox / "お知らせ.eml", outlook_mail([("案内.pdf", b"%PDF", ("application", "pdf"))]))
    sheets, problems = sheets_from_folder(inbox, 2020)
    assert [sheet.ward for sheet in sheets] == ["北区"]
    assert problems[0] == (
        "お知らせ.emlは読み飛ばしました（シートの添付ファイル（.xlsx / .json）がありません（添付: 案内.pdf））。"
    )


def test_a_thunderbird_name_split_into_rfc_2231_continuations(tmp_path: Path) -> None:
    """Thunderbird splits a long encoded name over `filename*0*=` / `filename*1*=` parameters."""
    import base64
    import re
    from urllib.parse import quote

    name = "令和2年度_北区_まちづくり推進経費_2月補正後_修正版.xlsx"
    # Split between two %XX escapes, possibly inside one character, as Thunderbird does.
    escapes = re.findall(r"%[0-9A-F]{2}|.", quote(name.encode("utf-8")))
    first, second = "".join(escapes[:31]), "".join(escapes[31:])
    workbook = base64.b64encode(render_xlsx(kita_edited())).decode()
    raw = (
        "From: kita@example.jp\r\nSubject: =?UTF-8?B?"
        + base64.b64encode("北区の事業シート".encode()).decode()
        + "?=\r\nDate: Tue, 1 Dec 2026 09:00:00 +0900\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
        "Content-Type: text/plain; charset=UTF-8\r\n\r\nbody\r\n--b1\r\n"
        "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        f"Content-Disposition: attachment;\r\n filename*0*=UTF-8''{first};\r\n filename*1*={second}\r\n\r\n"
        + workbook
        + "\r\n--b1--\r\n"
    ).encode("ascii")
    mail = eml_read.parse_eml(raw, "tb.eml")
    assert mail.subject == "北区の事業シート"
    assert [a.name for a in mail.sheet_files] == [name]
    assert [sheet.ward for sheet in eml_read.sheets_in_mail(mail)] == ["北区"]
