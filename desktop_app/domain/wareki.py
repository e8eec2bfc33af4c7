"""Japanese era names (和暦) for fiscal years: what a person reads, from the Western year stored."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Final

# (era, first fiscal year counted in it, romaji initial). A fiscal year that starts in April of
# an era's first calendar year is that era's 元年度 (FY2019 = 令和元年度, FY1989 = 平成元年度).
_ERAS: Final = (("令和", 2019, "R"), ("平成", 1989, "H"), ("昭和", 1926, "S"))
MIN_FISCAL_YEAR: Final = 1926
MAX_FISCAL_YEAR: Final = 2200


class FiscalYearError(ValueError):
    """A fiscal year that cannot be read; the message is Japanese."""


def _era_of(fiscal_year: int) -> tuple[str, int, str]:
    for name, start, initial in _ERAS:
        if fiscal_year >= start:
            return name, fiscal_year - start + 1, initial
    raise FiscalYearError(f"{fiscal_year}年度は扱えません（{MIN_FISCAL_YEAR}年度以降）")


def wareki_year(fiscal_year: int) -> str:
    """`令和2年度` for 2020, `令和元年度` for 2019, `平成30年度` for 2018."""
    era, number, _ = _era_of(fiscal_year)
    return f"{era}{'元' if number == 1 else number}年度"


def wareki_short(fiscal_year: int) -> str:
    """`R02` for 2020, `H30` for 2018: the prefix of file names the city uses."""
    _, number, initial = _era_of(fiscal_year)
    return f"{initial}{number:02d}"


_WAREKI_PATTERN: Final = re.compile(r"(令和|平成|昭和|[RHS])\s*(元|\d{1,2})(?:年度?)?", re.IGNORECASE)


def parse_fiscal_year(text: str | int) -> int:
    """Read `2020`, `令和2年度`, `令和元年度`, `R2`, `H30` (full-width digits too) as a Western year."""
    if isinstance(text, int):
        return _checked(text, str(text))
    shown = text.strip()
    folded = unicodedata.normalize("NFKC", shown).replace(" ", "")
    western = re.fullmatch(r"(\d{4})(?:年度?)?", folded)
    if western:
        return _checked(int(western.group(1)), shown)
    match = _WAREKI_PATTERN.fullmatch(folded)
    if match:
        era_text, number_text = match.groups()
        number = 1 if number_text == "元" else int(number_text)
        for name, start, initial in _ERAS:
            if era_text.upper() in (name, initial) and number >= 1:
                return _checked(start + number - 1, shown)
    raise FiscalYearError(f"「{shown}」は年度として読めません（例: 2020、令和2年度、R2）")


def _checked(year: int, shown: str) -> int:
    if not MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR:
        raise FiscalYearError(f"「{shown}」は扱える年度の範囲外です")
    return year


def find_fiscal_year(text: str) -> int | None:
    """The first 和暦 fiscal year mentioned in a title such as 「令和２年度 東区まちづくりの取組」."""
    folded = unicodedata.normalize("NFKC", text)
    match = re.search(r"(令和|平成|昭和)\s*(元|\d{1,2})\s*年度", folded)
    if not match:
        return None
    return parse_fiscal_year(match.group(1) + match.group(2))


# The first day of each era, for calendar dates (fiscal years count from April instead).
_ERA_STARTS: Final = (("令和", dt.date(2019, 5, 1)), ("平成", dt.date(1989, 1, 8)), ("昭和", dt.date(1926, 12, 25)))


def wareki_moment(moment: dt.datetime | str, *, seconds: bool = False) -> str:
    """`令和8年11月30日 14:05`: when something happened, as the office writes dates. A stored
    time that does not read as one (an older or foreign history row) is shown as it is."""
    if isinstance(moment, str):
        try:
            when = dt.datetime.fromisoformat(moment)
        except ValueError:
            return moment
    else:
        when = moment
    return f"{wareki_date(when.date())} {when:{'%H:%M:%S' if seconds else '%H:%M'}}"


def wareki_date(day: dt.date) -> str:
    """`令和8年11月24日`: a calendar date in the Japanese era (令和元年5月1日 is the era's first day)."""
    for era, start in _ERA_STARTS:
        if day >= start:
            year = day.year - start.year + 1
            return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"
