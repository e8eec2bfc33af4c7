"""What the window and the command line both do: open the database, import, export, back up.

Each function here is one user-visible operation; the CLI and the GUI call these and nothing
lower, so a test of the CLI is a test of what the window does.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.domain import (
    AmountError,
    Sheet,
    find_ward,
    new_sheet,
    next_year_sheet,
    parse_amount,
    parse_fiscal_year,
    ward_order,
    wareki_moment,
    wareki_short,
    wareki_year,
)
from desktop_app.domain.city_checks import WardCheck, city_checks
from desktop_app.domain.edits import Change, SheetChanges, changes_of
from desktop_app.domain.sheet_diff import SheetDiff, describe_diff, diff_sheets, summarise_diff
from desktop_app.domain.year_comparison import YearComparison, compare_years
from desktop_app.exchange.errors import ExchangeError as ExchangeError
from desktop_app.exchange.errors import ImportFileError
from desktop_app.exchange.files import (
    check_target,
    output_path,
    safe_file_name,
    temporary_in,
    write_atomically,
    write_problem,
)
from desktop_app.exchange.json_format import dump_sheet, load_sheet_bytes
from desktop_app.paths import DB_ENV, backup_dir_for, data_path, default_db_path
from desktop_app.storage import DatabaseDamagedError as DatabaseDamagedError
from desktop_app.storage import HistoryEntry as HistoryEntry
from desktop_app.storage import SearchHit as SearchHit
from desktop_app.storage import SheetNotFoundError as SheetNotFoundError
from desktop_app.storage import (
    SheetSummary,
    find_sheet_id,
    history,
    insert_sheet,
    list_sheets,
    load_sheet,
    load_sheet_by_id,
    open_database,
    recovery,
    replace_sheets,
    search_projects,
    sheet_years,
)
from desktop_app.storage import StorageError as StorageError
from desktop_app.storage import backup as backups
from desktop_app.storage import current_user as current_user
from desktop_app.storage.backup import BackupInfo as BackupInfo
from desktop_app.storage.database import Database, DatabaseBusyError, busy_timeout_ms
from desktop_app.storage.database import EmptyDatabaseError as EmptyDatabaseError
from desktop_app.storage.database import translate_error as translate_error
from desktop_app.storage.edits import apply_changes, next_project_id
from desktop_app.storage.lock import DatabaseLock as DatabaseLock

if TYPE_CHECKING:
    from desktop_app.exchange.pdf_summary import PdfResult

log = logging.getLogger("machizukuri.operations")

EXPORT_FORMATS = ("json", "xlsx", "pdf", "eml")
SAMPLE_SOURCE = "同梱のサンプル（令和2年度）"


@dataclass
class Workspace:
    """An open database and where it lives."""

    path: Path
    db: Database
    readonly: bool = False
    created: bool = False
    # The write lock this workspace holds for its whole life (the window's), or None: then each
    # write (the command line's) takes the lock for as long as it writes.
    lock: DatabaseLock | None = None
    # Who the history names for this workspace's writes: the staff name from 設定 (担当者名) when
    # one is set, else the login name (storage's current_user()).
    user: str | None = None

    @property
    def readonly_reason(self) -> str:
        """Why nothing can be written, as a person is told it."""
        return self.db.readonly_reason or "読み取り専用で開いているため、変更できません。"

    def close(self) -> None:
        _open_workspaces.discard(self)
        self.db.close()

    def __hash__(self) -> int:
        return id(self)


# Every database this process has open: no export, wherever it is started from, may write onto one.
_open_workspaces: set[Workspace] = set()

# The files SQLite and the window keep beside a database (journal, WAL, shared memory, the lock).
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal", ".lock", ".lock.owner")


def protected_paths(workspace: Workspace) -> tuple[list[Path], list[Path]]:
    """The files (the database and its companions) and folders (backups) no output may replace."""
    # Both the name used and the file it resolves to: SQLite puts the journal beside the real file.
    names = dict.fromkeys([workspace.path, workspace.path.resolve()])
    files = [path.with_name(path.name + suffix) for path in names for suffix in ("", *COMPANION_SUFFIXES)]
    return files, list(dict.fromkeys([backup_dir_for(workspace.path), workspace.path.parent / "backups"]))


def _check_output(target: Path, *, extensions: tuple[str, ...], what: str, overwrite: bool) -> None:
    files: list[Path] = []
    folders: list[Path] = []
    for workspace in list(_open_workspaces):
        more_files, more_folders = protected_paths(workspace)
        files += more_files
        folders += more_folders
    check_target(
        target,
        extensions=extensions,
        what=what,
        overwrite=overwrite,
        protected_files=files,
        protected_folders=folders,
    )


@contextmanager
def writing(workspace: Workspace) -> Iterator[None]:
    """Hold the database's write lock (the one a window holds) while a write runs.

    A window holding it makes a command-line write wait, then be refused naming who holds it; reads
    take no lock, so `list` and `export` work beside an open window.
    """
    if workspace.readonly:
        raise StorageError(workspace.readonly_reason)
    if workspace.lock is not None and workspace.lock.held:
        yield
        return
    lock = DatabaseLock(workspace.path)
    try:
        acquired = lock.acquire(busy_timeout_ms(), on_wait=workspace.db.on_wait)
    except OSError as exc:
        raise translate_error(exc, workspace.path) or StorageError(str(exc)) from exc
    if not acquired:
        raise DatabaseBusyError(workspace.path, lock.holder(), "書き込めません")
    try:
        yield
    finally:
        lock.release()


def lock_heartbeat_ms() -> int:
    """How often a window refreshes the write lock it holds."""
    from desktop_app.storage import lock

    return lock.HEARTBEAT_SECONDS * 1000


def keep_write_lock(workspace: Workspace) -> str | None:
    """The window's heartbeat on its write lock, every `lock_heartbeat_ms()`.

    None while the lock is still this workspace's. When another PC took it over (this one slept, or
    lost the share, for longer than a lock stays fresh), the workspace is read-only from now on and
    the sentence returned says so.
    """
    if workspace.lock is None or workspace.readonly:
        return None
    holder = workspace.lock.heartbeat()
    if holder is None:
        return None
    workspace.readonly = True
    return f"しばらく応答がなかったあいだに{holder}がこのデータベースの編集を引き継いだため、読み取り専用に切り替えました。"


def lock_was_retaken(workspace: Workspace) -> bool:
    """True once after a heartbeat took the write lock again from a vanished lock file: another PC may
    have held the database and written meanwhile, so the window reloads what it shows."""
    lock = workspace.lock
    if lock is None or not lock.retaken:
        return False
    lock.retaken = False
    return True


def take_write_lock(workspace: Workspace) -> str | None:
    """編集できるようにする, in a window read-only because another PC held the database: take the lock
    (free now, or stale) and reopen the database for writing.

    None when the workspace can be written from now on; else the one sentence why not, nothing changed.
    """
    if not workspace.readonly:
        return None
    if workspace.db.readonly_reason is not None:
        return workspace.db.readonly_reason  # the file or its folder, not a lock
    lock = DatabaseLock(workspace.path)
    try:
        if not lock.try_acquire():
            return f"データベース「{workspace.path}」は{lock.holder()}が使用中のため、まだ編集できません。"
    except OSError as exc:
        return str(translate_error(exc, workspace.path) or exc)
    try:
        db, _created = open_database(
            workspace.path,
            before_migration=lambda p, _version: backups.take_backup(p, "migration"),
            on_wait=workspace.db.on_wait,
        )
    except StorageError as exc:
        lock.release()
        return str(exc)
    if db.readonly_reason is not None:
        db.close()
        lock.release()
        return db.readonly_reason
    workspace.db.close()
    workspace.db, workspace.lock, workspace.readonly = db, lock, False
    log.info("%s is writable again: its lock is ours", workspace.path)
    return None


def sample_files() -> list[Path]:
    return sorted(data_path("resources", "sample").glob("*.json"))


def sample_sheets() -> list[Sheet]:
    """The bundled FY2020 sheets of all five wards."""
    return [load_sheet_bytes(path.read_bytes(), path.name) for path in sample_files()]


def open_workspace(
    path: Path | None = None,
    *,
    readonly: bool = False,
    seed: bool = True,
    on_wait: Callable[[str], object] | None = None,
    lock: DatabaseLock | None = None,
) -> Workspace:
    """Open the database (the user's default one without a path); a new one gets the sample sheets.

    `on_wait(message)` is told when another program holds the database and we wait for it; `lock`
    is the write lock the caller (the window) holds for the workspace's life.
    """
    path = Path(path) if path is not None else default_db_path()
    db, created = open_database(
        path,
        readonly=readonly,
        before_migration=lambda p, _version: backups.take_backup(p, "migration"),
        on_wait=on_wait,
    )
    from desktop_app.settings import load_settings

    workspace = Workspace(
        path=path,
        db=db,
        readonly=readonly or db.readonly_reason is not None,
        created=created,
        lock=lock,
        user=load_settings().staff_name or None,
    )
    _open_workspaces.add(workspace)
    if created and seed:
        replace_sheets(db, sample_sheets(), source=SAMPLE_SOURCE)
        log.info("new database %s filled with the sample sheets", path)
    return workspace


def read_sheet_file(path: Path) -> list[Sheet]:
    """The sheets in one import file: a sheet file (.json), a workbook this app exported (.xlsx) or a
    saved mail carrying either (.eml).

    Its name and size are checked before it is read: a huge file is refused, not loaded.
    """
    from desktop_app.exchange.reading import read_import_file

    raw = read_import_file(path)
    suffix = path.suffix.lower()
    if suffix == ".eml":
        from desktop_app.exchange.eml_read import read_eml

        return read_eml(raw, path.name)[0]
    if suffix == ".json":
        return [load_sheet_bytes(raw, path.name)]
    from desktop_app.exchange.xlsx_import import read_xlsx

    return read_xlsx(raw, path.name)


@dataclass(frozen=True)
class ImportOutcome:
    sheet: Sheet
    replaced: bool
    source: str


def import_files(
    workspace: Workspace, paths: Sequence[Path], *, progress: Callable[[int, int, str], None] | None = None
) -> list[ImportOutcome]:
    """Import every file or none: all are read and checked first, then stored in one transaction.

    `progress(done, total, what)` is called before each file is read and after each sheet is stored;
    if it raises (中止), nothing is written, or the transaction is rolled back."""
    read: list[tuple[Sheet, str]] = []
    seen: dict[tuple[str, int], str] = {}
    for number, path in enumerate(paths):
        if progress is not None:
            progress(number, len(paths), path.name)
        for sheet in read_sheet_file(path):
            key = (sheet.ward, sheet.fiscal_year)
            if key in seen:
                raise ImportFileError(
                    path.name, f"{sheet.year_label} {sheet.ward}のシートが「{seen[key]}」と重複しています"
                )
            seen[key] = path.name
            read.append((sheet, path.name))
    return _store_sheets(workspace, read, progress=progress)


def _store_sheets(
    workspace: Workspace,
    read: Sequence[tuple[Sheet, str]],
    *,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[ImportOutcome]:
    """Store sheets already read and checked: one backup, one transaction, each sheet's file in its history.

    Nothing, not even the backup, is written before every file is read and checked (by the caller)
    and the write lock is ours: a refused or failed import leaves the folder exactly as it was.
    `progress` is called after each sheet inside the transaction; if it raises (中止), everything
    is rolled back and the backup taken for it removed.
    """
    if not read:
        return []
    backup: Path | None = None
    outcomes: list[ImportOutcome] = []
    try:
        with writing(workspace), workspace.db.atomic():
            _refuse_locked_stage_changes(workspace.db, read)
            backup = backups.take_backup(workspace.path, "import")
            for done, (sheet, source) in enumerate(read, start=1):
                ((stored, replaced),) = replace_sheets(workspace.db, [sheet], source=source, user=workspace.user)
                outcomes.append(ImportOutcome(stored, replaced, source))
                if progress is not None:
                    progress(done, len(read), f"{sheet.year_label} {sheet.ward}")
    except BaseException:
        backups.discard_backup(backup)
        raise
    return outcomes


def _refuse_locked_stage_changes(db: Database, read: Sequence[tuple[Sheet, str]]) -> None:
    """An import may not change a 確定 stage, nor clear its lock: it must be unlocked first."""
    from desktop_app.domain.edits import locked_stages_changed
    from desktop_app.storage import find_sheet_id, load_sheet_by_id

    for sheet, source in read:
        held_id = find_sheet_id(db, sheet.ward, sheet.fiscal_year)
        if held_id is None:
            continue
        changed = locked_stages_changed(load_sheet_by_id(db, held_id), sheet)
        if changed:
            stages = "・".join(f"「{name}」" for name in changed)
            raise ImportFileError(
                source,
                f"{sheet.year_label} {sheet.ward}のシートの{stages}は確定済みのため、取り込みで変更できません"
                "（確定を解除してから取り込んでください）",
            )


def list_sheets_summary(workspace: Workspace) -> list[SheetSummary]:
    """Every sheet held, with its totals per stage (the `list` command and the window's list)."""
    return list_sheets(workspace.db)


def find_sheet(workspace: Workspace, ward: str, year: str | int) -> Sheet:
    """The sheet for a ward and year as a person names them (`東区`, `R2`, `2020`)."""
    return load_sheet(workspace.db, find_ward(ward).name, parse_fiscal_year(year))


def default_export_name(sheet: Sheet, fmt: str) -> str:
    """`R02_東区_まちづくり推進経費.xlsx`: the file name the planning division expects."""
    extension = {"json": "json", "xlsx": "xlsx", "pdf": "pdf", "eml": "eml"}[fmt]
    return safe_file_name(f"{wareki_short(sheet.fiscal_year)}_{sheet.ward}_まちづくり推進経費") + f".{extension}"


@dataclass(frozen=True)
class Rendered:
    data: bytes
    # Something the person should know about the result (the PDF went to A3, say), or None.
    message: str | None = None
    # One line each, said before the result is used (characters the PDF's font lacks).
    warnings: tuple[str, ...] = ()


def render(sheet: Sheet, fmt: str, options: Mapping[str, str] | None = None) -> Rendered:
    """A sheet in one of the export formats (heavy libraries load only here)."""
    options = options or {}
    if fmt == "json":
        return Rendered(dump_sheet(sheet).encode("utf-8"))
    if fmt == "xlsx":
        from desktop_app.exchange.xlsx_export import render_xlsx

        return Rendered(render_xlsx(sheet))
    if fmt == "pdf":
        from desktop_app.exchange.pdf_summary import render_pdf

        result = render_pdf(sheet, paper=options.get("paper", "auto"))
        return Rendered(result.data, result.message, result.warnings)
    if fmt == "eml":
        from desktop_app.exchange.eml_draft import render_eml
        from desktop_app.settings import load_settings

        settings = load_settings()
        return Rendered(
            render_eml(
                sheet,
                to_address=options.get("to", settings.planning_address),
                sender_name=options.get("from_name", settings.staff_name),
                attachment=render(sheet, "xlsx").data,
                attachment_name=default_export_name(sheet, "xlsx"),
            )
        )
    raise ExchangeError(f"出力形式「{fmt}」は使えません（{' / '.join(EXPORT_FORMATS)}）。")


def render_sheet(sheet: Sheet, fmt: str, options: Mapping[str, str] | None = None) -> bytes:
    return render(sheet, fmt, options).data


@dataclass(frozen=True)
class ExportResult:
    path: Path
    message: str | None = None
    warnings: tuple[str, ...] = ()


FORMAT_NAMES = {"json": "JSON", "xlsx": "Excel", "pdf": "PDF", "eml": "メール（.eml）"}


def check_export_target(target: Path | str, fmt: str, *, overwrite: bool = False) -> Path:
    """The path an export of `fmt` may be written to, or an ExchangeError saying why not."""
    path = output_path(target)
    _check_output(path, extensions=(f".{fmt}",), what=FORMAT_NAMES.get(fmt, fmt), overwrite=overwrite)
    return path


def export_sheet(
    sheet: Sheet, fmt: str, target: Path | str, *, overwrite: bool = False, options: Mapping[str, str] | None = None
) -> ExportResult:
    """Write a sheet to a file in the given format, safely (temporary file, then rename)."""
    path = check_export_target(target, fmt, overwrite=overwrite)
    rendered = render(sheet, fmt, options)
    written = write_atomically(path, rendered.data, overwrite=overwrite)
    return ExportResult(written, rendered.message, rendered.warnings)


def save_rendered(target: Path | str, data: bytes, fmt: str, *, overwrite: bool = False) -> Path:
    """Write bytes already rendered (the print preview's PDF) under the same checks as an export."""
    path = check_export_target(target, fmt, overwrite=overwrite)
    return write_atomically(path, data, overwrite=overwrite)


# What a copy of the database may be called: a name another program would open as something else
# (`copy.xlsx`) is refused like any export whose extension does not match.
BACKUP_EXTENSIONS = (".sqlite3", ".sqlite", ".db")


def backup_now(workspace: Workspace, target: Path | str | None = None, *, overwrite: bool = False) -> Path:
    """A consistent copy of the open database: to `target`, or into the rotated backup folder."""
    if target is None:
        folder = backup_dir_for(workspace.path)
        made = backups.copy_database(workspace.db.conn, folder / backups.backup_name("manual"))
        backups.prune_backups(folder)
        return made
    path = output_path(target)
    _check_output(path, extensions=BACKUP_EXTENSIONS, what="バックアップ", overwrite=overwrite)
    # Copied under a short temporary name, then renamed: the copy's own `.partial` name must not
    # make a name near the 255-byte limit too long.
    try:
        handle, temporary = temporary_in(path.parent)
    except OSError as exc:
        raise write_problem(path, exc) from exc
    os.close(handle)
    try:
        backups.copy_database(workspace.db.conn, Path(temporary))
        os.replace(temporary, path)
    except OSError as exc:
        raise write_problem(path, exc) from exc
    finally:
        Path(temporary).unlink(missing_ok=True)
    return path


@dataclass(frozen=True)
class ConsolidationResult:
    path: Path
    sheets: int
    # Wards missing, files of another year: said on the summary sheet and to the person.
    problems: list[str]


def consolidate(
    workspace: Workspace,
    year: str | int,
    target: Path | str,
    *,
    from_files: Path | None = None,
    overwrite: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> ConsolidationResult:
    """One workbook of every ward's sheet for a year, for the planning division.

    From the database, or (`from_files`) from a folder of the wards' emailed files (.xlsx, .eml).
    `progress(done, total, what)` is called as each sheet is handled. The problems returned
    include each ward's checks (配分額 overrun, 決算額 above the budget…).
    """
    plan = plan_consolidation(workspace, year, from_files=from_files)
    return write_consolidation(plan, target, overwrite=overwrite, progress=progress)


def restore_backup(workspace: Workspace, backup: Path) -> Path | None:
    """Replace the open database's content with a backup's; the current state is backed up first."""
    if workspace.readonly:
        raise StorageError(workspace.db.readonly_reason or "読み取り専用で開いているため、復元できません。")
    with writing(workspace):
        safety = backups.take_backup(workspace.path, "restore")
        try:
            backups.restore_into(backup, workspace.db.conn, workspace.path)
        except BaseException:
            backups.discard_backup(safety)
            raise
    log.info("restored %s (current state kept in %s)", backup, safety)
    return safety


# ---------------------------------------------------------------- what else the window does
# One small function per thing the window does, so the CLI can do it too and a CLI test covers it.


def backup_folder(workspace: Workspace) -> Path:
    """Where this database's backups are written, listed and restored from (one place decides)."""
    return backup_dir_for(workspace.path)


def list_backups(workspace: Workspace) -> list[BackupInfo]:
    """The backups of the open database, newest first."""
    return backups.list_backups(backup_folder(workspace))


def backup_sheet_count(backup: Path) -> int | None:
    """How many sheets a backup holds; None when it cannot be read."""
    return backups.sheet_count(backup)


def daily_backup(workspace: Workspace) -> Path | None:
    """The start-up backup, when the newest one is more than a day old."""
    if backups.backup_is_due(workspace.path, folder=backup_folder(workspace)):
        return backups.take_backup(workspace.path, "daily", folder=backup_folder(workspace))
    return None


def fiscal_years(workspace: Workspace) -> list[int]:
    """The fiscal years that have at least one sheet, oldest first."""
    return sheet_years(workspace.db)


def open_sheet(workspace: Workspace, *, ward: str, fiscal_year: int) -> Sheet:
    """A ward's sheet of a year; SheetNotFoundError when there is none yet."""
    return load_sheet(workspace.db, ward, fiscal_year)


def reload_sheet(workspace: Workspace, *, sheet_id: int) -> Sheet:
    """The sheet as now stored (after an edit)."""
    return load_sheet_by_id(workspace.db, sheet_id)


def has_sheet(workspace: Workspace, *, ward: str, fiscal_year: int) -> bool:
    """Whether a ward has a sheet for that year (without loading it)."""
    return find_sheet_id(workspace.db, ward, fiscal_year) is not None


def earlier_sheet_year(workspace: Workspace, *, ward: str, fiscal_year: int) -> int | None:
    """The most recent earlier year with a sheet for this ward (years may be skipped)."""
    earlier = [y for y in sheet_years(workspace.db) if y < fiscal_year and find_sheet_id(workspace.db, ward, y)]
    return max(earlier) if earlier else None


def _insert_new_sheet(workspace: Workspace, sheet: Sheet, reason: str) -> Sheet:
    if workspace.readonly:
        raise StorageError("読み取り専用で開いているため、シートを作成できません。")
    with writing(workspace):
        return insert_sheet(workspace.db, sheet, reason=reason, user=workspace.user)


def create_sheet_from_year(workspace: Workspace, *, ward: str, fiscal_year: int, source_year: int) -> Sheet:
    """A year's sheet from an earlier one: same projects and groups, amounts empty, every status 予定."""
    previous = load_sheet(workspace.db, ward, source_year)
    return _insert_new_sheet(workspace, next_year_sheet(previous, fiscal_year), f"{previous.year_label}から作成")


def create_blank_sheet(workspace: Workspace, *, ward: str, fiscal_year: int) -> Sheet:
    """An empty sheet with the city's default title, stages and category."""
    return _insert_new_sheet(workspace, new_sheet(ward, fiscal_year), "空のシートを作成")


def project_history(workspace: Workspace, *, sheet_id: int, project_id: int | None = None) -> list[HistoryEntry]:
    """Who changed what in a sheet (or one of its projects), newest first."""
    return history(workspace.db, sheet_id=sheet_id, project_id=project_id)


def search(workspace: Workspace, *, text: str) -> list[SearchHit]:
    """Projects of every year and ward whose name, description or note holds every word of `text`."""
    return search_projects(workspace.db, text)


def new_project_id(workspace: Workspace) -> int:
    """An id no project has, for a project an edit is about to insert."""
    return next_project_id(workspace.db)


def apply_edit(workspace: Workspace, *, sheet_id: int, changes: Sequence[Change]) -> SheetChanges:
    """Apply an edit's changes (or its inverse) in one transaction; returns what they touched."""
    if workspace.readonly:
        raise StorageError("読み取り専用で開いているため、変更できません。")
    try:
        apply_changes(workspace.db, sheet_id, changes, user=workspace.user)
    except sqlite3.OperationalError as exc:
        # A file made read-only, or a share gone away, under an open window.
        log.warning("edit not stored: %s", exc)
        raise StorageError("データベースに書き込めないため、変更を保存できませんでした。") from exc
    return changes_of(changes)


def preview_pdf(sheet: Sheet, *, paper: str = "auto") -> PdfResult:
    """The ward summary PDF with the paper and type size chosen, for the print preview."""
    from desktop_app.exchange.pdf_summary import render_pdf

    return render_pdf(sheet, paper=paper)


def consolidated_file_name(fiscal_year: int) -> str:
    """`R02_全区集計_まちづくり推進経費.xlsx`: the consolidated workbook's usual name."""
    return safe_file_name(f"{wareki_short(fiscal_year)}_全区集計_まちづくり推進経費") + ".xlsx"


def recover_from_backup(path: Path) -> recovery.Recovered:
    """Put the newest good backup in place of a damaged database (the damaged file is kept aside)."""
    return recovery.recover_from_backup(path)


def is_network_path(path: Path) -> bool:
    """True for a database on a UNC path, a mapped network drive or a network mount."""
    return recovery.is_network_path(path)


# ---------------------------------------------------------------- which database, new databases, new sheets


class MissingDatabaseError(StorageError):
    """A database the person named (--db, MACHIZUKURI_DB) that does not exist: never made silently."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f'データベース「{path}」がありません（新しく作るときは machizukuri --db "{path}" init を実行してください）。'
        )
        self.path = path


def chosen_database(path: Path | None = None) -> tuple[Path, bool]:
    """The database a command works on, and whether the person named it (`--db`, then `MACHIZUKURI_DB`).

    Only the default database is created on first use (with the sample sheets, so a first start
    shows a full window); a named one that is missing is a typo until `init` says otherwise.
    """
    if path is not None:
        return Path(path), True
    # default_db_path() itself honours MACHIZUKURI_DB; here it only matters whether that was set.
    return default_db_path(), bool(os.environ.get(DB_ENV))


def require_existing(path: Path) -> None:
    """Refuse a named database that does not exist (see chosen_database)."""
    if not path.exists():
        raise MissingDatabaseError(path)


def init_database(path: Path, *, samples: bool) -> Workspace:
    """A new database at `path` (the `init` command), with the FY2020 sample sheets when asked."""
    if path.exists():
        raise StorageError(f"データベース「{path}」はすでにあります（init は新しいデータベースだけを作ります）。")
    if not path.parent.is_dir():
        raise StorageError(f"フォルダ「{path.parent}」がありません（先にフォルダを作ってください）。")
    return open_workspace(path, seed=samples)


def parse_allocation(text: str) -> tuple[str, int | None]:
    """`まちづくり推進経費=19000` (also `19,000`, `１９０００`, `19000千円`; `―` for none) from `--allocation`."""
    name, equals, amount = unicodedata.normalize("NFKC", text).partition("=")
    name = name.strip()
    if not equals or not name:
        raise ExchangeError(
            f"--allocation「{text}」は「経費区分=千円」の形で指定してください（例: まちづくり推進経費=19000）。"
        )
    try:
        return name, parse_amount(amount)
    except AmountError as exc:
        raise ExchangeError(f"--allocation「{text}」の配分額: {exc}。") from exc


def create_sheet(
    workspace: Workspace,
    *,
    ward: str,
    year: str | int,
    from_year: str | int | None = None,
    allocations: Sequence[tuple[str, int | None]] = (),
) -> Sheet:
    """A new sheet for a ward and year (the `new` command and シート → 新しい年度).

    From an earlier year's sheet (`from_year`): its categories, groups and projects carried on with
    every stage empty, 【新規】 cleared and status 予定; each allocation replaces that category's 配分額
    (a name not there adds the category). Without it: an empty sheet whose categories are exactly
    those allocated (まちづくり推進経費 with no 配分額 when none is named).
    """
    from desktop_app.domain import Category, new_sheet, next_year_sheet, with_allocations
    from desktop_app.storage import insert_sheet

    if workspace.readonly:
        raise StorageError("読み取り専用で開いているため、シートを作成できません。")
    ward_name = find_ward(ward).name
    fiscal_year = parse_fiscal_year(year)
    if from_year is not None:
        source_year = parse_fiscal_year(from_year)
        if source_year == fiscal_year:
            raise ExchangeError(f"--from-year と --year が同じ{wareki_year(fiscal_year)}です。")
        previous = load_sheet(workspace.db, ward_name, source_year)
        sheet = with_allocations(next_year_sheet(previous, fiscal_year), allocations)
        reason = f"{previous.year_label}から作成"
    else:
        categories = [Category(name, allocation) for name, allocation in allocations]
        sheet = new_sheet(ward_name, fiscal_year, categories=categories or None)
        reason = "空のシートを作成"
    with writing(workspace):
        return insert_sheet(workspace.db, sheet, reason=reason, user=workspace.user)


# ---------------------------------------------------------------- the planning division's desk


@dataclass(frozen=True)
class ConsolidationPlan:
    """What a consolidation will hold, shown to the person before anything is written."""

    fiscal_year: int
    sheets: list[Sheet]
    # Missing wards, files skipped or of another year.
    problems: list[str]
    checks: dict[str, list[WardCheck]]
    # Every year the database holds up to the chosen one (the chosen year from the files when given).
    comparison: YearComparison

    @property
    def check_lines(self) -> list[str]:
        return [check.text for sheet in self.sheets for check in self.checks.get(sheet.ward, [])]


def plan_consolidation(workspace: Workspace, year: str | int, *, from_files: Path | None = None) -> ConsolidationPlan:
    """The sheets, problems, checks and year-on-year comparison of a consolidation; nothing is written."""
    from desktop_app.domain import CITY_WARDS
    from desktop_app.exchange.consolidation import sheets_from_folder

    fiscal_year = parse_fiscal_year(year)
    held = [summary for summary in list_sheets(workspace.db) if summary.fiscal_year <= fiscal_year]
    if from_files is not None:
        sheets, problems = sheets_from_folder(from_files, fiscal_year)
    else:
        sheets = [load_sheet(workspace.db, s.ward, s.fiscal_year) for s in held if s.fiscal_year == fiscal_year]
        wards = {sheet.ward for sheet in sheets}
        problems = [f"{ward.name}のシートがありません。" for ward in CITY_WARDS if ward.name not in wards]
    if not sheets:
        raise ExchangeError(f"{wareki_year(fiscal_year)}のシートが1つもありません。")
    from desktop_app.storage.year_totals import category_total_sheets

    earlier = category_total_sheets(workspace.db, before_year=fiscal_year)
    return ConsolidationPlan(
        fiscal_year=fiscal_year,
        sheets=sheets,
        problems=problems,
        checks=city_checks(sheets),
        comparison=compare_years([*earlier, *sheets], fiscal_year),
    )


def write_consolidation(
    plan: ConsolidationPlan,
    target: Path | str,
    *,
    overwrite: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> ConsolidationResult:
    """The planned consolidation as one workbook at `target` (written whole, or not at all)."""
    from desktop_app.exchange.consolidation import build_consolidated_workbook

    # Checked before the work: never onto the database or a backup, a folder that exists, .xlsx.
    path = output_path(target)
    _check_output(path, extensions=(".xlsx",), what="Excel", overwrite=overwrite)

    data = build_consolidated_workbook(
        plan.sheets,
        plan.fiscal_year,
        problems=plan.problems,
        progress=progress,
        checks=plan.checks,
        comparison=plan.comparison,
    )
    written = write_atomically(path, data, overwrite=overwrite)
    return ConsolidationResult(written, len(plan.sheets), [*plan.problems, *plan.check_lines])


@dataclass(frozen=True)
class ImportPreview:
    """What importing one sheet of a file would change, and whether the database is newer."""

    sheet: Sheet
    source: str
    diff: SheetDiff
    # When the file was written, if it says (a mail's Date); xlsx and json files do not.
    file_time: dt.datetime | None = None
    last_edit: HistoryEntry | None = None
    # History rows after `file_time` (edits, imports) that the import would overwrite.
    newer_edits: int = 0
    notes: tuple[str, ...] = ()

    @property
    def warning(self) -> str | None:
        """One sentence when the import may throw away work done in the database, else None."""
        if self.diff.is_new or self.diff.is_empty or self.last_edit is None:
            return None
        last = f"最終変更 {wareki_moment(self.last_edit.changed_at)} {self.last_edit.changed_by}"
        if self.file_time is not None:
            if not self.newer_edits:
                return None
            return (
                f"データベースにはこのファイル（{wareki_moment(self.file_time)}）より新しい変更が"
                f"{self.newer_edits}件あります（{last}）。取り込むとその変更は失われます。"
            )
        return (
            f"このファイルには作成日時がないため、データベースの変更（{last}）より新しいかどうか分かりません。"
            "上の違いを確かめてから取り込んでください。"
        )

    def report_lines(self) -> list[str]:
        """The dry-run report of this sheet: a heading line, then one line per change."""
        lines = [f"{self.sheet.year_label} {self.sheet.ward}（{self.source}）: {summarise_diff(self.diff)}"]
        lines += [f"  {line}" for line in describe_diff(self.diff)]
        if self.warning:
            lines.append(f"  注意: {self.warning}")
        lines += [f"  注意: {note}" for note in self.notes]
        return lines


def _read_for_preview(path: Path) -> tuple[list[Sheet], dt.datetime | None, tuple[str, ...]]:
    if path.suffix.lower() == ".eml":
        from desktop_app.exchange.eml_read import read_eml_path

        sheets, mail = read_eml_path(path)
        skipped = mail.skipped_message()
        return sheets, mail.sent_at, (skipped,) if skipped else ()
    return read_sheet_file(path), None, ()


def _preview(
    workspace: Workspace, sheet: Sheet, source: str, file_time: dt.datetime | None, notes: tuple[str, ...]
) -> ImportPreview:
    from desktop_app.storage.recent_edits import changes_since, last_change

    sheet_id = find_sheet_id(workspace.db, sheet.ward, sheet.fiscal_year)
    stored = load_sheet_by_id(workspace.db, sheet_id) if sheet_id is not None else None
    last = last_change(workspace.db, sheet_id) if sheet_id is not None else None
    newer = len(changes_since(workspace.db, sheet_id, file_time)) if sheet_id is not None and file_time else 0
    return ImportPreview(sheet, source, diff_sheets(stored, sheet), file_time, last, newer, notes)


def preview_import(workspace: Workspace, paths: Sequence[Path]) -> list[ImportPreview]:
    """What `import` of these files would change, sheet by sheet; reads the database, writes nothing.

    Refuses what `import` refuses (an unreadable file, the same ward and year twice), so a clean
    dry run means the import will go through.
    """
    previews: list[ImportPreview] = []
    seen: dict[tuple[str, int], str] = {}
    for path in paths:
        sheets, file_time, notes = _read_for_preview(path)
        for sheet in sheets:
            key = (sheet.ward, sheet.fiscal_year)
            if key in seen:
                raise ImportFileError(
                    path.name, f"{sheet.year_label} {sheet.ward}のシートが「{seen[key]}」と重複しています"
                )
            seen[key] = path.name
            previews.append(_preview(workspace, sheet, path.name, file_time, notes))
    return previews


@dataclass(frozen=True)
class ReceivedPreview:
    """Files received (dropped on the window, or a folder of them): each sheet's preview, and what was skipped."""

    previews: list[ImportPreview]
    problems: list[str]


def received_files(paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """The files to read among `paths` (folders opened one level), and a sentence for each one skipped."""
    from desktop_app.exchange.consolidation import RECEIVED_SUFFIXES

    files: list[Path] = []
    skipped: list[str] = []
    for path in paths:
        entries = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for entry in entries:
            if entry.name.startswith(("~$", ".")):
                continue
            if entry.suffix.lower() in RECEIVED_SUFFIXES:
                files.append(entry)
            else:
                skipped.append(f"{entry.name}はシートのファイル（.xlsx / .eml / .json）ではないため読み飛ばしました。")
    return files, skipped


def preview_received(
    workspace: Workspace, paths: Sequence[Path], *, progress: Callable[[int, int, str], None] | None = None
) -> ReceivedPreview:
    """Like `preview_import`, but a file that cannot be read is named among the problems, not fatal:
    the planning division still wants to see the other wards' files."""
    files, problems = received_files(paths)
    previews: list[ImportPreview] = []
    for done, path in enumerate(files, start=1):
        try:
            previews += preview_import(workspace, [path])
        except ExchangeError as exc:
            problems.append(str(exc))
        if progress is not None:
            progress(done, len(files), path.name)
    # The person reads them by year and ward, whatever the files are called.
    previews.sort(key=lambda p: (p.sheet.fiscal_year, ward_order(p.sheet.ward), p.source))
    sources: dict[tuple[str, int], list[ImportPreview]] = {}
    for preview in previews:
        sources.setdefault((preview.sheet.ward, preview.sheet.fiscal_year), []).append(preview)
    for same in sources.values():
        if len(same) > 1:
            names = "、".join(f"「{p.source}」" for p in same)
            problems.append(
                f"{same[0].sheet.year_label} {same[0].sheet.ward}のシートが{names}にあります（取り込むのはどれか1つにしてください）。"
            )
    return ReceivedPreview(previews, problems)


def check_previews_distinct(previews: Sequence[ImportPreview]) -> None:
    """Refuse two sheets of one ward and year among those to import (ImportFileError naming the file)."""
    keys = [(p.sheet.ward, p.sheet.fiscal_year) for p in previews]
    for preview, key in zip(previews, keys, strict=True):
        if keys.count(key) > 1:
            raise ImportFileError(
                preview.source, f"{preview.sheet.year_label} {preview.sheet.ward}のシートを2つ選んでいます"
            )


def import_previewed(
    workspace: Workspace,
    previews: Sequence[ImportPreview],
    *,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[ImportOutcome]:
    """Store the sheets a person accepted after seeing their previews: one backup, then one
    transaction. `progress` is called after each sheet inside the transaction; if it raises (中止),
    the transaction is rolled back and the database is as it was."""
    check_previews_distinct(previews)
    return _store_sheets(workspace, [(p.sheet, p.source) for p in previews], progress=progress)


def set_sheet_layout(
    workspace: Workspace, sheet: Sheet, changes: Mapping[str, object], *, preset: bool = False
) -> Sheet:
    """Change how a sheet prints: the ward's preset (seed 001) if `preset`, then `changes` (fields
    by their name in the sheet file's `layout`). A name that is not a field is refused.

    Stored as the sheet settings' own change, so the window's settings and this agree and it has history.
    """
    from desktop_app.domain.edits import CategoryChoice, EditError, plan_sheet_settings
    from desktop_app.domain.layout import LAYOUT_KEYS, layout_from_dict, layout_to_dict
    from desktop_app.domain.model import ward_layout

    unknown = [key for key in changes if key not in LAYOUT_KEYS]
    if unknown:
        raise ExchangeError(f"印刷の様式に「{unknown[0]}」という項目はありません（{'、'.join(LAYOUT_KEYS)}）。")
    start = ward_layout(sheet.ward, sheet.fiscal_year) if preset else sheet.layout
    data = {**layout_to_dict(start), **changes}
    try:
        layout = layout_from_dict(data)
    except ValueError as exc:
        raise ExchangeError(f"{exc}。") from exc
    if preset:
        # The preset is the ward's print; the overview and fields of a newer writer are the sheet's own.
        overview = sheet.layout.overview if "overview" not in changes else layout.overview
        layout = replace(layout, overview=overview, extra=dict(sheet.layout.extra))
    assert sheet.id is not None
    kept = [CategoryChoice(category.name, category.name, category.allocation) for category in sheet.categories]
    try:
        edit = plan_sheet_settings(sheet, title=sheet.title, vision=sheet.vision, categories=kept, layout=layout)
    except EditError as exc:
        raise ExchangeError(str(exc)) from exc
    with writing(workspace):
        apply_changes(workspace.db, sheet.id, edit.changes, user=workspace.user)
    return load_sheet_by_id(workspace.db, sheet.id)
