"""What the window and the command line both do: open the database, import, export, back up.

Each function here is one user-visible operation; the CLI and the GUI call these and nothing
lower, so a test of the CLI is a test of what the window does.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from desktop_app.domain import Sheet, find_ward, parse_fiscal_year, ward_order, wareki_short, wareki_year
from desktop_app.domain.city_checks import WardCheck, city_checks
from desktop_app.domain.sheet_diff import SheetDiff, describe_diff, diff_sheets, summarise_diff
from desktop_app.domain.year_comparison import YearComparison, compare_years
from desktop_app.exchange.errors import ExchangeError, ImportFileError
from desktop_app.exchange.files import OverwriteRefusedError, safe_file_name, write_atomically
from desktop_app.exchange.json_format import dump_sheet, load_sheet_bytes
from desktop_app.paths import backup_dir_for, data_path, default_db_path
from desktop_app.storage import (
    HistoryEntry,
    SheetSummary,
    StorageError,
    find_sheet_id,
    list_sheets,
    load_sheet,
    load_sheet_by_id,
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
    """The sheets in one import file: a sheet file (.json), a workbook (.xlsx) or a saved mail (.eml)."""
    suffix = path.suffix.lower()
    if suffix == ".eml":
        from desktop_app.exchange.eml_read import read_eml_file

        return read_eml_file(path)
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
    raise ImportFileError(path.name, "取り込めるのは .json と .xlsx のファイルです（メールは .eml で保存したもの）")


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

    From the database, or (`from_files`) from a folder of the wards' emailed files (.xlsx, .eml).
    `progress(done, total, what)` is called as each sheet is handled. The problems returned
    include each ward's checks (配分額 overrun, 決算額 above the budget…).
    """
    plan = plan_consolidation(workspace, year, from_files=from_files)
    return write_consolidation(plan, target, overwrite=overwrite, progress=progress)


def restore_backup(workspace: Workspace, backup: Path) -> Path | None:
    """Replace the open database's content with a backup's; the current state is backed up first."""
    if workspace.readonly:
        raise StorageError("読み取り専用で開いているため、復元できません。")
    safety = backups.take_backup(workspace.path, "restore")
    backups.restore_into(backup, workspace.db.conn)
    log.info("restored %s (current state kept in %s)", backup, safety)
    return safety


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
    target: Path,
    *,
    overwrite: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> ConsolidationResult:
    """The planned consolidation as one workbook at `target` (written whole, or not at all)."""
    from desktop_app.exchange.consolidation import build_consolidated_workbook

    data = build_consolidated_workbook(
        plan.sheets,
        plan.fiscal_year,
        problems=plan.problems,
        progress=progress,
        checks=plan.checks,
        comparison=plan.comparison,
    )
    path = write_atomically(target, data, overwrite=overwrite)
    return ConsolidationResult(path, len(plan.sheets), [*plan.problems, *plan.check_lines])


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
        last = f"最終変更 {_when(self.last_edit.changed_at)} {self.last_edit.changed_by}"
        if self.file_time is not None:
            if not self.newer_edits:
                return None
            return (
                f"データベースにはこのファイル（{self.file_time:%Y-%m-%d %H:%M}）より新しい変更が"
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


def _when(changed_at: str) -> str:
    try:
        return f"{dt.datetime.fromisoformat(changed_at):%Y-%m-%d %H:%M}"
    except ValueError:
        return changed_at


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


def import_previewed(
    workspace: Workspace,
    previews: Sequence[ImportPreview],
    *,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[ImportOutcome]:
    """Store the sheets a person accepted after seeing their previews: one backup, then one
    transaction. `progress` is called after each sheet inside the transaction; if it raises (中止),
    the transaction is rolled back and the database is as it was."""
    if not previews:
        return []
    keys = [(p.sheet.ward, p.sheet.fiscal_year) for p in previews]
    for preview, key in zip(previews, keys, strict=True):
        if keys.count(key) > 1:
            raise ImportFileError(
                preview.source, f"{preview.sheet.year_label} {preview.sheet.ward}のシートを2つ選んでいます"
            )
    backups.take_backup(workspace.path, "import")
    outcomes: list[ImportOutcome] = []
    with workspace.db.atomic():
        for done, preview in enumerate(previews, start=1):
            ((stored, replaced),) = replace_sheets(workspace.db, [preview.sheet], source=preview.source)
            outcomes.append(ImportOutcome(stored, replaced, preview.source))
            if progress is not None:
                progress(done, len(previews), f"{preview.sheet.year_label} {preview.sheet.ward}")
    return outcomes
