"""Small sheets for tests, built the way a person would fill them in."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from desktop_app.domain import Category, Group, Project, Sheet, Status, default_title
from desktop_app.domain.model import DEFAULT_LAYOUT

MACHI = "まちづくり推進経費"
FUKKO = "復興支援自治推進経費"


def project(
    no: str,
    name: str,
    amounts: tuple[int | None, ...],
    *,
    category: str = MACHI,
    group: str | None = None,
    status: Status = Status.IMPLEMENTED,
    children: tuple[Project, ...] = (),
    **extra: object,
) -> Project:
    return Project(
        no=no,
        name=name,
        category=category,
        amounts=amounts,
        group=group,
        status=status,
        children=children,
        **extra,  # type: ignore[arg-type]
    )


def small_sheet(ward: str = "東区", fiscal_year: int = 2020) -> Sheet:
    """Two categories, a group, a cancelled project and a project with sub-items."""
    parent_children = (
        project("①", "花のまちづくり事業", (412, 376, 376, 129), district="幸田"),
        project("②", "地域再発見交流事業", (189, 0, 0, 0), status=Status.CANCELLED),
    )
    return Sheet(
        ward=ward,
        fiscal_year=fiscal_year,
        title=default_title(ward, fiscal_year),
        vision="自然豊かな 笑顔あふれる未来のまち",
        categories=(Category(MACHI, 17000), Category(FUKKO, 10000)),
        groups=(Group("地域活動の負担軽減", "気軽に参加できる地域活動"), Group("その他")),
        projects=(
            project(
                "1",
                "地域活動理解促進事業",
                (267, 0, 0, 0),
                group="地域活動の負担軽減",
                status=Status.CANCELLED,
                note="新型コロナウイルス感染症の影響により中止",
            ),
            project(
                "2",
                "地域力活性化・強化支援事業",
                (601, 376, 376, 129),
                children=parent_children,
                group="地域活動の負担軽減",
            ),
            project("3", "空き店舗活用事業", (None, None, None, None), group="その他"),
            project("1", "地域防災力強化経費", (1380, 2004, 2004, 1857), category=FUKKO, new=True),
        ),
    )


def database_digest(path: Path) -> str:
    """A digest of every row of every table, to prove a refused command changed nothing."""
    conn = sqlite3.connect(path)
    try:
        digest = hashlib.sha256()
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1"):
                digest.update(repr(row).encode())
        return digest.hexdigest()
    finally:
        conn.close()


def folder_digest(folder: Path) -> dict[str, str]:
    """Every file under a folder (the database's: the file, its -wal/-journal, backups/) and a hash of
    its bytes, to prove a refused command left the folder exactly as it was."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        for path in sorted(folder.rglob("*"))
        # -shm is SQLite's shared index of the -wal, rewritten by every reader, and an empty -wal
        # (left by a read-only reader) holds nothing: neither is data.
        if not path.name.endswith("-shm") and not (path.name.endswith("-wal") and path.stat().st_size == 0)
    }


def plain(sheet: Sheet) -> Sheet:
    """The sheet in today's default layout with the contract's title: for tests that read cells
    at fixed places, whatever each ward's own layout (tested on its own)."""
    return replace(sheet, layout=DEFAULT_LAYOUT, title=default_title(sheet.ward, sheet.fiscal_year))


def open_year(sheet: Sheet) -> Sheet:
    """A bundled sample as the tests' databases hold it: the year still open (no stage 確定)."""
    from dataclasses import replace as _replace

    return _replace(sheet, stages=tuple(_replace(stage, locked=False) for stage in sheet.stages))


def run_cli(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """The command line as a script runs it: exit status (argparse's usage errors too), stdout, stderr."""
    from desktop_app.cli import main

    try:
        code = main([str(arg) for arg in args])
    except SystemExit as exc:  # argparse usage errors and --version
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
