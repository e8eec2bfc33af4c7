"""Each ward's FY2020 sheet prints as the ward prints it (seed 001), in the PDF and in the Excel.

The expected rows below are copied from seed 001, not computed from our layout code: a test per
ward reads the page (pypdf) and the worksheet's cells and finds them there in the printed order.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pypdf
import pytest
from openpyxl.utils import get_column_letter

from desktop_app import operations
from desktop_app.domain import Category, Group, Sheet, new_sheet, next_year_sheet
from desktop_app.exchange.json_format import dump_sheet, load_sheet_bytes
from desktop_app.exchange.pdf_summary import render_pdf
from desktop_app.exchange.xlsx_export import render_xlsx
from desktop_app.exchange.xlsx_import import read_xlsx
from tests.exchange.test_xlsx_libreoffice import _fontconfig
from tests.factories import FUKKO, MACHI, project, small_sheet

SAMPLES = {sheet.ward: sheet for sheet in operations.sample_sheets()}

# (label, figures): a row as seed 001 prints it; figures (if any) follow the label on the page.
# In the worksheet the figures of totals and subtotals are formulas, so only labels are looked for.
Row = tuple[str, str | None]

EXPECTED: dict[str, list[Row]] = {
    "中央区": [
        ("令和2年度 中央区まちづくりの取組み", None),
        ("基本理念：自主自立のまちを目指します", None),
        ("“きらり”とひかる品格ただようまちをつくる", None),
        # The heading over the table, with the year (it moves on with the sheet).
        ("令和2年度の取組み", None),
        ("地域活動の負担軽減", None),
        ("気軽に参加できる、身近な、魅力ある、ためになる、楽しい地域活動とする。", None),
        ("1 地域リーダー応援事業", None),
        ("生きがいとしての地域活動", None),
        ("4 【新規】 地域デビュー応援事業", None),
        ("おたがいさまで支えあう地域づくり", None),
        ("5 お互いさまのまちづくり研修会", None),
        ("6 【復興支援自治推進経費】 被災者健康・介護相談事業", None),
        ("7 【復興支援自治推進経費】 地域防災力強化経費", None),
        ("8 【復興支援自治推進経費】 避難所運営委員会活動支援助成金", None),
        ("9 【復興支援自治推進経費】 災害公営住宅入居者交流支援事業", None),
        ("10 【復興支援自治推進経費】 仮設住宅等入居者・退去者交流支援事業", None),
        ("11 【復興支援自治推進経費】 地域コミュニティセンター災害対応機能強化経費", None),
        ("12 マンション・コミュニティ形成支援事業", None),
        ("13 【新規】 中央区多文化共生推進事業", None),
        ("持続可能な地域となるために", None),
        ("14 【新規】 運動でつながる中央区事業", None),
        ("16 【復興支援自治推進経費】 被災者健康・子育て支援経費", None),
        ("18 空き店舗・テナント活用事業", "― ― ― ―"),
        ("その他", None),
        ("19 【新規】 中央区地域課題調査分析等経費", None),
        ("21 中央区課題対応経費", None),
        ("まちづくり推進経費 計", "17,000 8,600 8,600 7,088"),
        ("復興支援自治推進経費 計", "10,000 10,000 7,256 6,422"),
    ],
    "東区": [
        ("令和２年度 東区まちづくりの取組", None),
        ("自然豊かな 笑顔あふれる未来のまち", None),
        ("東区まちづくりビジョンの基本方針", None),
        ("【東区まちづくり推進経費】", None),
        ("R2当初 9月補正後 2月補正後 R2決算", None),
        ("1 地域活動理解促進事業", None),
        ("2 東区地域コミュニティづくり支援補助金", None),
        ("15 自然環境魅力向上事業", None),
        ("18 東区地域活性化支援事業", None),
        ("合　計", "17,000 6,000 6,000 5,748"),
        ("【東区復興支援自治推進経費】", None),
        ("1 復興版地域コミュニティづくり支援補助金", None),
        ("7 被災者健康・子育て支援経費", None),
        ("合　計", "10,000 10,000 8,300 8,069"),
    ],
    "西区": [
        ("令和２年度　西区まちづくりの取組み（決算）", None),
        ("金峰望む　華のあるまち西区", None),
        ("まちづくりビジョンの重点的取り組み", None),
        ("Ⅳ．農水産業を生かしたまちづくり", None),
        # The 推進方針 column first, then №, the marks (under the № heading) and the names.
        ("令和２年度 まちづくりの 推進方針 № 事業名 事業内容", None),
        # Each group once, in its merged side cell, before the first of its rows; each row its mark.
        ("①地域ニーズに柔軟に対応し自主自立のまちづくりに取り組みます", None),
        ("1 ① 西区まちづくり懇話会開催経費", None),
        ("2 ① 西区地域コミュニティづくり支援事業", None),
        ("○身近な課題解決対応", None),
        ("○モデル事業 補助率2/3", None),
        ("3 ① 地域ニーズ対応経費", None),
        ("②産学官民が相互に連携し協働したまちづくりに取り組みます", None),
        ("4 ② 大学連携まちづくり推進経費", None),
        ("5 ② 西区魅力アップチャレンジプログラム事業", None),
        ("③西区の豊富な地域の宝にスポットをあてて取り組みます", None),
        ("6 ③ 西区農水産チャレンジプログラム", None),
        ("7 ③ 西区にぎわいづくり推進経費", None),
        ("8 ③ 西区フィールド活用推進経費", None),
        ("まちづくり推進経費　合計額", "17,000 7,500 6,634 6,441"),
        ("令和２年度 まちづくりの 推進方針 № 事業名 事業内容", None),
        ("④被災者に対する生活支援や地域の災害対応力強化に取り組みます", None),
        ("9 ④ 西区復興支援自治推進経費", "10,000 10,000 9,400 9,051"),
        ("１－① 中止", None),
        ("３－① 実施 総務企画課", None),
        ("花園まちセン 地域ささえあい支援事業等", None),
        # ➤ is not in IPAexGothic: the PDF draws it in the bundled fallback font, as written.
        ("７－③ 西区にぎわいづくり実行委員会 負担金 R3年3月開催予定➤5月へ延期➤中止", None),
        ("８－③ 中止", None),
    ],
    "南区": [
        # Its まちづくり headings carry the stage headings, in full-width figures.
        ("情報受発信の充実（1,668千円） 当初予算 ９月補正後 ２月補正後 決算額", None),
        ("(1) 南区ＰＲグッズ作成経費", None),
        ("(2) 南区の“たからもの”活用事業（新規）", None),
        ("(3) 南区の魅力発信バスツアー開催経費", None),
        # A sub-item's name and description in one cell.
        ("① 史跡や豊かな自然を巡るﾊﾞｽﾂｱｰ　南区の史跡や豊かな自然を巡るﾊﾞｽﾂｱｰを開催する。", "131 0 0 0"),
        ("人材育成の充実（2,090千円） 当初予算 ９月補正後 ２月補正後 決算額", None),
        ("(5) 南区防災で繋ぐ世代間交流プロジェクト（新規）", None),
        ("テーマに応じたまちづくりの推進（4,536千円）", None),
        ("エリア特性を活かしたまちづくりの推進（8,249千円）", None),
        ("(14) 地域力活性化・強化支援事業", "2,581 2,113 2,110 1,571"),
        ("① 【幸田】花のまちづくり事業　肥後六花を用いた", "412 376 376 129"),
        ("③【幸田】幸田さるいて守る事業（新規）　ｳｫｰｷﾝｸﾞや健康指導をﾃｰﾏとした講演会を実施する。", "409 245 245 242"),
        ("区民参画と協働のまちづくりの推進（457千円）", None),
        ("(17) 南区まちづくり懇話会開催経費", "457 313 313 93"),
        ("南区まちづくり推進経費　合計", "17,000 9,127 9,127 6,203"),
        ("当初予算 ９月補正後 ２月補正後 決算額", None),
        ("災害公営住宅交流支援（コミュニティ形成）", None),
        # Its 復興 table: （1） in full width, the description in brackets after the name.
        ("（1） 災害公営住宅入居者交流支援経費（入居者同士及び地域住民等とのｺﾐｭﾆﾃｨ形成支援）", "2,900 2,900 887 267"),
        ("コミュニティ形成支援", "2,700 2,700 2,010 2,010"),
        ("防災・減災", "2,384 2,384 2,492 2,275"),
        ("（5） 校区防災連絡会及び活動助成経費（新規）", None),
        ("見守り（コミュニティ形成）", None),
        ("（8） 仮設住宅等入居者・退去者交流支援経費（新規）", None),
        ("防災・減災", None),
        ("地域活動拠点における災害対応機能強化経費", "0 0 1,327 1,110"),
        ("南区復興支援自治推進経費　合計", "10,000 10,000 7,313 5,662"),
    ],
    "北区": [
        ("令和２年度 北区まちづくりの取組 【概要】", None),
        ("ず～っと住みたい“わがまち北区”", None),
        ("◆北区まちづくりビジョン", None),
        # The stage headings stand on each group heading, not in the column header.
        ("№ 事業名 事業概要", None),
        ("コミュニティ形成支援 予算額 9月補正後 2月補正後 決算額", None),
        ("① 地域コミュニティ形成・強化支援経費", "2,899 2,899 2,793 2,746"),
        ("防災・減災 予算額 9月補正後 2月補正後 決算額", None),
        ("④ 地域コミュニティセンター災害対応機能強化経費", "0 0 2,094 1,581"),
        ("⑥ 避難所運営委員会設立及び活動助成経費", None),
        ("復興支援自治推進経費　　合計", "10,000 10,000 8,741 7,643"),
        ("№ 事業名 事業概要", None),
        ("誰もが楽しく集い、笑顔が広がる「場」の創出 予算額 9月補正後 2月補正後 決算額", None),
        ("① 北区笑顔交流プロジェクト", "3,100 500 0 0"),
        ("地域を支える土台づくり", None),
        ("⑧ 北区まちづくり懇話会", "310 310 310 152"),
        ("まちづくり推進経費　　合計", "17,000 8,137 6,419 5,209"),
    ],
}
# The city prints no 備考 column and no status word in these wards' tables: nothing inferred may show.
NO_REMARKS = ("中央区", "東区", "南区", "北区")


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_in_order(text: str, expected: list[str], where: str) -> None:
    position = 0
    for item in expected:
        found = text.find(flat(item), position)
        assert found >= 0, f"{where}: 「{item}」 not found after position {position}"
        position = found + len(flat(item))


def pdf_text(sheet: Sheet) -> str:
    result = render_pdf(sheet, produced=date(2021, 6, 1))
    reader = pypdf.PdfReader(io.BytesIO(result.data))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def cell_text(sheet: Sheet) -> str:
    """The visible worksheet's texts and numbers row by row (formulas left out: no results saved)."""
    ws = openpyxl.load_workbook(io.BytesIO(render_xlsx(sheet)))[sheet.ward]
    hidden = {letter for letter, dimension in ws.column_dimensions.items() if dimension.hidden}
    parts = []
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or get_column_letter(cell.column) in hidden:
                continue
            if isinstance(cell.value, str) and cell.value.startswith("="):
                continue
            parts.append(str(cell.value))
    return "\n".join(parts)


@pytest.mark.parametrize("ward", list(EXPECTED))
def test_the_pdf_shows_the_rows_as_the_ward_prints_them(ward: str) -> None:
    text = pdf_text(SAMPLES[ward])
    # A project's figures come after its description; a total's or a subtotal's right after the label.
    rows = [item for label, figures in EXPECTED[ward] for item in (label, figures) if item]
    assert_in_order(flat(text), rows, f"{ward} PDF")
    if ward in NO_REMARKS:
        assert "備考" not in text and "中止" not in text


@pytest.mark.parametrize("ward", list(EXPECTED))
def test_the_excel_shows_the_rows_as_the_ward_prints_them(ward: str) -> None:
    text = cell_text(SAMPLES[ward])
    rows = [label for label, _ in EXPECTED[ward]]
    assert_in_order(flat(text), rows, f"{ward} Excel")
    if ward in NO_REMARKS:
        assert "備考" not in text and "中止" not in text


def test_totals_labels_are_the_wards_own_and_the_spaces_are_kept() -> None:
    higashi = pdf_text(SAMPLES["東区"])
    assert "合　計" in higashi  # a full-width space, as 東区 prints it
    assert flat("合　計 17,000 6,000 6,000 5,748") in flat(higashi)
    minami = flat(pdf_text(SAMPLES["南区"]))
    assert flat("防災・減災 2,384 2,384 2,492 2,275") in minami  # the first of its two headings
    nishi = pdf_text(SAMPLES["西区"])
    assert flat(nishi).count("合計額") == 1  # 西区 prints no total under its one 復興 project
    assert "①地域ニーズ" in flat(nishi) and "\n○身近な課題解決対応" in nishi  # the line breaks of the cell


def test_a_chuo_sheet_of_another_year_prints_as_chuo_prints_it() -> None:
    later = next_year_sheet(SAMPLES["中央区"], 2021)
    text = flat(pdf_text(later))
    assert_in_order(
        text,
        [
            "令和3年度 中央区まちづくりの取組み",
            "令和3年度の取組み",
            "6 【復興支援自治推進経費】 被災者健康・介護相談事業",
            "まちづくり推進経費 計",
        ],
        "中央区 R3",
    )
    # A new sheet of the ward starts in its layout too: one table, 復興 projects tagged in № order.
    fresh = new_sheet("中央区", 2022, categories=(Category(MACHI, 19000), Category(FUKKO, 5000)))
    fresh = replace(
        fresh,
        projects=(
            project("1", "地域リーダー応援事業", (1500, None, None, None)),
            project("2", "被災者健康・介護相談事業", (1600, None, None, None), category=FUKKO),
            project("3", "校区の魅力発見発信事業", (1000, None, None, None)),
        ),
    )
    text = flat(pdf_text(fresh))
    assert_in_order(
        text,
        [
            "1 地域リーダー応援事業",
            "2 【復興支援自治推進経費】 被災者健康・介護相談事業",
            "3 校区の魅力発見発信事業",
            "まちづくり推進経費 計 2,500",
            "復興支援自治推進経費 計 1,600",
        ],
        "中央区 R4",
    )
    assert "【中央区まちづくり推進経費】" not in text


@pytest.mark.soffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_each_wards_excel_prints_on_one_page_in_libreoffice(tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    profile.mkdir()
    files = []
    for ward, sheet in SAMPLES.items():
        path = tmp_path / f"{ward}.xlsx"
        path.write_bytes(render_xlsx(sheet))
        files.append(path)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=300,
        env=_fontconfig(profile),
    )
    for ward in SAMPLES:
        reader = pypdf.PdfReader(tmp_path / "pdf" / f"{ward}.pdf")
        assert len(reader.pages) == 1, ward
        if ward == "南区":
            # LibreOffice's own sums of the group subtotal formulas, as 南区 prints them.
            text = flat(reader.pages[0].extract_text())
            assert flat("防災・減災 2,384 2,384 2,492 2,275") in text
            assert flat("(14) 地域力活性化・強化支援事業") in text


def test_line_breaks_are_kept_by_every_format_and_printed_as_line_breaks(tmp_path: Path) -> None:
    base = small_sheet()
    group = "地域活動の\n負担軽減"
    projects = tuple(
        replace(p, group=group, description="説明の一行目\n説明の二行目") if p.group == "地域活動の負担軽減" else p
        for p in base.projects
    )
    projects = (replace(projects[0], notes_heading="１－①", note="メモの一行目\nメモの二行目"), *projects[1:])
    sheet = replace(
        base,
        vision="ビジョンの一行目\nビジョンの二行目",
        groups=(Group(group, "方向性の一行目\n方向性の二行目"), *base.groups[1:]),
        projects=projects,
        layout=replace(base.layout, overview="基本理念の行\n・方針の行", group_descriptions=True),
    )
    assert load_sheet_bytes(dump_sheet(sheet).encode(), "x.json") == sheet
    assert read_xlsx(render_xlsx(sheet), "x.xlsx") == [sheet]
    lines = pdf_text(sheet).splitlines()
    for expected in (
        "ビジョンの一行目",
        "ビジョンの二行目",
        "基本理念の行",
        "・方針の行",
        "地域活動の",
        "負担軽減",
        "方向性の二行目",
        "説明の二行目",
        "１－①　メモの一行目",
        "メモの二行目",
    ):
        assert any(line.strip() == expected for line in lines), expected


def _edited(sheet: Sheet, changes: dict[str, str]) -> Sheet:
    """The sheet's Excel after a person replaced some cell texts (found by their text), read back."""
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(sheet)))
    ws = wb[sheet.ward]
    found = set()
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value in changes and cell.value not in found:
                found.add(cell.value)
                cell.value = changes[cell.value]
    assert found == set(changes)
    buffer = io.BytesIO()
    wb.save(buffer)
    (read,) = read_xlsx(buffer.getvalue(), "x.xlsx")
    return read


def test_edits_in_each_wards_own_excel_are_read_back() -> None:
    chuo = _edited(
        SAMPLES["中央区"],
        {"【復興支援自治推進経費】\n被災者健康・介護相談事業": "【復興支援自治推進経費】\n被災者健康相談事業"},
    )
    project = next(p for p in chuo.projects if p.no == "6")
    assert (project.name, project.category) == ("被災者健康相談事業", FUKKO)
    assert [p.no for p in chuo.projects] == [p.no for p in SAMPLES["中央区"].projects]  # still in № order

    minami = _edited(SAMPLES["南区"], {"情報受発信の充実（1,668千円）": "情報発信の充実（1,668千円）", "(2)": "(22)"})
    assert minami.groups[0].name == "情報発信の充実"  # the subtotal is the sheet's, not the name
    assert minami.projects[0].group == "情報発信の充実"
    assert minami.projects[1].no == "22"
    assert [g.name for g in minami.groups].count("防災・減災") == 2
    assert minami.projects[-1].group_index == SAMPLES["南区"].projects[-1].group_index

    # 南区's one-cell texts: a sub-item's 「名前　内容」 and a 復興 project's 「名前（内容）」 come apart again.
    minami = _edited(
        SAMPLES["南区"],
        {
            "史跡や豊かな自然を巡るﾊﾞｽﾂｱｰ　南区の史跡や豊かな自然を巡るﾊﾞｽﾂｱｰを開催する。": "史跡めぐりﾊﾞｽﾂｱｰ　史跡を巡る。",
            "災害公営住宅入居者交流支援経費（入居者同士及び地域住民等とのｺﾐｭﾆﾃｨ形成支援）": "災害公営住宅交流経費（入居者同士の交流）",
            "校区防災連絡会及び活動助成経費（新規）": "校区防災連絡会助成経費（新規）",
        },
    )
    child = minami.projects[2].children[0]
    assert (child.name, child.description, child.no) == ("史跡めぐりﾊﾞｽﾂｱｰ", "史跡を巡る。", "①")
    fukko = [p for p in minami.projects if p.category == FUKKO]
    assert (fukko[0].name, fukko[0].description) == ("災害公営住宅交流経費", "入居者同士の交流")
    assert (fukko[4].name, fukko[4].description, fukko[4].new) == ("校区防災連絡会助成経費", "", True)
    assert [p.no for p in fukko] == [p.no for p in SAMPLES["南区"].projects if p.category == FUKKO]

    # 北区's stage headings stand on the group headings only: the stages are still read.
    kita = _edited(SAMPLES["北区"], {"⑧": "⑨", "北区まちづくり懇話会": "北区まちづくり懇話会（新）"})
    assert kita.stage_names == SAMPLES["北区"].stage_names
    project = next(p for p in kita.projects if p.name == "北区まちづくり懇話会（新）")
    assert (project.no, project.category) == ("9", MACHI)
