"""How long the Excel work takes: one ward's 200-project sheet, and a year of six such sheets.

python benchmarks/bench_xlsx.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import median_seconds, print_rows
from benchmarks.synthetic import synthetic_sheet
from desktop_app.domain import WARDS

EXPORT_GOAL_SECONDS = 0.5
CONSOLIDATION_GOAL_SECONDS = 2.0
# Not a stated goal: importing is done far less often than exporting, held to the same bar.
IMPORT_GOAL_SECONDS = 0.5


def measure(repeats: int = 5) -> list[tuple[str, float, float]]:
    """(what, median seconds, goal seconds) for each measurement."""
    from desktop_app.exchange.consolidation import build_consolidated_workbook
    from desktop_app.exchange.xlsx_export import render_xlsx
    from desktop_app.exchange.xlsx_import import read_xlsx

    large = synthetic_sheet("東区", 2020, projects=200)
    year = [synthetic_sheet(ward.name, 2020, projects=200) for ward in WARDS]
    exported = render_xlsx(large)
    return [
        ("xlsx 出力 200事業の合成シート", median_seconds(lambda: render_xlsx(large), repeats), EXPORT_GOAL_SECONDS),
        (
            "全区集計 6シート×200事業",
            median_seconds(lambda: build_consolidated_workbook(year, 2020, problems=[]), repeats),
            CONSOLIDATION_GOAL_SECONDS,
        ),
        (
            "xlsx 取り込み 200事業の合成シート",
            median_seconds(lambda: read_xlsx(exported, "bench.xlsx"), repeats),
            IMPORT_GOAL_SECONDS,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print_rows(measure(args.repeats))


if __name__ == "__main__":
    main()
