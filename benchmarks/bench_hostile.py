"""Hostile files at full size: each is refused or read in seconds and well under 500 MB (issue 11).

    python benchmarks/bench_hostile.py

Each file is imported by the real command line in a process of its own, which reports its peak
memory (ru_maxrss) and wall time. Exits with status 1 when a goal is missed. The files are built
here, streamed into their zips: the 200 MB description is never held in memory by this script.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import display_width  # noqa: E402

SECONDS_GOAL = 5.0
MEGABYTES_GOAL = 250.0
_SHEET_XML = "xl/worksheets/sheet1.xml"
_MEGABYTE = 1024 * 1024

# Runs one import in a fresh process and prints its exit status, wall time and peak memory.
_PROBE = """
import json, resource, sys, time
started = time.perf_counter()
from desktop_app.cli import main
code = main(["--db", sys.argv[1], "import", sys.argv[2]])
seconds = time.perf_counter() - started
try:
    # The high-water mark of this process's memory alone (ru_maxrss on Linux keeps the parent's
    # peak across exec, so it would report the benchmark script's own).
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    megabytes = int(line.split()[1]) / 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux gives kilobytes, macOS bytes.
    megabytes = peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
print(json.dumps({"code": code, "seconds": seconds, "megabytes": megabytes}))

"""


def _export() -> bytes:
    from desktop_app import operations
    from tests.factories import small_sheet

    return operations.render_sheet(small_sheet("西区", 2021), "xlsx")


def _rewrite(target: Path, sheet_xml: Callable[[bytes, zipfile.ZipFile], None]) -> None:
    """Our export with its worksheet written by `sheet_xml(original, archive)`; the rest as it was."""
    with zipfile.ZipFile(io.BytesIO(_export())) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename == _SHEET_XML:
                sheet_xml(source.read(info), out)
            else:
                out.writestr(info.filename, source.read(info))


def zip_bomb(target: Path) -> str:
    """A 200 MB description in a file of a few hundred KB: the issue's zip bomb."""

    def write(xml: bytes, out: zipfile.ZipFile) -> None:
        empty = b'<c r="C7" s="11" t="inlineStr" />'
        head, tail = xml.split(empty)
        with out.open(_SHEET_XML, "w") as stream:
            stream.write(head + b'<c r="C7" s="11" t="inlineStr"><is><t>')
            chunk = "あいうえお".encode() * (_MEGABYTE // 15)
            for _ in range(200 * _MEGABYTE // len(chunk)):
                stream.write(chunk)
            stream.write(b"</t></is></c>" + tail)

    _rewrite(target, write)
    return "xlsx 説明文200 MBのZIP爆弾"


def stray_cell(where: str) -> Callable[[Path], str]:
    def build(target: Path) -> str:
        def write(xml: bytes, out: zipfile.ZipFile) -> None:
            row = "".join(c for c in where if c.isdigit())
            text = xml.decode()
            text = text.replace('<dimension ref="A1:I19" />', f'<dimension ref="A1:{where}" />')
            cell = f'<row r="{row}"><c r="{where}" t="inlineStr"><is><t>x</t></is></c></row>'
            out.writestr(_SHEET_XML, text.replace("</sheetData>", cell + "</sheetData>"))

        _rewrite(target, write)
        return f"xlsx {where} のはぐれたセル（取り込む）"

    return build


def million_rows(*, compact: bool) -> Callable[[Path], str]:
    """1,000,000 filled rows under the table: as Excel writes them, or without addresses (smaller)."""

    def build(target: Path) -> str:
        def write(xml: bytes, out: zipfile.ZipFile) -> None:
            head, tail = xml.split(b"</sheetData>")
            with out.open(_SHEET_XML, "w") as stream:
                stream.write(head)
                for start in range(20, 1_000_020, 10_000):
                    if compact:
                        rows = "<row><c><v>1</v></c></row>" * 10_000
                    else:
                        rows = "".join(
                            f'<row r="{n}"><c r="B{n}"><v>1</v></c></row>' for n in range(start, start + 10_000)
                        )
                    stream.write(rows.encode())
                stream.write(b"</sheetData>" + tail)

        _rewrite(target, write)
        return "xlsx 100万行（" + ("番地なしの詰めた行" if compact else "Excelと同じ書き方") + "）"

    return build


def wide_row(target: Path) -> str:
    """One row of 1,500,000 cells, varied enough to pass the compression check: parsed whole by openpyxl."""

    def write(xml: bytes, out: zipfile.ZipFile) -> None:
        head, tail = xml.split(b"</sheetData>")
        with out.open(_SHEET_XML, "w") as stream:
            stream.write(head + b'<row r="20">')
            for start in range(0, 1_500_000, 10_000):
                stream.write(
                    "".join(f"<c><v>{n * 7919 % 100_003}</v></c>" for n in range(start, start + 10_000)).encode()
                )
            stream.write(b"</row></sheetData>" + tail)

    _rewrite(target, write)
    return "xlsx 1行に150万セル"


def cells_at_the_bound(target: Path) -> str:
    """12 rows of 16,000 cells each: as many cells as the reader lets openpyxl parse."""

    def write(xml: bytes, out: zipfile.ZipFile) -> None:
        head, tail = xml.split(b"</sheetData>")
        with out.open(_SHEET_XML, "w") as stream:
            stream.write(head)
            for row in range(100, 112):
                cells = "".join(f"<c><v>{n * 7919 % 100_003}</v></c>" for n in range(16_000))
                stream.write(f'<row r="{row}">{cells}</row>'.encode())
            stream.write(b"</sheetData>" + tail)

    _rewrite(target, write)
    return "xlsx 19万セル（上限の手前）"


def shared_strings_at_the_bound(target: Path) -> str:
    """Shared strings just under the bound on an unpacked member, in one string a project's name
    refers to: loaded, then refused as longer than a cell holds."""
    name_cell = '<c r="B7" s="11" t="inlineStr"><is><t>地域活動理解促進事業</t></is></c>'.encode()
    _rewrite(target, lambda xml, out: out.writestr(_SHEET_XML, xml.replace(name_cell, b'<c r="B7" t="s"><v>0</v></c>')))
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as out, out.open("xl/sharedStrings.xml", "w") as stream:
        stream.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
        # Varied, so that it passes the compression check and is really loaded.
        for _ in range(31):
            stream.write(os.urandom(_MEGABYTE // 2).hex().encode())
        stream.write(b"</t></si></sst>")
    _add_content_type(target, "/xl/sharedStrings.xml", "sharedStrings")
    return "xlsx 共有文字列31 MB（上限の手前）"


def styles_at_the_bound(target: Path) -> str:
    """A styles part of tiny cell formats just under the bound."""
    with zipfile.ZipFile(io.BytesIO(_export())) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/styles.xml":
                head, tail = data.split(b"</cellXfs>")
                with out.open(info.filename, "w") as stream:
                    stream.write(head)
                    for start in range(0, 450_000, 1_500):
                        stream.write(
                            "".join(
                                f'<xf numFmtId="{n * 7919 % 164}" fontId="0" fillId="0" borderId="0" xfId="0"/>'
                                for n in range(start, start + 1_500)
                            ).encode()
                        )
                    stream.write(b"</cellXfs>" + tail)
            else:
                out.writestr(info.filename, data)
    return "xlsx 書式45万個（上限の手前）"


def many_shared_strings(target: Path) -> str:
    """1.4 million short shared strings, varied, under the bound on an unpacked member."""
    _rewrite(target, lambda xml, out: out.writestr(_SHEET_XML, xml))
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as out, out.open("xl/sharedStrings.xml", "w") as stream:
        stream.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
        for _ in range(140):
            stream.write("".join(f"<si><t>{os.urandom(3).hex()}</t></si>" for _ in range(10_000)).encode())
        stream.write(b"</sst>")
    _add_content_type(target, "/xl/sharedStrings.xml", "sharedStrings")
    return "xlsx 共有文字列140万個"


def _add_content_type(target: Path, part: str, kind: str) -> None:
    with zipfile.ZipFile(target) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        f'<Override PartName="{part}" ContentType="application/vnd.openxmlformats-officedocument.'
        f'spreadsheetml.{kind}+xml" /></Types>'.encode(),
    )
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in members.items():
            out.writestr(name, data)


def huge_json(target: Path) -> str:
    with target.open("wb") as stream:
        stream.truncate(3 * 1024**3)  # sparse
    return "3 GB の .json"


CASES: list[tuple[str, Callable[[Path], str], int]] = [
    ("bomb.xlsx", zip_bomb, 1),
    ("far-xfd.xlsx", stray_cell("XFD1048576"), 0),
    ("far-a.xlsx", stray_cell("A1048576"), 0),
    ("million.xlsx", million_rows(compact=False), 1),
    ("million-compact.xlsx", million_rows(compact=True), 1),
    ("wide-row.xlsx", wide_row, 1),
    ("many-cells.xlsx", cells_at_the_bound, 1),
    ("shared-strings.xlsx", shared_strings_at_the_bound, 1),
    ("styles.xlsx", styles_at_the_bound, 1),
    ("many-strings.xlsx", many_shared_strings, 1),
    ("huge.json", huge_json, 1),
]


def measure() -> list[tuple[str, float, float, float, bool, str]]:
    """(what, seconds, megabytes, file size in MB, exit status as expected, what was said) per file."""
    results = []
    with tempfile.TemporaryDirectory(prefix="machizukuri-hostile-") as folder:
        work = Path(folder)
        env = {**os.environ, "MACHIZUKURI_DATA_DIR": str(work / "data"), "PYTHONPATH": str(ROOT)}
        for index, (name, build, expected_code) in enumerate(CASES):
            db = work / f"db-{index}" / "machizukuri.sqlite3"
            db.parent.mkdir()
            # A database with the samples, made as staff make one (a named database must exist first).
            subprocess.run(
                [sys.executable, "-m", "desktop_app", "--db", str(db), "init", "--samples"],
                check=True,
                env=env,
                capture_output=True,
            )
            path = work / name
            what = build(path)
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", _PROBE, str(db), str(path)], env=env, capture_output=True, text=True, timeout=600
            )
            wall = time.perf_counter() - started
            report = json.loads(done.stdout.strip().splitlines()[-1])
            size = path.stat().st_size / _MEGABYTE
            said = (done.stderr.strip().splitlines() or ["（取り込みました）"])[-1]
            results.append((what, wall, report["megabytes"], size, report["code"] == expected_code, said))
            path.unlink()
    return results


def main() -> None:
    results = measure()
    width = max(display_width(what) for what, *_ in results)
    print(
        f"{'what':<{width}}  {'file':>9}  {'seconds':>8}  {'peak':>7}  goal: < {SECONDS_GOAL:.0f} s, < {MEGABYTES_GOAL:.0f} MB"
    )
    failed = False
    for what, seconds, megabytes, size, as_expected, said in results:
        met = seconds < SECONDS_GOAL and megabytes < MEGABYTES_GOAL and as_expected
        failed |= not met
        padding = " " * (width - display_width(what))
        verdict = "ok" if met else ("WRONG RESULT" if not as_expected else "MISSED")
        print(f"{what}{padding}  {size:7.1f}MB  {seconds:7.2f}s  {megabytes:5.0f}MB  {verdict}  {said[:70]}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
