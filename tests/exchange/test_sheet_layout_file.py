"""The sheet's layout and repeated group names in the sheet file and in the database."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from desktop_app import cli, operations
from desktop_app.domain import Group, new_sheet, next_year_sheet
from desktop_app.domain.layout import rename_layout_categories
from desktop_app.domain.model import DEFAULT_LAYOUT, TABLES_SINGLE, WARD_LAYOUTS
from desktop_app.exchange.errors import ImportFileError
from desktop_app.exchange.json_format import dump_sheet, load_sheet_bytes, sheet_to_data
from desktop_app.storage import load_sheet, open_database, replace_sheets
from tests.factories import small_sheet

SAMPLES = {sheet.ward: sheet for sheet in operations.sample_sheets()}


def test_a_file_without_layout_reads_as_todays_default_and_writes_none() -> None:
    data = sheet_to_data(small_sheet())
    assert "layout" not in data
    assert load_sheet_bytes(json.dumps(data).encode(), "x.json").layout == DEFAULT_LAYOUT


def test_the_layout_and_fields_of_a_newer_writer_come_back_as_they_were() -> None:
    data = sheet_to_data(SAMPLES["中央区"])
    assert data["layout"]["tables"] == "single"
    data["layout"]["paper_hint"] = {"size": "A3", "margins": [1, 2]}
    sheet = load_sheet_bytes(json.dumps(data, ensure_ascii=False).encode(), "x.json")
    assert sheet.layout.tables == TABLES_SINGLE
    again = sheet_to_data(sheet)
    assert again["layout"]["paper_hint"] == {"size": "A3", "margins": [1, 2]}
    assert load_sheet_bytes(dump_sheet(sheet).encode(), "x.json") == sheet


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        ([], "印刷の様式（layout）がオブジェクトではありません"),
        ({"tables": "two"}, "「tables」「two」は使えません（by_category / single）"),
        ({"numbering": "i"}, "「numbering」「i」は使えません"),
        ({"group_subtotals": "yes"}, "「group_subtotals」が true / false ではありません"),
        ({"category_order": "復興支援自治推進経費"}, "「category_order」が文字列の配列ではありません"),
        ({"sub_item_text": "one"}, "「sub_item_text」「one」は使えません（columns / joined）"),
        # INTERCHANGE.md fixes the sheet's numbering to three values; （1） is for a category's own only.
        ({"numbering": "（1）"}, "「numbering」「（1）」は使えません（1 / ① / (1)）"),
        (
            {"numberings": {"復興支援自治推進経費": "[1]"}},
            "「numberings」の「復興支援自治推進経費」「[1]」は使えません",
        ),
        ({"numberings": ["（1）"]}, "「numberings」が経費区分ごとの文字列になっていません"),
        ({"group_stage_labels": "北区"}, "「group_stage_labels」が文字列の配列ではありません"),
    ],
)
def test_a_bad_layout_is_refused_naming_the_field(layout: object, expected: str) -> None:
    data = sheet_to_data(small_sheet())
    data["layout"] = layout
    with pytest.raises(ImportFileError) as caught:
        load_sheet_bytes(json.dumps(data, ensure_ascii=False).encode(), "x.json")
    assert expected in str(caught.value)


def test_minamis_own_print_travels_in_the_file_and_a_renamed_category_keeps_it() -> None:
    data = sheet_to_data(SAMPLES["南区"])
    layout = data["layout"]
    assert layout["numberings"] == {"復興支援自治推進経費": "（1）"}
    assert layout["sub_item_text"] == "joined"
    assert layout["group_stage_labels"] == ["まちづくり推進経費"]
    assert layout["description_in_name"] == ["復興支援自治推進経費"]
    assert load_sheet_bytes(dump_sheet(SAMPLES["南区"]).encode(), "x.json").layout == SAMPLES["南区"].layout
    # A category renamed in the sheet settings takes its print with it.
    renamed = rename_layout_categories(SAMPLES["南区"].layout, [("復興支援自治推進経費", "復興経費")])
    assert renamed.numbering_for("復興経費") == "（1）" and renamed.description_in_name == ("復興経費",)


def test_a_repeated_group_name_is_told_apart_by_group_index() -> None:
    minami = SAMPLES["南区"]
    data = sheet_to_data(minami)
    names = [group["name"] for group in data["groups"]]
    assert names.count("防災・減災") == 2
    late = [p for p in data["projects"] if p.get("group_index") is not None]
    assert [(p["name"], p["group_index"]) for p in late] == [
        ("地域活動拠点における災害対応機能強化経費", len(names) - 1)
    ]
    # Everything else writes no group_index, so files from before stay byte for byte the same.
    assert all("group_index" not in p for p in sheet_to_data(SAMPLES["東区"])["projects"])
    bad = json.loads(json.dumps(data))
    bad["projects"][-1]["group_index"] = 0
    with pytest.raises(ImportFileError) as caught:
        load_sheet_bytes(json.dumps(bad, ensure_ascii=False).encode(), "x.json")
    assert "グループ番号（group_index）0が「防災・減災」を指していません" in str(caught.value)


def test_export_import_export_keeps_layout_and_repeated_groups(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite3"
    operations.open_workspace(db).close()  # a first start: the sample sheets
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert cli.main(["--db", str(db), "export", "json", "--ward", "南区", "--year", "2020", "-o", str(first)]) == 0
    other = tmp_path / "other.sqlite3"
    operations.open_workspace(other, seed=False).close()
    assert cli.main(["--db", str(other), "import", str(first)]) == 0
    assert cli.main(["--db", str(other), "export", "json", "--ward", "南区", "--year", "2020", "-o", str(second)]) == 0
    assert second.read_bytes() == first.read_bytes()
    assert load_sheet_bytes(second.read_bytes(), "second.json") == SAMPLES["南区"]


def test_a_wards_new_sheet_starts_in_its_layout_and_a_later_year_keeps_it() -> None:
    for ward, layout in WARD_LAYOUTS.items():
        assert new_sheet(ward, 2020).layout == layout
        # Only a heading naming the presets' year moves on (西区's 推進方針 column).
        moved = layout.group_column_label.replace("令和２年度", "令和６年度")
        assert new_sheet(ward, 2024).layout == replace(layout, group_column_label=moved)
    assert new_sheet("5区共通", 2024).layout == DEFAULT_LAYOUT
    higashi = next_year_sheet(SAMPLES["東区"], 2021)
    assert higashi.layout.stage_labels == ("R3当初", "9月補正後", "2月補正後", "R3決算")
    assert higashi.layout.overview == SAMPLES["東区"].layout.overview


def test_a_database_of_the_first_version_keeps_its_group_links_when_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(Path("db/0001_initial.sql").read_text(encoding="utf-8"))
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO sheets (id, ward, fiscal_year, title) VALUES (1, '東区', 2020, 't')")
    conn.execute("INSERT INTO categories (id, sheet_id, position, name) VALUES (1, 1, 0, 'まちづくり推進経費')")
    conn.execute("INSERT INTO project_groups (id, sheet_id, position, name) VALUES (7, 1, 0, '防災・減災')")
    conn.execute("INSERT INTO projects (sheet_id, position, name, category_id, group_id) VALUES (1, 0, '訓練', 1, 7)")
    conn.commit()
    conn.close()
    db, _ = open_database(path)
    try:
        sheet = load_sheet(db, "東区", 2020)
        assert sheet.projects[0].group == "防災・減災"
        assert sheet.layout == DEFAULT_LAYOUT
        # Two groups of one name can now be stored, each keeping its own projects.
        two = replace(
            SAMPLES["南区"],
            groups=(*SAMPLES["南区"].groups, Group("防災・減災", "二つ目")),
        )
        ((stored, _),) = replace_sheets(db, [two], source="test")
        assert stored == two
    finally:
        db.close()
