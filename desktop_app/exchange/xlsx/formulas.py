"""The live formulas of the exported sheet: a table's 合計 and a parent's sum of its sub-items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from desktop_app.exchange.xlsx.cells import NULL_TEXT


def parent_formula(letter: str, first: int, last: int) -> str:
    """A parent's amount in one stage: the sum of its sub-items' cells (― when they all are ―)."""
    return total_formula(letter, list(range(first, last + 1)))


# The printable area of A4 landscape with the margins below, in points, and the points of one unit


# Excel takes at most 255 arguments per function; a long table is summed in nested groups.
_MAX_ARGUMENTS: Final = 200


def total_formula(letter: str, rows: Sequence[int]) -> str:
    """合計 of one stage: the top-level project rows only (sub-items are already in their parent).

    Shows ― when every project has ―, as the domain's totals do, yet stays a live formula.
    """
    ranges = _row_ranges(rows)
    if not ranges:
        return f'="{NULL_TEXT}"'
    references = [f"{letter}{first}" if first == last else f"{letter}{first}:{letter}{last}" for first, last in ranges]
    count = _nested("COUNT", references)
    total = _nested("SUM", references)
    return f'=IF({count}=0,"{NULL_TEXT}",{total})'


def _nested(function: str, references: Sequence[str]) -> str:
    if len(references) <= _MAX_ARGUMENTS:
        return f"{function}({','.join(references)})"
    chunks = [references[i : i + _MAX_ARGUMENTS] for i in range(0, len(references), _MAX_ARGUMENTS)]
    inner = ",".join(_nested(function, chunk) for chunk in chunks)
    return f"SUM({inner})"


def _row_ranges(rows: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive rows folded into (first, last) ranges."""
    ranges: list[tuple[int, int]] = []
    for row in rows:
        if ranges and ranges[-1][1] == row - 1:
            ranges[-1] = (ranges[-1][0], row)
        else:
            ranges.append((row, row))
    return ranges
