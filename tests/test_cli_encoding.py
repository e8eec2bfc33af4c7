"""The command line writes UTF-8 whatever the console's code page (issue 12).

Windows Python writes a pipe or a redirected file in the ANSI code page: an English-locale PC (cp1252)
cannot encode the Japanese of `list` at all, and a Japanese one (cp932) would turn `export json -o -`
into Shift_JIS. PYTHONIOENCODING reproduces both code pages here; installer/windows_check.sh runs the
same commands under Wine with the real code pages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app import operations

CODE_PAGES = ["cp1252", "cp932"]


def run_cli(tmp_path: Path, encoding: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    env.pop("PYTHONUTF8", None)
    db = tmp_path / "データ フォルダー" / "machizukuri.sqlite3"
    if not db.exists():  # as `machizukuri --db … init --samples` makes it: a named database must exist
        db.parent.mkdir(parents=True, exist_ok=True)
        operations.init_database(db, samples=True).close()
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", "--db", str(db), *args],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("encoding", CODE_PAGES)
def test_list_prints_utf8_under_a_windows_code_page(tmp_path: Path, encoding: str) -> None:
    result = run_cli(tmp_path, encoding, "list")
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    text = result.stdout.decode("utf-8")  # raises if the bytes are cp932 (or anything but UTF-8)
    assert "令和2年度（2020）  東区" in text
    assert "5シート" in text


@pytest.mark.parametrize("encoding", CODE_PAGES)
def test_json_export_to_stdout_is_utf8_under_a_windows_code_page(tmp_path: Path, encoding: str) -> None:
    result = run_cli(tmp_path, encoding, "export", "json", "--ward", "東区", "--year", "2020", "-o", "-")
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    assert "東区".encode() in result.stdout
    assert "東区".encode("cp932") not in result.stdout
    document = json.loads(result.stdout.decode("utf-8"))
    assert "東区" in json.dumps(document, ensure_ascii=False)


def test_a_refused_input_says_why_in_utf8_under_cp1252(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "cp1252", "export", "pdf", "--ward", "存在しない区", "--year", "2020", "-o", "-")
    assert result.returncode == 1
    message = result.stderr.decode("utf-8").strip()
    assert "存在しない区" in message
    assert "\\u" not in message and "Traceback" not in message
