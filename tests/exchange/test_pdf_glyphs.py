"""Characters the PDF's font lacks are named before printing; the text layer survives (issue 11, item 18)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pypdf
import pytest
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from desktop_app import operations
from desktop_app.cli import main
from desktop_app.domain import Sheet
from desktop_app.exchange.pdf_summary import render_pdf, unprintable_warnings
from desktop_app.storage import replace_sheets
from tests.factories import small_sheet


@pytest.fixture
def db_path(sample_db: Path) -> Path:
    """The command line refuses a named database that does not exist: these run on one made by `init --samples`."""
    return sample_db


EMOJI_NAME = "花のまちづくり🌸한마음事業"  # neither bundled font has 🌸 or Hangul


def hostile_sheet() -> Sheet:
    """東区 FY2020 with an emoji and Hangul in a name, 𩸽 (which the font has) and an IVS in texts."""
    sheet = small_sheet()
    projects = list(sheet.projects)
    projects[0] = replace(projects[0], name=EMOJI_NAME)
    projects[2] = replace(projects[2], description="𩸽の塩焼きを味わう会", note="葛\U000e0100城の𠮷野家")
    return replace(sheet, projects=tuple(projects))


def text_of(data: bytes) -> str:
    page = pypdf.PdfReader(io.BytesIO(data)).pages[0]
    return re.sub(r"\s+", "", page.extract_text())


def test_the_warning_names_the_project_the_field_and_the_characters() -> None:
    warnings = unprintable_warnings(hostile_sheet())
    assert warnings == [
        f"事業 №1「{EMOJI_NAME}」の事業名の「🌸」「한」「마」「음」は印刷用のフォントにないため、〓で印刷されます。",
        "事業 №3「空き店舗活用事業」の備考の「U+E0100」「𠮷」は印刷用のフォントにないため、〓で印刷されます。",
    ]
    assert unprintable_warnings(small_sheet()) == []


def test_the_text_layer_keeps_every_other_character_and_the_non_bmp_one_the_font_has() -> None:
    result = render_pdf(hostile_sheet())
    text = text_of(result.data)
    assert "花のまちづくり〓〓〓〓事業" in text
    assert "𩸽の塩焼きを味わう会" in text  # reportlab alone wrote <29E3D>, which no reader accepts
    assert "葛城の〓野家" in text
    for other in ("地域力活性化・強化支援事業", "地域防災力強化経費", "令和2年度", "東区"):
        assert other in text
    assert result.warnings == tuple(unprintable_warnings(hostile_sheet()))


@pytest.fixture
def hostile_workspace(workspace: operations.Workspace) -> Iterator[operations.Workspace]:
    replace_sheets(workspace.db, [hostile_sheet()], source="test")
    yield workspace


def test_the_command_line_says_one_line_per_project_and_still_writes_the_pdf(
    capsys: pytest.CaptureFixture[str], hostile_workspace: operations.Workspace, tmp_path: Path
) -> None:
    target = tmp_path / "東区.pdf"
    args = ["--db", str(hostile_workspace.path), "export", "pdf", "--ward", "東区", "--year", "2020"]
    code = main([*args, "-o", str(target)])
    out, err = capsys.readouterr()
    assert code == 0, err
    lines = err.splitlines()
    assert lines == [f"注意: {warning}" for warning in unprintable_warnings(hostile_sheet())]
    assert "「🌸」「한」" in lines[0] and EMOJI_NAME in lines[0]
    assert "書き出しました" in out
    assert "𩸽の塩焼き" in text_of(target.read_bytes())


@pytest.mark.parametrize(("choice", "previewed"), [("やめる", False), ("続ける", True)])
def test_the_window_lists_the_characters_before_the_preview(
    qtbot: QtBot,
    hostile_workspace: operations.Workspace,
    monkeypatch: pytest.MonkeyPatch,
    choice: str,
    previewed: bool,
) -> None:
    from desktop_app.gui.main_window import MainWindow
    from desktop_app.settings import Settings

    asked: list[str] = []

    def answer(box: QMessageBox) -> int:
        asked.append(box.text())
        next(button for button in box.buttons() if button.text() == choice).click()
        return 0

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", answer)

    def shown_dialog(dialog: QDialog) -> int:
        shown.append(dialog.windowTitle())
        return 0

    monkeypatch.setattr(QDialog, "exec", shown_dialog)
    window = MainWindow(hostile_workspace, Settings(ward="東区", last_year=2020))
    qtbot.addWidget(window)
    window.show()
    window.pdf_action.trigger()
    assert len(asked) == 1
    assert "🌸" in asked[0] and EMOJI_NAME in asked[0] and "𠮷" in asked[0]
    assert bool(shown) is previewed
    window.close()


def test_a_lone_surrogate_is_named_by_its_code_and_the_page_still_renders() -> None:
    sheet = replace(small_sheet(), title="令和2年度\ud800東区")
    result = render_pdf(sheet)
    assert result.warnings == ("シートの表題の「U+D800」は印刷用のフォントにないため、〓で印刷されます。",)
    assert "令和2年度〓東区" in text_of(result.data)


def test_nishi_s_arrows_print_as_arrows_from_the_fallback_font(
    capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path
) -> None:
    target = tmp_path / "西区 2020.pdf"
    code = main(["--db", str(db_path), "export", "pdf", "--ward", "西区", "--year", "2020", "-o", str(target)])
    _, err = capsys.readouterr()
    assert code == 0, err
    assert "注意" not in err  # nothing of 西区's sheet is missing from the bundled fonts
    text = text_of(target.read_bytes())
    assert "R3年3月開催予定➤5月へ延期➤中止" in text
    assert "〓" not in text
    resources = pypdf.PdfReader(target).pages[0]["/Resources"].get_object()
    assert isinstance(resources, pypdf.generic.DictionaryObject)
    fonts = resources["/Font"].get_object()
    assert isinstance(fonts, pypdf.generic.DictionaryObject)
    names = {str(font.get_object()["/BaseFont"]).split("+")[-1] for font in fonts.values()}
    assert names == {"IPAexGothic", "DejaVuSans"}


def test_a_character_of_neither_font_is_still_warned_about_beside_a_fallback_symbol() -> None:
    sheet = small_sheet()
    projects = list(sheet.projects)
    projects[0] = replace(projects[0], notes_heading="１－①", note="開催予定➤延期🌸中止")
    result = render_pdf(replace(sheet, projects=tuple(projects)))
    assert result.warnings == (
        "事業 №1「地域活動理解促進事業」の備考の「🌸」は印刷用のフォントにないため、〓で印刷されます。",
    )
    assert "開催予定➤延期〓中止" in text_of(result.data)


def test_invisible_marks_the_fallback_maps_stay_dropped_not_printed() -> None:
    # DejaVu Sans has glyphs for variation selectors and bidi controls: they must not enter the page.
    sheet = replace(small_sheet(), vision="笑顔\u202eあふれる\u200dまち")
    result = render_pdf(sheet)
    assert "笑顔あふれるまち" in text_of(result.data)
    assert result.warnings == ()
