"""A separate process for the kill tests: does real work and says what it has committed.

python -m tests.crash_worker import DB FILE...   # prints STARTED, then DONE after the commit
python -m tests.crash_worker edits DB COUNT      # prints "ACK n" after edit n is committed
"""

from __future__ import annotations

import sys
from pathlib import Path

from desktop_app import operations
from desktop_app.domain.edits import CellInput, plan_cells
from desktop_app.domain.layout import Column
from desktop_app.storage import load_sheet
from desktop_app.storage.edits import apply_changes


def run_import(db: Path, files: list[Path]) -> None:
    workspace = operations.open_workspace(db)
    print("STARTED", flush=True)
    operations.import_files(workspace, files)
    print("DONE", flush=True)


def run_edits(db: Path, count: int) -> None:
    workspace = operations.open_workspace(db)
    sheet = load_sheet(workspace.db, "東区", 2020)
    project = sheet.projects[0]
    assert project.id is not None and sheet.id is not None
    print("STARTED", flush=True)
    for value in range(1, count + 1):
        edit = plan_cells(sheet, [CellInput(project.id, Column.STAGES, 0, str(value))], "入力")
        apply_changes(workspace.db, sheet.id, edit.changes)
        # Acknowledged only after the commit returned: this is what the window's 保存済み means.
        print(f"ACK {value}", flush=True)
        sheet = load_sheet(workspace.db, "東区", 2020)


if __name__ == "__main__":
    command, database, *rest = sys.argv[1:]
    if command == "import":
        run_import(Path(database), [Path(name) for name in rest])
    else:
        run_edits(Path(database), int(rest[0]))
