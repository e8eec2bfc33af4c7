"""SQLite storage through sqlite-utils: opening and migrating, sheets, history, backups."""

from desktop_app.storage.database import (
    DatabaseDamagedError,
    DatabaseTooNewError,
    StorageError,
    check_file,
    current_user,
    open_database,
)
from desktop_app.storage.sheets import (
    HistoryEntry,
    SearchHit,
    SheetNotFoundError,
    SheetSummary,
    find_sheet_id,
    history,
    insert_sheet,
    list_sheets,
    load_sheet,
    load_sheet_by_id,
    record_history,
    replace_sheets,
    search_projects,
    sheet_years,
)

__all__ = [
    "DatabaseDamagedError",
    "DatabaseTooNewError",
    "HistoryEntry",
    "SearchHit",
    "SheetNotFoundError",
    "SheetSummary",
    "StorageError",
    "check_file",
    "current_user",
    "find_sheet_id",
    "history",
    "insert_sheet",
    "list_sheets",
    "load_sheet",
    "load_sheet_by_id",
    "open_database",
    "record_history",
    "replace_sheets",
    "search_projects",
    "sheet_years",
]
