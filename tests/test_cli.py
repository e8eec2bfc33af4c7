"""The command line as scripts and staff use it: exit codes, stdout, one Japanese line on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import pytest

from desktop_app.exchange.json_format import dump_sheet
from tests.factories import database_digest, run_cli, small_sheet


@pytest.fixture
def db_path(sample_db: Path) -> Path:
    """Every command here runs on a database made by `init --samples`."""
    return sample_db


def test_list_shows_every_ward_of_the_sample_with_totals(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    code, out, err = run_cli(capsys, "--db", str(db_path), "list")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["年度", "区", "事業数", "当初予算", "9月補正後", "2月補正後", "決算額"]
    higashi = next(line for line in lines if " 東区 " in line)
    assert higashi.split()[-4:] == ["27,000", "16,000", "14,300", "13,817"]
    kita = next(line for line in lines if " 北区 " in line)
    assert kita.split()[-4:] == ["27,000", "18,137", "15,160", "12,852"]
    assert "5シート" in lines[-1]


def test_env_variable_chooses_the_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "from-env.sqlite3"
    monkeypatch.setenv("MACHIZUKURI_DB", str(target))
    code, _, _ = run_cli(capsys, "init")
    assert code == 0 and target.exists()
    code, out, _ = run_cli(capsys, "list")
    assert code == 0
    assert out == "シートはありません。\n"  # the one init made, not a new database of sample sheets


@pytest.mark.parametrize("how", ["--db", "MACHIZUKURI_DB"])
@pytest.mark.parametrize(
    "command", [["list"], ["export", "json", "--ward", "東区", "--year", "2020", "-o", "-"], ["gui"]]
)
def test_a_named_database_that_does_not_exist_is_refused_not_created(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str, command: list[str]
) -> None:
    typo = tmp_path / "machizukri.sqlite3"
    args = ["--db", str(typo), *command] if how == "--db" else command
    if how == "MACHIZUKURI_DB":
        monkeypatch.setenv("MACHIZUKURI_DB", str(typo))
    code, out, err = run_cli(capsys, *args)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f'データベース「{typo}」がありません（新しく作るときは machizukuri --db "{typo}" init を実行してください）。'
    ]
    assert not list(tmp_path.glob(typo.name + "*"))


def test_init_makes_a_database_once_with_or_without_the_samples(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty, samples = tmp_path / "空の データ.sqlite3", tmp_path / "サンプル.sqlite3"
    assert run_cli(capsys, "--db", str(empty), "init")[0] == 0
    assert run_cli(capsys, "--db", str(samples), "init", "--samples")[0] == 0
    assert run_cli(capsys, "--db", str(empty), "list")[1] == "シートはありません。\n"
    assert "5シート" in run_cli(capsys, "--db", str(samples), "list")[1]
    before = samples.read_bytes()
    code, _, err = run_cli(capsys, "--db", str(samples), "init")
    assert code == 1 and "すでにあります" in err and len(err.splitlines()) == 1
    assert samples.read_bytes() == before


def test_export_json_to_stdout_and_file(capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, "--db", str(db_path), "export", "json", "--ward", "東区", "--year", "R2", "-o", "-")
    assert code == 0
    assert json.loads(out)["ward"] == "東区"
    target = tmp_path / "higashi.json"
    code, out, _ = run_cli(
        capsys, "--db", str(db_path), "export", "json", "--ward", "東区", "--year", "2020", "-o", str(target)
    )
    assert code == 0 and "書き出しました" in out
    assert (
        target.read_text(encoding="utf-8")
        == json.dumps(json.loads(target.read_text(encoding="utf-8")), ensure_ascii=False, indent=2) + "\n"
    )


def test_export_refuses_to_overwrite_without_force(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    target = tmp_path / "mine.json"
    target.write_text("staff's own notes", encoding="utf-8")
    code, _, err = run_cli(
        capsys, "--db", str(db_path), "export", "json", "--ward", "東区", "--year", "2020", "-o", str(target)
    )
    assert code == 1
    assert "--force" in err and "すでにあります" in err
    assert target.read_text(encoding="utf-8") == "staff's own notes"
    code, _, _ = run_cli(
        capsys, "--db", str(db_path), "export", "json", "--ward", "東区", "--year", "2020", "-o", str(target), "--force"
    )
    assert code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["ward"] == "東区"


def test_import_then_list_shows_the_new_sheet(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    sheet_file = tmp_path / "r3.json"
    sheet_file.write_text(dump_sheet(small_sheet("西区", 2021)), encoding="utf-8")
    code, out, err = run_cli(capsys, "--db", str(db_path), "import", str(sheet_file))
    assert code == 0, err
    assert "令和3年度 西区（4事業）を取り込みました: r3.json" in out
    _, out, _ = run_cli(capsys, "--db", str(db_path), "list")
    assert "令和3年度（2021）  西区" in out


def test_bad_import_changes_nothing_and_says_where(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    run_cli(capsys, "--db", str(db_path), "list")
    before = database_digest(db_path)
    good = tmp_path / "good.json"
    good.write_text(dump_sheet(small_sheet("西区", 2021)), encoding="utf-8")
    data = json.loads(dump_sheet(small_sheet("南区", 2021)))
    data["projects"][3]["amounts"][1] = -20
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, out, err = run_cli(capsys, "--db", str(db_path), "import", str(good), str(bad))
    assert code == 1
    assert out == ""
    assert (
        err.strip()
        == "bad.json: 事業 №1「地域防災力強化経費」の9月補正後（amounts[1]）: 「-20」はマイナスの金額です（0以上で入力してください）。"
    )
    assert database_digest(db_path) == before


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (
            ["export", "json", "--ward", "東区", "--year", "1999", "-o", "x.json"],
            1,
            "平成11年度 東区のシートはありません",
        ),
        (["export", "json", "--ward", "島区", "--year", "2020", "-o", "x.json"], 1, "「島区」という区はありません"),
        (["export", "json", "--ward", "東区", "--year", "来年", "-o", "x.json"], 1, "年度として読めません"),
        (["export", "json", "--year", "2020", "-o", "x.json"], 2, "次の指定が必要です: --ward"),
        (["export", "csv", "--ward", "東区", "--year", "2020", "-o", "x"], 2, "「csv」は選べません"),
        (["import", "missing.json"], 1, "missing.json: ファイルが見つかりません。"),
        (["import", "notes.txt"], 1, "取り込めるのは .json・.xlsx"),
        (["frobnicate"], 2, "使い方の誤り"),
    ],
)
def test_mistakes_get_one_japanese_line_and_an_exit_status(
    capsys: pytest.CaptureFixture[str],
    db_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    code: int,
    words: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    got, _, err = run_cli(capsys, "--db", str(db_path), *args)
    assert got == code
    assert words in err
    assert "Traceback" not in err


def test_damaged_database_is_reported_and_untouched(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"\x00" * 5000)
    code, _, err = run_cli(capsys, "--db", str(broken), "list")
    assert code == 1
    assert "壊れているため開けません" in err and len(err.strip().splitlines()) == 1
    assert broken.read_bytes() == b"\x00" * 5000


def test_backup_makes_a_consistent_copy(capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite3"
    code, out, _ = run_cli(capsys, "--db", str(db_path), "backup", "-o", str(target))
    assert code == 0 and "バックアップしました" in out
    _, original, _ = run_cli(capsys, "--db", str(db_path), "list")
    _, copied, _ = run_cli(capsys, "--db", str(target), "list")
    assert copied == original
    code, out, _ = run_cli(capsys, "--db", str(db_path), "backup")
    assert code == 0
    assert (db_path.parent / "backups").is_dir()
    assert any(p.name.endswith("-manual.sqlite3") for p in (db_path.parent / "backups").iterdir())


def test_list_and_export_json_do_not_load_qt_or_office_libraries(db_path: Path, tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from desktop_app.cli import main\n"
        f"main(['--db', {str(db_path)!r}, 'list'])\n"
        f"main(['--db', {str(db_path)!r}, 'export', 'json', '--ward', '東区', '--year', '2020', '-o', {str(tmp_path / 'x.json')!r}])\n"
        "heavy = [m for m in ('PySide6', 'openpyxl', 'reportlab') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "HEAVY []" in result.stdout


def test_module_entry_point_and_version() -> None:
    result = subprocess.run([sys.executable, "-m", "desktop_app", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("machizukuri ")


def _exported(capsys: pytest.CaptureFixture[str], db: Path, ward: str, year: str) -> dict[str, Any]:
    code, out, err = run_cli(capsys, "--db", str(db), "export", "json", "--ward", ward, "--year", year, "-o", "-")
    assert code == 0, err
    return cast(dict[str, Any], json.loads(out))


def test_new_year_carries_the_projects_on_with_the_new_allocations(
    capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    code, out, err = run_cli(
        capsys,
        *("--db", str(db_path), "new", "--ward", "北区", "--year", "2021", "--from-year", "R2"),
        *("--allocation", "まちづくり推進経費=19,000", "--allocation", "復興支援自治推進経費=５０００千円"),
    )
    assert code == 0, err
    assert out.startswith("令和3年度 北区のシートを令和2年度から")
    before, after = _exported(capsys, db_path, "北区", "2020"), _exported(capsys, db_path, "北区", "2021")
    assert after["categories"] == [
        {"name": "まちづくり推進経費", "allocation": 19000},
        {"name": "復興支援自治推進経費", "allocation": 5000},
    ]
    assert after["title"] == before["title"].replace("令和２年度", "令和３年度") != before["title"]
    assert [g["name"] for g in after["groups"]] == [g["name"] for g in before["groups"]]
    for old, carried in zip(before["projects"], after["projects"], strict=True):
        for key in ("no", "name", "description", "group", "category"):
            assert carried[key] == old[key]
        assert carried["amounts"] == [None, None, None, None]
        assert carried["status"] == "planned" and carried["new"] is False and carried.get("note", "") == ""
        assert [c["no"] for c in carried["children"]] == [c["no"] for c in old["children"]]
        assert all(c["amounts"] == [None] * 4 for c in carried["children"])


def test_new_empty_sheet_has_exactly_the_allocated_categories(
    capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    code, _, err = run_cli(
        capsys,
        "--db",
        str(db_path),
        "new",
        "--ward",
        "東",
        "--year",
        "2024",
        "--allocation",
        "まちづくり推進経費=19000",
    )
    assert code == 0, err
    sheet = _exported(capsys, db_path, "東区", "2024")
    assert sheet["categories"] == [{"name": "まちづくり推進経費", "allocation": 19000}]
    assert sheet["projects"] == [] and sheet["title"] == "令和6年度 東区まちづくりの取組"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ward", "東区", "--year", "2020"], "令和2年度 東区のシートはすでにあります。"),
        (["--ward", "東区", "--year", "2021", "--from-year", "2019"], "令和元年度 東区のシートはありません。"),
        (
            ["--ward", "東区", "--year", "2021", "--allocation", "19000"],
            "--allocation「19000」は「経費区分=千円」の形で指定してください",
        ),
        (
            ["--ward", "東区", "--year", "2021", "--allocation", "まちづくり推進経費=-5"],
            "--allocation「まちづくり推進経費=-5」の配分額",
        ),
    ],
)
def test_new_refuses_with_one_sentence_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], db_path: Path, args: list[str], message: str
) -> None:
    before = database_digest(db_path)
    code, out, err = run_cli(capsys, "--db", str(db_path), "new", *args)
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1 and message in err
    assert database_digest(db_path) == before


def test_help_is_japanese_and_lists_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    texts = []
    for command in ([], ["export"], ["new"], ["init"], ["import"], ["consolidate"], ["gui"]):
        code, out, _ = run_cli(capsys, *command, "--help")
        assert code == 0
        texts.append(out)
        for english in ("usage:", "options:", "positional arguments", "show this help message", "show program's"):
            assert english not in out, (command, english)
        assert out.startswith("使い方: machizukuri")
    assert all(name in texts[0] for name in ("init", "new", "import", "export", "consolidate", "list", "backup"))
    assert all(fmt in texts[1] for fmt in ("json", "xlsx", "pdf", "eml"))
    assert "--allocation" in texts[2] and "--from-year" in texts[2]
