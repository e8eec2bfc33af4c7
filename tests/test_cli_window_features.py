"""What the window does, from the command line too: history, search, the backup list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop_app import operations
from tests.factories import run_cli


@pytest.fixture
def db_path(sample_db: Path) -> Path:
    """The command line refuses a named database that does not exist: these run on one made by `init --samples`."""
    return sample_db


def test_search_finds_projects_of_every_ward(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    code, out, err = run_cli(capsys, "--db", str(db_path), "search", "防災")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["年度", "区", "№", "事業名"]
    assert any(line.split()[1:] == ["東区", "6", "防災スキルアップ事業"] for line in lines)
    assert {line.split()[1] for line in lines[1:-1]} >= {"東区", "北区"}
    assert lines[-1].endswith("件）")


def test_search_with_two_words_needs_both(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    _, one, _ = run_cli(capsys, "--db", str(db_path), "search", "防災")
    _, both, _ = run_cli(capsys, "--db", str(db_path), "search", "防災", "スキルアップ")
    assert len(both.splitlines()) < len(one.splitlines())
    assert "防災スキルアップ事業" in both
    code, out, _ = run_cli(capsys, "--db", str(db_path), "search", "存在しない事業名")
    assert code == 0 and out == "見つかりませんでした。\n"


def test_history_of_a_missing_sheet_says_so(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    code, out, err = run_cli(capsys, "--db", str(db_path), "history", "--ward", "東区", "--year", "2030")
    assert code == 1 and out == ""
    assert err == "令和12年度 東区のシートはありません。\n"


def test_history_shows_an_edit_made_in_the_window(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    from desktop_app.domain.edits import CellInput, plan_cells
    from desktop_app.domain.layout import Column

    workspace = operations.open_workspace(db_path)
    try:
        sheet = operations.find_sheet(workspace, "東区", 2020)
        project = next(p for p in sheet.projects if p.name == "東区民文化スポーツ交流事業")
        assert sheet.id is not None and project.id is not None
        edit = plan_cells(sheet, [CellInput(project.id, Column.STAGES, 3, "1,200")], "入力")
        touched = operations.apply_edit(workspace, sheet_id=sheet.id, changes=edit.changes)
    finally:
        workspace.close()
    assert project.id in touched.project_ids and touched.amounts and not touched.shape
    code, out, _ = run_cli(capsys, "--db", str(db_path), "history", "--ward", "東区", "--year", "2020")
    assert code == 0
    newest = out.splitlines()[1]
    assert "東区民文化スポーツ交流事業" in newest and newest.split()[-3:] == ["決算額", "10", "1,200"]
    # When, as the office writes dates: 令和8年11月30日 14:05.
    assert re.match(r"令和(元|\d+)年\d+月\d+日 \d\d:\d\d ", newest)


def test_backups_lists_what_backup_wrote_even_through_a_symlinked_database(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    link = tmp_path / "shortcut" / "machizukuri.sqlite3"
    link.parent.mkdir()
    link.symlink_to(db_path)
    code, out, _ = run_cli(capsys, "--db", str(link), "backups")
    assert code == 0 and out.startswith("バックアップはまだありません")
    code, out, _ = run_cli(capsys, "--db", str(link), "backup")
    written = Path(out.split(" にバックアップしました")[0])
    code, out, err = run_cli(capsys, "--db", str(link), "backups")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["日時", "理由", "ファイル", "シート数"]
    assert lines[1].split()[-3:] == ["手動", written.name, "5"]
    assert re.match(r"令和(元|\d+)年\d+月\d+日 \d\d:\d\d:\d\d ", lines[1])
    assert lines[-1] == f"（{written.parent}）"
