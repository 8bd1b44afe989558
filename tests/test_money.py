"""`wanghu_desk.money`: the one amount parser (what clerks type and what Excel holds), the
¥ format and the Chinese capital numerals (大写), with property tests for the round trips."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wanghu_desk.errors import ValidationError
from wanghu_desk.money import (
    MAX_FEN,
    format_fen,
    format_plain,
    from_chinese_capital,
    parse_amount,
    to_chinese_capital,
    try_parse_amount,
    yuan_decimal,
)


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("10000", 1_000_000),
        ("10,000.50", 1_000_050),
        ("¥10000", 1_000_000),
        ("￥1,000", 100_000),
        ("1万", 1_000_000),
        ("1.5万元", 1_500_000),
        ("1.5万", 1_500_000),
        ("0.05万", 50_000),
        ("10000元", 1_000_000),
        ("10000元整", 1_000_000),
        ("１００００", 1_000_000),  # full-width digits
        ("１０，０００．５０", 1_000_050),  # full-width comma and point
        ("  ¥ 2,000 ", 200_000),
        ("\u00a0300\u3000", 30_000),
        ("0.5", 50),
        ("0.05", 5),
        (".5", 50),
        ("12.3", 1230),
        ("RMB 20", 2000),
        ("人民币100", 10_000),
        ("壹万元整", 1_000_000),
        ("人民币壹仟肆佰零玖元伍角", 140_950),
        ("一万", 1_000_000),
        ("5千元", 500_000),
        ("99,999,999.99", MAX_FEN),
        ("+100", 10_000),
    ],
)
def test_what_clerks_type_is_read_as_fen(text, fen):
    assert parse_amount(text) == fen


@pytest.mark.parametrize(
    ("value", "fen"),
    [(10000, 1_000_000), (10000.5, 1_000_050), (1234.56, 123_456), (0.1 + 0.2, 30),
     (Decimal("88.80"), 8880), (Decimal("1E+3"), 100_000)],
)
def test_numbers_from_excel_cells_are_read_as_yuan(value, fen):
    assert parse_amount(value) == fen


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("-100", "负数"),
        ("－100", "负数"),
        ("−5", "负数"),
        ("(100)", "负数"),
        ("负100", "负数"),
        ("¥-100", "负数"),
        (-5, "负数"),
        (-0.5, "负数"),
        ("10.505", "两位小数"),
        ("0.001", "两位小数"),
        (10.505, "两位小数"),
        (Decimal("1.001"), "两位小数"),
        ("1.2345678万", "超过两位小数"),
        ("abc", "无法识别"),
        ("1e5", "无法识别"),
        ("1.2.3", "无法识别"),
        ("10元5", "无法识别"),
        ("¥", "无法识别"),
        ("壹壹元", "无法识别"),
        ("壹佰伍元", "无法识别"),  # 150 or 105? not written in 大写
        (True, "无法识别"),
        (float("nan"), "无法识别"),
        ("1,0000", "千位分隔符"),
        ("10,00.5", "千位分隔符"),
        ("100000000", "过大"),
        ("", "请填写"),
        ("   ", "请填写"),
        (None, "请填写"),
        ("0", "大于零"),
        ("0.00", "大于零"),
    ],
)
def test_bad_amounts_are_refused_with_a_chinese_message(text, words):
    with pytest.raises(ValidationError) as caught:
        parse_amount(text)
    assert words in caught.value.message
    assert caught.value.field == "amount"
    outside_quotes = re.sub(r"「[^」]*」", "", caught.value.message)
    assert not re.search(r"[A-Za-z]", outside_quotes.replace("RMB", ""))  # no English in the message


def test_zero_only_when_allowed():
    assert parse_amount("0", allow_zero=True) == 0
    assert try_parse_amount("0") == (None, "金额必须大于零。")
    assert try_parse_amount("1万") == (1_000_000, None)


def test_formats():
    assert format_fen(1_000_000) == "¥10,000.00"
    assert format_fen(5) == "¥0.05"
    assert format_fen(-123_456) == "-¥1,234.56"
    assert format_plain(123_456_789) == "1,234,567.89"
    assert format_plain(-5) == "-0.05"
    assert yuan_decimal(123_456) == Decimal("1234.56")
    assert str(yuan_decimal(100)) == "1.00"


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        (0, "零元整"),
        (5, "伍分"),
        (50, "伍角"),
        (55, "伍角伍分"),
        (100, "壹元整"),
        (1000, "壹拾元整"),
        (1500, "壹拾伍元整"),
        (10_000, "壹佰元整"),
        (10_005, "壹佰元零伍分"),
        (1_000_000, "壹万元整"),
        (140_950, "壹仟肆佰零玖元伍角"),  # the examples of 《支付结算办法》
        (600_714, "陆仟零柒元壹角肆分"),
        (1_640_902, "壹万陆仟肆佰零玖元零贰分"),
        (32_504, "叁佰贰拾伍元零肆分"),
        (168_032, "壹仟陆佰捌拾元叁角贰分"),
        (10_700_053, "壹拾万柒仟元伍角叁分"),
        (10_070_000, "壹拾万零柒佰元整"),
        (100_000_000, "壹佰万元整"),
        (100_100_000, "壹佰万壹仟元整"),
        (1_000_010_000, "壹仟万零壹佰元整"),
        (1_001_000_000, "壹仟零壹万元整"),
        (MAX_FEN, "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_chinese_capitals_follow_the_rules(fen, words):
    assert to_chinese_capital(fen) == words
    assert from_chinese_capital(words) == fen


def test_capitals_out_of_range_are_refused():
    for fen in (-1, MAX_FEN + 1):
        with pytest.raises(ValueError):
            to_chinese_capital(fen)


@pytest.mark.parametrize(
    ("words", "fen"),
    [
        ("拾元整", 1000),  # 拾 without 壹
        ("壹拾万零柒仟元伍角叁分", 10_700_053),  # the other allowed place for 零
        ("壹仟陆佰捌拾元零叁角贰分", 168_032),
        ("人民币壹万圆正", 1_000_000),
        ("壹万元", 1_000_000),
        ("一千四百零九元五角", 140_950),
        ("伍角整", 50),
        ("零元整", 0),
    ],
)
def test_capitals_in_other_allowed_forms_read_back(words, fen):
    assert from_chinese_capital(words) == fen


@pytest.mark.parametrize("words", ["", "整", "元", "壹壹元", "壹佰伍元", "伍角伍角", "壹万万元", "壹元壹元", "万元"])
def test_malformed_capitals_are_refused(words):
    with pytest.raises(ValueError):
        from_chinese_capital(words)


amounts = st.integers(min_value=0, max_value=MAX_FEN)
# Amounts with many zeros, where the 零 rules matter.
sparse = st.lists(st.sampled_from([0, 0, 0, 1, 5, 9]), min_size=10, max_size=10).map(
    lambda ds: int("".join(map(str, ds)))
)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(amounts, sparse))
def test_capitals_of_any_amount_parse_back_to_the_same_amount(fen):
    words = to_chinese_capital(fen)
    assert from_chinese_capital(words) == fen
    assert "零零" not in words
    assert not words.startswith("零") or fen == 0
    assert words.endswith("整") == (fen % 100 == 0)
    assert "零元" not in words or fen == 0


@settings(max_examples=1000, deadline=None)
@given(st.integers(min_value=1, max_value=MAX_FEN))
def test_formatted_amounts_parse_back(fen):
    assert parse_amount(format_fen(fen)) == fen
    assert parse_amount(format_plain(fen)) == fen
    assert parse_amount(to_chinese_capital(fen)) == fen
    yuan, cents = divmod(fen, 100)
    assert parse_amount(f"{yuan}.{cents:02d}") == fen
    assert parse_amount(float(f"{yuan}.{cents:02d}")) == fen
    assert parse_amount(yuan_decimal(fen)) == fen
