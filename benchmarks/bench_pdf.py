"""How long a PDF summary takes: a 200-project sheet, the 東区 sample, and the first one in a new process.

python benchmarks/bench_pdf.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import median_seconds, print_rows
from benchmarks.synthetic import synthetic_sheet
from desktop_app.domain import Sheet

GOAL_SECONDS = 0.5
_ROOT = Path(__file__).resolve().parent.parent

# Run in a new interpreter: the sample is loaded first (not timed), then the clock covers what the
# user waits for on the first export: importing reportlab, parsing the font, rendering.
_FIRST_EXPORT = """
import json, sys, time
sys.path.insert(0, {root!r})
from desktop_app import operations
sheet = next(s for s in operations.sample_sheets() if s.ward == "東区")
started = time.perf_counter()
from desktop_app.exchange import fonts
imported = time.perf_counter()
fonts.register_font()
registered = time.perf_counter()
from desktop_app.exchange.pdf_summary import render_pdf
render_pdf(sheet)
done = time.perf_counter()
print(json.dumps({{"import": imported - started, "font": registered - imported, "total": done - started}}))
"""


def _higashi() -> Sheet:
    from desktop_app import operations

    return next(sheet for sheet in operations.sample_sheets() if sheet.ward == "東区")


def _fresh_process(repeats: int) -> dict[str, float]:
    runs = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", _FIRST_EXPORT.format(root=str(_ROOT))],
            capture_output=True,
            text=True,
            check=True,
            cwd=_ROOT,
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def measure(repeats: int = 5) -> list[tuple[str, float, float]]:
    """(what, median seconds, goal seconds) for each measurement."""
    from desktop_app.exchange.pdf_summary import render_pdf

    large = synthetic_sheet("東区", 2020, projects=200)
    higashi = _higashi()
    render_pdf(higashi)  # the font is registered once per process; the in-process figures exclude it
    first = _fresh_process(repeats)
    return [
        ("PDF 200事業の合成シート (A3)", median_seconds(lambda: render_pdf(large), repeats), GOAL_SECONDS),
        ("PDF 東区サンプル (A4)", median_seconds(lambda: render_pdf(higashi), repeats), GOAL_SECONDS),
        ("初回PDF 新しいプロセス: 合計", first["total"], GOAL_SECONDS),
        ("  うち reportlab の読み込み", first["import"], GOAL_SECONDS),
        ("  うち フォント登録 (6 MB TTF)", first["font"], GOAL_SECONDS),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print_rows(measure(args.repeats))


if __name__ == "__main__":
    main()
