"""Every kind of bad input, through the functions the window and the command line both call.

Each case must be refused with one Japanese sentence naming the place and the field, with no
traceback and nothing written to the database.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app import operations
from desktop_app.domain.edits import CellInput, EditError, plan_cells
from desktop_app.domain.layout import Column
from desktop_app.exchange.errors import ExchangeError
from desktop_app.exchange.files import safe_file_name
from desktop_app.exchange.json_format import dump_sheet, load_sheet_bytes, sheet_to_data
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


def _set(path: tuple[object, ...], value: object) -> Callable[[dict], None]:  # type: ignore[type-arg]
    def change(data: dict) -> None:  # type: ignore[type-arg]
        target = data
        for key in path[:-1]:
            target = target[key]  # type: ignore[index]
        if value is _DELETE:
            del target[path[-1]]  # type: ignore[arg-type]
        else:
            target[path[-1]] = value  # type: ignore[index]

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
    ("notes.txt", b"hello", "取り込めるのは .json と .xlsx のファイルです"),
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


BAD_DATABASES: list[tuple[str, Callable[[Path], None], str]] = [
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
