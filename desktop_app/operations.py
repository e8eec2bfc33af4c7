"""What the window and the command line both do: open the database, import, export, back up.

Each function here is one user-visible operation; the CLI and the GUI call these and nothing
lower, so a test of the CLI is a test of what the window does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from desktop_app.domain import Sheet, find_ward, parse_fiscal_year, wareki_short, wareki_year
from desktop_app.exchange.errors import ExchangeError, ImportFileError
from desktop_app.exchange.files import OverwriteRefusedError, safe_file_name, write_atomically
from desktop_app.exchange.json_format import dump_sheet, load_sheet_bytes
from desktop_app.paths import backup_dir_for, data_path, default_db_path
from desktop_app.storage import (
    SheetSummary,
    StorageError,
    list_sheets,
    load_sheet,
    open_database,
    replace_sheets,
)
from desktop_app.storage import backup as backups
from desktop_app.storage.database import Database

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

    def close(self) -> None:
        self.db.close()


def sample_files() -> list[Path]:
    return sorted(data_path("resources", "sample").glob("*.json"))


def sample_sheets() -> list[Sheet]:
    """The bundled FY2020 sheets of all five wards."""
    return [load_sheet_bytes(path.read_bytes(), path.name) for path in sample_files()]


def open_workspace(path: Path | None = None, *, readonly: bool = False, seed: bool = True) -> Workspace:
    """Open the database (the user's default one without a path); a new one gets the sample sheets."""
    path = Path(path) if path is not None else default_db_path()
    db, created = open_database(
        path,
        readonly=readonly,
        before_migration=lambda p, _version: backups.take_backup(p, "migration"),
    )
    workspace = Workspace(path=path, db=db, readonly=readonly, created=created)
    if created and seed:
        replace_sheets(db, sample_sheets(), source=SAMPLE_SOURCE)
        log.info("new database %s filled with the sample sheets", path)
    return workspace


def read_sheet_file(path: Path) -> list[Sheet]:
    """The sheets in one import file (.json now; .xlsx once the Excel support lands)."""
    suffix = path.suffix.lower()
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ImportFileError(path.name, "ファイルが見つかりません") from exc
    except OSError as exc:
        raise ImportFileError(path.name, f"ファイルを読めません（{exc.strerror}）") from exc
    if suffix == ".json":
        return [load_sheet_bytes(raw, path.name)]
    if suffix in (".xlsx", ".xlsm"):
        from desktop_app.exchange.xlsx_import import read_xlsx

        return read_xlsx(raw, path.name)
    raise ImportFileError(path.name, "取り込めるのは .json と .xlsx のファイルです")


@dataclass(frozen=True)
class ImportOutcome:
    sheet: Sheet
    replaced: bool
    source: str


def import_files(workspace: Workspace, paths: Sequence[Path]) -> list[ImportOutcome]:
    """Import every file or none: all are read and checked first, then stored in one transaction."""
    read: list[tuple[Sheet, str]] = []
    seen: dict[tuple[str, int], str] = {}
    for path in paths:
        for sheet in read_sheet_file(path):
            key = (sheet.ward, sheet.fiscal_year)
            if key in seen:
                raise ImportFileError(
                    path.name, f"{sheet.year_label} {sheet.ward}のシートが「{seen[key]}」と重複しています"
                )
            seen[key] = path.name
            read.append((sheet, path.name))
    if not read:
        return []
    backups.take_backup(workspace.path, "import")
    sources = "、".join(dict.fromkeys(name for _, name in read))
    stored = replace_sheets(workspace.db, [sheet for sheet, _ in read], source=sources)
    return [ImportOutcome(sheet, replaced, source) for (sheet, replaced), (_, source) in zip(stored, read, strict=True)]


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
        return Rendered(result.data, result.message)
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


def export_sheet(
    sheet: Sheet, fmt: str, target: Path, *, overwrite: bool = False, options: Mapping[str, str] | None = None
) -> ExportResult:
    """Write a sheet to a file in the given format, safely (temporary file, then rename)."""
    rendered = render(sheet, fmt, options)
    return ExportResult(write_atomically(target, rendered.data, overwrite=overwrite), rendered.message)


def backup_now(workspace: Workspace, target: Path | None = None, *, overwrite: bool = False) -> Path:
    """A consistent copy of the open database: to `target`, or into the rotated backup folder."""
    if target is None:
        folder = backup_dir_for(workspace.path)
        made = backups.copy_database(workspace.db.conn, folder / backups.backup_name("manual"))
        backups.prune_backups(folder)
        return made
    if target.exists() and not overwrite:
        raise OverwriteRefusedError(target)
    return backups.copy_database(workspace.db.conn, target)


@dataclass(frozen=True)
class ConsolidationResult:
    path: Path
    sheets: int
    # Wards missing, files of another year: said on the summary sheet and to the person.
    problems: list[str]


def consolidate(
    workspace: Workspace,
    year: str | int,
    target: Path,
    *,
    from_files: Path | None = None,
    overwrite: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> ConsolidationResult:
    """One workbook of every ward's sheet for a year, for the planning division.

    From the database, or (`from_files`) from a folder of the wards' emailed .xlsx files.
    `progress(done, total, what)` is called as each sheet is handled.
    """
    from desktop_app.domain import CITY_WARDS
    from desktop_app.exchange.consolidation import build_consolidated_workbook, sheets_from_folder

    fiscal_year = parse_fiscal_year(year)
    if from_files is not None:
        sheets, problems = sheets_from_folder(from_files, fiscal_year)
    else:
        sheets = [
            load_sheet(workspace.db, summary.ward, summary.fiscal_year)
            for summary in list_sheets(workspace.db)
            if summary.fiscal_year == fiscal_year
        ]
        held = {sheet.ward for sheet in sheets}
        problems = [f"{ward.name}のシートがありません。" for ward in CITY_WARDS if ward.name not in held]
    if not sheets:
        raise ExchangeError(f"{wareki_year(fiscal_year)}のシートが1つもありません。")
    data = build_consolidated_workbook(sheets, fiscal_year, problems=problems, progress=progress)
    path = write_atomically(target, data, overwrite=overwrite)
    return ConsolidationResult(path, len(sheets), problems)


def restore_backup(workspace: Workspace, backup: Path) -> Path | None:
    """Replace the open database's content with a backup's; the current state is backed up first."""
    if workspace.readonly:
        raise StorageError("読み取り専用で開いているため、復元できません。")
    safety = backups.take_backup(workspace.path, "restore")
    backups.restore_into(backup, workspace.db.conn)
    log.info("restored %s (current state kept in %s)", backup, safety)
    return safety


def set_sheet_layout(
    workspace: Workspace, sheet: Sheet, changes: Mapping[str, object], *, preset: bool = False
) -> Sheet:
    """Change how a sheet prints: the ward's preset (seed 001) if `preset`, then `changes` (fields
    by their name in the sheet file's `layout`). A name that is not a field is refused."""
    from desktop_app.domain.layout import LAYOUT_KEYS, layout_from_dict, layout_to_dict
    from desktop_app.domain.model import ward_layout
    from desktop_app.storage import update_sheet_layout

    unknown = [key for key in changes if key not in LAYOUT_KEYS]
    if unknown:
        raise ExchangeError(f"印刷の様式に「{unknown[0]}」という項目はありません（{'、'.join(LAYOUT_KEYS)}）。")
    start = ward_layout(sheet.ward) if preset else sheet.layout
    data = {**layout_to_dict(start), **changes}
    try:
        layout = layout_from_dict(data)
    except ValueError as exc:
        raise ExchangeError(f"{exc}。") from exc
    if preset:
        layout = replace(layout, overview=sheet.layout.overview if "overview" not in changes else layout.overview)
    assert sheet.id is not None
    return update_sheet_layout(workspace.db, sheet.id, layout)
