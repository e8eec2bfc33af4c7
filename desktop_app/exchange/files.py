"""Writing export files safely: a temporary file renamed into place, never a silent overwrite.

Every path a person names for an output (the command line's `-o`, the window's save dialogs) is
checked here first, so that a mistyped or hostile path gets one sentence instead of a wrong write:
never onto the open database or its backups, never into a folder that does not exist.
"""

from __future__ import annotations

import errno
import os
import re
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from desktop_app.exchange.errors import ExchangeError
from desktop_app.messages import shown

# Most file systems (ext4, NTFS, APFS) allow 255 bytes or UTF-16 units in one name.
MAX_NAME_BYTES = 255
# Characters Windows refuses in a file name; refused everywhere so a script behaves the same on
# every PC, and so a newline in a name never reaches a message or a folder listing.
_ILLEGAL_IN_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_RESERVED_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL"] + [f"COM{i}" for i in range(1, 10)] + [f"LPT{i}" for i in range(1, 10)]
)
_CASE_INSENSITIVE = sys.platform in ("win32", "darwin")


class OverwriteRefusedError(ExchangeError):
    """The target exists and the caller did not say it may be replaced."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"「{shown(path)}」はすでにあります（上書きしてよい場合だけ置き換えます）。")
        self.path = path


class ProtectedTargetError(ExchangeError):
    """The target is the open database, one of its companion files, or a backup: never written."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"「{shown(path)}」はデータベース（またはバックアップ）のファイルなので書き出せません。")
        self.path = path


def output_path(target: Path | str) -> Path:
    """The path a person named for an output; an empty one is a mistake, not the current folder."""
    if isinstance(target, str):
        if not target.strip():
            raise ExchangeError("出力先が空です（書き出すファイルの名前を指定してください）。")
        return Path(target)
    return target


def _key(path: Path) -> str:
    """How the file system tells paths apart: resolved, and case-folded where it ignores case."""
    text = os.path.normcase(os.path.realpath(path))
    if _CASE_INSENSITIVE:
        text = unicodedata.normalize("NFC", text).casefold()
    return text


def _same(a: Path, b: Path) -> bool:
    if _key(a) == _key(b):
        return True
    try:  # a hard link, or a second name the resolving above cannot see (a share mapped twice)
        return os.path.samefile(a, b)
    except OSError:
        return False


def is_protected(path: Path, files: Iterable[Path], folders: Iterable[Path] = ()) -> bool:
    """True when `path` names one of `files` or anything inside `folders`, by whatever name."""
    if any(_same(path, protected) for protected in files):
        return True
    folders = list(folders)
    if not folders:
        return False
    ancestors = [Path(os.path.realpath(path)).parent, *Path(os.path.realpath(path)).parent.parents]
    return any(_same(ancestor, folder) for folder in folders for ancestor in ancestors)


def check_target(
    path: Path,
    *,
    extensions: Sequence[str] = (),
    what: str = "",
    overwrite: bool = False,
    protected_files: Iterable[Path] = (),
    protected_folders: Iterable[Path] = (),
) -> None:
    """Refuse, with one sentence, an output path that cannot or must not be written.

    `extensions`: the suffixes the format allows (`.xlsx`); `what` names the format in the message.
    Protected files and folders are refused even with `overwrite`.
    """
    name = path.name
    if not name or name in (".", ".."):
        if path.is_dir():
            raise ExchangeError(f"「{shown(path)}」はフォルダです（書き出すファイルの名前まで指定してください）。")
        raise ExchangeError("出力先が空です（書き出すファイルの名前を指定してください）。")
    check_file_name(name)
    if is_protected(path, protected_files, protected_folders):
        raise ProtectedTargetError(path)
    if path.is_dir():
        raise ExchangeError(f"「{shown(path)}」はフォルダです（書き出すファイルの名前まで指定してください）。")
    folder = path.parent
    if not folder.exists():
        raise ExchangeError(f"出力先のフォルダ「{shown(folder)}」がありません（先にフォルダを作ってください）。")
    if not folder.is_dir():
        raise ExchangeError(f"出力先の「{shown(folder)}」はフォルダではありません。")
    if extensions and path.suffix.lower() not in extensions:
        expected = " / ".join(extensions)
        raise ExchangeError(
            f"「{shown(name)}」は{what or '出力'}のファイル名になっていません（拡張子を {expected} にしてください）。"
        )
    if not overwrite and (path.exists() or path.is_symlink()):
        raise OverwriteRefusedError(path)


def check_file_name(name: str) -> None:
    """Refuse a name that Windows cannot hold or that is too long for any common file system."""
    size = max(len(os.fsencode(name)) if sys.platform != "win32" else 0, len(name.encode("utf-16-le")) // 2)
    if size > MAX_NAME_BYTES:
        raise ExchangeError(
            f"ファイル名が長すぎます（{size}バイト、{MAX_NAME_BYTES}バイトまで）: 「{shown(name[:40])}…」。"
        )
    illegal = sorted(set(_ILLEGAL_IN_NAME.findall(name)))
    if illegal:
        listed = " ".join(shown(char) for char in illegal)
        raise ExchangeError(f"ファイル名「{shown(name)}」に使えない文字（{listed}）があります。")
    if name != name.rstrip(" ."):
        raise ExchangeError(f"ファイル名「{shown(name)}」の末尾に空白や「.」は使えません。")
    if name.split(".")[0].strip().upper() in _RESERVED_NAMES:
        raise ExchangeError(f"「{shown(name)}」はWindowsが予約している名前なので使えません。")


def write_problem(path: Path, exc: OSError) -> ExchangeError:
    """An OSError while writing `path` as one sentence saying what is wrong."""
    reasons = {
        errno.ENAMETOOLONG: "ファイル名が長すぎます",
        errno.EACCES: "書き込む権限がありません",
        errno.EPERM: "書き込む権限がありません",
        errno.ENOSPC: "ディスクの空き容量が足りません",
        errno.EROFS: "読み取り専用の場所です",
        errno.EISDIR: "フォルダです",
        errno.ENOENT: "フォルダがありません",
    }
    reason = reasons.get(exc.errno or 0) or shown(exc.strerror or type(exc).__name__)
    return ExchangeError(f"「{shown(path)}」を書き込めません（{reason}）。")


def temporary_in(folder: Path) -> tuple[int, str]:
    """A new, short-named temporary file in `folder`: a name near 255 bytes must not be lengthened."""
    return tempfile.mkstemp(prefix=".mkz-", suffix=".tmp", dir=folder)


def write_atomically(path: Path, data: bytes, *, overwrite: bool = False) -> Path:
    """Write `data` to `path` through a temporary file in the same folder, then rename it into place.

    A crash leaves either the old file or the new one, never half a file. Refuses to replace an
    existing file unless `overwrite`. The folder must exist: a mistyped folder is never created.
    """
    if path.exists() and not overwrite:
        raise OverwriteRefusedError(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = temporary_in(folder)
    except OSError as exc:
        raise write_problem(path, exc) from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _FILE_MODE)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise write_problem(path, exc) from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    # os.umask can only be read by setting it; done once, at import, before any thread exists.
    mask = os.umask(0)
    os.umask(mask)
    return mask


# mkstemp creates owner-only files; an export should get the permissions of any new file.
_FILE_MODE = 0o666 & ~_umask()

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_file_name(name: str) -> str:
    """A file name that Windows, macOS and Linux all accept, from text such as a ward or title."""
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip(" .")
    return cleaned or "sheet"
