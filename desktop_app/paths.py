"""Where things live: bundled data (ui/, db/, resources/) and the user's data folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
DB_ENV = "MACHIZUKURI_DB"
DATA_DIR_ENV = "MACHIZUKURI_DATA_DIR"
APP_DIR_NAME = "Machizukuri"


def data_path(*parts: str) -> Path:
    """A bundled file under ui/, db/ or resources/, in the source tree, a wheel or the frozen app.

    The wheel carries them under desktop_app/_data/; PyInstaller unpacks them under sys._MEIPASS;
    in a source checkout they sit beside the package.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    candidates = []
    if frozen_root:
        candidates.append(Path(frozen_root))
    candidates += [_PACKAGE_DIR / "_data", _PACKAGE_DIR.parent]
    for root in candidates:
        path = root.joinpath(*parts)
        if path.exists():
            return path
    return candidates[-1].joinpath(*parts)


def user_data_dir() -> Path:
    """The per-user folder for the database, backups, settings and logs (not roaming)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP_DIR_NAME
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_DIR_NAME
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_DIR_NAME.lower()


def default_db_path() -> Path:
    """`MACHIZUKURI_DB` if set, else machizukuri.sqlite3 in the user data folder."""
    override = os.environ.get(DB_ENV)
    if override:
        return Path(override)
    return user_data_dir() / "machizukuri.sqlite3"


def backup_dir_for(db_path: Path) -> Path:
    """Backups sit in a `backups` folder beside the database they protect."""
    return db_path.resolve().parent / "backups"


def log_dir() -> Path:
    return user_data_dir() / "logs"
