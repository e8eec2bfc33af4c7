"""Checks of an .xlsx file before openpyxl reads it: a zip of parts, none of them a bomb."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import IO, Final
from xml.etree import ElementTree

from desktop_app.exchange.errors import ImportFileError
from desktop_app.exchange.xlsx.limits import (
    MAX_CELLS,
    MAX_CELLS_PER_ROW,
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_TOTAL_BYTES,
    RATIO_CHECKED_FROM,
    SCAN_ROWS,
)

_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0"
_MAIN_NS: Final = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL_TAG: Final = f"{_MAIN_NS}c"
_ROW_TAG: Final = f"{_MAIN_NS}row"
_SHEET_DATA_TAG: Final = f"{_MAIN_NS}sheetData"
_WORKSHEET_TAG: Final = f"{_MAIN_NS}worksheet"
_SHARED_STRINGS_TAG: Final = f"{_MAIN_NS}sst"
_STRING_ITEM_TAG: Final = f"{_MAIN_NS}si"
# Styles, the workbook, relationships, properties: a few KB each in any real workbook.
_MAX_OTHER_PART_BYTES: Final = 2 * 1024 * 1024

# What iterparse gives: ("start" or "end", the element).
_Events = Iterator[tuple[str, ElementTree.Element]]


def check_file(raw: bytes, file_name: str) -> None:
    """Refuse what is not an .xlsx this app could read, before openpyxl unpacks any of it."""
    if raw.startswith(_OLE_MAGIC):
        raise ImportFileError(
            file_name,
            "古い形式のExcelファイル（.xls）か、パスワードで保護されたファイルです"
            "（パスワードを外し、.xlsx 形式で保存し直してください）",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names or not any(name.endswith("workbook.xml") for name in names):
                raise ImportFileError(file_name, "ZIPファイルですが、Excelのブック（.xlsx）ではありません")
            _check_unpacked_sizes(members, file_name)
            for member in members:
                if member.filename.lower().endswith((".xml", ".rels")):
                    with archive.open(member) as stream:
                        try:
                            _check_part(stream, member, file_name)
                        except ElementTree.ParseError as exc:
                            raise ImportFileError(
                                file_name,
                                f"Excelファイルが壊れていて読めません（{member.filename}がXMLとして読めません）",
                            ) from exc
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportFileError(
            file_name, "Excelファイル（.xlsx）ではないか、壊れています（ZIP形式として読めません）"
        ) from exc
    except ElementTree.ParseError as exc:
        raise ImportFileError(
            file_name, "Excelファイルが壊れていて読めません（XMLとして読めない部分があります）"
        ) from exc


def _check_part(stream: IO[bytes], member: zipfile.ZipInfo, file_name: str) -> None:
    """Refuse, before openpyxl reads it, an XML part it would have to hold whole or work on for long.

    openpyxl builds each worksheet row in memory with all its cells before it can drop the columns
    not asked for (one row of 1.5 million cells took 860 MB), reads the shared strings into a list
    and every other part (styles, the workbook…) into objects (450,000 cell formats in 28 MB took
    16 s and 411 MB). Excel's rows end at column XFD (16,384) and come in order; only the rows up
    to the layout's last are looked at, as openpyxl does.
    """
    events = ElementTree.iterparse(stream, events=("start", "end"))
    _, root = next(events)
    if root.tag == _SHARED_STRINGS_TAG:
        _check_shared_strings(events, root, file_name)
    elif root.tag == _WORKSHEET_TAG:
        _check_worksheet(events, file_name)
    elif member.file_size > _MAX_OTHER_PART_BYTES:
        raise ImportFileError(
            file_name,
            f"Excelファイルの中身が大きすぎます（{member.filename}が展開すると{member.file_size / 1024 / 1024:,.1f} MB。"
            f"{_MAX_OTHER_PART_BYTES // 1024 // 1024} MBまでです）",
        )


def _check_shared_strings(events: _Events, root: ElementTree.Element, file_name: str) -> None:
    count = 0
    for event, element in events:
        if event == "end" and element.tag == _STRING_ITEM_TAG:
            count += 1
            if count > MAX_CELLS:
                raise ImportFileError(
                    file_name, f"Excelファイルの共有文字列が多すぎます（{MAX_CELLS:,}個を超えています）"
                )
            root.clear()


def _check_worksheet(events: _Events, file_name: str) -> None:
    sheet_data: ElementTree.Element | None = None
    row_number = cells_in_row = cells = 0
    for event, element in events:
        tag = element.tag
        if event == "start":
            if tag == _CELL_TAG:
                cells_in_row += 1
                cells += 1
                if cells_in_row > MAX_CELLS_PER_ROW:
                    raise ImportFileError(
                        file_name,
                        f"{row_number}行目のセルが{MAX_CELLS_PER_ROW:,}個（Excelの最後の列 XFD）を超えています"
                        "（ファイルが壊れています）",
                    )
                if cells > MAX_CELLS:
                    raise ImportFileError(file_name, f"ワークシートのセルが多すぎます（{MAX_CELLS:,}個を超えています）")
            elif tag == _ROW_TAG:
                given = element.get("r") or ""
                number = int(given) if given.isdigit() and len(given) < 10 else row_number + 1
                if number <= row_number:
                    raise ImportFileError(
                        file_name, f"{number}行目が{row_number}行目の後にあります（ファイルが壊れています）"
                    )
                row_number, cells_in_row = number, 0
                if row_number > SCAN_ROWS + 1:
                    return
            elif tag == _SHEET_DATA_TAG:
                sheet_data = element
        elif tag == _CELL_TAG:
            element.clear()
        elif tag == _ROW_TAG and sheet_data is not None:
            sheet_data.clear()


def _check_unpacked_sizes(members: list[zipfile.ZipInfo], file_name: str) -> None:
    """Refuse a zip bomb by what its members say they unpack to, before anything is unpacked."""
    if len(members) > MAX_MEMBERS:
        raise ImportFileError(file_name, f"Excelファイルの中身の部品が多すぎます（{len(members):,}個）")
    too_large = "Excelファイルの中身が大きすぎます（{what}が展開すると{size}。{limit}までです）"
    for member in members:
        if member.file_size > MAX_MEMBER_BYTES:
            raise ImportFileError(
                file_name,
                too_large.format(
                    what=member.filename, size=_megabytes(member.file_size), limit=_megabytes(MAX_MEMBER_BYTES)
                ),
            )
        if member.file_size > RATIO_CHECKED_FROM and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise ImportFileError(
                file_name,
                f"Excelファイルの中身が不自然に圧縮されています（{member.filename}が"
                f"{member.file_size // max(member.compress_size, 1):,}分の1に圧縮されています）",
            )
    total = sum(member.file_size for member in members)
    if total > MAX_TOTAL_BYTES:
        raise ImportFileError(
            file_name,
            too_large.format(what="全体", size=_megabytes(total), limit=_megabytes(MAX_TOTAL_BYTES)),
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"
