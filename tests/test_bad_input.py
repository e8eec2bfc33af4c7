"""Every kind of bad input, through the functions the window and the command line both call.

Each case must be refused with one Japanese sentence naming the place and the field, with no
traceback and nothing written to the database.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app import operations
from desktop_app.cli import main
from desktop_app.domain import MAX_STAGES, Project, Sheet, Stage
from desktop_app.domain.edits import CellInput, EditError, plan_cells
from desktop_app.domain.layout import Column
from desktop_app.exchange.errors import ExchangeError
from desktop_app.exchange.files import safe_file_name
from desktop_app.exchange.json_format import dump_sheet, load_sheet_bytes, sheet_to_data
from desktop_app.exchange.xlsx_import import read_xlsx
from desktop_app.storage import load_sheet
from tests.factories import database_digest, small_sheet

# ---------------------------------------------------------------- amounts typed into the table

TYPED_AMOUNTS = [
    ("-500", "マイナス"),
    ("△500", "マイナス"),
    ("－５", "マイナス"),
    ("1.5", "小数"),
    ("１．２５", "小数"),
    ("abc", "読めません"),
    ("1,5OO", "読めません"),  # letter O typed for zero
    ("12abc", "読めません"),
    ("1e3", "読めません"),
    ("100,000,000", "大きすぎ"),
    ("１０００００００００", "大きすぎ"),
    ("1,00", "カンマ"),
    ("500円", "千円単位"),
]


@pytest.mark.parametrize(("typed", "reason"), TYPED_AMOUNTS)
def test_typed_amounts_are_refused_naming_the_cell(workspace: operations.Workspace, typed: str, reason: str) -> None:
    sheet = load_sheet(workspace.db, "東区", 2020)
    project = sheet.projects[2]
    assert project.id is not None
    with pytest.raises(EditError) as caught:
        plan_cells(sheet, [CellInput(project.id, Column.STAGES, 1, typed)], "入力")
    message = str(caught.value)
    assert message.startswith(f"{project.label}の9月補正後: ")
    assert reason in message and message.endswith("。")


# ---------------------------------------------------------------- files to import


def _json(change: Callable[[dict], object]) -> bytes:  # type: ignore[type-arg]
    data = sheet_to_data(small_sheet("西区", 2021))
    change(data)
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def _xlsx_bytes(sheet_edit: Callable[[openpyxl.Workbook], None] | None = None) -> bytes:
    raw = operations.render_sheet(small_sheet("西区", 2021), "xlsx")
    if sheet_edit is None:
        return raw
    book = openpyxl.load_workbook(io.BytesIO(raw))
    sheet_edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _foreign_workbook() -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws["A1"] = "売上一覧"
    ws.append(["品名", "数量", "金額"])
    ws.append(["りんご", 3, 300])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _zip_of(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, content)
    return out.getvalue()


def _damage_amount(book: openpyxl.Workbook) -> None:
    ws = book["西区"]
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == 1380:  # 地域防災力強化経費's 当初予算
                cell.value = "千三百"
                return
    raise AssertionError("amount cell not found")


def _set(path: tuple[object, ...], value: object) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        # Parsed JSON: objects and arrays of whatever the file holds.
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        if value is _DELETE:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return change


_DELETE = object()
_P = "事業 №1「地域活動理解促進事業」"

BAD_FILES: list[tuple[str, bytes, str]] = [
    ("truncated.json", dump_sheet(small_sheet("西区", 2021)).encode("utf-8")[:300], "途中で切れているか"),
    ("empty.json", b"", "JSONとして読めません"),
    ("shift-jis.json", '{"ward": "西区"}'.encode("shift_jis"), "UTF-8のテキストではありません"),
    ("list.json", b"[]", "シート形式"),
    ("other-format.json", b'{"format": "excel-export/2"}', "format: 「excel-export/2」"),
    ("no-projects.json", _json(_set(("projects",), _DELETE)), "「projects」がありません"),
    ("stages-text.json", _json(_set(("stages",), "当初予算")), "段階（stages）"),
    (
        "amounts-text.json",
        _json(_set(("projects", 0, "amounts"), "267,0,0,0")),
        f"{_P}の金額（amounts）が配列ではありません",
    ),
    ("short-amounts.json", _json(_set(("projects", 0, "amounts"), [267, 0])), "2個で、段階の数4と合いません"),
    (
        "negative.json",
        _json(_set(("projects", 0, "amounts", 0), -267)),
        f"{_P}の当初予算（amounts[0]）: 「-267」はマイナス",
    ),
    ("fraction.json", _json(_set(("projects", 0, "amounts", 3), 0.5)), f"{_P}の決算額（amounts[3]）: 「0.5」は小数"),
    ("huge.json", _json(_set(("projects", 0, "amounts", 1), 10**10)), "大きすぎます"),
    ("amount-string.json", _json(_set(("projects", 0, "amounts", 2), "１，５００")), "数値ではありません"),
    (
        "status.json",
        _json(_set(("projects", 0, "status"), "finished")),
        f"{_P}の状況（status）「finished」は使えません",
    ),
    ("ward.json", _json(_set(("ward",), "熊本区")), "「熊本区」という区はありません"),
    (
        "category.json",
        _json(_set(("projects", 0, "category"), "観光推進経費")),
        "「観光推進経費」はこのシートにありません",
    ),
    ("unknown-key.json", _json(_set(("projects", 0, "budget_code"), "A-1")), "知らない項目「budget_code」"),
    ("no-name.json", _json(_set(("projects", 0, "name"), _DELETE)), "事業（projects）の1番目に「name」がありません"),
    ("year.json", _json(_set(("fiscal_year",), "next year")), "年度（fiscal_year）"),
    ("children.json", _json(_set(("projects", 1, "children", 0, "amounts", 0), 999)), "内訳の合計"),
    ("not-a-zip.xlsx", b"this is not an Excel file at all", "Excel"),
    ("zip-not-xlsx.xlsx", _zip_of("readme.txt", b"hello"), "Excel"),
    ("foreign.xlsx", _foreign_workbook(), "このアプリが書き出したExcelの形式ではありません"),
    ("damaged-cell.xlsx", _xlsx_bytes(_damage_amount), "「千三百」は金額として読めません"),
    ("truncated.xlsx", _xlsx_bytes()[:2000], "Excel"),
    ("notes.txt", b"hello", "取り込めるのは .json・.xlsx のファイルと"),
]


def test_there_are_at_least_25_bad_inputs() -> None:
    assert len(TYPED_AMOUNTS) + len(BAD_FILES) >= 25


@pytest.mark.parametrize(("name", "raw", "expected"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_bad_files_are_refused_and_nothing_is_written(
    workspace: operations.Workspace, tmp_path: Path, name: str, raw: bytes, expected: str
) -> None:
    good = tmp_path / "good.json"
    good.write_text(dump_sheet(small_sheet("中央区", 2021)), encoding="utf-8")
    bad = tmp_path / name
    bad.write_bytes(raw)
    before = database_digest(workspace.path)
    backups_before = (
        sorted((workspace.path.parent / "backups").glob("*")) if (workspace.path.parent / "backups").exists() else []
    )
    with pytest.raises(ExchangeError) as caught:
        operations.import_files(workspace, [good, bad])  # all or nothing: the good file is not kept either
    message = str(caught.value)
    assert message.startswith(f"{name}: "), message
    assert expected in message, message
    assert "\n" not in message and "Traceback" not in message
    assert database_digest(workspace.path) == before
    after = (
        sorted((workspace.path.parent / "backups").glob("*")) if (workspace.path.parent / "backups").exists() else []
    )
    assert after == backups_before, "a refused import must not even take a backup"


@given(st.binary(max_size=300))
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_the_json_reader_refuses_any_garbage_cleanly(raw: bytes) -> None:
    try:
        load_sheet_bytes(raw, "fuzz.json")
    except ExchangeError as exc:
        assert str(exc).startswith("fuzz.json: ")


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda c: st.lists(c) | st.dictionaries(st.text(max_size=8), c),
        max_leaves=20,
    )
)
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_the_json_reader_refuses_any_shape_cleanly(value: object) -> None:
    data = sheet_to_data(small_sheet())
    data["projects"][0]["amounts"] = value
    try:
        load_sheet_bytes(json.dumps(data).encode("utf-8"), "fuzz.json")
    except ExchangeError as exc:
        assert str(exc).startswith("fuzz.json: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("東区", "東区"),
        ("中央区/南区", "中央区_南区"),
        ('R02:"東区"?', "R02__東区__"),
        ("..", "sheet"),
        ("CON\x00", "CON_"),
    ],
)
def test_file_names_from_sheet_text_are_safe(text: str, expected: str) -> None:
    assert safe_file_name(text) == expected


# ---------------------------------------------------------------- database files that are not ours to open


def _sqlite_file(*statements: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        import sqlite3

        conn = sqlite3.connect(path)
        for statement in statements:
            conn.execute(statement)
        conn.commit()
        conn.close()

    return make


def _ours_then(*statements: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        operations.open_workspace(path).close()
        _sqlite_file(*statements)(path)

    return make


BAD_DATABASES: list[tuple[str, Callable[[Path], object], str]] = [
    ("empty-file", lambda path: path.write_bytes(b""), "空（0バイト）のため開けません"),
    ("word-document", lambda path: path.write_bytes(b"\xd0\xcf\x11\xe0" * 1024), "SQLiteのデータベースではありません"),
    ("notes-table", _sqlite_file("CREATE TABLE notes (body TEXT)"), "このアプリのデータベースではない"),
    (
        "notes-version-1",
        _sqlite_file("CREATE TABLE notes (x)", "PRAGMA user_version = 1"),
        "このアプリのデータベースではない",
    ),
    (
        "other-application",
        _sqlite_file("CREATE TABLE t (x)", "PRAGMA application_id = 42"),
        "このアプリのデータベースではない",
    ),
    ("newer-app", _ours_then("PRAGMA user_version = 99"), "新しい版のアプリで作られています"),
]


@pytest.mark.parametrize(("name", "make", "expected"), BAD_DATABASES, ids=[case[0] for case in BAD_DATABASES])
def test_bad_database_files_are_refused_and_left_as_they_were(
    db_path: Path, capsys: pytest.CaptureFixture[str], name: str, make: Callable[[Path], None], expected: str
) -> None:
    from desktop_app import cli
    from tests.factories import folder_digest

    db_path.parent.mkdir(parents=True, exist_ok=True)
    make(db_path)
    before = folder_digest(db_path.parent)
    for command in (["list"], ["import", str(db_path.parent / "none.json")]):
        assert cli.main(["--db", str(db_path), *command]) == 1
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and "Traceback" not in err, err
        assert expected in err and str(db_path) in err, err
    assert folder_digest(db_path.parent) == before


# ---------------------------------------------------------------- hostile files (issue 11)
#
# Built small here, each one of a family found by adversarial testing: what a file makes the reader
# allocate is bounded before it is read, and every refusal is one sentence naming the place.
# Their time and memory at full size are measured in benchmarks/bench_hostile.py, not here.


def _members(raw: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _rezip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


_SHEET_XML = "xl/worksheets/sheet1.xml"
_NAME_CELL = '<c r="B7" s="11" t="inlineStr"><is><t>地域活動理解促進事業</t></is></c>'


def _xlsx_edit(change: Callable[[dict[str, bytes]], None]) -> Callable[[], bytes]:
    def build() -> bytes:
        members = _members(_xlsx_bytes())
        assert _NAME_CELL.encode() in members[_SHEET_XML], "the export's layout changed: update the test"
        change(members)
        return _rezip(members)

    return build


def _replace_in_sheet(old: str, new: str) -> Callable[[dict[str, bytes]], None]:
    def change(members: dict[str, bytes]) -> None:
        members[_SHEET_XML] = members[_SHEET_XML].replace(old.encode(), new.encode(), 1)

    return change


def _with_shared_strings(index: str) -> Callable[[dict[str, bytes]], None]:
    """The name cell turned into a reference to the shared strings, which hold two strings."""

    def change(members: dict[str, bytes]) -> None:
        members["xl/sharedStrings.xml"] = (
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">'
            + "<si><t>偽の事業名</t></si><si><t>最後の文字列</t></si></sst>".encode()
        )
        members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
            b'officedocument.spreadsheetml.sharedStrings+xml" /></Types>',
        )
        _replace_in_sheet(_NAME_CELL, f'<c r="B7" s="11" t="s"><v>{index}</v></c>')(members)

    return change


def _bomb(size: int, name: str = _SHEET_XML) -> Callable[[dict[str, bytes]], None]:
    def change(members: dict[str, bytes]) -> None:
        members[name] = members.get(name, b"") + b" " * size

    return change


def _many_members(members: dict[str, bytes]) -> None:
    for index in range(1_001):
        members[f"customXml/item{index}.xml"] = b"<x/>"


def _rows_below(count: int) -> Callable[[dict[str, bytes]], None]:
    rows = "".join(
        f'<row r="{n}"><c r="B{n}" t="inlineStr"><is><t>行{n}</t></is></c></row>' for n in range(20, 20 + count)
    )
    return _replace_in_sheet("</sheetData>", rows + "</sheetData>")


def _lying_size(members: dict[str, bytes]) -> None:
    """Marks the worksheet as unpacking to 100 bytes (see `_patched_sizes`)."""
    members[_SHEET_XML] += b"<!--" + b" " * 10_000 + b"-->"


def _patched_sizes(raw: bytes) -> bytes:
    """The worksheet's declared unpacked size set to 100 bytes in both of the zip's headers."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        info = archive.getinfo(_SHEET_XML)
    data = bytearray(raw)
    data[info.header_offset + 22 : info.header_offset + 26] = (100).to_bytes(4, "little")
    central = data.index(b"PK\x01\x02")
    while bytes(data[central + 46 : central + 46 + len(_SHEET_XML)]) != _SHEET_XML.encode():
        central = data.index(b"PK\x01\x02", central + 4)
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    return bytes(data)


def _wide_row(members: dict[str, bytes]) -> None:
    _replace_in_sheet("</sheetData>", '<row r="20">' + "<c/>" * 16_385 + "</row></sheetData>")(members)


def _varied_cells(members: dict[str, bytes]) -> None:
    rows = "".join(
        f'<row r="{row}">' + "".join(f"<c><v>{row * n}</v></c>" for n in range(16_000)) + "</row>"
        for row in range(100, 113)
    )
    _replace_in_sheet("</sheetData>", rows + "</sheetData>")(members)


def _many_strings(members: dict[str, bytes]) -> None:
    items = "".join(f"<si><t>{n:x}</t></si>" for n in range(200_001))
    members["xl/sharedStrings.xml"] = (
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{items}</sst>'.encode()
    )


def _large_styles(members: dict[str, bytes]) -> None:
    # Varied, so that it is the size, not the compression, that is refused.
    filler = hashlib.sha256(b"seed").hexdigest() * 1
    noise = "".join(hashlib.sha256(f"{n}".encode()).hexdigest() for n in range(70_000))
    members["xl/styles.xml"] = members["xl/styles.xml"].replace(
        b"</styleSheet>", f"<!--{filler}{noise}--></styleSheet>".encode()
    )


def _entity_expansion(members: dict[str, bytes]) -> None:
    """The name cell as ten to the power of ten characters by nested entities ("billion laughs")."""
    entities = "".join(f'<!ENTITY e{n + 1} "{f"&e{n};" * 10}">' for n in range(9))
    doctype = f'<!DOCTYPE worksheet [<!ENTITY e0 "ははははは">{entities}]>'.encode()
    members[_SHEET_XML] = doctype + members[_SHEET_XML].replace(
        _NAME_CELL.encode(), b'<c r="B7" t="inlineStr"><is><t>&e9;</t></is></c>'
    )


def _header_cell(column: int, text: str) -> Callable[[openpyxl.Workbook], None]:
    def change(book: openpyxl.Workbook) -> None:
        ws = book["西区"]
        for cell in ws["I"]:
            cell.value = None
        header = next(cell.row for cell in ws["A"] if cell.value == "№")
        ws.cell(row=header, column=column, value=text)

    return change


def _json_text(change: Callable[[str], str]) -> Callable[[], bytes]:
    return lambda: change(dump_sheet(small_sheet("西区", 2021))).encode("utf-8")


def _json_data(change: Callable[[dict], object]) -> Callable[[], bytes]:  # type: ignore[type-arg]
    return lambda: _json(change)


_FIRST_NAME = '"地域活動理解促進事業"'
_STAGES_13 = [f"第{n}段階" for n in range(13)]

HOSTILE_FILES: list[tuple[str, Callable[[], bytes], str]] = [
    # JSON: what the parser lets through and no database can store, named by its field.
    (
        "lone-surrogate.json",
        _json_text(lambda text: text.replace(_FIRST_NAME, '"\\ud800事業"')),
        "「projects[0].name」に文字として読めない符号（対になっていないサロゲート U+D800）",
    ),
    (
        "surrogate-key.json",
        _json_text(lambda text: text.replace('"new": false', '"\\udfff": 1, "new": false', 1)),
        "「projects[0]」の項目名に文字として読めない符号",
    ),
    (
        "5001-digits.json",
        _json_text(lambda text: text.replace("267", "9" * 5_001, 1)),
        "「projects[0].amounts[0]」: 数値の桁が多すぎます（5,001桁）",
    ),
    (
        "repeated-format.json",
        _json_text(
            lambda text: text.replace(
                '"format": "machizukuri-sheet/1"', '"format": "other/9", "format": "machizukuri-sheet/1"'
            )
        ),
        "シートに項目「format」が2回あります",
    ),
    (
        "repeated-amounts.json",
        _json_text(
            lambda text: text.replace('"status": "cancelled"', '"amounts": [1, 1, 1, 1], "status": "cancelled"', 1)
        ),
        "「projects[0]」に項目「amounts」が2回あります",
    ),
    (
        "long-amount-text.json",
        _json_data(_set(("projects", 0, "amounts", 0), "1" * 30_000)),
        "数値ではありません（「" + "1" * 40 + "…」）",
    ),
    (
        "long-year.json",
        _json_data(_set(("fiscal_year",), "9" * 5_000)),
        "年度（fiscal_year）「" + "9" * 40 + "…」は年度として読めません",
    ),
    ("nan.json", _json_text(lambda text: text.replace("267", "NaN", 1)), "JSONでは使えない値「NaN」"),
    ("infinity.json", _json_text(lambda text: text.replace("267", "-Infinity", 1)), "JSONでは使えない値「-Infinity」"),
    (
        "1e999.json",
        _json_text(lambda text: text.replace("267", "1e999", 1)),
        "「projects[0].amounts[0]」: 数値が大きすぎます",
    ),
    (
        "long-text.json",
        _json_data(_set(("projects", 0, "description"), "あ" * 40_000)),
        "「projects[0].description」の文字が40,000文字あります（32,767文字までです）",
    ),
    (
        "deep.json",
        _json_text(lambda text: text.replace('"note": "', '"x": ' + "[" * 30 + "]" * 30 + ', "note": "', 1)),
        "入れ子が深すぎます",
    ),
    (
        "many-objects.json",
        lambda: b'{"format": "machizukuri-sheet/1", "projects": [' + b"{}," * 60_000 + b"{}]}",
        "JSONのオブジェクトと配列が多すぎます（60,003個。50,000個までです）",
    ),
    ("utf-16.json", lambda: dump_sheet(small_sheet("西区", 2021)).encode("utf-16"), "UTF-8のテキストではありません"),
    # One bound on the sheet's size, the same for every format.
    (
        "13-stages.json",
        _json_data(
            lambda data: data.update(
                stages=_STAGES_13, projects=[dict(p, amounts=[None] * 13, children=[]) for p in data["projects"]]
            )
        ),
        "段階（stages）が13個あります（12個までです）",
    ),
    (
        "252-stages.json",
        _json_data(lambda data: data.update(stages=[f"第{n}段階" for n in range(252)], projects=[])),
        "段階（stages）が252個あります（12個までです）",
    ),
    (
        "1001-projects.json",
        _json_data(
            lambda data: data.update(
                projects=[
                    {"no": str(n), "name": f"事業{n}", "category": "まちづくり推進経費", "amounts": [1, 1, 1, 1]}
                    for n in range(1_001)
                ]
            )
        ),
        "事業と内訳が合わせて1,001件あります（1,000件までです）",
    ),
    # xlsx: sizes declared in the zip are checked before anything is unpacked.
    ("bomb.xlsx", _xlsx_edit(_bomb(40 * 1024 * 1024)), f"{_SHEET_XML}が展開すると40 MB。32 MBまでです"),
    ("packed-tight.xlsx", _xlsx_edit(_bomb(3 * 1024 * 1024, "customXml/item1.xml")), "不自然に圧縮されています"),
    ("many-parts.xlsx", _xlsx_edit(_many_members), "部品が多すぎます（1,011個）"),
    ("really-xls.xlsx", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "古い形式のExcelファイル（.xls）"),
    # xlsx: what the cells hold.
    (
        "shared-string-minus-one.xlsx",
        _xlsx_edit(_with_shared_strings("-1")),
        "西区!B7: セルの文字列の番号（-1）がファイルの中にありません",
    ),
    (
        "shared-string-past-end.xlsx",
        _xlsx_edit(_with_shared_strings("2")),
        "西区!B7: セルの文字列の番号（2）がファイルの中にありません",
    ),
    (
        "long-cell.xlsx",
        # openpyxl would cut the text at save, so it goes into the file's XML itself.
        _xlsx_edit(
            _replace_in_sheet(
                '<c r="C7" s="11" t="inlineStr" />',
                f'<c r="C7" s="11" t="inlineStr"><is><t>{"あ" * 40_000}</t></is></c>',
            )
        ),
        "西区!C7: 文字が40,000文字あります（Excelのセルは32,767文字までです）",
    ),
    ("too-many-rows.xlsx", _xlsx_edit(_rows_below(4_100)), "西区: 行が多すぎます"),
    (
        "30000-digit-text-amount.xlsx",
        _xlsx_edit(_replace_in_sheet('t="n"><v>267</v>', f't="inlineStr"><is><t>{"1" * 30_000}</t></is>')),
        "西区!D7: 「11111111111111111111…」は大きすぎます",
    ),
    # xlsx: the shape of each part, checked before openpyxl holds a row or a list whole.
    (
        "wide-row.xlsx",
        _xlsx_edit(_wide_row),
        "20行目のセルが16,384個（Excelの最後の列 XFD）を超えています",
    ),
    ("many-cells.xlsx", _xlsx_edit(_varied_cells), "ワークシートのセルが多すぎます（200,000個を超えています）"),
    (
        "rows-out-of-order.xlsx",
        _xlsx_edit(_replace_in_sheet("</sheetData>", '<row r="3"><c r="A3"><v>1</v></c></row></sheetData>')),
        "3行目が19行目の後にあります（ファイルが壊れています）",
    ),
    ("many-strings.xlsx", _xlsx_edit(_many_strings), "共有文字列が多すぎます（200,000個を超えています）"),
    ("large-styles.xlsx", _xlsx_edit(_large_styles), "xl/styles.xmlが展開すると4.3 MB。2 MBまでです"),
    ("lying-size.xlsx", lambda: _patched_sizes(_xlsx_edit(_lying_size)()), "ZIP形式として読めません"),
    (
        "billion-laughs.xlsx",
        _xlsx_edit(_entity_expansion),
        f"{_SHEET_XML}がXMLとして読めません",
    ),
    (
        "broken-xml.xlsx",
        _xlsx_edit(_replace_in_sheet("</sheetData>", "<row></sheetData>")),
        f"{_SHEET_XML}がXMLとして読めません",
    ),
    (
        # The hidden key column gone (a person rebuilt the sheet): the headings may run on past column R.
        "13-stages.xlsx",
        lambda: _xlsx_bytes(_header_cell(18, "第13段階")),
        "西区!R5: 列が多すぎます（段階（当初予算など）は12個までです）",
    ),
    (
        "infinite-amount.xlsx",
        _xlsx_edit(_replace_in_sheet("<v>267</v>", "<v>1e400</v>")),
        "西区!D7: 金額として読めません",
    ),
    (
        "5001-digit-amount.xlsx",
        _xlsx_edit(_replace_in_sheet("<v>267</v>", f"<v>{'9' * 5_001}</v>")),
        "西区: ワークシートが壊れていて読めません",
    ),
    (
        "bad-style.xlsx",
        _xlsx_edit(_replace_in_sheet('<c r="B7" s="11"', '<c r="B7" s="9999"')),
        "西区!B7: セルの書式の番号がファイルの中にありません",
    ),
]


def _folder_state(db: Path) -> dict[str, str]:
    """Every file in the database's folder and below (backups included), by its bytes."""
    return {
        str(path.relative_to(db.parent)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(db.parent.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def cli_db(sample_db: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A database made by `init --samples`, as the command line has seen it once."""
    assert main(["--db", str(sample_db), "list"]) == 0
    capsys.readouterr()
    return sample_db


def _refused_by_the_command_line(capsys: pytest.CaptureFixture[str], db: Path, path: Path, expected: str) -> str:
    before, files_before = database_digest(db), _folder_state(db)
    code = main(["--db", str(db), "import", str(path)])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"{path.name}: "), err
    assert expected in err, err
    assert len(err) < 300, "a message quotes at most a few words of what the file holds"
    assert "Traceback" not in err and "予期しないエラー" not in err
    assert database_digest(db) == before
    assert _folder_state(db) == files_before, "nothing in the database's folder or its backups may change"
    return err


@pytest.mark.parametrize(("name", "build", "expected"), HOSTILE_FILES, ids=[case[0] for case in HOSTILE_FILES])
def test_hostile_files_are_refused_in_one_sentence_and_nothing_is_written(
    capsys: pytest.CaptureFixture[str],
    cli_db: Path,
    tmp_path: Path,
    name: str,
    build: Callable[[], bytes],
    expected: str,
) -> None:
    path = tmp_path / name
    path.write_bytes(build())
    _refused_by_the_command_line(capsys, cli_db, path, expected)


def test_there_are_hostile_files_of_every_family() -> None:
    suffixes = [Path(name).suffix for name, _, _ in HOSTILE_FILES]
    assert suffixes.count(".json") >= 12 and suffixes.count(".xlsx") >= 12


@pytest.mark.parametrize("name", ["huge.json", "huge.xlsx"])
def test_a_3_gb_file_is_refused_by_its_size_before_it_is_read(
    capsys: pytest.CaptureFixture[str], cli_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    path = tmp_path / name
    with path.open("wb") as stream:
        stream.truncate(3 * 1024**3)  # sparse: takes no room on disk
    _forbid_reading(monkeypatch, path)
    _refused_by_the_command_line(capsys, cli_db, path, "ファイルが大きすぎます（3,072 MB。20 MBまでです）")


def test_a_file_of_another_type_is_refused_by_its_name_before_it_is_read(
    capsys: pytest.CaptureFixture[str], cli_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "backup.bin"
    with path.open("wb") as stream:
        stream.truncate(3 * 1024**3)
    _forbid_reading(monkeypatch, path)
    _refused_by_the_command_line(capsys, cli_db, path, "取り込めるのは .json・.xlsx のファイルと")


def _forbid_reading(monkeypatch: pytest.MonkeyPatch, forbidden: Path) -> None:
    """Opening `forbidden` fails the test: its name and size must refuse it first."""
    for method in ("open", "read_bytes", "read_text"):
        original = getattr(Path, method)

        def guarded(self: Path, *args: object, _original: Any = original, **kwargs: object) -> Any:
            if self == forbidden:
                raise AssertionError("the file was opened before its name and size were checked")
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Path, method, guarded)


def test_a_folder_or_a_pipe_named_like_a_sheet_file_is_refused(
    capsys: pytest.CaptureFixture[str], cli_db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "R02_東区.json"
    folder.mkdir()
    _refused_by_the_command_line(capsys, cli_db, folder, "ファイルではなくフォルダです")
    if hasattr(os, "mkfifo"):
        pipe = tmp_path / "pipe.xlsx"
        os.mkfifo(pipe)  # reading it would wait forever for a writer
        _refused_by_the_command_line(capsys, cli_db, pipe, "通常のファイルではありません")


def test_a_huge_file_in_the_consolidation_folder_is_refused_by_its_size(tmp_path: Path) -> None:
    from desktop_app.exchange.consolidation import sheets_from_folder

    (tmp_path / "R02_西区.xlsx").write_bytes(_xlsx_bytes())
    with (tmp_path / "R02_東区.xlsx").open("wb") as stream:
        stream.truncate(3 * 1024**3)
    with pytest.raises(ExchangeError) as caught:
        sheets_from_folder(tmp_path, 2021)
    assert str(caught.value) == "R02_東区.xlsx: ファイルが大きすぎます（3,072 MB。20 MBまでです）。"


@pytest.mark.parametrize("far", ["XFD1048576", "A1048576", "XFD1"])
def test_a_stray_cell_far_away_is_outside_the_layout_and_the_sheet_imports(
    capsys: pytest.CaptureFixture[str], cli_db: Path, tmp_path: Path, far: str
) -> None:
    row = int("".join(c for c in far if c.isdigit()))
    cell = f'<c r="{far}" t="inlineStr"><is><t>はぐれたセル</t></is></c>'
    members = _members(_xlsx_bytes())
    sheet_xml = members[_SHEET_XML].decode()
    # The file also claims to span the whole grid: the reader must not size anything by that.
    sheet_xml = re.sub(r'<dimension ref="[^"]*" />', f'<dimension ref="A1:{far}" />', sheet_xml)
    if row == 1:
        sheet_xml = sheet_xml.replace("<is><t>T</t></is></c></row>", f"<is><t>T</t></is></c>{cell}</row>", 1)
    else:
        sheet_xml = sheet_xml.replace("</sheetData>", f'<row r="{row}">{cell}</row></sheetData>')
    assert "はぐれたセル" in sheet_xml
    members[_SHEET_XML] = sheet_xml.encode()
    path = tmp_path / "far.xlsx"
    path.write_bytes(_rezip(members))
    code = main(["--db", str(cli_db), "import", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "令和3年度 西区" in out
    main(["--db", str(cli_db), "export", "json", "--ward", "西区", "--year", "2021", "-o", "-"])
    assert json.loads(capsys.readouterr().out) == sheet_to_data(small_sheet("西区", 2021))


def test_the_same_sheet_gives_the_same_xlsx_bytes_whenever_it_is_exported(
    capsys: pytest.CaptureFixture[str], cli_db: Path, tmp_path: Path
) -> None:
    outputs = []
    for name in ("first.xlsx", "second.xlsx"):
        path = tmp_path / name
        assert main(["--db", str(cli_db), "export", "xlsx", "--ward", "東区", "--year", "2020", "-o", str(path)]) == 0
        outputs.append(path.read_bytes())
    assert main(["--db", str(cli_db), "consolidate", "--year", "2020", "-o", str(tmp_path / "all.xlsx")]) == 0
    # Exports seconds apart differed by the times stamped on the members openpyxl writes from
    # temporary files; every member now carries one fixed date, so no clock can make them differ.
    for raw in (*outputs, (tmp_path / "all.xlsx").read_bytes()):
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
            core = archive.read("docProps/core.xml").decode()
        assert core.count("2000-01-01T00:00:00Z") == 2, core
    assert outputs[0] == outputs[1]


def test_a_formula_typed_into_an_amount_cell_counts_with_its_saved_result(
    capsys: pytest.CaptureFixture[str], cli_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "formula.xlsx"
    path.write_bytes(_xlsx_edit(_replace_in_sheet("<v>267</v>", "<f>200+100</f><v>300</v>"))())
    assert b"<f>200+100</f>" in _members(path.read_bytes())[_SHEET_XML]
    assert main(["--db", str(cli_db), "import", str(path)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    main(["--db", str(cli_db), "export", "json", "--ward", "西区", "--year", "2021", "-o", "-"])
    assert json.loads(capsys.readouterr().out)["projects"][0]["amounts"] == [300, 0, 0, 0]


def _with_stages(count: int) -> Sheet:
    def fill(project: Project) -> Project:
        amount = len(project.children) or 1  # a parent's amounts are its sub-items' sums
        return replace(project, amounts=(amount,) * count, children=tuple(fill(c) for c in project.children))

    sheet = small_sheet("西区", 2021)
    stages = tuple(Stage(f"第{n + 1}段階") for n in range(count))
    return replace(sheet, stages=stages, projects=tuple(fill(p) for p in sheet.projects))


def test_the_most_stages_go_through_every_format_and_one_more_is_refused_everywhere(
    capsys: pytest.CaptureFixture[str], cli_db: Path, tmp_path: Path
) -> None:
    most = _with_stages(MAX_STAGES)
    xlsx = operations.render_sheet(most, "xlsx")
    assert read_xlsx(xlsx, "most.xlsx") == [most]
    assert load_sheet_bytes(dump_sheet(most).encode("utf-8"), "most.json") == most
    assert operations.render_sheet(most, "pdf").startswith(b"%PDF")
    # One more: the JSON import refuses it, and the Excel export never writes it (past XFD, once).
    beyond = _with_stages(MAX_STAGES + 1)
    path = tmp_path / "beyond.json"
    path.write_text(dump_sheet(beyond), encoding="utf-8")
    _refused_by_the_command_line(capsys, cli_db, path, f"段階（stages）が13個あります（{MAX_STAGES}個までです）")
    with pytest.raises(ExchangeError, match="段階が13個あり、Excelに書き出せません（12個までです）"):
        operations.render_sheet(beyond, "xlsx")


def test_a_json_file_saved_by_notepad_with_a_byte_order_mark_imports(
    capsys: pytest.CaptureFixture[str], cli_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "notepad.json"
    path.write_bytes(b"\xef\xbb\xbf" + dump_sheet(small_sheet("西区", 2021)).encode("utf-8"))
    assert main(["--db", str(cli_db), "import", str(path)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    main(["--db", str(cli_db), "export", "json", "--ward", "西区", "--year", "2021", "-o", "-"])
    assert json.loads(capsys.readouterr().out) == sheet_to_data(small_sheet("西区", 2021))
