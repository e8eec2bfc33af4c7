"""`gui --ward/--year/--screenshot` choose what this run shows; the next start still opens what the person chose."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app import operations
from desktop_app.cli import main
from desktop_app.gui.main_window import MainWindow
from desktop_app.settings import Settings, load_settings, save_settings, settings_path


def test_a_screenshot_of_another_ward_and_year_leaves_the_settings_as_they_were(
    sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save_settings(Settings(ward="東区", staff_name="熊本 花子", last_year=2020))
    before = settings_path().read_bytes()
    code = main(
        ["--db", str(sample_db), "gui", "--ward", "南区", "--year", "R2", "--screenshot", str(tmp_path / "s.png")]
    )
    assert code == 0 and (tmp_path / "s.png").stat().st_size > 20_000
    assert settings_path().read_bytes() == before


def test_a_year_without_a_sheet_is_said_not_silently_replaced(
    sample_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save_settings(Settings(ward="東区", last_year=2020))
    before = settings_path().read_bytes()
    capsys.readouterr()
    code = main(
        ["--db", str(sample_db), "gui", "--ward", "南区", "--year", "2031", "--screenshot", str(tmp_path / "s.png")]
    )
    assert code == 1 and not (tmp_path / "s.png").exists()
    assert capsys.readouterr().err.splitlines() == ["南区の令和13年度のシートはまだありません。"]
    assert settings_path().read_bytes() == before


def test_a_mistyped_ward_is_one_sentence(sample_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--db", str(sample_db), "gui", "--ward", "島区", "--screenshot", "x.png"])
    err = capsys.readouterr().err
    assert code == 1 and len(err.splitlines()) == 1 and "「島区」という区はありません" in err


def test_run_only_values_give_way_to_the_saved_ones_unless_the_person_chose_again(
    qtbot: QtBot, workspace: operations.Workspace
) -> None:
    save_settings(Settings(ward="東区", last_year=2020))
    settings = load_settings()
    settings.for_this_run(ward="南区", last_year=2020)
    window = MainWindow(workspace, settings)
    qtbot.addWidget(window)
    assert window.selected_ward() == "南区"
    window.close()
    saved = json.loads(settings_path().read_text(encoding="utf-8"))
    assert saved["ward"] == "東区"
    # A choice made in the window during the run is the person's own, and is kept.
    settings.staff_name = "熊本 花子"
    save_settings(settings)
    assert json.loads(settings_path().read_text(encoding="utf-8"))["staff_name"] == "熊本 花子"


def test_a_missing_xcb_library_is_named_in_one_line_with_the_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.gui import qt_environment

    def refuse(path: str) -> None:
        raise OSError("libxcb-icccm.so.4: cannot open shared object file: No such file or directory")

    monkeypatch.setattr("desktop_app.gui.qt_environment.sys.platform", "linux")
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr("desktop_app.gui.qt_environment.ctypes.CDLL", refuse)
    problem = qt_environment.xcb_problem()
    assert problem is not None and "\n" not in problem
    assert "libxcb-icccm.so.4 がありません" in problem
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in problem
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert qt_environment.xcb_problem() is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb platform is Linux's")
def test_without_a_display_or_its_libraries_the_window_says_so_in_one_line(sample_db: Path, tmp_path: Path) -> None:
    """No X server at :99 here; and on a PC without Qt's X libraries, those are named instead."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env.update(DISPLAY=":99", MACHIZUKURI_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--db", str(sample_db)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith("画面を開けません: ")
    assert ("sudo apt install" in done.stderr) or ("X ディスプレイ「:99」" in done.stderr)
    assert "Aborted" not in done.stderr and "qt.qpa" not in done.stderr


def test_the_start_up_measurement_on_a_new_pc_paints_and_exits_without_waiting_for_anyone(
    sample_db: Path, tmp_path: Path
) -> None:
    # benchmarks/run.py times `gui --exit-after-first-paint` with fresh settings: the first-run
    # question must not open and wait there for a person (it did, and the benchmark hung).
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MACHIZUKURI_DATA_DIR=str(tmp_path / "new-pc"))
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--db", str(sample_db), "gui", "--exit-after-first-paint"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "FIRST_PAINT" in done.stdout.splitlines()
