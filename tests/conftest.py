"""Shared fixtures: Qt offscreen, a private data folder, databases with the sample sheets."""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before anything imports Qt: no screen here, and never the developer's own data folder.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_SESSION_DATA = tempfile.mkdtemp(prefix="machizukuri-test-data-")
atexit.register(shutil.rmtree, _SESSION_DATA, True)
os.environ["MACHIZUKURI_DATA_DIR"] = _SESSION_DATA
os.environ.pop("MACHIZUKURI_DB", None)

from desktop_app import operations  # noqa: E402  (the environment above must be set first)


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "userdata"
    monkeypatch.setenv("MACHIZUKURI_DATA_DIR", str(folder))
    monkeypatch.delenv("MACHIZUKURI_DB", raising=False)
    return folder


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db" / "machizukuri.sqlite3"


def reopen_the_year(conn: sqlite3.Connection) -> None:
    """The bundled FY2020 sheets come settled (every stage 確定); the tests that type into them, import
    over them or undo work on them work on a year still open, as a clerk's is until March."""
    conn.execute("UPDATE stages SET locked = 0")


@pytest.fixture
def workspace(db_path: Path) -> Iterator[operations.Workspace]:
    """A new database filled with the bundled FY2020 sheets, as a first start makes it, the year still open."""
    ws = operations.open_workspace(db_path)
    reopen_the_year(ws.db.conn)
    yield ws
    ws.close()


@pytest.fixture
def empty_workspace(db_path: Path) -> Iterator[operations.Workspace]:
    ws = operations.open_workspace(db_path, seed=False)
    yield ws
    ws.close()


@pytest.fixture
def sample_db(tmp_path: Path) -> Path:
    """A database made as `machizukuri --db PATH init --samples` makes it (the FY2020 sheets).

    The command line refuses a named database that does not exist, so its tests start from one.
    """
    path = tmp_path / "db" / "machizukuri.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    workspace = operations.init_database(path, samples=True)
    reopen_the_year(workspace.db.conn)
    workspace.close()
    return path
