"""A second program holding the database, for the busy and crash tests.

python -m tests.db_holder DB MODE [SECONDS]

MODE: `exclusive` (BEGIN EXCLUSIVE: not even readers get in, in rollback-journal mode),
`immediate` (BEGIN IMMEDIATE: the write lock another import would hold), `applock` (the app's
write lock, as a window on another PC holds it), `crash` (a large UPDATE half written to the
file, then the process waits to be killed, leaving a hot journal). Prints READY once it holds what
it holds, then releases after SECONDS (default: until killed) and prints RELEASED.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

from desktop_app.storage.lock import DatabaseLock


def main(database: str, mode: str, seconds: float) -> None:
    path = Path(database)
    lock = None
    conn = sqlite3.connect(database, isolation_level=None, timeout=10)
    if mode == "applock":
        lock = DatabaseLock(path)
        assert lock.try_acquire(), "the lock was already held"
    elif mode == "crash":
        conn.execute("PRAGMA journal_mode = DELETE")
        # A tiny cache makes SQLite write changed pages into the database file before COMMIT, so
        # only the journal can undo them.
        conn.execute("PRAGMA cache_size = 2")
        conn.execute("BEGIN")
        conn.execute("UPDATE amounts SET value = value + 1")
        conn.execute("UPDATE projects SET description = description || ?", ("途中" * 200,))
    elif mode == "exclusive":
        # The rollback journal, as on a network share where WAL is not available.
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("BEGIN EXCLUSIVE")
    else:
        conn.execute("BEGIN IMMEDIATE")
    print("READY", flush=True)
    time.sleep(seconds)
    if conn.in_transaction:
        conn.execute("COMMIT")
    conn.close()
    if lock is not None:
        lock.release()
    print("RELEASED", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 3600.0)
