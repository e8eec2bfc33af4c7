"""How much of a workbook an import reads at most: fixed before anything is read."""

from __future__ import annotations

from typing import Final

from desktop_app.domain import MAX_CATEGORIES, MAX_PROJECT_ROWS, MAX_STAGES

# What is read is bounded before anything is read (a 219 KB file once held a 200 MB description,
# a stray cell at XFD1048576 once ran into MemoryError). The sizes a zip member declares are what
# zipfile lets it unpack to: a member that lies fails its CRC check instead.
# A ward's sheet unpacks to about 1 MB (1,000 rows); a year of the five wards to under 2 MB.
MAX_MEMBERS: Final = 1_000
MAX_MEMBER_BYTES: Final = 32 * 1024 * 1024
MAX_TOTAL_BYTES: Final = 64 * 1024 * 1024
# XML of a spreadsheet packs 5-25 times smaller; only a bomb packs a large member 200 times.
MAX_RATIO: Final = 200
RATIO_CHECKED_FROM: Final = 1024 * 1024
# The columns the city's layout uses: №, 事業名, 事業内容, the stages, 備考 and the hidden key;
# one more is read to tell a sheet with too many stages from one with exactly the most.
LAYOUT_COLUMNS: Final = 3 + MAX_STAGES + 2
SCAN_COLUMNS: Final = LAYOUT_COLUMNS + 1
# Title, vision and a blank; per category its heading, column headings, 合計 and a blank; per
# project row a group heading above it and a numbered note under the tables; the notes' heading;
# then room for blank rows a person adds. A filled row below this is refused, not ignored.
SCAN_ROWS: Final = 3 + 4 * MAX_CATEGORIES + 3 * MAX_PROJECT_ROWS + 1 + 1_000
# Cells per row: Excel's last column is XFD. Cells in the rows read: far more than the layout's
# 4,084 rows × 18 columns, far fewer than it takes to keep openpyxl busy for long.
MAX_CELLS_PER_ROW: Final = 16_384
MAX_CELLS: Final = 200_000
