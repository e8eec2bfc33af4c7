"""Amounts in whole 千円: parsing what staff type, and formatting for people."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Final

# 99,999,999千円 is about 1,000億円: far above any ward budget, so anything larger is a typo.
MAX_AMOUNT: Final = 99_999_999
NULL_MARK: Final = "―"

# What people type for "no budget line": dashes of every width, the long-vowel mark an IME
# produces for ー, and nothing at all.
_NULL_TOKENS: Final = frozenset({"", "-", "―", "－", "‐", "‑", "‒", "–", "—", "─", "━", "ー", "ｰ", "−"})
_SHOWN_LENGTH: Final = 20
_NEGATIVE_PREFIXES: Final = ("-", "−", "△", "▲", "▽", "▼")
_UNIT_SUFFIXES: Final = ("千円",)
_DIGITS_WITH_COMMAS: Final = re.compile(r"[0-9]{1,3}(,[0-9]{3})+")
_PLAIN_NUMBER: Final = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")
_ONLY_NUMBER_CHARACTERS: Final = re.compile(r"[0-9,.]+")


class AmountError(ValueError):
    """A value that is not a whole, non-negative amount of 千円; the message is Japanese."""


def parse_amount(value: object) -> int | None:
    """Turn what a person typed (or a cell held) into whole 千円, or None for no budget line.

    Accepts `1,500`, `１，５００`, `1500千円`, `１５００`, ints and whole floats; `―`, `－`, `-` and
    empty mean None. Refuses negatives, fractions, text and values over MAX_AMOUNT with an
    AmountError whose message says what is wrong (the caller adds where).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise AmountError(f"「{value}」は金額として読めません")
    if isinstance(value, int):
        return _checked(value, str(value))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise AmountError("金額として読めません")
        if value < 0:
            raise AmountError(f"「{value:g}」はマイナスの金額です（0以上で入力してください）")
        if not value.is_integer():
            raise AmountError(f"「{value:g}」は小数です（千円単位の整数で入力してください）")
        return _checked(int(value), f"{value:g}")
    if not isinstance(value, str):
        raise AmountError(f"「{value}」は金額として読めません")
    return _parse_text(value)


def _parse_text(raw: str) -> int | None:
    shown = raw.strip()
    if len(shown) > _SHOWN_LENGTH:
        # A message quotes what was typed; a cell of 30,000 digits must not become a 30,000-character line.
        shown = shown[:_SHOWN_LENGTH] + "…"
    # NFKC folds full-width digits, commas, periods and spaces to their ASCII forms.
    text = unicodedata.normalize("NFKC", raw)
    text = "".join(text.split())
    if text in _NULL_TOKENS:
        return None
    for suffix in _UNIT_SUFFIXES:
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    else:
        if text.endswith("円"):
            raise AmountError(f"「{shown}」は円単位です（千円単位で入力してください）")
    if text.startswith(_NEGATIVE_PREFIXES) and len(text) > 1:
        raise AmountError(f"「{shown}」はマイナスの金額です（0以上で入力してください）")
    if text.startswith("+"):
        text = text[1:]
    if not _ONLY_NUMBER_CHARACTERS.fullmatch(text):
        raise AmountError(f"「{shown}」は金額として読めません（数字で入力してください）")
    integer_part, dot, fraction = text.partition(".")
    if "," in integer_part:
        if not _DIGITS_WITH_COMMAS.fullmatch(integer_part):
            raise AmountError(f"「{shown}」は桁区切りのカンマの位置が正しくありません")
        integer_part = integer_part.replace(",", "")
    plain = integer_part + dot + fraction
    if not _PLAIN_NUMBER.fullmatch(plain):
        raise AmountError(f"「{shown}」は金額として読めません（数字で入力してください）")
    try:
        number = Decimal(plain)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
        raise AmountError(f"「{shown}」は金額として読めません") from exc
    if number != number.to_integral_value():
        raise AmountError(f"「{shown}」は小数です（千円単位の整数で入力してください）")
    return _checked(int(number), shown)


def _checked(amount: int, shown: str) -> int:
    if amount < 0:
        raise AmountError(f"「{shown}」はマイナスの金額です（0以上で入力してください）")
    if amount > MAX_AMOUNT:
        raise AmountError(f"「{shown}」は大きすぎます（上限は{MAX_AMOUNT:,}千円です）")
    return amount


def format_amount(amount: int | None) -> str:
    """`1,500` for an amount, `―` for no budget line."""
    return NULL_MARK if amount is None else f"{amount:,}"


def sum_amounts(values: list[int | None] | tuple[int | None, ...]) -> int | None:
    """Sum of the amounts that exist; None when none exists (a column of ― totals to ―)."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None
