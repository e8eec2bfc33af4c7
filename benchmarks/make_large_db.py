"""Build the large database the goals are measured on: 30 years × 6 sheets × 200 projects.

python benchmarks/make_large_db.py [OUT.sqlite3] [--years 30] [--projects 200]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synthetic import synthetic_sheet
from desktop_app.domain import WARDS
from desktop_app.storage import open_database, replace_sheets

DEFAULT_PATH = Path(__file__).resolve().parent / "out" / "large.sqlite3"


def build(path: Path, years: int = 30, projects: int = 200, first_year: int = 1996) -> Path:
    """A fresh database at `path` holding years × 6 sheets of `projects` projects each."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db, _ = open_database(path)
    try:
        for year in range(first_year, first_year + years):
            sheets = [synthetic_sheet(ward.name, year, projects) for ward in WARDS]
            replace_sheets(db, sheets, source="benchmark")
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.conn.execute("ANALYZE")
    finally:
        db.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--years", type=int, default=30)
    parser.add_argument("--projects", type=int, default=200)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    build(args.out, args.years, args.projects)
    print(
        f"{args.out}: {args.years * len(WARDS)} sheets × {args.projects} projects "
        f"in {time.perf_counter() - started:.1f} s, {args.out.stat().st_size / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
