"""parse_amount: what staff type becomes whole 千円, or a clear Japanese refusal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_app.domain import MAX_AMOUNT, AmountError, format_amount, parse_amount


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1500", 1500),
        ("1,500", 1500),
        ("１，５００", 1500),
        ("１５００", 1500),
        ("1500千円", 1500),
        ("1,500千円", 1500),
        ("１，５００千円", 1500),
        (" 2,530 ", 2530),
        ("0", 0),
        ("1,234,567", 1234567),
        ("1500.0", 1500),
        (1500, 1500),
        (1500.0, 1500),
        ("99,999,999", MAX_AMOUNT),
    ],
)
def test_accepts_what_staff_type(typed: object, expected: int) -> None:
    assert parse_amount(typed) == expected


@pytest.mark.parametrize("typed", ["", "  ", "―", "－", "-", "—", "ー", None, "　"])
def test_dashes_and_empty_mean_no_budget_line(typed: object) -> None:
    assert parse_amount(typed) is None


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("-5", "マイナス"),
        ("△500", "マイナス"),
        ("▲1,000", "マイナス"),
        ("－１０", "マイナス"),
        (-1, "マイナス"),
        ("1.5", "小数"),
        ("１．５", "小数"),
        (2.5, "小数"),
        ("abc", "読めません"),
        ("千円", "読めません"),
        ("1,50", "カンマ"),
        ("12,3456", "カンマ"),
        ("1500円", "千円単位"),
        ("100,000,000", "大きすぎ"),
        (10**12, "大きすぎ"),
        ("1e5", "読めません"),
        (True, "読めません"),
    ],
)
def test_refuses_with_a_japanese_reason(typed: object, words: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(typed)
    assert words in str(caught.value)


def test_format_shows_separators_and_dash_for_null() -> None:
    assert format_amount(1234567) == "1,234,567"
    assert format_amount(0) == "0"
    assert format_amount(None) == "―"


@given(st.integers(min_value=0, max_value=MAX_AMOUNT))
def test_formatted_amount_reads_back(amount: int) -> None:
    assert parse_amount(format_amount(amount)) == amount
    assert parse_amount(format_amount(amount) + "千円") == amount


_FULL_WIDTH = str.maketrans("0123456789,", "０１２３４５６７８９，")


@given(st.integers(min_value=0, max_value=MAX_AMOUNT))
def test_full_width_reads_like_half_width(amount: int) -> None:
    assert parse_amount(f"{amount:,}".translate(_FULL_WIDTH)) == amount


@given(st.text(max_size=30))
def test_any_text_is_an_amount_none_or_a_refusal(text: str) -> None:
    try:
        result = parse_amount(text)
    except AmountError as exc:
        assert str(exc)  # a message a person can read
    else:
        assert result is None or 0 <= result <= MAX_AMOUNT
