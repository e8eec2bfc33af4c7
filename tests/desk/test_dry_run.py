"""`import --dry-run`: what an import would change, in Japanese, and nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop_app import operations
from desktop_app.domain import Sheet, Status
from desktop_app.exchange.json_format import dump_sheet
from desktop_app.exchange.xlsx_export import render_xlsx
from desktop_app.storage import load_sheet
from tests.desk.helpers import XLSX_TYPE, edited, outlook_mail, write
from tests.factories import database_digest, open_year, run_cli


def sample(ward: str) -> Sheet:
    return open_year(next(sheet for sheet in operations.sample_sheets() if sheet.ward == ward))


def higashi_changes(data: dict[str, Any]) -> None:
    data["projects"][0]["amounts"][0] = 300
    data["projects"][0]["note"] = "中止（理由を追記）"
    data["projects"].append(
        {"no": "9", "name": "新しい見守り事業", "category": "まちづくり推進経費", "amounts": [500, None, None, None]}
    )
    data["locked_stages"] = ["当初予算"]


def test_dry_run_names_changed_and_added_projects_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path, private_data_dir: Path
) -> None:
    run_cli(capsys, "--db", str(db_path), "list")
    before = database_digest(db_path)
    backups_before = sorted((db_path.parent / "backups").glob("*")) if (db_path.parent / "backups").exists() else []
    changed = write(tmp_path / "higashi.json", dump_sheet(edited(sample("東区"), higashi_changes)).encode("utf-8"))
    new_year = write(
        tmp_path / "r3.json", dump_sheet(edited(sample("西区"), lambda d: d.update(fiscal_year=2021))).encode()
    )
    code, out, err = run_cli(capsys, "--db", str(db_path), "import", "--dry-run", str(changed), str(new_year))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "令和2年度 東区（higashi.json）: 追加1・金額1・内容1・確定1"
    assert "  追加: №9「新しい見守り事業」（まちづくり推進経費、当初 500千円）" in lines
    assert "  金額: №1「地域活動理解促進事業」 当初予算 267→300" in lines
    assert any(line.startswith("  内容: №1「地域活動理解促進事業」 備考「") for line in lines)
    assert "  段階: 当初予算を確定" in lines
    assert "  合計: 当初予算 27,000→27,533（千円）" in lines
    # A json file does not say when it was written: the report says so rather than guess.
    assert any("作成日時がないため" in line for line in lines)
    assert "令和3年度 西区（r3.json）: 新規（" in out
    assert "  新しいシートとして取り込みます（" in out
    assert database_digest(db_path) == before
    after = sorted((db_path.parent / "backups").glob("*")) if (db_path.parent / "backups").exists() else []
    assert after == backups_before  # not even a backup


def test_dry_run_of_an_unchanged_sheet_says_so(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    same = write(tmp_path / "same.xlsx", render_xlsx(sample("南区")))
    code, out, _ = run_cli(capsys, "--db", str(db_path), "import", "--dry-run", str(same))
    assert code == 0
    assert out.splitlines() == [
        "令和2年度 南区（same.xlsx）: 変更なし",
        "  データベースのシートと同じです（変更はありません）。",
    ]


def test_dry_run_warns_when_the_database_was_edited_after_the_mail(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    from desktop_app.storage import record_history

    workspace = operations.open_workspace(db_path)
    try:
        kita = load_sheet(workspace.db, "北区", 2020)
        with workspace.db.atomic():
            record_history(workspace.db, sheet_id=kita.id, field="決算額", old_value="0", new_value="10", user="tanaka")
    finally:
        workspace.close()
    before = database_digest(db_path)
    newer = edited(sample("北区"), lambda d: d["projects"][1]["amounts"].__setitem__(0, 400))
    mail = write(
        tmp_path / "北区.eml",
        outlook_mail([("R02_北区.xlsx", render_xlsx(newer), XLSX_TYPE)], date="Mon, 2 Mar 2020 09:00:00 +0900"),
    )
    code, out, err = run_cli(capsys, "--db", str(db_path), "import", "--dry-run", str(mail))
    assert code == 0, err
    warning = next(line for line in out.splitlines() if "注意" in line)
    assert "データベースにはこのファイル（令和2年3月2日 09:00）より新しい変更が" in warning
    assert "tanaka" in warning
    assert database_digest(db_path) == before


def test_dry_run_refuses_what_import_refuses(capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path) -> None:
    data = json.loads(dump_sheet(sample("東区")))
    data["projects"][0]["amounts"][0] = "たくさん"
    bad = write(tmp_path / "bad.json", json.dumps(data, ensure_ascii=False).encode())
    code, out, err = run_cli(capsys, "--db", str(db_path), "import", "--dry-run", str(bad))
    assert (code, out) == (1, "")
    assert err.startswith("bad.json: ") and len(err.strip().splitlines()) == 1


def test_the_preview_status_change_and_rename_are_texts_not_add_and_remove() -> None:
    from desktop_app.domain.sheet_diff import describe_diff, diff_sheets

    old = sample("西区")

    def change(data: dict[str, Any]) -> None:
        data["projects"][0]["name"] = "改名した事業"
        data["projects"][1]["status"] = Status.POSTPONED.value

    new = edited(old, change)
    diff = diff_sheets(old, new)
    assert not diff.added and not diff.removed
    lines = describe_diff(diff)
    assert any("事業名「" in line and "→「改名した事業」" in line for line in lines)
    assert any("状況「" in line and "→「延期」" in line for line in lines)
