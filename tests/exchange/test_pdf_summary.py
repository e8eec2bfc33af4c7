"""The printed one-page summary: what a reader finds on the page, the page itself, and the font."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings

from benchmarks.synthetic import synthetic_sheet
from desktop_app import operations
from desktop_app.domain import Sheet, Status, format_amount
from desktop_app.domain.layout import (
    NOTES_HEADING,
    UNIT_LABEL,
    RowKind,
    display_name,
    remarks,
    sheet_tables,
)
from desktop_app.exchange import fonts
from desktop_app.exchange.errors import ExchangeError
from desktop_app.exchange.pdf_summary import A3_MESSAGE, LEGIBLE_SIZE, SHORTENED_MESSAGE, PdfResult, render_pdf
from tests.factories import small_sheet
from tests.strategies import sheets

A4_LANDSCAPE = (841.89, 595.28)
A3_LANDSCAPE = (1190.55, 841.89)
SAMPLES = {sheet.ward: sheet for sheet in operations.sample_sheets()}


def flat(text: str) -> str:
    """Text without spaces and line breaks: long names may wrap anywhere on a crowded page."""
    return re.sub(r"\s+", "", text)


def page_of(result: PdfResult) -> pypdf.PageObject:
    reader = pypdf.PdfReader(io.BytesIO(result.data))
    assert len(reader.pages) == 1
    return reader.pages[0]


def page_text(result: PdfResult) -> str:
    return flat(page_of(result).extract_text())


def page_size(result: PdfResult) -> tuple[float, float]:
    box = page_of(result).mediabox
    return float(box.width), float(box.height)


def assert_size(result: PdfResult, expected: tuple[float, float]) -> None:
    assert page_size(result) == pytest.approx(expected, abs=1)


def assert_everything_present(sheet: Sheet, text: str) -> None:
    """Every project and sub-item by name as the layout prints it, every remark, and every
    category's total row with its label and figures."""
    for table in sheet_tables(sheet):
        if table.heading:
            assert flat(table.heading) in text
        for row in table.rows:
            if row.project is not None:
                assert flat(row.text) in text, row.project.name
                if sheet.layout.remarks_column and remarks(row.project, sheet.layout):
                    assert flat(remarks(row.project, sheet.layout)) in text, row.project.name
            if row.kind is RowKind.TOTAL:
                assert flat(row.text) + "".join(format_amount(amount) for amount in row.amounts) in text


@pytest.fixture(scope="module")
def sample_pdfs() -> dict[str, PdfResult]:
    return {ward: render_pdf(sheet, produced=date(2026, 11, 24)) for ward, sheet in SAMPLES.items()}


@pytest.mark.parametrize("ward", sorted(SAMPLES))
def test_each_ward_fits_one_a4_landscape_page_at_legible_size(sample_pdfs: dict[str, PdfResult], ward: str) -> None:
    result = sample_pdfs[ward]
    assert result.data.startswith(b"%PDF")
    assert result.paper == "A4"
    assert_size(result, A4_LANDSCAPE)
    assert result.font_size >= LEGIBLE_SIZE
    assert result.message is None  # a real ward's sheet needs neither A3 nor shortened descriptions


@pytest.mark.parametrize("ward", sorted(SAMPLES))
def test_each_ward_shows_title_vision_projects_and_totals(sample_pdfs: dict[str, PdfResult], ward: str) -> None:
    sheet = SAMPLES[ward]
    text = page_text(sample_pdfs[ward])
    assert flat(sheet.title) in text
    assert ward in text and "令和2年度" in unicodedata.normalize("NFKC", text)
    assert flat(sheet.vision) in text
    assert flat(UNIT_LABEL) in text
    assert "作成日:令和8年11月24日" in text
    assert_everything_present(sheet, text)
    for description in (p.description for p in sheet.all_projects() if p.description):
        assert flat(description) in text  # nothing shortened on a real sheet


def test_figures_match_the_citys_published_totals(sample_pdfs: dict[str, PdfResult]) -> None:
    published = {
        "東区": ("合計17,0006,0006,0005,748", "合計10,00010,0008,3008,069"),
        "北区": ("合計17,0008,1376,4195,209", "合計10,00010,0008,7417,643"),
    }
    for ward, rows in published.items():
        if ward in sample_pdfs:
            text = page_text(sample_pdfs[ward])
            for row in rows:
                assert row in text


def test_font_is_ipaexgothic_embedded_as_a_subset(sample_pdfs: dict[str, PdfResult]) -> None:
    page = page_of(next(iter(sample_pdfs.values())))
    resources = page["/Resources"].get_object()
    assert isinstance(resources, pypdf.generic.DictionaryObject)
    found = resources["/Font"].get_object()
    assert isinstance(found, pypdf.generic.DictionaryObject) and found
    for reference in found.values():
        font = reference.get_object()
        assert isinstance(font, pypdf.generic.DictionaryObject)
        base_font = str(font["/BaseFont"])
        # Only our fonts: no Helvetica or other font the printer would have to substitute.
        assert re.fullmatch(r"/[A-Z]{6}\+(IPAexGothic|DejaVuSans)", base_font), base_font
        descriptor = font["/FontDescriptor"].get_object()
        assert isinstance(descriptor, pypdf.generic.DictionaryObject)
        assert "/FontFile2" in descriptor
        assert "/ToUnicode" in font  # so the text can be searched and copied


def test_small_sheet_shows_groups_sub_items_new_mark_and_null_marks() -> None:
    sheet = small_sheet()
    result = render_pdf(sheet)
    assert result.font_size == 9.0 and result.message is None
    text = page_text(result)
    assert "地域活動の負担軽減" in text and "その他" in text
    assert "①【幸田】花のまちづくり事業" in text
    assert "【新規】地域防災力強化経費" in text
    assert "空き店舗活用事業――――" in text  # ― for no budget line at every stage
    assert_everything_present(sheet, text)


def notes_sheet() -> Sheet:
    sheet = small_sheet()
    projects = list(sheet.projects)
    projects[0] = replace(projects[0], notes_heading="１－①", note="R3年3月開催予定➤5月へ延期➤中止")
    projects[2] = replace(projects[2], status=Status.POSTPONED, notes_heading="３", note="ゼロ予算事業として一部実施")
    return replace(sheet, projects=tuple(projects))


def test_numbered_notes_are_printed_under_the_tables_with_their_symbols() -> None:
    text = page_text(render_pdf(notes_sheet()))
    assert flat(NOTES_HEADING) in text
    assert "中止※１－①" in text  # the 備考 cell points to the note
    assert "１－①R3年3月開催予定➤5月へ延期➤中止" in text
    assert "３ゼロ予算事業として一部実施" in text
    assert "→" not in text and fonts.MISSING_MARK not in text
    assert text.index(flat(NOTES_HEADING)) > text.rindex("合計")


def test_symbols_ipaexgothic_lacks_print_as_written_in_the_fallback_font() -> None:
    for symbol in "➤✔☑►✕✖⚠":
        assert not fonts.has_glyph(symbol), symbol
        assert fonts.font_for(symbol) == fonts.FALLBACK_NAME, symbol
    assert fonts.printable("開催予定➤5月へ延期 ✔済 ☑") == "開催予定➤5月へ延期 ✔済 ☑"
    assert fonts.font_runs("予定➤5月") == [("IPAexGothic", "予定"), ("DejaVuSans", "➤"), ("IPAexGothic", "5月")]
    assert fonts.missing_characters("開催予定➤5月へ延期 ✔済") == []
    assert fonts.printable("ず～っと“わがまち北区” ①② ― №") == "ず～っと“わがまち北区” ①② ― №"


def test_font_is_parsed_once_per_process() -> None:
    first = fonts.register_font()
    registered = fonts._registered
    assert fonts.register_font() == first == "IPAexGothic"
    assert fonts._registered is registered


def test_a_missing_font_file_is_reported_in_japanese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "_registered", None)
    monkeypatch.setattr(fonts, "data_path", lambda *parts: tmp_path / "ipaexg.ttf")
    with pytest.raises(ExchangeError, match="PDF用のフォント"):
        fonts.register_font()


def test_every_character_of_the_sample_sheets_has_a_glyph() -> None:
    for sheet in SAMPLES.values():
        texts = [sheet.title, sheet.vision, *(g.name for g in sheet.groups)]
        for project in sheet.all_projects():
            texts += [display_name(project), project.description, remarks(project), project.no]
        for text in texts:
            assert fonts.missing_characters(text) == [], (sheet.ward, text)


@pytest.mark.parametrize(("projects", "paper"), [(10, "A4"), (40, "A4"), (70, "A4"), (120, "A3")])
def test_long_sheets_stay_on_one_page_with_every_project_and_total(projects: int, paper: str) -> None:
    sheet = synthetic_sheet("東区", 2020, projects=projects)
    result = render_pdf(sheet)
    assert result.paper == paper
    assert_size(result, A4_LANDSCAPE if paper == "A4" else A3_LANDSCAPE)
    assert result.font_size >= LEGIBLE_SIZE
    assert_everything_present(sheet, page_text(result))
    if projects == 10:
        assert result.message is None
    if paper == "A3":
        assert result.message is not None and result.message.startswith(A3_MESSAGE)


def test_descriptions_are_shortened_with_an_ellipsis_before_type_gets_illegible() -> None:
    result = render_pdf(synthetic_sheet("東区", 2020, projects=40))
    assert result.paper == "A4" and result.font_size == LEGIBLE_SIZE
    assert result.message == SHORTENED_MESSAGE
    assert "…" in page_text(result)


def test_a_very_long_sheet_goes_to_a3_and_says_so() -> None:
    sheet = synthetic_sheet("東区", 2020, projects=300)
    result = render_pdf(sheet, paper="auto")
    assert result.paper == "A3"
    assert_size(result, A3_LANDSCAPE)
    assert result.message is not None and result.message.startswith(A3_MESSAGE)
    assert "ポイント" in result.message  # the type went below 6 pt, and the user is told
    assert_everything_present(sheet, page_text(result))


def test_forced_a4_refuses_a_sheet_that_cannot_fit() -> None:
    with pytest.raises(ExchangeError, match="A4の1ページには") as caught:
        render_pdf(synthetic_sheet("東区", 2020, projects=300), paper="a4")
    assert str(caught.value).endswith("。")


def test_forced_a4_shrinks_below_the_auto_limit_instead_of_going_to_a3() -> None:
    sheet = synthetic_sheet("東区", 2020, projects=110)
    assert render_pdf(sheet).paper == "A3"
    result = render_pdf(sheet, paper="a4")
    assert result.paper == "A4" and 5.0 <= result.font_size < LEGIBLE_SIZE
    assert_size(result, A4_LANDSCAPE)


def test_a3_on_request_keeps_large_type_and_says_nothing() -> None:
    result = render_pdf(small_sheet(), paper="A3")
    assert result.paper == "A3" and result.message is None and result.font_size == 9.0
    assert_size(result, A3_LANDSCAPE)


@given(sheets())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_sheet_a_user_can_enter_prints_on_one_page(sheet: Sheet) -> None:
    result = render_pdf(sheet)
    assert len(pypdf.PdfReader(io.BytesIO(result.data)).pages) == 1


def test_unknown_paper_is_refused_in_japanese() -> None:
    with pytest.raises(ExchangeError, match="用紙「B5」"):
        render_pdf(small_sheet(), paper="B5")


def test_footer_date_is_in_wareki() -> None:
    assert "作成日:令和元年5月1日" in page_text(render_pdf(small_sheet(), produced=date(2019, 5, 1)))
    assert "作成日:平成31年4月30日" in page_text(render_pdf(small_sheet(), produced=date(2019, 4, 30)))


def test_export_command_writes_the_pdf(tmp_path: Path) -> None:
    target = operations.export_sheet(small_sheet(), "pdf", tmp_path / "東区.pdf", options={"paper": "a3"}).path
    reader = pypdf.PdfReader(target)
    assert len(reader.pages) == 1
    assert float(reader.pages[0].mediabox.width) == pytest.approx(A3_LANDSCAPE[0], abs=1)


def test_reportlab_loads_only_when_a_pdf_is_made() -> None:
    code = "import sys, desktop_app.cli, desktop_app.operations; print('reportlab' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_page_renders_to_a_non_trivial_image(sample_pdfs: dict[str, PdfResult], tmp_path: Path) -> None:
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(next(iter(sample_pdfs.values())).data)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    png = tmp_path / "page.png"
    assert png.exists() and png.stat().st_size > 10_000
    from PIL import Image

    with Image.open(png) as image:
        assert image.width > image.height  # landscape
        grey = image.convert("L")
        inked = sum(grey.histogram()[:128])
        assert inked > grey.width * grey.height * 0.01  # text and rules, not a blank page


def test_a_missing_fallback_font_file_is_reported_in_japanese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fonts.register_font()
    monkeypatch.setattr(fonts, "_fallback", None)
    monkeypatch.setattr(fonts, "data_path", lambda *parts: tmp_path / parts[-1])
    with pytest.raises(ExchangeError, match=r"PDF用のフォント（.*DejaVuSans\.ttf）を読めません"):
        fonts.register_font()
