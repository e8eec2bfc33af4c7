"""The `machizukuri` command line of INTERCHANGE.md; with no subcommand it opens the window."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from desktop_app import __version__, operations
from desktop_app.domain import (
    AmountError,
    FiscalYearError,
    SheetStructureError,
    UnknownWardError,
    find_ward,
    format_amount,
    parse_fiscal_year,
    wareki_moment,
    wareki_year,
)
from desktop_app.exchange.errors import ExchangeError
from desktop_app.exchange.files import OverwriteRefusedError
from desktop_app.messages import shown
from desktop_app.storage import StorageError, list_sheets

log = logging.getLogger("machizukuri.cli")

# Errors that are a person's mistake or a bad file: one sentence on stderr, exit 1, no traceback.
USER_ERRORS = (ExchangeError, StorageError, AmountError, FiscalYearError, UnknownWardError, SheetStructureError)

_ARGPARSE_MESSAGES = (
    (re.compile(r"the following arguments are required: (.+)"), r"次の指定が必要です: \1"),
    (re.compile(r"unrecognized arguments: (.+)"), r"知らない指定です: \1"),
    (
        re.compile(r"argument (\S+): invalid choice: '?([^' ]+)'? \(choose from (.+)\)"),
        r"\1 に「\2」は選べません（\3）",
    ),
    (re.compile(r"argument (\S+): expected one argument"), r"\1 の値がありません"),
    (re.compile(r"argument (\S+): expected at least one argument"), r"\1 の値がありません"),
)


class _JapaneseHelpFormatter(argparse.HelpFormatter):
    """Help text in Japanese: argparse's own words (usage:, options:) are English."""

    def add_usage(
        self, usage: str | None, actions: Iterable[argparse.Action], groups: Iterable[Any], prefix: str | None = None
    ) -> None:
        super().add_usage(usage, actions, groups, prefix="使い方: " if prefix is None else prefix)


class _JapaneseParser(argparse.ArgumentParser):
    """argparse that speaks Japanese: help, group titles and usage mistakes (exit status 2)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _JapaneseHelpFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "引数"
        self._optionals.title = "オプション"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="この説明を表示して終了する")

    def error(self, message: str) -> NoReturn:
        for pattern, replacement in _ARGPARSE_MESSAGES:
            if pattern.search(message):
                message = pattern.sub(replacement, message)
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 使い方の誤り: {shown(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _JapaneseParser(
        prog="machizukuri",
        description="熊本市 区まちづくり推進経費の事業シート: 入力・印刷・Excel出力・集計。"
        "コマンドを省くと画面を開きます。",
        epilog="各コマンドの説明: machizukuri COMMAND --help",
    )
    parser.add_argument(
        "--version", action="version", version=f"machizukuri {__version__}", help="版を表示して終了する"
    )
    parser.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help="データベースのファイル（既定: 利用者のデータフォルダ。環境変数 MACHIZUKURI_DB でも指定可。"
        "指定したファイルがないときは init で作る）",
    )
    commands = parser.add_subparsers(dest="command", parser_class=_JapaneseParser, metavar="COMMAND", title="コマンド")

    def command(name: str, summary: str, description: str | None = None) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=summary, description=description or summary)

    gui = command(
        "gui",
        "画面を開く（既定）",
        "シートを編集する画面を開く。--ward・--year はこのときだけの指定で、設定は変わらない。",
    )
    gui.add_argument("--screenshot", type=Path, metavar="PNG", help="画面を一度描いてPNGに保存し、終了する")
    gui.add_argument("--ward", help="開く区（例: 東区）")
    gui.add_argument("--year", help="開く年度（例: 2020、R2）")
    # For benchmarks/run.py: print FIRST_PAINT when the window first paints, then quit.
    gui.add_argument("--exit-after-first-paint", action="store_true", help=argparse.SUPPRESS)

    init = command(
        "init",
        "新しいデータベースを作る",
        "新しいデータベースを作る（--db または MACHIZUKURI_DB で指定した場所に。既にあるファイルは変えない）。",
    )
    init.add_argument("--samples", action="store_true", help="令和2年度の5区のサンプルシートを入れる")

    new = command(
        "new",
        "新しい年度のシートを作る",
        "新しい年度のシートを作る。--from-year を付けると、その年度のシートから事業（名前・内容・グループ・"
        "経費区分・№）を引き継ぎ、金額は空、【新規】なし、状況は予定になる。",
    )
    new.add_argument("--ward", required=True, help="区（例: 北区）")
    new.add_argument("--year", required=True, help="作る年度（例: 2021、R3）")
    new.add_argument("--from-year", metavar="YEAR", help="引き継ぐ元の年度（例: 2020）。省くと空のシート")
    new.add_argument(
        "--allocation",
        action="append",
        default=[],
        metavar="区分=千円",
        help="経費区分の配分額（例: まちづくり推進経費=19000）。繰り返して複数指定できる",
    )

    imp = command(
        "import",
        "シートのファイル（.json / .xlsx / .eml）を取り込む",
        "シートのファイル（.json / .xlsx、またはそれを添付したメールを .eml で保存したもの）を取り込む。"
        "全部取り込むか、何もしないか。同じ区・年度のシートは置き換える。",
    )
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE", help="取り込むファイル（複数可）")
    imp.add_argument("--dry-run", action="store_true", help="取り込むと何が変わるかを表示するだけで、何も書き込まない")

    exp = command("export", "シートを書き出す（json / xlsx / pdf / eml）")
    exp.add_argument(
        "format",
        choices=("json", "xlsx", "pdf", "eml"),
        metavar="FORMAT",
        help="json（交換用ファイル） / xlsx（市の様式のExcel） / pdf（1枚の印刷用） / eml（政策企画課へのメール下書き）",
    )
    exp.add_argument("--ward", required=True, help="区（例: 東区）")
    exp.add_argument("--year", required=True, help="年度（例: 2020、R2、令和2年度）")
    # Kept as text: Path("") would silently become the current folder.
    exp.add_argument("-o", "--output", required=True, metavar="OUT", help="書き出すファイル（json は - で標準出力）")
    exp.add_argument("--force", action="store_true", help="既にあるファイルを上書きする")
    exp.add_argument(
        "--paper",
        choices=("auto", "a4", "a3"),
        default="auto",
        metavar="PAPER",
        help="PDFの用紙: auto（既定: A4、収まらなければA3） / a4 / a3",
    )

    con = command("consolidate", "一年度の全区を一つのExcelにまとめる")
    con.add_argument("--year", required=True, help="年度（例: 2020）")
    con.add_argument("-o", "--output", required=True, metavar="OUT.xlsx", help="書き出すExcelファイル")
    con.add_argument(
        "--from-files",
        type=Path,
        metavar="DIR",
        help="データベースの代わりに、各区から届いたファイル（.xlsx / .eml）のフォルダから集計する",
    )
    con.add_argument("--force", action="store_true", help="既にあるファイルを上書きする")

    command("list", "保存されているシートと段階ごとの合計を表示する")

    lay = command(
        "layout",
        "シートの印刷の様式を表示する・変える（区ごとの様式）",
        "シートの印刷の様式（表の分け方・番号・合計の呼び方・概要など）を表示する。--set などで変える。",
    )
    lay.add_argument("--ward", required=True, help="区（例: 南区）")
    lay.add_argument("--year", required=True, help="年度（例: 2020、R2）")
    lay.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="項目=値",
        help='変える項目（例: total_label=合　計、group_subtotals=true、category_order=["復興支援自治推進経費"]）',
    )
    lay.add_argument("--overview-file", type=Path, metavar="FILE", help="表の上に印刷する概要（UTF-8のテキスト）")
    lay.add_argument("--preset", action="store_true", help="区の標準の様式に戻す（概要はそのまま）")

    bak = command("backup", "データベースの一貫したコピーを作る")
    bak.add_argument("-o", "--output", metavar="FILE", help="コピー先（既定: バックアップフォルダ）")
    bak.add_argument("--force", action="store_true", help="既にあるファイルを上書きする")

    command("backups", "バックアップの一覧（日時・理由・シート数・ファイル）を表示する")

    his = command("history", "シートの変更履歴（新しい順）を表示する")
    his.add_argument("--ward", required=True, help="区（例: 東区）")
    his.add_argument("--year", required=True, help="年度（例: 2020、R2）")

    sea = command("search", "全年度・全区の事業を、事業名・事業内容・備考から探す")
    sea.add_argument("words", nargs="+", metavar="TEXT", help="探す語（複数なら全部を含む事業）")

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_stdio()
    from desktop_app.logs import setup_logging

    args = build_parser().parse_args(argv)
    command = args.command or "gui"
    setup_logging(console=False)
    try:
        return _run(command, args)
    except OverwriteRefusedError as exc:
        _say(f"「{shown(exc.path)}」はすでにあります。上書きする場合は --force を付けてください。")
    except USER_ERRORS as exc:
        _say(str(exc))
    except KeyboardInterrupt:
        _say("中断しました。")
    except Exception as exc:  # last resort: a bug must still not show a traceback to a user
        from desktop_app.logs import log_file

        log.exception("unexpected error in %s", command)
        _say(f"予期しないエラーが発生しました（{type(exc).__name__}）。詳細はログ「{log_file()}」にあります。")
    return 1


def _utf8_stdio() -> None:
    """Write UTF-8 to stdout and stderr whatever the Windows code page (UTF-8 mode for printing).

    Python writes a pipe or file in the ANSI code page: under cp1252 the Japanese of `list` cannot be
    encoded at all, and under cp932 `export json -o -` would not be the UTF-8 that INTERCHANGE.md
    promises. A console is unaffected (Python writes it as UTF-16). The windowed exe has no streams.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (getattr(stream, "encoding", "") or "").lower() not in ("utf-8", "utf8"):
            reconfigure(encoding="utf-8")


def _say(message: str) -> None:
    # One line whatever the message echoes (a file name or --ward holding a newline): a second
    # line could pass for a traceback or for the command's own output.
    print(shown(message), file=sys.stderr)


def _out(text: str) -> None:
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:
        # A console in cp932 cannot show an emoji in a file name: the work is done, so say so anyway.
        encoding = sys.stdout.encoding or "ascii"
        sys.stdout.write(text.encode(encoding, "backslashreplace").decode(encoding))


def _out_bytes(data: bytes) -> None:
    """Data for a pipe (`export json -o -`): the file's exact UTF-8 bytes, whatever the console's code page."""
    sys.stdout.flush()
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:  # a replaced stdout without bytes underneath (an embedding host): text is all it takes
        sys.stdout.write(data.decode("utf-8"))
    else:
        stream.write(data)
        stream.flush()


def _run(command: str, args: argparse.Namespace) -> int:
    path, named = operations.chosen_database(args.db)
    if command == "gui":
        return _run_gui(args, path, named)
    if command == "init":
        workspace = operations.init_database(path, samples=args.samples)
        what = "令和2年度のサンプルシート入りの" if args.samples else "空の"
        workspace.close()
        _out(f"{shown(path)} に{what}データベースを作りました。\n")
        return 0
    if named:
        operations.require_existing(path)
    workspace = operations.open_workspace(path, on_wait=_say)
    try:
        if command == "list":
            _print_list(workspace)
        elif command == "import" and args.dry_run:
            for preview in operations.preview_import(workspace, args.files):
                _out("\n".join(preview.report_lines()) + "\n")
        elif command == "import":
            outcomes = operations.import_files(workspace, args.files)
            for outcome in outcomes:
                verb = "置き換えました" if outcome.replaced else "取り込みました"
                sheet = outcome.sheet
                _out(f"{sheet.year_label} {sheet.ward}（{len(sheet.projects)}事業）を{verb}: {shown(outcome.source)}\n")
        elif command == "export":
            sheet = operations.find_sheet(workspace, args.ward, args.year)
            if args.output == "-":
                if args.format != "json":
                    raise ExchangeError(
                        f"標準出力（-o -）に書き出せるのは json だけです（{args.format} はファイル名を指定してください）。"
                    )
                _out_bytes(operations.render_sheet(sheet, "json"))
            else:
                result = operations.export_sheet(
                    sheet, args.format, args.output, overwrite=args.force, options={"paper": args.paper}
                )
                for warning in result.warnings:
                    _say(f"注意: {warning}")
                if result.message:
                    _say(f"注意: {result.message}")
                _out(f"{shown(result.path)} に書き出しました。\n")
        elif command == "consolidate":
            consolidated = operations.consolidate(
                workspace, args.year, args.output, from_files=args.from_files, overwrite=args.force
            )
            for problem in consolidated.problems:
                _say(f"注意: {problem}")
            _out(f"{shown(consolidated.path)} に{consolidated.sheets}区のシートをまとめて書き出しました。\n")
        elif command == "new":
            allocations = [operations.parse_allocation(text) for text in args.allocation]
            sheet = operations.create_sheet(
                workspace, ward=args.ward, year=args.year, from_year=args.from_year, allocations=allocations
            )
            carried = (
                f"{wareki_year(parse_fiscal_year(args.from_year))}から{len(sheet.projects)}事業を引き継いで"
                if args.from_year
                else ""
            )
            shares = "、".join(
                f"{category.name} {format_amount(category.allocation)}千円" for category in sheet.categories
            )
            _out(f"{sheet.year_label} {sheet.ward}のシートを{carried}作りました（配分額: {shares}）。\n")
        elif command == "layout":
            _layout(workspace, args)
        elif command == "backup":
            written = operations.backup_now(workspace, args.output, overwrite=args.force)
            _out(f"{shown(written)} にバックアップしました。\n")
        else:
            _run_more(command, args, workspace)
    finally:
        workspace.close()
    return 0


def _run_gui(args: argparse.Namespace, path: Path, named: bool) -> int:
    if named:
        operations.require_existing(path)
    # Read here, so a mistyped ward or year is one sentence like any other command's mistake.
    ward = find_ward(args.ward).name if getattr(args, "ward", None) else None
    year = parse_fiscal_year(args.year) if getattr(args, "year", None) else None
    from desktop_app.gui.app import run_gui

    return run_gui(
        db_path=path,
        screenshot=getattr(args, "screenshot", None),
        ward=ward,
        year=year,
        exit_after_first_paint=getattr(args, "exit_after_first_paint", False),
    )


def _run_more(command: str, args: argparse.Namespace, workspace: operations.Workspace) -> None:
    """The commands that do what the window does: the backup list, history, search."""
    if command == "backups":
        _print_backups(workspace)
    elif command == "history":
        sheet = operations.find_sheet(workspace, args.ward, args.year)
        assert sheet.id is not None
        entries = operations.project_history(workspace, sheet_id=sheet.id)
        if not entries:
            _out(f"{sheet.year_label} {sheet.ward}の変更履歴はありません。\n")
            return
        rows = [
            [
                wareki_moment(e.changed_at),
                e.changed_by,
                e.project_label,
                e.field,
                e.old_value or "",
                e.new_value or "",
            ]
            for e in entries
        ]
        _out(_table(["日時", "担当者", "事業", "項目", "変更前", "変更後"], rows, right_from=99))
    elif command == "search":
        hits = operations.search(workspace, text=" ".join(args.words))
        if not hits:
            _out("見つかりませんでした。\n")
            return
        rows = [[wareki_year(h.fiscal_year), h.ward, h.no, h.name] for h in hits]
        _out(_table(["年度", "区", "№", "事業名"], rows, right_from=99) + f"（{len(hits)}件）\n")


def _print_backups(workspace: operations.Workspace) -> None:
    found = operations.list_backups(workspace)
    if not found:
        _out(f"バックアップはまだありません（{operations.backup_folder(workspace)}）。\n")
        return
    rows = []
    for info in found:
        count = operations.backup_sheet_count(info.path)
        rows.append(
            [
                wareki_moment(info.taken_at, seconds=True),
                info.reason_label,
                info.path.name,
                "読めません" if count is None else str(count),
            ]
        )
    _out(
        _table(["日時", "理由", "ファイル", "シート数"], rows, right_from=3)
        + f"（{operations.backup_folder(workspace)}）\n"
    )


def _layout(workspace: operations.Workspace, args: argparse.Namespace) -> None:
    """Show the sheet's layout, or change it (a --set value is text; true / false, [...] and {...} are JSON)."""
    from desktop_app.domain.layout import layout_to_dict

    sheet = operations.find_sheet(workspace, args.ward, args.year)
    changes: dict[str, object] = {}
    for item in args.set:
        key, equals, value = item.partition("=")
        if not equals:
            raise ExchangeError(f"--set「{item}」は 項目=値 の形にしてください。")
        text = value.strip()
        if text in ("true", "false") or text.startswith(("[", "{")):
            try:
                changes[key.strip()] = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ExchangeError(f"--set「{item}」の値がJSONとして読めません（{exc.msg}）。") from exc
        else:
            changes[key.strip()] = value
    if args.overview_file is not None:
        try:
            changes["overview"] = args.overview_file.read_text(encoding="utf-8-sig").rstrip("\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise ExchangeError(f"概要のファイル「{args.overview_file}」を読めません（{exc}）。") from exc
    if changes or args.preset:
        sheet = operations.set_sheet_layout(workspace, sheet, changes, preset=args.preset)
    _out(json.dumps(layout_to_dict(sheet.layout, complete=True), ensure_ascii=False, indent=2) + "\n")


def _print_list(workspace: operations.Workspace) -> None:
    summaries = list_sheets(workspace.db)
    if not summaries:
        _out("シートはありません。\n")
        return
    stage_names: list[str] = []
    for summary in summaries:
        for name in summary.stage_names:
            if name not in stage_names:
                stage_names.append(name)
    header = ["年度", "区", "事業数", *stage_names]
    rows = []
    for summary in summaries:
        by_name = dict(zip(summary.stage_names, summary.totals, strict=True))
        rows.append(
            [
                f"{wareki_year(summary.fiscal_year)}（{summary.fiscal_year}）",
                summary.ward,
                str(summary.project_count),
                *(format_amount(by_name.get(name)) for name in stage_names),
            ]
        )
    _out(_table(header, rows, right_from=2) + f"（単位：千円、{len(summaries)}シート）\n")


def _width(text: str) -> int:
    """Display width in a terminal: East Asian wide characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(header: list[str], rows: list[list[str]], *, right_from: int) -> str:
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - _width(cell))
            cells.append(pad + cell if i >= right_from else cell + pad)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
