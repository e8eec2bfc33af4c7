"""Reading a file to import: its type and size are checked before a byte of it is read."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Final

from desktop_app.exchange.errors import ImportFileError

# A ward's sheet is some 50 KB as .json or .xlsx, a whole year of the five wards under 1 MB; a file
# many times larger is not a sheet file (a 3 GB one used to be read whole before being refused).
MAX_IMPORT_BYTES: Final = 20 * 1024 * 1024
# A saved mail carries its attachment in base64 (4/3 of its size) beside the mail's own text.
MAX_EML_BYTES: Final = 40 * 1024 * 1024
SHEET_FILE_SUFFIXES: Final = (".json", ".xlsx", ".xlsm", ".eml")
WRONG_TYPE: Final = "取り込めるのは .json・.xlsx のファイルと、それを添付したメール（.eml で保存したもの）です"


def size_limit(path: Path) -> int:
    return MAX_EML_BYTES if path.suffix.lower() == ".eml" else MAX_IMPORT_BYTES


def is_sheet_file_name(path: Path) -> bool:
    return path.suffix.lower() in SHEET_FILE_SUFFIXES


def read_import_file(path: Path) -> bytes:
    """The bytes of a .json, .xlsx or .eml file to import, refusing by name, type and size first."""
    limit = size_limit(path)
    if not is_sheet_file_name(path):
        raise ImportFileError(path.name, WRONG_TYPE)
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise ImportFileError(path.name, "ファイルが見つかりません") from exc
    except OSError as exc:
        raise ImportFileError(path.name, f"ファイルを読めません（{exc.strerror}）") from exc
    if stat.S_ISDIR(info.st_mode):
        raise ImportFileError(path.name, "ファイルではなくフォルダです")
    if not stat.S_ISREG(info.st_mode):
        # A pipe or a device would block or never end.
        raise ImportFileError(path.name, "通常のファイルではありません")
    if info.st_size > limit:
        raise ImportFileError(
            path.name, f"ファイルが大きすぎます（{_megabytes(info.st_size)}。{_megabytes(limit)}までです）"
        )
    try:
        with path.open("rb") as stream:
            # No more than the limit even if the file grew since it was measured.
            raw = stream.read(limit + 1)
    except FileNotFoundError as exc:
        raise ImportFileError(path.name, "ファイルが見つかりません") from exc
    except OSError as exc:
        raise ImportFileError(path.name, f"ファイルを読めません（{exc.strerror}）") from exc
    if len(raw) > limit:
        raise ImportFileError(path.name, f"ファイルが大きすぎます（{_megabytes(limit)}までです）")
    return raw


def _megabytes(size: int) -> str:
    megabytes = size / (1024 * 1024)
    return f"{megabytes:,.0f} MB" if megabytes >= 100 or megabytes.is_integer() else f"{megabytes:,.1f} MB"
