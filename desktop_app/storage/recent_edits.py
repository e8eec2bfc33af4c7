"""When a sheet was last changed in the database, and what changed after a given moment."""

from __future__ import annotations

import datetime as dt

from desktop_app.storage.database import Database
from desktop_app.storage.sheets import HistoryEntry


def _moment(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.astimezone()


def last_change(db: Database, sheet_id: int) -> HistoryEntry | None:
    """The sheet's newest history row (an edit, an import, its creation), or None."""
    row = db.conn.execute("SELECT * FROM history WHERE sheet_id = ? ORDER BY id DESC LIMIT 1", (sheet_id,)).fetchone()
    return None if row is None else HistoryEntry(*row)


def changes_since(db: Database, sheet_id: int, since: dt.datetime) -> list[HistoryEntry]:
    """The sheet's history rows written after `since`, newest first.

    Rows are walked newest first and the walk stops at the first older one: history only grows,
    so a long-edited sheet costs no more than its recent changes.
    """
    if since.tzinfo is None:
        since = since.astimezone()
    found = []
    for row in db.conn.execute("SELECT * FROM history WHERE sheet_id = ? ORDER BY id DESC", (sheet_id,)):
        entry = HistoryEntry(*row)
        moment = _moment(entry.changed_at)
        if moment is not None and moment <= since:
            break
        found.append(entry)
    return found
