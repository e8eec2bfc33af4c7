"""The sheet JSON: deterministic writing, exact round trips, and refusals naming file, project, field."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from desktop_app import operations
from desktop_app.domain import Sheet
from desktop_app.exchange.errors import ImportFileError
from desktop_app.exchange.json_format import dump_sheet, load_sheet_bytes, sheet_to_data
from desktop_app.storage import load_sheet, replace_sheets
from tests.factories import small_sheet
from tests.strategies import sheets


def test_output_is_utf8_indented_with_trailing_newline() -> None:
    text = dump_sheet(small_sheet())
    assert text.endswith("}\n")
    assert '"ward": "東区"' in text  # not \\u escaped
    assert text.startswith('{\n  "format": "machizukuri-sheet/1",\n  "ward": "東区",\n  "fiscal_year": 2020,')
    data = json.loads(text)
    assert data["projects"][0]["amounts"] == [267, 0, 0, 0]
    assert data["projects"][2]["amounts"] == [None, None, None, None]
    assert data["projects"][1]["children"][0]["district"] == "幸田"
    assert "district" not in data["projects"][0]  # optional keys only when set


@given(sheets())
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
def test_any_sheet_round_trips_through_the_file_exactly(sheet: Sheet) -> None:
    text = dump_sheet(sheet)
    again = load_sheet_bytes(text.encode("utf-8"), "x.json")
    assert again == sheet
    assert dump_sheet(again) == text


@given(sheet=sheets())
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
def test_any_sheet_round_trips_through_the_database(sheet: Sheet, tmp_path_factory: pytest.TempPathFactory) -> None:
    ws = operations.open_workspace(tmp_path_factory.mktemp("rt") / "db.sqlite3", seed=False)
    try:
        replace_sheets(ws.db, [sheet], source="hypothesis")
        stored = load_sheet(ws.db, sheet.ward, sheet.fiscal_year)
        assert dump_sheet(stored) == dump_sheet(sheet)
    finally:
        ws.close()


def test_export_import_export_is_byte_identical_for_every_sample(
    workspace: operations.Workspace, tmp_path: Path
) -> None:
    for summary in operations.list_sheets_summary(workspace):
        sheet = load_sheet(workspace.db, summary.ward, summary.fiscal_year)
        first = tmp_path / f"{summary.ward}.json"
        operations.export_sheet(sheet, "json", first)
        fresh = operations.open_workspace(tmp_path / f"{summary.ward}.sqlite3", seed=False)
        try:
            operations.import_files(fresh, [first])
            second = tmp_path / f"{summary.ward}-again.json"
            operations.export_sheet(operations.find_sheet(fresh, summary.ward, summary.fiscal_year), "json", second)
        finally:
            fresh.close()
        assert second.read_bytes() == first.read_bytes()


def _valid() -> dict[str, Any]:
    return sheet_to_data(small_sheet())


def _with(path: tuple[Any, ...], value: Any) -> bytes:
    data = _valid()
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


_DELETE = object()
_P1 = "事業 №1「地域活動理解促進事業」"


BAD_FILES = [
    (b"\xff\xfe\x00garbage", "UTF-8のテキストではありません"),
    (b'{"format": "machizukuri-sheet/1", "ward": ', "途中で切れているか"),
    (b"[1, 2, 3]", "シート形式（machizukuri-sheet/1）ではありません"),
    (b'{"name": "something else"}', "シート形式（machizukuri-sheet/1）ではありません（format: なし）"),
    (_with(("ward",), "束区"), "区（ward）: 「束区」という区はありません"),
    (_with(("ward",), 3), "区（ward）が文字列ではありません"),
    (_with(("fiscal_year",), "来年"), "年度（fiscal_year）"),
    (_with(("fiscal_year",), True), "年度（fiscal_year）が数値ではありません"),
    (_with(("unit",), "円"), "単位（unit）「円」は扱えません"),
    (_with(("stages",), []), "段階（stages）が空"),
    (_with(("projects",), _DELETE), "シートに「projects」がありません"),
    (_with(("colour",), "red"), "知らない項目「colour」"),
    (_with(("projects", 0, "amounts"), [267, 0, 0]), f"{_P1}の金額（amounts）が3個で、段階の数4と合いません"),
    (_with(("projects", 0, "amounts", 0), -267), f"{_P1}の当初予算（amounts[0]）: 「-267」はマイナスの金額です"),
    (_with(("projects", 0, "amounts", 1), 1.5), f"{_P1}の9月補正後（amounts[1]）: 「1.5」は小数です"),
    (_with(("projects", 0, "amounts", 2), 10**9), f"{_P1}の2月補正後（amounts[2]）: 「1000000000」は大きすぎます"),
    (_with(("projects", 0, "amounts", 3), "1,500"), f"{_P1}の決算額（amounts[3]）が数値ではありません"),
    (_with(("projects", 0, "status"), "done"), f"{_P1}の状況（status）「done」は使えません"),
    (
        _with(("projects", 0, "category"), "観光経費"),
        "№1「地域活動理解促進事業」の経費区分（category）「観光経費」はこのシートにありません",
    ),
    (_with(("projects", 0, "group"), "謎"), "グループ（group）「謎」はこのシートにありません"),
    (_with(("projects", 0, "new"), "yes"), f"{_P1}の新規（new）が true / false ではありません"),
    (_with(("projects", 0, "name"), ""), "事業（projects）の1番目の事業名（name）が空"),
    (_with(("projects", 0, "amounts"), _DELETE), f"{_P1}に「amounts」がありません"),
    (_with(("projects", 0, "budget"), 5), f"{_P1}に知らない項目「budget」"),
    (
        _with(("projects", 1, "amounts", 0), 600),
        "№2「地域力活性化・強化支援事業」の当初予算（amounts）600が内訳の合計601と一致しません",
    ),
    (
        _with(("projects", 1, "children", 0, "amounts", 0), "x"),
        "№2「地域力活性化・強化支援事業」の内訳 №①「花のまちづくり事業」の当初予算（amounts[0]）が数値ではありません",
    ),
    (_with(("categories", 0, "allocation"), -1), "配分額（allocation）: 「-1」はマイナス"),
]


@pytest.mark.parametrize(("raw", "expected"), BAD_FILES)
def test_bad_files_are_refused_naming_the_place(raw: bytes, expected: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        load_sheet_bytes(raw, "higashi.json")
    message = str(caught.value)
    assert message.startswith("higashi.json: ")
    assert expected in message
    assert message.endswith("。") and "\n" not in message


def test_valid_variants_people_write_are_accepted() -> None:
    data = _valid()
    data["projects"][0]["no"] = 1
    data["projects"][0]["status"] = "中止"
    data["fiscal_year"] = "令和2年度"
    sheet = load_sheet_bytes(("\ufeff" + json.dumps(data, ensure_ascii=False)).encode("utf-8"), "x.json")
    assert sheet.projects[0].no == "1"
    assert sheet.fiscal_year == 2020
    assert sheet == replace(small_sheet(), projects=sheet.projects)
