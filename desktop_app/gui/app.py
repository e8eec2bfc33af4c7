"""Starting the window: Qt application, Japanese translation and font, error dialog, screenshot."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QEvent, QEventLoop, QLibraryInfo, QLocale, QObject, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from desktop_app import APP_NAME, __version__, operations
from desktop_app.domain import wareki_year
from desktop_app.domain.wareki import MAX_FISCAL_YEAR
from desktop_app.logs import log_file
from desktop_app.operations import DatabaseLock
from desktop_app.paths import data_path, default_db_path
from desktop_app.settings import Settings, is_first_run, load_settings, save_settings

log = logging.getLogger("machizukuri.gui")

# Fonts a Japanese Windows, macOS or Linux desktop already has; without one we use our own.
SYSTEM_JAPANESE_FONTS = (
    "Yu Gothic UI",
    "Meiryo UI",
    "Meiryo",
    "Yu Gothic",
    "MS UI Gothic",
    "Hiragino Sans",
    "Hiragino Kaku Gothic ProN",
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "IPAexGothic",
    "IPAGothic",
    "TakaoPGothic",
)
BUNDLED_FONT = "IPAexGothic"
SYMBOL_FONT_FILE = "DejaVuSans.ttf"
SCREENSHOT_SIZE = (1280, 800)


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 32, 48, 256):
        path = data_path("resources", "icons", f"app-{size}.png")
        if path.exists():
            icon.addFile(str(path))
    return icon


def install_japanese(app: QApplication) -> None:
    """Qt's own dialogs in Japanese, and a Japanese font even on a PC that has none."""
    QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
    translator = QTranslator(app)
    folders = [
        QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
        str(data_path("resources", "translations")),
    ]
    for folder in folders:
        if translator.load("qtbase_ja", folder):
            app.installTranslator(translator)
            break
    else:
        log.warning("qtbase_ja translation not found")
    families = set(QFontDatabase.families())
    if any(name in families for name in SYSTEM_JAPANESE_FONTS if name != BUNDLED_FONT):
        for name in SYSTEM_JAPANESE_FONTS:
            if name in families:
                font = QFont(name, app.font().pointSize())
                app.setFont(with_symbol_fallback(font))
                return
    font_id = QFontDatabase.addApplicationFont(str(data_path("resources", "fonts", "ipaexg.ttf")))
    if font_id < 0:
        log.warning("bundled font could not be loaded")
        return
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    size = app.font().pointSize()
    app.setFont(with_symbol_fallback(QFont(family, size if size > 0 else 9)))


def with_symbol_fallback(font: QFont) -> QFont:
    """The font, followed by the bundled DejaVu Sans for symbols Japanese fonts lack (西区's ➤).

    The PDF draws such symbols in the same font; listed after the Japanese family, Qt takes it only
    for characters that family has no glyph for, before it would show an empty box.
    """
    font_id = QFontDatabase.addApplicationFont(str(data_path("resources", "fonts", SYMBOL_FONT_FILE)))
    if font_id < 0:
        log.warning("bundled symbol font could not be loaded")
        return font
    fallback = QFontDatabase.applicationFontFamilies(font_id)[0]
    font.setFamilies([*font.families(), fallback])
    return font


def install_error_dialog() -> None:
    """An uncaught error shows a short Japanese dialog and goes, in full, to the log file."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        log.error("uncaught error\n%s", "".join(traceback.format_exception(kind, error, tb)))
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        parent = QApplication.activeWindow()
        QMessageBox.critical(
            parent,
            "予期しないエラー",
            f"予期しないエラーが発生しました（{kind.__name__}: {str(error)[:200]}）。\n"
            f"入力済みのデータは保存されています。\n詳細はログ「{log_file()}」に記録しました。",
        )

    sys.excepthook = hook


def run_gui(
    *,
    db_path: Path | None = None,
    screenshot: Path | None = None,
    ward: str | None = None,
    year: int | None = None,
    exit_after_first_paint: bool = False,
) -> int:
    from desktop_app.gui.qt_environment import route_qt_messages_to_log, xcb_problem

    if screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if QApplication.instance() is None:
        problem = xcb_problem()
        if problem is not None:
            print(problem, file=sys.stderr)
            return 1
        route_qt_messages_to_log()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("machizukuri")
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Kumamoto City")
    install_japanese(app)
    icon = app_icon()
    app.setWindowIcon(icon)
    install_error_dialog()

    from desktop_app.gui.startup import open_database_for_window

    path = Path(db_path) if db_path is not None else default_db_path()
    opened = open_database_for_window(path, ask=screenshot is None)
    if opened is None:
        return 1
    workspace, lock = opened
    settings = load_settings()
    # A screenshot or a start-up measurement runs unattended: no first-run question may wait for a person.
    if screenshot is None and ward is None and not exit_after_first_paint and is_first_run():
        first_run(settings, workspace)
    # --ward/--year choose what this run opens; they never become what the next start opens.
    settings.for_this_run(ward=ward, last_year=year, keep_on_disk=screenshot is not None)
    if year is not None and not operations.has_sheet(workspace, ward=ward or settings.ward, fiscal_year=year):
        message = f"{ward or settings.ward or '選んだ区'}の{wareki_year(year)}のシートはまだありません。"
        if screenshot is not None:
            print(message, file=sys.stderr)
            workspace.close()
            _release(lock)
            return 1
        log.info(message)

    from desktop_app.gui.main_window import MainWindow

    window = MainWindow(workspace, settings, icon)
    if screenshot is not None:
        window.resize(*SCREENSHOT_SIZE)
    else:
        window.place_on_screen()
    workspace.db.on_wait = lambda message: _show_waiting(window, message)
    if screenshot is not None:
        code = _screenshot(app, window, screenshot, workspace)
        _release(lock)
        return code
    if exit_after_first_paint:
        watcher = FirstPaintWatcher(app)
        window.installEventFilter(watcher)
    window.show()
    if not workspace.readonly:
        QTimer.singleShot(1500, lambda: _daily_backup(workspace))
    code = app.exec()
    workspace.close()
    _release(lock)
    return int(code)


def first_run(settings: Settings, workspace: operations.Workspace, parent: QWidget | None = None) -> bool:
    """The first start on this PC: ask the ward, the staff name and the planning division's address,
    then open that ward's latest sheet. False when the person closes the dialog (asked again next time)."""
    from desktop_app.gui.sheet_dialogs import FirstRunDialog

    if not FirstRunDialog(settings, parent).exec():
        return False
    latest = operations.earlier_sheet_year(workspace, ward=settings.ward, fiscal_year=MAX_FISCAL_YEAR + 1)
    settings.last_year = latest
    workspace.user = settings.staff_name or workspace.user
    try:
        save_settings(settings)
    except OSError as exc:
        log.warning("settings not saved: %s", exc)
    return True


def _release(lock: DatabaseLock | None) -> None:
    if lock is not None:
        lock.release()


def _show_waiting(window: QMainWindow, message: str) -> None:
    """While an edit waits for another program to let go of the database, say so in the status bar."""
    window.statusBar().showMessage(message, 10000)
    # Paint only: a keystroke handled now would start a second edit inside the one that waits.
    QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)


class FirstPaintWatcher(QObject):
    """Says FIRST_PAINT on stdout when the window has painted once, and quits (start-up benchmark)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            # After this paint has been delivered: the window is on screen.
            QTimer.singleShot(0, self._done)
        return False

    def _done(self) -> None:
        print("FIRST_PAINT", flush=True)
        QApplication.quit()


def _daily_backup(workspace: operations.Workspace) -> None:
    try:
        operations.daily_backup(workspace)
    except Exception:  # a failed backup must not disturb the person at work; it is logged
        log.exception("daily backup failed")


def _screenshot(app: QApplication, window: QWidget, target: Path, workspace: operations.Workspace) -> int:
    window.show()
    for _ in range(5):
        app.processEvents()
    image = window.grab()
    target.parent.mkdir(parents=True, exist_ok=True)
    ok = image.save(str(target))
    window.close()
    workspace.close()
    if not ok:
        print(f"スクリーンショット「{target}」を保存できませんでした。", file=sys.stderr)
        return 1
    print(f"{target} に画面を保存しました。")
    return 0
