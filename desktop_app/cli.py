"""The `machizukuri` command line of INTERCHANGE.md; with no subcommand it opens the window."""

from __future__ import annotations

import argparse
import logging
import re
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from desktop_app import __version__, operations
from desktop_app.domain import (
    AmountError,
    FiscalYearError,
    SheetStructureError,
    UnknownWardError,
    format_amount,
    wareki_year,
)
from desktop_app.exchange.errors import ExchangeError
from desktop_app.exchange.files import OverwriteRefusedError
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


class _JapaneseParser(argparse.ArgumentParser):
    """argparse that reports usage mistakes in Japanese (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        for pattern, replacement in _ARGPARSE_MESSAGES:
            if pattern.search(message):
                message = pattern.sub(replacement, message)
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 使い方の誤り: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _JapaneseParser(
        prog="machizukuri",
        description="熊本市 区まちづくり推進経費の事業シート: 入力・印刷・Excel出力・集計",
    )
    parser.add_argument("--version", action="version", version=f"machizukuri {__version__}")
    parser.add_argument(
        "--db", type=Path, help="データベースのファイル（既定: 利用者のデータフォルダ、環境変数 MACHIZUKURI_DB）"
    )
    commands = parser.add_subparsers(dest="command", parser_class=_JapaneseParser, metavar="COMMAND")

    gui = commands.add_parser("gui", help="画面を開く（既定）")
    gui.add_argument("--screenshot", type=Path, metavar="PNG", help="画面を一度描いてPNGに保存し、終了する")
    gui.add_argument("--ward", help="開く区（例: 東区）")
    gui.add_argument("--year", help="開く年度（例: 2020、R2）")
    # For benchmarks/run.py: print FIRST_PAINT when the window first paints, then quit.
    gui.add_argument("--exit-after-first-paint", action="store_true", help=argparse.SUPPRESS)

    imp = commands.add_parser("import", help="シートのファイル（.json / .xlsx）を取り込む（全部か、何もしないか）")
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")

    exp = commands.add_parser("export", help="シートを書き出す（json / xlsx / pdf / eml）")
    exp.add_argument("format", choices=("json", "xlsx", "pdf", "eml"), metavar="FORMAT")
    exp.add_argument("--ward", required=True, help="区（例: 東区）")
    exp.add_argument("--year", required=True, help="年度（例: 2020、R2、令和2年度）")
    exp.add_argument(
        "-o", "--output", type=Path, required=True, metavar="OUT", help="書き出すファイル（json は - で標準出力）"
    )
    exp.add_argument("--force", action="store_true", help="既にあるファイルを上書きする")
    exp.add_argument(
        "--paper", choices=("auto", "a4", "a3"), default="auto", help="PDFの用紙（既定: A4、収まらなければA3）"
    )

    con = commands.add_parser("consolidate", help="一年度の全区を一つのExcelにまとめる")
    con.add_argument("--year", required=True, help="年度（例: 2020）")
    con.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.xlsx")
    con.add_argument(
        "--from-files",
        type=Path,
        metavar="DIR",
        help="データベースの代わりに、各区から届いた .xlsx のフォルダから集計する",
    )
    con.add_argument("--force", action="store_true", help="既にあるファイルを上書きする")

    commands.add_parser("list", help="保存されているシートと段階ごとの合計を表示する")

    bak = commands.add_parser("backup", help="データベースの一貫したコピーを作る")
    bak.add_argument("-o", "--output", type=Path, metavar="FILE", help="コピー先（既定: バックアップフォルダ）")
    bak.add_argument("--force", action="store_true", help="既にあるファイルを上書きする")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_stdio()
    from desktop_app.logs import setup_logging

    args = build_parser().parse_args(argv)
    command = args.command or "gui"
    setup_logging(console=False)
    if command == "gui":
        from desktop_app.gui.app import run_gui

        return run_gui(
            db_path=args.db,
            screenshot=getattr(args, "screenshot", None),
            ward=getattr(args, "ward", None),
            year=getattr(args, "year", None),
            exit_after_first_paint=getattr(args, "exit_after_first_paint", False),
        )
    try:
        return _run(command, args)
    except OverwriteRefusedError as exc:
        _say(f"「{exc.path}」はすでにあります。上書きする場合は --force を付けてください。")
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
    print(message, file=sys.stderr)


def _out(text: str) -> None:
    sys.stdout.write(text)


def _run(command: str, args: argparse.Namespace) -> int:
    workspace = operations.open_workspace(args.db)
    try:
        if command == "list":
            _print_list(workspace)
        elif command == "import":
            outcomes = operations.import_files(workspace, args.files)
            for outcome in outcomes:
                verb = "置き換えました" if outcome.replaced else "取り込みました"
                sheet = outcome.sheet
                _out(f"{sheet.year_label} {sheet.ward}（{len(sheet.projects)}事業）を{verb}: {outcome.source}\n")
        elif command == "export":
            sheet = operations.find_sheet(workspace, args.ward, args.year)
            if args.format == "json" and str(args.output) == "-":
                _out(operations.render_sheet(sheet, "json").decode("utf-8"))
            else:
                result = operations.export_sheet(
                    sheet, args.format, args.output, overwrite=args.force, options={"paper": args.paper}
                )
                if result.message:
                    _say(f"注意: {result.message}")
                _out(f"{result.path} に書き出しました。\n")
        elif command == "consolidate":
            consolidated = operations.consolidate(
                workspace, args.year, args.output, from_files=args.from_files, overwrite=args.force
            )
            for problem in consolidated.problems:
                _say(f"注意: {problem}")
            _out(f"{consolidated.path} に{consolidated.sheets}区のシートをまとめて書き出しました。\n")
        elif command == "backup":
            written = operations.backup_now(workspace, args.output, overwrite=args.force)
            _out(f"{written} にバックアップしました。\n")
    finally:
        workspace.close()
    return 0


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
