"""Outputs never land on the database, its companions or its backups; every output mistake is one line.

Issue 11, items 1, 13, 14 and 15: each case goes through the real command line and checks the exit
status, the one Japanese line on stderr, and that the database's folder (backups included) is
byte-for-byte what it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app import operations
from desktop_app.cli import main
from desktop_app.exchange import files
from desktop_app.exchange.errors import ExchangeError
from tests.factories import database_digest, run_cli


@pytest.fixture
def db_path(sample_db: Path) -> Path:
    """The command line refuses a named database that does not exist: these run on one made by `init --samples`."""
    return sample_db


EXPORT = ["export", "json", "--ward", "東区", "--year", "2020"]


def folder_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` (backups included) by relative name and content hash."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def held(capsys: pytest.CaptureFixture[str], db_path: Path) -> Path:
    """A database with the sample sheets and one backup beside it, as an office PC has it."""
    code, _, err = run_cli(capsys, "--db", str(db_path), "list")
    assert code == 0, err
    code, _, err = run_cli(capsys, "--db", str(db_path), "backup")
    assert code == 0, err
    assert any((db_path.parent / "backups").iterdir())
    return db_path


def refused(capsys: pytest.CaptureFixture[str], db: Path, args: list[str], words: str, *, force: bool = True) -> str:
    """Run a command that must be refused; the folder of the database must not change at all."""
    before, rows = folder_digest(db.parent), database_digest(db)
    code, out, err = run_cli(capsys, "--db", str(db), *args, *(["--force"] if force else []))
    assert code == 1, (out, err)
    assert len(err.splitlines()) == 1 and err.endswith("\n"), err
    assert words in err, err
    assert not err.startswith("Traceback")
    assert folder_digest(db.parent) == before
    assert database_digest(db) == rows
    return err


PROTECTED = "はデータベース（またはバックアップ）のファイルなので書き出せません"

# (command, how the target is named relative to the database path)
TARGET_NAMES = {
    "itself": lambda db: str(db),
    "dotdot": lambda db: str(db.parent / ".." / db.parent.name / db.name),
    "wal": lambda db: str(db) + "-wal",
    "shm": lambda db: str(db) + "-shm",
    "journal": lambda db: str(db) + "-journal",
    "lock": lambda db: str(db) + ".lock",
    "lock-owner": lambda db: str(db) + ".lock.owner",
    "backup-file": lambda db: str(sorted((db.parent / "backups").iterdir())[0]),
    "into-backups": lambda db: str(db.parent / "backups" / "new.xlsx"),
}
COMMANDS = {
    "json": [*EXPORT],
    "xlsx": ["export", "xlsx", "--ward", "東区", "--year", "2020"],
    "pdf": ["export", "pdf", "--ward", "東区", "--year", "2020"],
    "eml": ["export", "eml", "--ward", "東区", "--year", "2020"],
    "consolidate": ["consolidate", "--year", "2020"],
    "backup": ["backup"],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", TARGET_NAMES)
def test_no_output_ever_replaces_the_database_or_a_backup(
    capsys: pytest.CaptureFixture[str], held: Path, command: str, name: str
) -> None:
    target = TARGET_NAMES[name](held)
    refused(capsys, held, [*COMMANDS[command], "-o", target], PROTECTED)


def test_the_database_named_relatively_through_a_symlink_or_a_hard_link_is_refused(
    capsys: pytest.CaptureFixture[str], held: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(held)
    refused(capsys, held, [*EXPORT, "-o", str(link)], PROTECTED)
    hard = tmp_path / "hard.json"
    os.link(held, hard)
    refused(capsys, held, [*EXPORT, "-o", str(hard)], PROTECTED)
    folder_link = tmp_path / "elsewhere"
    folder_link.symlink_to(held.parent / "backups")
    refused(capsys, held, [*EXPORT, "-o", str(folder_link / "x.json")], PROTECTED)
    monkeypatch.chdir(held.parent)
    refused(capsys, held, [*EXPORT, "-o", held.name], PROTECTED)


def test_a_differently_cased_name_is_the_database_where_the_file_system_ignores_case(
    held: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Windows and macOS ignore case: MACHIZUKURI.SQLITE3 is the same file there.
    monkeypatch.setattr(files, "_CASE_INSENSITIVE", True)
    workspace = operations.open_workspace(held)
    try:
        with pytest.raises(files.ProtectedTargetError):
            operations.backup_now(workspace, held.with_name(held.name.upper()), overwrite=True)
    finally:
        workspace.close()
    assert not held.with_name(held.name.upper()).exists()


def test_the_windows_save_dialogs_refuse_the_database(
    held: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window calls the same operations: its print preview's 保存 and export go through the guard."""
    before = folder_digest(held.parent)
    workspace = operations.open_workspace(held)
    try:
        sheet = operations.find_sheet(workspace, "東区", 2020)
        with pytest.raises(files.ProtectedTargetError):
            operations.save_rendered(held, b"%PDF-1.4", "pdf", overwrite=True)
        with pytest.raises(files.ProtectedTargetError):
            operations.export_sheet(sheet, "xlsx", held, overwrite=True)
        with pytest.raises(files.ProtectedTargetError):
            operations.consolidate(workspace, 2020, held.parent / "backups" / "x.xlsx", overwrite=True)
    finally:
        workspace.close()
    assert folder_digest(held.parent) == before


# ---------------------------------------------------------------- item 14: names and folders


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ([*EXPORT, "-o", ""], "出力先が空です"),
        (["consolidate", "--year", "2020", "-o", ""], "出力先が空です"),
        (["backup", "-o", ""], "出力先が空です"),
        ([*EXPORT, "-o", "."], "はフォルダです"),
        ([*EXPORT, "-o", "a-folder"], "「a-folder」はフォルダです"),
        ([*EXPORT, "-o", "missing/x.json"], "出力先のフォルダ「missing」がありません"),
        ([*EXPORT, "-o", "a-file.txt/x.json"], "はフォルダではありません"),
        ([*EXPORT, "-o", "x" * 252 + ".json"], "ファイル名が長すぎます（257バイト"),
        ([*EXPORT, "-o", "東" * 84 + ".json"], "ファイル名が長すぎます（257バイト"),
        (["export", "pdf", "--ward", "東区", "--year", "2020", "-o", "x.xlsx"], "拡張子を .pdf に"),
        (["export", "xlsx", "--ward", "東区", "--year", "2020", "-o", "x.json"], "拡張子を .xlsx に"),
        ([*EXPORT, "-o", "sheet"], "拡張子を .json に"),
        (["consolidate", "--year", "2020", "-o", "all.pdf"], "拡張子を .xlsx に"),
        (
            ["backup", "-o", "copy.xlsx"],
            "バックアップのファイル名になっていません（拡張子を .sqlite3 / .sqlite / .db に",
        ),
        (
            ["export", "xlsx", "--ward", "東区", "--year", "2020", "-o", "-"],
            "標準出力（-o -）に書き出せるのは json だけです",
        ),
        (["export", "pdf", "--ward", "東区", "--year", "2020", "-o", "-"], "json だけです"),
        (["export", "eml", "--ward", "東区", "--year", "2020", "-o", "-"], "json だけです"),
        ([*EXPORT, "-o", "a:b.json"], "使えない文字（:）"),
        ([*EXPORT, "-o", "what?.json"], "使えない文字（?）"),
        ([*EXPORT, "-o", "CON.json"], "予約している名前"),
        ([*EXPORT, "-o", "x.json."], "末尾に空白や「.」は使えません"),
    ],
)
def test_output_paths_that_cannot_be_written_get_one_sentence(
    capsys: pytest.CaptureFixture[str],
    held: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    words: str,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "a-folder").mkdir()
    (work / "a-file.txt").write_text("x", encoding="utf-8")
    monkeypatch.chdir(work)
    before = folder_digest(work)
    refused(capsys, held, args, words, force=False)
    assert folder_digest(work) == before, "nothing is written beside it, not even a temporary file"
    assert not (work / "missing").exists(), "a mistyped folder is never created"


@pytest.mark.parametrize("length", [239, 244, 248, 255])
def test_names_up_to_the_file_systems_limit_are_written(
    capsys: pytest.CaptureFixture[str], held: Path, tmp_path: Path, length: int
) -> None:
    target = tmp_path / ("x" * (length - len(".json")) + ".json")
    assert len(target.name.encode()) == length
    code, _, err = run_cli(capsys, "--db", str(held), *EXPORT, "-o", str(target))
    assert code == 0, err
    assert json.loads(target.read_bytes())["ward"] == "東区"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    code, _, err = run_cli(capsys, "--db", str(held), "backup", "-o", str(target.with_suffix(".db")), "--force")
    assert code == 0, err
    assert target.with_suffix(".db").read_bytes().startswith(b"SQLite format 3\x00")


# ---------------------------------------------------------------- item 13: one line, whatever is echoed


@pytest.mark.parametrize(
    "args",
    [
        ["import", "x\nTraceback (most recent call last).json"],
        ["export", "json", "--ward", '東\n  File "x", line 1', "--year", "2020", "-o", "x.json"],
        ["export", "json", "--ward", "東区", "--year", "20\r\n20", "-o", "x.json"],
        ["export", "json", "--ward", "東区", "--year", "2020", "-o", "x\nTraceback.json"],
        ["export", "json", "--ward", "東区\u202e", "--year", "2020", "-o", "x.json"],
        ["consolidate", "--year", "2020", "--from-files", "no\nsuch", "-o", "x.xlsx"],
    ],
)
def test_control_characters_in_what_is_echoed_never_make_a_second_line(
    capsys: pytest.CaptureFixture[str], held: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    err = refused(capsys, held, args, "", force=False)
    assert not any(char in err[:-1] for char in "\r\u202e\x00")
    assert "\\n" in err or "\\r" in err or "\\u202e" in err, err


def test_a_file_named_with_a_newline_is_named_escaped_when_it_is_refused(
    capsys: pytest.CaptureFixture[str], held: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "x\nTraceback (most recent call last).json"
    bad.write_text("{", encoding="utf-8")
    code, _, err = run_cli(capsys, "--db", str(held), "import", str(bad))
    assert code == 1
    assert err.splitlines() == [err.rstrip("\n")]
    assert err.startswith("x\\nTraceback (most recent call last).json: ")


def test_a_damaged_page_is_reported_on_one_line(capsys: pytest.CaptureFixture[str], held: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(held)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    (root,) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'projects_by_sheet'").fetchone()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    raw = bytearray(held.read_bytes())
    start = (root - 1) * page_size
    raw[start + 8 : start + 40] = b"\xff" * 32  # garble an index page's cell pointers
    held.write_bytes(bytes(raw))
    before = held.read_bytes()
    code, _, err = run_cli(capsys, "--db", str(held), "list")
    assert code == 1
    # SQLite reports one line per bad cell; the message keeps the first ones, on one line.
    assert "壊れているため開けません（整合性検査で異常: *** in database main *** On tree page" in err, err
    assert len(err.splitlines()) == 1 and "\\n" not in err, err
    assert len(err) < 400
    assert held.read_bytes() == before


# ---------------------------------------------------------------- item 15: stdout data is UTF-8 bytes


def test_json_to_stdout_is_the_files_utf8_bytes_under_a_cp932_console(held: Path, tmp_path: Path) -> None:
    # An emoji and a character outside cp932 in the sheet: a cp932 stdout would refuse both.
    workspace = operations.open_workspace(held)
    sheet = operations.find_sheet(workspace, "東区", 2020)
    from dataclasses import replace

    from desktop_app.storage import replace_sheets

    replace_sheets(workspace.db, [replace(sheet, vision="笑顔あふれる😀まち 𩸽")], source="test")
    workspace.close()
    target = tmp_path / "file.json"
    assert main(["--db", str(held), *EXPORT, "-o", str(target)]) == 0
    env = {**os.environ, "PYTHONIOENCODING": "cp932", "PYTHONUTF8": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--db", str(held), *EXPORT, "-o", "-"],
        capture_output=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert result.stdout == target.read_bytes()
    assert "😀" in json.loads(result.stdout)["vision"]


def test_refusals_are_exchange_errors_for_the_window_too(held: Path) -> None:
    with pytest.raises(ExchangeError, match="出力先が空です"):
        files.output_path("  ")


def test_an_emoji_in_the_output_name_is_reported_on_a_cp932_console(held: Path, tmp_path: Path) -> None:
    target = tmp_path / "東区😀.json"
    env = {**os.environ, "PYTHONIOENCODING": "cp932", "PYTHONUTF8": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--db", str(held), *EXPORT, "-o", str(target)],
        capture_output=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert json.loads(target.read_bytes())["ward"] == "東区"
    # The command line speaks UTF-8 whatever the console's code page (issue 12), emoji and all.
    assert f"{target} に書き出しました。".encode() in result.stdout


def test_a_database_reached_through_a_symlink_keeps_its_real_files_protected(
    capsys: pytest.CaptureFixture[str], held: Path, tmp_path: Path
) -> None:
    link = tmp_path / "link.sqlite3"
    link.symlink_to(held)
    # The journal SQLite keeps beside the real file, named from the real file.
    refused(capsys, link, [*EXPORT, "-o", str(held) + "-journal"], PROTECTED)
    refused(capsys, link, [*EXPORT, "-o", str(held.parent / "backups" / "x.json")], PROTECTED)
