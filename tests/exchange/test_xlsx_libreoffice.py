"""The exported workbooks in a real spreadsheet program: LibreOffice recalculates the formulas,
prints the sheet, and saves it back the way a person's edit would."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import openpyxl
import pypdf
import pytest

from desktop_app import operations
from desktop_app.domain import ward_order
from desktop_app.exchange.consolidation import build_consolidated_workbook
from desktop_app.exchange.xlsx_export import render_xlsx
from desktop_app.exchange.xlsx_import import read_xlsx
from desktop_app.paths import data_path
from tests.factories import plain, small_sheet

pytestmark = [
    pytest.mark.soffice,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"),
]

# The samples in today's default layout, with the contract's titles: these tests read cells by
# address. Each ward's own layout is tested in tests/exchange/test_ward_layouts.py.
SAMPLES = {sheet.ward: plain(sheet) for sheet in operations.sample_sheets()}


@pytest.fixture(scope="module")
def profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A private profile: another soffice running on this machine must not take the job over.
    return tmp_path_factory.mktemp("lo-profile")


def _fontconfig(profile: Path) -> dict[str, str]:
    """The environment for soffice with the bundled Japanese font findable: a machine without
    one (a CI image) would print every character as one substituted glyph."""
    conf = profile / "fonts.conf"
    if not conf.exists():
        conf.write_text(
            '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
            '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
            f"  <dir>{data_path('resources', 'fonts')}</dir>\n"
            f"  <cachedir>{profile / 'fc-cache'}</cachedir>\n</fontconfig>\n",
            encoding="utf-8",
        )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def convert(profile: Path, files: list[Path], target: str, out: Path) -> list[Path]:
    """The files converted by LibreOffice (`pdf`, or `xlsx` to save them as Calc would)."""
    out.mkdir(exist_ok=True)
    filter_name = "pdf" if target == "pdf" else "xlsx:Calc MS Excel 2007 XML"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            filter_name,
            "--outdir",
            str(out),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        env=_fontconfig(profile),
    )
    made = [out / f"{path.stem}.{target}" for path in files]
    assert all(path.exists() for path in made), list(out.iterdir())
    return made


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_recalculated_totals_are_the_citys_figures(profile: Path, tmp_path: Path) -> None:
    files = []
    for ward in ("東区", "北区"):
        path = tmp_path / f"{ward}.xlsx"
        path.write_bytes(render_xlsx(SAMPLES[ward]))
        files.append(path)
    higashi, kita = (pdf_text(path) for path in convert(profile, files, "pdf", tmp_path / "pdf"))
    # The files hold formulas only, no results: these figures are LibreOffice's own sums.
    totals = re.compile(r"合計\s+([\d,―]+)\s+([\d,―]+)\s+([\d,―]+)\s+([\d,―]+)")
    assert totals.findall(higashi) == [("17,000", "6,000", "6,000", "5,748"), ("10,000", "10,000", "8,300", "8,069")]
    assert totals.findall(kita) == [("17,000", "8,137", "6,419", "5,209"), ("10,000", "10,000", "8,741", "7,643")]
    assert "令和2" in higashi and "東区まちづくりの取組" in higashi
    assert "###" not in higashi + kita  # every figure fits its column


def test_a_sub_items_total_is_not_counted_twice(profile: Path, tmp_path: Path) -> None:
    path = tmp_path / "small.xlsx"
    path.write_bytes(render_xlsx(small_sheet()))
    text = pdf_text(convert(profile, [path], "pdf", tmp_path / "pdf")[0])
    # 267 + 601 (the parent of 412 + 189) + ― : the sub-items are already in their parent.
    assert re.search(r"合計\s+868\s+376\s+376\s+129", text)
    assert re.search(r"合計\s+1,380\s+2,004\s+2,004\s+1,857", text)


def test_a_workbook_saved_by_libreoffice_imports_unchanged(profile: Path, tmp_path: Path) -> None:
    sheet = small_sheet()
    odd = replace(
        sheet.projects[0],
        name="=SUM(A1) _x0041_ a_b",
        note="@メモ\tタブ",
        notes_heading="１－①",
        description="-説明\n2行目 foo_xyz",
    )
    tricky = replace(sheet, projects=(odd, *sheet.projects[1:]))
    own = {f"{sheet.ward}_own": sheet for sheet in operations.sample_sheets()}
    originals = {"tricky": tricky, **{sheet.ward: sheet for sheet in SAMPLES.values()}, **own}
    files = []
    for name, original in originals.items():
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(render_xlsx(original))
        files.append(path)
    for path in convert(profile, files, "xlsx", tmp_path / "saved"):
        assert read_xlsx(path.read_bytes(), path.name) == [originals[path.stem]], path.stem


def test_a_formula_a_person_typed_is_read_as_its_result(profile: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(SAMPLES["東区"])))
    wb["東区"]["D7"] = "=2000+200"
    wb["東区"]["G7"] = "=1400+74"
    path = tmp_path / "typed.xlsx"
    wb.save(path)
    saved = convert(profile, [path], "xlsx", tmp_path / "saved")[0]
    assert read_xlsx(saved.read_bytes(), saved.name) == [SAMPLES["東区"]]


def test_the_consolidated_workbook_prints_the_summary(profile: Path, tmp_path: Path) -> None:
    sheets = sorted(SAMPLES.values(), key=lambda sheet: ward_order(sheet.ward))
    path = tmp_path / "集計.xlsx"
    path.write_bytes(build_consolidated_workbook(sheets, 2020, problems=["テスト用の確認事項"], progress=None))
    text = pdf_text(convert(profile, [path], "pdf", tmp_path / "pdf")[0])
    flat = re.sub(r"\s+", "", text)
    assert "まちづくり推進経費全区集計" in flat
    assert "テスト用の確認事項" in flat
    assert "まちづくり推進経費17,0006,0006,0005,74817,00095.8%" in flat  # 東区's line
    assert "合計17,0006,0006,0005,748" in flat  # and 東区's own sheet, recalculated
