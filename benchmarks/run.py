"""Every speed and memory goal, measured several times, as one table of medians (and RESULTS.md).

    python benchmarks/run.py [--repeats 5] [--write-results]

Builds the large database (30 years × 6 sheets × 200 projects) when it is missing, then measures:
start-up against an empty PySide6 window, sheet switch, edit, `list`, peak memory after 20 sheets,
the xlsx/PDF exports and the consolidation, and LibreOffice's PDF conversion against ours.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import display_width  # noqa: E402
from benchmarks.make_large_db import DEFAULT_PATH, build  # noqa: E402

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
_EMPTY_WINDOW = """
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class Watcher(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.done)
        return False
    def done(self):
        print("FIRST_PAINT", flush=True)
        QApplication.quit()

app = QApplication(sys.argv[:1])
window = QMainWindow()
watcher = Watcher()
window.installEventFilter(watcher)
window.resize(1280, 800)
window.show()
app.exec()
"""


@dataclass
class Result:
    what: str
    value: float
    goal: float
    unit: str  # "s", "ms", "MB", "×"
    # True when smaller is better (times, memory); False for "at least" goals.
    lower_is_better: bool = True
    note: str = ""

    @property
    def met(self) -> bool:
        return self.value <= self.goal if self.lower_is_better else self.value >= self.goal


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MACHIZUKURI_DATA_DIR": str(data_dir)}
    # Measure as installed apps run: with compiled bytecode cached, as pip leaves it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(ROOT)
    return env


def _until_line(command: list[str], marker: str, env: dict[str, str]) -> float:
    """Seconds from starting the process to the line `marker` on its stdout."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == marker:
            elapsed = time.perf_counter() - started
            break
    else:
        raise RuntimeError(f"{command} ended without {marker}")
    process.wait(timeout=60)
    return elapsed


def _wall(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def _median(run: Callable[[], float], repeats: int, warmups: int = 1) -> float:
    for _ in range(warmups):
        run()
    return statistics.median(run() for _ in range(repeats))


def measure_startup(work: Path, repeats: int) -> list[Result]:
    env = _env(work / "data-startup")
    sample_db = work / "sample.sqlite3"
    # A named database must exist (the command line refuses to create one by accident): made first, not timed.
    _wall([sys.executable, "-m", "desktop_app", "--db", str(sample_db), "init", "--samples"], env)
    app = [sys.executable, "-m", "desktop_app", "--db", str(sample_db), "gui", "--exit-after-first-paint"]
    _until_line(app, "FIRST_PAINT", env)  # warms the disk cache; not timed
    ours = _median(lambda: _until_line(app, "FIRST_PAINT", env), repeats)
    empty = _median(lambda: _until_line([sys.executable, "-c", _EMPTY_WINDOW], "FIRST_PAINT", env), repeats)
    return [
        Result("起動: 最初の描画まで（サンプルDB）", ours * 1000, 0, "ms", note="参考"),
        Result("起動: 空の QMainWindow", empty * 1000, 0, "ms", note="参考"),
        Result("起動の比（本アプリ ÷ 空のウィンドウ）", ours / empty, 1.5, "×"),
    ]


def measure_window(large: Path, work: Path, repeats: int) -> list[Result]:
    runs = []
    for index in range(max(3, repeats // 2)):
        copy = work / f"window-{index}.sqlite3"
        shutil.copyfile(large, copy)
        output = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "window_probe.py"), str(copy)],
            check=True,
            capture_output=True,
            text=True,
            env=_env(work / "data-window"),
        ).stdout
        runs.append(json.loads(output.strip().splitlines()[-1]))
    switch = statistics.median(run["switch_median"] for run in runs)
    edit = statistics.median(run["edit_median"] for run in runs)
    memory = max(run["peak_rss_mb"] for run in runs)
    return [
        Result("シート切替（大DB、再描画まで）", switch * 1000, 100, "ms"),
        Result("金額の入力（保存・合計更新・再描画）", edit * 1000, 20, "ms"),
        Result("20シートを開いた後のピークメモリ", memory, 250, "MB"),
    ]


def measure_list(large: Path, work: Path, repeats: int) -> list[Result]:
    env = _env(work / "data-list")
    command = [sys.executable, "-m", "desktop_app", "--db", str(large), "list"]
    return [Result("machizukuri list（大DB、プロセス全体）", _median(lambda: _wall(command, env), repeats), 0.5, "s")]


def measure_exports(repeats: int) -> list[Result]:
    from benchmarks import bench_pdf, bench_xlsx

    results = []
    for what, seconds, goal in bench_xlsx.measure(repeats) + bench_pdf.measure(repeats):
        results.append(Result(what, seconds, goal, "s"))
    return results


def measure_hostile() -> list[Result]:
    """Each hostile file of issue 11 imported in a process of its own: seconds and peak memory."""
    from benchmarks import bench_hostile

    results = []
    for what, seconds, megabytes, _size, as_expected, _said in bench_hostile.measure():
        note = "" if as_expected else "結果が違います"
        results.append(Result(f"{what}: 時間", seconds, bench_hostile.SECONDS_GOAL, "s", note=note))
        results.append(Result(f"{what}: ピークメモリ", megabytes, bench_hostile.MEGABYTES_GOAL, "MB", note=note))
    return results


def measure_libreoffice(work: Path, repeats: int) -> list[Result]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return [Result("LibreOffice 比較", 0, 5, "×", lower_is_better=False, note="soffice がないため未測定")]
    from benchmarks.synthetic import synthetic_sheet
    from desktop_app.exchange.json_format import dump_sheet

    env = _env(work / "data-lo")
    db = work / "lo.sqlite3"
    sheet_file = work / "sheet.json"
    sheet_file.write_text(dump_sheet(synthetic_sheet("東区", 2031, 200)), encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "desktop_app", "--db", str(db), "init"], check=True, env=env, capture_output=True
    )
    subprocess.run(
        [sys.executable, "-m", "desktop_app", "--db", str(db), "import", str(sheet_file)],
        check=True,
        env=env,
        capture_output=True,
    )
    xlsx = work / "sheet.xlsx"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop_app",
            "--db",
            str(db),
            "export",
            "xlsx",
            "--ward",
            "東区",
            "--year",
            "2031",
            "-o",
            str(xlsx),
            "--force",
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    profile = work / "lo-profile"
    convert = [
        soffice,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(work / "lo-out"),
        str(xlsx),
    ]
    ours_command = [
        sys.executable, "-m", "desktop_app", "--db", str(db), "export", "pdf", "--ward", "東区", "--year", "2031",
        "-o", str(work / "ours.pdf"), "--force",
    ]  # fmt: skip
    theirs = _median(lambda: _wall(convert, env), repeats)
    ours = _median(lambda: _wall(ours_command, env), repeats)
    return [
        Result("LibreOffice: xlsx→PDF（200事業）", theirs, 0, "s", note="参考"),
        Result("本アプリ: export pdf（同じシート、プロセス全体）", ours, 0, "s", note="参考"),
        Result("LibreOffice ÷ 本アプリ", theirs / ours, 5, "×", lower_is_better=False),
    ]


def _format(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.2f}×"


def _goal(result: Result) -> str:
    if result.note == "参考" or (result.goal == 0 and result.lower_is_better):
        return "（参考）"
    sign = "≤" if result.lower_is_better else "≥"
    if result.unit == "s":
        sign = "<"
    if result.unit in ("ms", "MB"):
        sign = "<"
    return f"{sign} {_format(result.goal, result.unit)}"


def table(results: list[Result]) -> str:
    header = ("測定", "中央値", "目標", "達成")
    rows = []
    for result in results:
        verdict = "" if _goal(result) == "（参考）" else ("○" if result.met else "×")
        if result.note and result.note != "参考":
            verdict = result.note
        value = (
            "—"
            if result.note and result.note not in ("参考",) and result.value == 0
            else _format(result.value, result.unit)
        )
        rows.append((result.what, value, _goal(result), verdict))
    widths = [max(display_width(row[i]) for row in [header, *rows]) for i in range(4)]
    lines = ["| " + " | ".join(cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(header)) + " |"]
    lines.append("| " + " | ".join("-" * widths[i] for i in range(4)) + " |")
    for row in rows:
        lines.append(
            "| " + " | ".join(cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(row)) + " |"
        )
    return "\n".join(lines)


_START, _END = "<!-- results: written by benchmarks/run.py -->", "<!-- /results -->"


def _with_results(document: str, measured: str) -> str:
    """RESULTS.md with the measured table replaced and everything written by hand kept."""
    block = f"{_START}\n{measured}{_END}"
    if _START in document and _END in document:
        before, rest = document.split(_START, 1)
        return before + block + rest.split(_END, 1)[1]
    return f"# Benchmark results\n\n{block}\n"


def machine() -> str:
    from PySide6 import __version__ as pyside

    return (
        f"{os.cpu_count()} cores, {platform.machine()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PySide6 {pyside}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--write-results", action="store_true", help="benchmarks/RESULTS.md に表を書く")
    args = parser.parse_args()
    large = DEFAULT_PATH
    if not large.exists():
        print(f"building {large} …", flush=True)
        large.parent.mkdir(parents=True, exist_ok=True)
        build(large)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="machizukuri-bench-") as folder:
        work = Path(folder)
        steps: tuple[Callable[[], list[Result]], ...] = (
            lambda: measure_startup(work, args.repeats),
            lambda: measure_window(large, work, args.repeats),
            lambda: measure_list(large, work, args.repeats),
            lambda: measure_exports(args.repeats),
            measure_hostile,
            lambda: measure_libreoffice(work, args.repeats),
        )
        for step in steps:
            found = step()
            results += found
            print(table(found), flush=True)
    report = table(results)
    print()
    print(report)
    print(f"\n{machine()}")
    if args.write_results:
        measured = (
            f"Measured {dt.date.today().isoformat()} with `python benchmarks/run.py --repeats {args.repeats} "
            f"--write-results` on {machine()}. Medians of {args.repeats} runs after a warm-up; the large "
            "database is 30 years × 6 sheets × 200 projects.\n\n" + report + "\n"
        )
        previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        RESULTS.write_text(_with_results(previous, measured), encoding="utf-8")
        print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
