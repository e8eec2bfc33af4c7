"""`machizukuri layout`: how a sheet prints, shown and changed from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app import cli, operations
from desktop_app.domain.model import WARD_LAYOUTS
from desktop_app.storage import history, load_sheet
from tests.factories import database_digest


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "db.sqlite3"
    operations.open_workspace(path).close()  # a first start: the sample sheets
    return path


def test_layout_is_shown_with_every_field(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--db", str(db), "layout", "--ward", "南区", "--year", "R2"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["numbering"] == "(1)" and shown["group_subtotals"] is True
    assert shown["tables"] == "by_category" and shown["remarks_column"] is False  # defaults shown too


def test_layout_is_changed_stored_with_history_and_printed(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overview = tmp_path / "概要.txt"
    overview.write_text("基本理念\n・一つ目\n", encoding="utf-8")
    argv = ["--db", str(db), "layout", "--ward", "東区", "--year", "2020"]
    assert cli.main([*argv, "--set", "total_label=計", "--set", "remarks_column=true"]) == 0
    assert cli.main([*argv, "--set", 'category_order=["復興支援自治推進経費"]', "--overview-file", str(overview)]) == 0
    workspace = operations.open_workspace(db)
    try:
        sheet = load_sheet(workspace.db, "東区", 2020)
        assert sheet.layout.total_label == "計" and sheet.layout.remarks_column
        assert sheet.layout.category_order == ("復興支援自治推進経費",)
        assert sheet.layout.overview == "基本理念\n・一つ目"
        fields = {(e.field, e.old_value, e.new_value) for e in history(workspace.db, sheet_id=sheet.id or 0)}
        assert ("印刷の様式（合計の行の名前）", "合　計", "計") in fields
        assert ("印刷の様式（備考の列）", "しない", "する") in fields
        assert any(what == "概要" and new == "基本理念\n・一つ目" for what, _old, new in fields)
    finally:
        workspace.close()
    capsys.readouterr()
    assert cli.main([*argv, "--preset"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["total_label"] == WARD_LAYOUTS["東区"].total_label
    assert shown["overview"] == "基本理念\n・一つ目"  # the preset is the ward's print, the overview the sheet's


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("totl_label=計", "印刷の様式に「totl_label」という項目はありません"),
        ("tables=two", "「tables」「two」は使えません（by_category / single）"),
        ("group_subtotals=[1", "値がJSONとして読めません"),
        ("numbering", "項目=値 の形にしてください"),
        ("total_label=合計{区}", "合計の行の名前「合計{区}」の「{区}」は使えません"),  # as the window refuses it
    ],
)
def test_a_bad_setting_is_refused_and_nothing_changes(
    db: Path, setting: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = database_digest(db)
    assert cli.main(["--db", str(db), "layout", "--ward", "東区", "--year", "2020", "--set", setting]) == 1
    assert expected in capsys.readouterr().err
    assert database_digest(db) == before
