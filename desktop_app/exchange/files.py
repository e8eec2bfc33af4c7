"""Writing export files safely: a temporary file renamed into place, never a silent overwrite."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from desktop_app.exchange.errors import ExchangeError


class OverwriteRefusedError(ExchangeError):
    """The target exists and the caller did not say it may be replaced."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"「{path}」はすでにあります（上書きしてよい場合だけ置き換えます）。")
        self.path = path


def write_atomically(path: Path, data: bytes, *, overwrite: bool = False) -> Path:
    """Write `data` to `path` through a temporary file in the same folder, then rename it into place.

    A crash leaves either the old file or the new one, never half a file. Refuses to replace an
    existing file unless `overwrite`.
    """
    if path.exists() and not overwrite:
        raise OverwriteRefusedError(path)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=folder)
    except OSError as exc:
        raise ExchangeError(f"「{path}」を書き込めません（{exc.strerror}）。") from exc
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _FILE_MODE)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ExchangeError(f"「{path}」を書き込めません（{exc.strerror}）。") from exc
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
