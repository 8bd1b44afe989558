"""Tests of wanghu_desk.validation: ID numbers, phones, dates, names, cleaning."""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import date, datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from wanghu_desk import validation as V
from wanghu_desk.validation import (
    EMPTY_MARKERS,
    PROVINCE_CODES,
    Checked,
    Problem,
    birth_date_from_id,
    clean_text,
    derive_or_check_birth,
    derive_or_check_gender,
    gender_from_id,
    id_check_char,
    is_empty,
    mask_id_number,
    normalize_name,
    parse_date,
    probation_due_date,
    validate_id_number,
    validate_phone,
)

TODAY = date(2025, 6, 30)
FULLWIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def messages(result: Checked) -> str:
    return " | ".join(p.message for p in result.problems)


def error_text(result: Checked) -> str:
    return " | ".join(p.message for p in result.errors)


def assert_chinese(message: str) -> None:
    """User-facing text: Chinese, no English words except the product name Excel and X."""
    assert re.search(r"[\u4e00-\u9fff]", message), message
    english = set(re.findall(r"[A-Za-z]+", message)) - {"Excel", "X"}
    assert not english, message


def make_id(area: str, born: date, seq: str) -> str:
    first17 = f"{area}{born:%Y%m%d}{seq}"
    return first17 + id_check_char(first17)


# ---------------------------------------------------------------------------
# Checked / Problem
# ---------------------------------------------------------------------------


def test_checked_properties():
    err = Problem("error", "错")
    warn = Problem("warning", "注意")
    assert Checked(1).ok and Checked(1).problems == ()
    both = Checked(None, (warn, err))
    assert not both.ok
    assert both.errors == (err,)
    assert both.warnings == (warn,)
    only_warning = Checked(2, (warn,))
    assert only_warning.ok and only_warning.errors == () and only_warning.warnings == (warn,)
    with pytest.raises(AttributeError):
        only_warning.value = 3  # frozen


# ---------------------------------------------------------------------------
# clean_text / is_empty
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        ("\u3000\u3000", None),
        ("\u00a0", None),
        ("\u200b", None),
        ("  张三  ", "张三"),
        ("\u3000张三\u3000", "张三"),
        ("\u00a0张三\u00a0", "张三"),
        ("\ufeff张三\u200b", "张三"),
        ("张\u200b三", "张三"),
        ("望湖  街道\t党工委", "望湖 街道 党工委"),
        ("望湖\u3000\u00a0街道", "望湖 街道"),
        ("第一行 \r\n  第二行", "第一行\n第二行"),
        ("１９８５．０７．０１", "1985.07.01"),
        ("ＡＢＣａｂｃ", "ABCabc"),
        ("（0551）", "（0551）"),  # Chinese prose brackets stay
        ("合肥市，包河区：", "合肥市，包河区："),
        ("ｘ／ｙ－ｚ", "x/y-z"),
        (1, "1"),
        (1.0, "1"),
        (13800000000.0, "13800000000"),
        (2.5, "2.5"),
        (float("nan"), None),
        (date(1985, 7, 1), "1985-07-01"),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    "marker",
    [
        "无",
        "—",
        "——",
        "-",
        "/",
        "／",
        "－",
        "空",
        "暂无",
        "N/A",
        "n/a",
        "#N/A",
        "nan",
        "None",
    ],
)
def test_empty_markers(marker):
    assert marker in EMPTY_MARKERS or clean_text(marker) is None
    assert clean_text(marker) is None
    assert clean_text(f"\u3000{marker}\u00a0") is None
    assert is_empty(marker)
    assert is_empty(f" {marker} ")


def test_markers_are_only_whole_values():
    assert clean_text("无锡") == "无锡"
    assert clean_text("空军") == "空军"
    assert clean_text("1/2") == "1/2"
    assert not is_empty("0")
    assert not is_empty("张三")


@given(st.text())
def test_clean_text_is_idempotent(raw):
    once = clean_text(raw)
    assert clean_text(once) == once
    if once is not None:
        assert once == once.strip()
        assert "  " not in once
        assert "\u3000" not in once and "\u00a0" not in once and "\u200b" not in once


@given(
    st.text(alphabet=st.characters(categories=["Lo", "Nd", "Lu", "Ll"]), min_size=1),
    st.lists(st.sampled_from([" ", "\u3000", "\u00a0", "\t", "\u200b", "\ufeff"]), max_size=4),
    st.lists(st.sampled_from([" ", "\u3000", "\u00a0", "\t", "\u200b", "\ufeff"]), max_size=4),
)
def test_clean_text_strips_every_kind_of_space(core, left, right):
    assume(clean_text(core) is not None)
    assert clean_text("".join(left) + core + "".join(right)) == clean_text(core)


# ---------------------------------------------------------------------------
# ID numbers: the checksum
# ---------------------------------------------------------------------------


def test_check_char_hand_computed():
    # 11010519491231002X, the sample ID printed in GB 11643:
    #   digits   1  1  0  1  0  5  1  9  4  9  1  2  3  1  0  0  2
    #   weights  7  9 10  5  8  4  2  1  6  3  7  9 10  5  8  4  2
    #   products 7  9  0  5  0 20  2  9 24 27  7 18 30  5  0  0  4  -> sum 167
    #   167 mod 11 = 2 -> "10X98765432"[2] = "X"
    assert id_check_char("11010519491231002") == "X"
    # 440524188001010014:
    #   digits   4  4  0  5  2  4  1  8  8  0  0  1  0  1  0  0  1
    #   products 28 36 0 25 16 16  2  8 48  0  0  9  0  5  0  0  2  -> sum 195
    #   195 mod 11 = 8 -> "10X98765432"[8] = "4"
    assert id_check_char("44052418800101001") == "4"


def test_check_char_every_remainder():
    # Vary the last digit (weight 2) to walk through the remainders.
    seen = {id_check_char(f"1101051949123100{d}") for d in range(10)}
    assert len(seen) == 10  # 10 distinct remainders -> 10 distinct characters
    assert seen <= set("10X98765432")


@pytest.mark.parametrize("bad", ["", "1234", "1101051949123100", "110105194912310021", "1101051949123100X"])
def test_check_char_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        id_check_char(bad)


def test_known_valid_ids():
    assert validate_id_number("11010519491231002X", today=TODAY) == Checked("11010519491231002X")
    # Its check character is right, but 1880 is before 1900: only the birth date is wrong.
    old = validate_id_number("440524188001010014", today=TODAY)
    assert not old.ok
    assert "出生日期无效" in error_text(old)
    assert "校验码" not in error_text(old)
    for sample in ("340104198507011231", make_id("340104", date(1985, 7, 1), "123")):
        assert validate_id_number(sample, today=TODAY).value == sample


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        " 11010519491231002X ",
        "110105 19491231 002X",
        "\u3000１１０１０５１９４９１２３１００２Ｘ\u00a0",
        "１１０１０５１９４９１２３１００２ｘ",
        "\u200b11010519491231002X",
    ],
)
def test_id_normalisation(raw):
    result = validate_id_number(raw, today=TODAY)
    assert result == Checked("11010519491231002X")


# ---------------------------------------------------------------------------
# ID numbers: properties
# ---------------------------------------------------------------------------

areas = st.builds(
    lambda province, rest: province + rest,
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.text(alphabet="0123456789", min_size=4, max_size=4),
)
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31))
sequences = st.text(alphabet="0123456789", min_size=3, max_size=3)
valid_ids = st.builds(make_id, areas, births, sequences)


@settings(deadline=None)
@given(valid_ids)
def test_every_valid_id_validates(id18):
    assert validate_id_number(id18, today=TODAY) == Checked(id18)
    assert validate_id_number(id18.lower(), today=TODAY) == Checked(id18)
    assert validate_id_number(id18.translate(FULLWIDTH), today=TODAY) == Checked(id18)
    assert validate_id_number(f" {id18[:6]} {id18[6:14]} {id18[14:]}\u3000", today=TODAY) == Checked(id18)


@given(areas, births, sequences)
def test_birth_and_gender_from_id(area, born, seq):
    id18 = make_id(area, born, seq)
    assert birth_date_from_id(id18) == born
    assert gender_from_id(id18) == ("男" if int(seq[2]) % 2 else "女")


@given(
    valid_ids,
    st.integers(min_value=0, max_value=16),
    st.integers(min_value=1, max_value=9),
)
def test_any_digit_substitution_is_caught(id18, position, shift):
    digit = str((int(id18[position]) + shift) % 10)
    changed = id18[:position] + digit + id18[position + 1 :]
    result = validate_id_number(changed, today=TODAY)
    assert not result.ok
    assert result.value is None
    # MOD 11-2 detects every single substitution: the checksum itself always fails.
    assert "校验码错误" in error_text(result)


@given(valid_ids, st.sampled_from("0123456789X"))
def test_any_check_char_change_is_caught(id18, new_check):
    assume(new_check != id18[17])
    result = validate_id_number(id18[:17] + new_check, today=TODAY)
    assert not result.ok
    assert "校验码错误" in error_text(result)


@given(valid_ids, st.integers(min_value=0, max_value=16))
def test_adjacent_transposition_is_caught(id18, i):
    a, b = id18[i], id18[i + 1]
    assume(a != b and b != "X")
    swapped = id18[:i] + b + a + id18[i + 2 :]
    result = validate_id_number(swapped, today=TODAY)
    assert not result.ok
    assert "校验码错误" in error_text(result)


@given(
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.text("0123456789", min_size=4, max_size=4),
    st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
    sequences,
)
def test_15_digit_ids_are_upgraded(province, rest, born, seq):
    id18 = make_id(province + rest, born, seq)
    id15 = id18[:6] + id18[8:17]
    for raw in (id15, int(id15), float(id15), id15.translate(FULLWIDTH)):
        result = validate_id_number(raw, today=TODAY)
        assert result.ok
        assert result.value == id18
        assert len(result.warnings) == 1
        assert "升级为 18 位" in result.warnings[0].message


def test_15_digit_upgrade_example():
    result = validate_id_number("340104850701123", today=TODAY)
    assert result.value == "340104198507011231"
    assert [p.level for p in result.problems] == ["warning"]
    assert "15 位" in result.problems[0].message and "18 位" in result.problems[0].message
    bad = validate_id_number("340104850230123", today=TODAY)  # 1985-02-30
    assert not bad.ok and "出生日期无效" in error_text(bad)
    bad = validate_id_number("990104850701123", today=TODAY)
    assert not bad.ok and "地区码无效" in error_text(bad)


# ---------------------------------------------------------------------------
# ID numbers: Excel damage and specific errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        340104198507011234,
        3.40104198507011e17,
        3.4010419850701e17,
        "3.40104E+17",
        "3.40104e+17",
        "3.40104198507011E+17",
        "３．４０１０４Ｅ＋１７",
        "340104198507011000.0",
        "340104198507011000",  # 15 significant digits kept, the rest became 000
        1101051949123100,
    ],
)
def test_id_stored_as_number_by_excel(raw):
    result = validate_id_number(raw, today=TODAY)
    assert not result.ok
    assert result.value is None
    text = error_text(result)
    assert "Excel" in text and "文本" in text
    assert_chinese(text)


def test_excel_message_is_the_documented_one():
    result = validate_id_number(340104198507011234, today=TODAY)
    assert result.errors == (
        Problem(
            "error",
            "身份证号被 Excel 存成了数字，末几位已丢失。请把该列设为「文本」格式后重新填写。",
        ),
    )


@pytest.mark.parametrize(
    ("raw", "length"),
    [
        ("1234", 4),
        ("34010419850701123", 17),
        ("3401041985070112341", 19),
        ("34010419850701", 14),
    ],
)
def test_id_wrong_length(raw, length):
    result = validate_id_number(raw, today=TODAY)
    assert not result.ok
    assert f"位数不对：应为 18 位，现在是 {length} 位" in error_text(result)


@pytest.mark.parametrize("raw", ["3401041985070112X4", "34010419850701123A", "ABCDEFGHIJKLMNOPQR", "身份证"])
def test_id_bad_characters(raw):
    result = validate_id_number(raw, today=TODAY)
    assert not result.ok
    assert_chinese(error_text(result))


@pytest.mark.parametrize(
    "province",
    [
        "00",
        "10",
        "19",
        "20",
        "24",
        "30",
        "40",
        "47",
        "55",
        "60",
        "66",
        "70",
        "80",
        "91",
        "99",
    ],
)
def test_id_bad_province(province):
    id18 = make_id(province + "0104", date(1985, 7, 1), "123")
    result = validate_id_number(id18, today=TODAY)
    assert not result.ok
    assert "地区码无效" in error_text(result)
    assert "校验码" not in error_text(result)


def test_province_codes():
    assert PROVINCE_CODES["11"] == "北京"
    assert PROVINCE_CODES["34"] == "安徽"
    assert PROVINCE_CODES["65"] == "新疆"
    assert PROVINCE_CODES["71"] == "台湾"
    assert PROVINCE_CODES["81"] == "香港"
    assert PROVINCE_CODES["82"] == "澳门"
    assert len([c for c in PROVINCE_CODES if c <= "82"]) == 34
    assert all(len(code) == 2 and code.isdigit() for code in PROVINCE_CODES)


def _id_with_birth(digits8: str) -> str:
    first17 = "340104" + digits8 + "123"
    return first17 + id_check_char(first17)


@pytest.mark.parametrize(
    "digits8",
    [
        "19850230",
        "19851301",
        "19850001",
        "19850700",
        "19850229",
        "19000229",
        "18991231",
        "20300101",
    ],
)
def test_id_bad_birth_date(digits8):
    result = validate_id_number(_id_with_birth(digits8), today=TODAY)
    assert not result.ok
    assert "出生日期无效" in error_text(result)
    assert "校验码" not in error_text(result)


@pytest.mark.parametrize("digits8", ["19840229", "20000229", "19000101", "20250630"])
def test_id_good_edge_birth_dates(digits8):
    assert validate_id_number(_id_with_birth(digits8), today=TODAY).ok


def test_id_born_after_today_depends_on_today():
    id18 = _id_with_birth("20250701")
    assert not validate_id_number(id18, today=date(2025, 6, 30)).ok
    assert validate_id_number(id18, today=date(2025, 7, 1)).ok


@pytest.mark.parametrize("raw", [None, "", "  ", "无", "—", "/", "\u3000", float("nan")])
def test_id_empty(raw):
    assert validate_id_number(raw, today=TODAY) == Checked(None)


def test_id_default_today_is_real_today():
    tomorrow = date.today() + timedelta(days=1)
    assert not validate_id_number(make_id("340104", tomorrow, "123")).ok
    assert validate_id_number(make_id("340104", date(1985, 7, 1), "123")).ok


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("340104198507011234", "340104********1234"),
        ("11010519491231002X", "110105********002X"),
        (None, ""),
        ("", ""),
    ],
)
def test_mask_id_number(raw, expected):
    assert mask_id_number(raw) == expected


@given(valid_ids)
def test_mask_keeps_only_six_and_four(id18):
    masked = mask_id_number(id18)
    assert len(masked) == 18
    assert masked[:6] == id18[:6] and masked[-4:] == id18[-4:] and masked[6:14] == "*" * 8


# ---------------------------------------------------------------------------
# Phones
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800000000", "13800000000"),
        ("138 0000 0000", "13800000000"),
        ("138-0000-0000", "13800000000"),
        ("+86 138 0000 0000", "13800000000"),
        ("+8613800000000", "13800000000"),
        ("86 13800000000", "13800000000"),
        ("0086-138-0000-0000", "13800000000"),
        ("(+86)13800000000", "13800000000"),
        ("１３８００００００００", "13800000000"),
        ("\u00a0199 1234 5678\u3000", "19912345678"),
        (13800000000, "13800000000"),
        (13800000000.0, "13800000000"),
        ("16637051665", "16637051665"),
    ],
)
def test_valid_mobiles(raw, expected):
    assert validate_phone(raw) == Checked(expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0551-65179666", "0551-65179666"),
        ("(0551)65179666", "0551-65179666"),
        ("（0551）65179666", "0551-65179666"),
        ("0551 65179666", "0551-65179666"),
        ("055165179666", "0551-65179666"),
        ("0551-6517-9666", "0551-65179666"),
        ("０５５１－６５１７９６６６", "0551-65179666"),
        ("010-62345678", "010-62345678"),
        ("01062345678", "010-62345678"),
        ("021 6234 5678", "021-62345678"),
        ("0558-2345678", "0558-2345678"),
        ("0551-65179666转801", "0551-65179666-801"),
        ("0551-65179666-801", "0551-65179666-801"),
        ("0551-65179666 分机 801", "0551-65179666-801"),
    ],
)
def test_valid_landlines(raw, expected):
    assert validate_phone(raw) == Checked(expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("65179666", "65179666"), ("6517 9666", "65179666"), (2345678, "2345678")],
)
def test_local_number_without_area_code_is_a_warning(raw, expected):
    result = validate_phone(raw)
    assert result.ok and result.value == expected
    assert len(result.warnings) == 1 and "区号" in result.warnings[0].message


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ("1380000000", "手机号应为 11 位，现在是 10 位"),
        ("138000000000", "手机号应为 11 位，现在是 12 位"),
        (1380000000, "手机号应为 11 位，现在是 10 位"),
        ("12800000000", "第二位"),
        ("10800000000", "第二位"),
        ("0551-651796", "7–8 位"),
        ("0551-651796661", "7–8 位"),
        ("13800000000/13900000000", "一个电话号码"),
        ("13800000000、13900000000", "一个电话号码"),
        ("13800000000 13900000000", "一个电话号码"),
        ("电话", "看不懂"),
        ("138abc00000", "看不懂"),
        (55165179666, "文本"),
        (3.5, "文本"),
        ("13800000000转8", "分机"),
        ("651796661", "看不懂"),
        ("651796", "看不懂"),
        ("0551", "座机"),
    ],
)
def test_invalid_phones(raw, needle):
    result = validate_phone(raw)
    assert not result.ok
    assert result.value is None
    assert needle in error_text(result)
    assert_chinese(error_text(result).replace("abc", ""))


@pytest.mark.parametrize("raw", [None, "", " ", "无", "—", "/", float("nan")])
def test_phone_empty(raw):
    assert validate_phone(raw) == Checked(None)


mobiles = st.builds(
    lambda second, rest: "1" + second + rest,
    st.sampled_from("3456789"),
    st.text("0123456789", min_size=9, max_size=9),
)


@given(
    mobiles,
    st.sampled_from(["{}", "{0:.3} {1:.4} {2}", "{0:.3}-{1:.4}-{2}", "+86 {}", "86{}"]),
)
def test_mobile_forms(mobile, pattern):
    raw = pattern.format(mobile, mobile[3:], mobile[7:]) if "{0" in pattern else pattern.format(mobile)
    assert validate_phone(raw) == Checked(mobile)
    assert validate_phone(int(mobile)) == Checked(mobile)


@given(mobiles, st.integers(min_value=1, max_value=10))
def test_mobile_wrong_length(mobile, cut):
    short = mobile[:-cut]
    result = validate_phone(short)
    assert not result.ok


@given(st.one_of(st.text(max_size=30), st.integers(), st.floats()))
def test_phone_is_stable(raw):
    result = validate_phone(raw)
    if result.value is not None:
        again = validate_phone(result.value)
        assert again.value == result.value
    else:
        assert result.problems or is_empty(raw)


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

JULY_1 = date(1985, 7, 1)


@pytest.mark.parametrize(
    "raw",
    [
        JULY_1,
        datetime(1985, 7, 1, 14, 30),
        "1985-07-01",
        "1985-7-1",
        "1985/7/1",
        "1985/07/01",
        "1985.07.01",
        "1985.7.1",
        "1985.07",
        "1985.7",
        "1985-07",
        "1985/07",
        "1985/7",
        "1985年7月",
        "1985年07月",
        "1985年7月1日",
        "1985年07月01日",
        "1985年7月1号",
        "19850701",
        "198507",
        19850701,
        198507,
        "１９８５－０７－０１",
        "１９８５年７月１日",
        "１９８５．０７",
        " 1985 - 07 - 01 ",
        "\u30001985年 7月 1日\u00a0",
        "1985-07-01 00:00:00",
        "1985-07-01T08:00:00",
        31229,
        31229.0,
        31229.75,  # a date-time serial: the time of day is dropped
        "31229",
        1985.07,
    ],
)
def test_date_formats(raw):
    result = parse_date(raw)
    assert result == Checked(JULY_1), (raw, result)


def test_excel_serials():
    assert parse_date(1) == Checked(date(1900, 1, 1))
    assert parse_date(59) == Checked(date(1900, 2, 28))
    assert not parse_date(60).ok  # Excel's 1900-02-29 does not exist
    assert parse_date(61) == Checked(date(1900, 3, 1))
    assert parse_date(31229) == Checked(date(1899, 12, 30) + timedelta(31229))
    assert parse_date(45292) == Checked(date(2024, 1, 1))
    assert parse_date(45658) == Checked(date(2025, 1, 1))
    assert parse_date(80000).ok


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2119, 1, 1)))
def test_serials_round_trip(day):
    serial = (day - date(1899, 12, 30)).days
    # Whole numbers 1900..2100 are read as a bare year (an error), not as a day in 1905.
    assume(not 1900 <= serial <= 2100)
    assert parse_date(serial) == Checked(day)
    assert parse_date(float(serial)) == Checked(day)


@given(st.integers(min_value=1, max_value=59))
def test_serials_before_the_fake_leap_day(serial):
    assert parse_date(serial) == Checked(date(1900, 1, 1) + timedelta(serial - 1))


FULL_FORMATS = [
    "{d:%Y-%m-%d}",
    "{d.year}/{d.month}/{d.day}",
    "{d:%Y.%m.%d}",
    "{d.year}.{d.month}.{d.day}",
    "{d.year}年{d.month}月{d.day}日",
    "{d:%Y%m%d}",
]
MONTH_FORMATS = [
    "{d:%Y.%m}",
    "{d:%Y-%m}",
    "{d:%Y/%m}",
    "{d.year}年{d.month}月",
    "{d:%Y%m}",
]


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.sampled_from(FULL_FORMATS),
)
def test_full_date_strings(day, fmt):
    text = fmt.format(d=day)
    assert parse_date(text) == Checked(day)
    assert parse_date(text.translate(str.maketrans("0123456789-/.", "０１２３４５６７８９－／．"))) == Checked(day)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.sampled_from(MONTH_FORMATS),
)
def test_month_only_strings(day, fmt):
    text = fmt.format(d=day)
    result = parse_date(text)
    assert result == Checked(day.replace(day=1)), (text, result)  # no warning


@given(st.integers(min_value=1900, max_value=2100), st.integers(min_value=1, max_value=12))
def test_year_dot_month_numbers(year, month):
    number = float(f"{year}.{month:02d}")
    result = parse_date(number)
    if month == 10:  # 1985.10 typed into a number cell is the number 1985.1
        assert result.value == date(year, 1, 1)
        assert len(result.warnings) == 1
    else:
        assert result == Checked(date(year, month, 1))


@pytest.mark.parametrize("raw", [1985.1, "1985.1", "１９８５．１"])
def test_ambiguous_october(raw):
    result = parse_date(raw)
    assert result.ok
    assert result.value == date(1985, 1, 1)
    assert len(result.warnings) == 1
    assert "可能是 1985 年 10 月被 Excel 当成数字丢了末尾的 0，请核对" in result.warnings[0].message


def test_october_written_as_text_is_not_ambiguous():
    assert parse_date("1985.10") == Checked(date(1985, 10, 1))
    assert parse_date("1985.01") == Checked(date(1985, 1, 1))
    assert parse_date(1985.11) == Checked(date(1985, 11, 1))
    assert parse_date(1985.01) == Checked(date(1985, 1, 1))


@pytest.mark.parametrize(
    "raw",
    [
        "1985-02-30",
        "1985-02-29",
        "1900-02-29",
        "1985-13-01",
        "1985-00-10",
        "1985.13",
        "19851301",
        "1985年2月30日",
        "1985-04-31",
    ],
)
def test_impossible_dates(raw):
    result = parse_date(raw)
    assert not result.ok
    assert result.value is None
    assert error_text(result).startswith("日期不存在：")


def test_leap_days():
    assert parse_date("1984-02-29") == Checked(date(1984, 2, 29))
    assert parse_date("2000-02-29") == Checked(date(2000, 2, 29))


@pytest.mark.parametrize(
    "raw",
    ["hello", "85-07-01", "1985-07-01-02", "七月一日", "1985..07", "12", True, -5, 0],
)
def test_unreadable_dates(raw):
    result = parse_date(raw)
    assert not result.ok
    assert "看不懂的日期" in error_text(result) and "1985-07-01" in error_text(result)


@pytest.mark.parametrize("raw", ["1985", 1985, "1985年"])
def test_year_only_is_an_error(raw):
    result = parse_date(raw)
    assert not result.ok
    assert "年份" in error_text(result)


@pytest.mark.parametrize("raw", ["1899-12-31", date(1899, 12, 31), "18990101"])
def test_dates_before_1900(raw):
    result = parse_date(raw)
    assert not result.ok
    assert "1900" in error_text(result)


def test_future_dates_are_allowed():
    assert parse_date("2099-01-01", today=TODAY) == Checked(date(2099, 1, 1))


@pytest.mark.parametrize("raw", [None, "", "无", "—", "/", " \u3000", float("nan")])
def test_date_empty(raw):
    assert parse_date(raw) == Checked(None)


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("张三", "张三"),
        ("张 三", "张三"),
        ("张\u3000三", "张三"),
        (" 欧阳\u00a0 娜娜 ", "欧阳娜娜"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("阿依古丽‧买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("阿依古丽･买买提", "阿依古丽·买买提"),
        ("阿依古丽．买买提", "阿依古丽·买买提"),
        ("阿依古丽.买买提", "阿依古丽·买买提"),
        ("阿依古丽 · 买买提", "阿依古丽·买买提"),
        ("John  Smith", "John Smith"),
        ("Ｊｏｈｎ Ｓｍｉｔｈ", "John Smith"),
        ("Mary-Jane O'Neil", "Mary-Jane O'Neil"),
        ("𠮷田", "𠮷田"),
    ],
)
def test_names(raw, expected):
    assert normalize_name(raw) == Checked(expected)


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ("张三1", "姓名里不应有数字"),
        ("李４", "姓名里不应有数字"),
        ("张三（已故）", "符号"),
        ("王?", "符号"),
        ("张" * 31, "30"),
    ],
)
def test_bad_names(raw, needle):
    result = normalize_name(raw)
    assert not result.ok and result.value is None
    assert needle in error_text(result)
    assert_chinese(error_text(result))


def test_name_length_limit():
    assert normalize_name("张" * 30).ok
    assert not normalize_name("a" * 31).ok


@pytest.mark.parametrize("raw", [None, "", "  ", "无", "—"])
def test_name_empty(raw):
    assert normalize_name(raw) == Checked(None)


@given(st.text(max_size=40))
def test_name_is_stable(raw):
    result = normalize_name(raw)
    if result.value is not None:
        assert normalize_name(result.value) == Checked(result.value)
        assert not any(ch.isdigit() for ch in result.value)
        assert len(result.value) <= 30


# ---------------------------------------------------------------------------
# Gender and birth date against the ID
# ---------------------------------------------------------------------------

MALE_ID = make_id("340104", date(1960, 6, 19), "131")
FEMALE_ID = "11010519491231002X"


@pytest.mark.parametrize("given_value", ["男", "男性", "M", "m", "1", 1, " 男 ", "Male"])
def test_gender_forms_male(given_value):
    assert derive_or_check_gender(MALE_ID, given_value) == Checked("男")


@pytest.mark.parametrize("given_value", ["女", "女性", "F", "f", "2", 2, "\u3000女"])
def test_gender_forms_female(given_value):
    assert derive_or_check_gender(FEMALE_ID, given_value) == Checked("女")


@pytest.mark.parametrize("given_value", [None, "", "无"])
def test_gender_missing_comes_from_id(given_value):
    assert derive_or_check_gender(MALE_ID, given_value) == Checked("男")
    assert derive_or_check_gender(FEMALE_ID, given_value) == Checked("女")


def test_gender_contradiction_is_a_warning():
    result = derive_or_check_gender(FEMALE_ID, "男")
    assert result.ok and result.value == "女"
    assert len(result.warnings) == 1
    assert_chinese(result.warnings[0].message)
    odd = derive_or_check_gender(MALE_ID, "未知")
    assert odd.ok and odd.value == "男" and len(odd.warnings) == 1


def test_gender_without_usable_id():
    assert derive_or_check_gender("", "女") == Checked("女")
    assert not derive_or_check_gender("", "未知").ok


def test_birth_missing_comes_from_id():
    assert derive_or_check_birth(MALE_ID, None) == Checked(date(1960, 6, 19))


@pytest.mark.parametrize("given_value", [date(1960, 6, 19), date(1960, 6, 1), datetime(1960, 6, 19, 8, 0)])
def test_birth_agreeing(given_value):
    assert derive_or_check_birth(MALE_ID, given_value) == Checked(date(1960, 6, 19))


@pytest.mark.parametrize(
    "given_value",
    [date(1960, 7, 1), date(1961, 6, 19), date(1960, 6, 18), date(1960, 6, 20)],
)
def test_birth_contradiction_is_a_warning(given_value):
    result = derive_or_check_birth(MALE_ID, given_value)
    assert result.ok and result.value == date(1960, 6, 19)
    assert len(result.warnings) == 1
    assert "不符" in result.warnings[0].message


def test_birth_month_only_from_old_csv_is_not_a_contradiction():
    # members_old_format.csv: 出生年月 "1960.06" and an ID born on 1960-06-19.
    given_value = parse_date("1960.06").value
    assert derive_or_check_birth("340104196006191319", given_value) == Checked(date(1960, 6, 19))


def test_birth_on_the_first_must_match_exactly_in_month():
    first = make_id("340104", date(1960, 6, 1), "131")
    assert derive_or_check_birth(first, date(1960, 6, 1)) == Checked(date(1960, 6, 1))
    assert derive_or_check_birth(first, date(1960, 6, 2)).warnings


# ---------------------------------------------------------------------------
# Probation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("joined", "due"),
    [
        (date(2024, 2, 29), date(2025, 2, 28)),
        (date(2023, 2, 28), date(2024, 2, 28)),
        (date(2023, 3, 1), date(2024, 3, 1)),
        (date(2024, 1, 31), date(2025, 1, 31)),
        (date(2024, 4, 30), date(2025, 4, 30)),
        (date(2024, 12, 31), date(2025, 12, 31)),
        (date(2025, 6, 30), date(2026, 6, 30)),
    ],
)
def test_probation_due_date(joined, due):
    assert probation_due_date(joined) == due


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)))
def test_probation_is_one_year(joined):
    due = probation_due_date(joined)
    assert due.year == joined.year + 1
    assert 365 <= (due - joined).days <= 366
    if (joined.month, joined.day) != (2, 29):
        assert (due.month, due.day) == (joined.month, joined.day)


# ---------------------------------------------------------------------------
# Never a crash, always Chinese
# ---------------------------------------------------------------------------

anything = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.text(alphabet="0123456789０１２３４５６７８９ .-/年月日XxＸ+E", max_size=25),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
)


@settings(deadline=None, max_examples=300)
@given(anything)
def test_no_crash_and_errors_mean_no_value(raw):
    for result in (
        validate_id_number(raw, today=TODAY),
        validate_phone(raw),
        parse_date(raw),
        normalize_name(raw),
    ):
        assert isinstance(result, Checked)
        for problem in result.problems:
            assert problem.level in ("error", "warning")
            assert problem.message
        if result.errors:
            assert result.value is None
    clean_text(raw)
    is_empty(raw)


@settings(max_examples=300)
@given(st.text(alphabet="0123456789０１２３４５６７８９ .-/年月日+", max_size=25))
def test_messages_are_chinese(raw):
    for result in (
        validate_id_number(raw, today=TODAY),
        validate_phone(raw),
        parse_date(raw),
        normalize_name(raw),
    ):
        for problem in result.problems:
            assert_chinese(problem.message)


# ---------------------------------------------------------------------------
# Fast paths give exactly what the full checks give
# ---------------------------------------------------------------------------
# clean_text, validate_id_number, validate_phone, normalize_name and parse_date return early
# for already-clean values; the full checks stay callable as `_..._full`.

ANY_TODAY = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
MESSY = "0123456789０１２３４５６７８９ \u3000\u00a0\u200b\t\n-—/.·•()（）+#转XxＸE长张无"


def same(fast: Checked, full: Checked) -> None:
    assert fast == full
    assert type(fast.value) is type(full.value)


def test_check_char_by_base_13():
    assert all(w == pow(2, 17 - i, 11) for i, w in enumerate(V._ID_WEIGHTS))


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_char_by_base_13_agrees(first17):
    assert V._ID_CHECK_MAP[2 * int(first17, 13) % 11] == id_check_char(first17)


@settings(max_examples=500)
@given(
    st.one_of(
        st.text(),
        st.text(alphabet=MESSY, max_size=12),
        st.sampled_from(sorted(EMPTY_MARKERS)),
        st.builds(lambda m, pad: pad + m + pad, st.sampled_from(sorted(EMPTY_MARKERS)), st.sampled_from(["", " "])),
        st.none(),
        st.integers(),
        st.floats(),
        st.binary(max_size=10),
    )
)
def test_clean_text_fast_path(raw):
    assert clean_text(raw) == V._clean_text_full(raw)


def _id_variants(id18: str, position: int, digit: str) -> list[object]:
    changed = id18[:position] + digit + id18[position + 1 :]
    return [id18, changed, id18.lower(), changed.lower(), id18[:17] + "x", " " + id18, id18.translate(FULLWIDTH)]


@settings(max_examples=400)
@given(
    st.one_of(
        valid_ids,
        st.builds(make_id, st.text(alphabet="0123456789", min_size=6, max_size=6), births, sequences),
        st.text(alphabet="0123456789", min_size=18, max_size=18),
        st.text(alphabet="0123456789X", min_size=17, max_size=19),
    ),
    st.integers(min_value=0, max_value=17),
    st.sampled_from("0123456789Xx"),
    ANY_TODAY,
)
def test_id_fast_path(id18, position, digit, today):
    for raw in _id_variants(id18, position, digit):
        same(validate_id_number(raw, today=today), V._validate_id_number_full(raw, today=today))
    same(validate_id_number(id18), V._validate_id_number_full(id18))


@given(st.one_of(st.text(alphabet=MESSY, max_size=20), st.integers(), st.floats(), st.booleans()), ANY_TODAY)
def test_id_fast_path_other_input(raw, today):
    same(validate_id_number(raw, today=today), V._validate_id_number_full(raw, today=today))


@given(st.sampled_from(["00000000", "19000229", "20000229", "19991301", "18991231", "19000101", "20991231"]))
def test_id_fast_path_edge_dates(digits8):
    id18 = _id_with_birth(digits8)
    for today in (TODAY, date(2099, 12, 31), date(1900, 1, 1)):
        same(validate_id_number(id18, today=today), V._validate_id_number_full(id18, today=today))


landline_shapes = st.builds(
    lambda area, number, sep: area + sep + number,
    st.text(alphabet="0123456789", min_size=2, max_size=5),
    st.text(alphabet="0123456789", min_size=5, max_size=10),
    st.sampled_from(["-", "", " ", "—", "-0"]),
)


@settings(max_examples=500)
@given(
    st.one_of(
        mobiles,
        st.text(alphabet="0123456789", min_size=10, max_size=12),
        landline_shapes,
        st.from_regex(r"0[0-9]{1,4}-[0-9]{6,9}", fullmatch=True),
        st.text(alphabet=MESSY, max_size=16),
        st.integers(min_value=0, max_value=10**12),
        st.integers(),
        st.floats(min_value=1e9, max_value=3e10),
        st.floats(),
        st.booleans(),
    )
)
def test_phone_fast_path(raw):
    same(validate_phone(raw), V._validate_phone_full(raw))


@given(mobiles)
def test_phone_fast_path_numbers(mobile):
    for raw in (mobile, int(mobile), float(mobile), float(mobile) + 0.5, -int(mobile)):
        same(validate_phone(raw), V._validate_phone_full(raw))


def test_every_cjk_unified_ideograph_is_a_clean_name():
    """The fast path of normalize_name trusts U+4E00–U+9FFF: letters, NFKC-stable, no
    digits (for this Python's Unicode data)."""
    for cp in range(0x4E00, 0xA000):
        ch = chr(cp)
        assert unicodedata.category(ch) == "Lo" and "CJK" in unicodedata.name(ch, ""), hex(cp)
        assert unicodedata.normalize("NFKC", ch) == ch and not ch.isdigit() and not ch.isspace(), hex(cp)
        same(normalize_name(ch), V._normalize_name_full(ch))


cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


@settings(max_examples=500)
@given(
    st.one_of(
        st.text(alphabet=cjk, min_size=1, max_size=35),
        st.lists(st.text(alphabet=cjk, min_size=1, max_size=6), min_size=1, max_size=5).map("·".join),
        st.text(alphabet=st.one_of(cjk, st.sampled_from("·•.・ 　-'Aa1无")), max_size=12),
        st.sampled_from(sorted(EMPTY_MARKERS)),
        st.text(max_size=12),
        st.integers(),
        st.none(),
    )
)
def test_name_fast_path(raw):
    same(normalize_name(raw), V._normalize_name_full(raw))


@given(
    st.one_of(st.dates(), st.datetimes(), st.none(), st.integers(min_value=-10, max_value=10**6), st.text(max_size=12))
)
def test_date_fast_path(raw):
    same(parse_date(raw), V._parse_date_full(raw))


def test_fast_paths_on_a_large_generated_sample():
    """20,000 rows shaped like a roster, with a sprinkling of mistakes."""
    rng = random.Random(20261122)
    provinces = sorted(PROVINCE_CODES) + ["10", "99", "00"]
    for _ in range(20_000):
        born = date(1890, 1, 1) + timedelta(days=rng.randrange(0, 140 * 365))
        first17 = f"{rng.choice(provinces)}{rng.randrange(10**4):04d}{born:%Y%m%d}{rng.randrange(1000):03d}"
        id18 = first17 + (id_check_char(first17) if rng.random() < 0.9 else rng.choice("0123456789Xx"))
        if rng.random() < 0.02:
            id18 = id18[:6] + rng.choice(["19990230", "20001301", "19000000"]) + id18[14:]
        same(validate_id_number(id18, today=TODAY), V._validate_id_number_full(id18, today=TODAY))
        mobile = f"1{rng.randrange(10)}{rng.randrange(10**9):09d}"
        area = rng.choice(["010", "021", "0551", "0552", "0871", "012", "05512", "0210", "055", "001", "0086"])
        landline = f"{area}-{rng.randrange(10**6, 10**8 + 10**7)}"
        for phone in (mobile, landline, int(mobile), float(mobile)):
            same(validate_phone(phone), V._validate_phone_full(phone))
        name = "".join(chr(rng.randrange(0x4E00, 0xA000)) for _ in range(rng.choice((1, 2, 3, 3, 4, 8))))
        same(normalize_name(name), V._normalize_name_full(name))
        day = date(1880, 1, 1) + timedelta(days=rng.randrange(0, 150 * 365))
        same(parse_date(day), V._parse_date_full(day))


def test_fast_paths_on_the_demo_data(demo_db):
    from models import Member, Volunteer

    rows = [(m.name, m.id_number, m.phone, m.birth_date) for m in Member.select()]
    rows += [(v.name, v.id_number, v.phone, None) for v in Volunteer.select()]
    assert len(rows) > 2000
    for name, id_number, phone, born in rows:
        same(normalize_name(name), V._normalize_name_full(name))
        same(validate_id_number(id_number, today=TODAY), V._validate_id_number_full(id_number, today=TODAY))
        same(validate_phone(phone), V._validate_phone_full(phone))
        same(parse_date(born), V._parse_date_full(born))
        assert clean_text(name) == V._clean_text_full(name)


@given(st.one_of(valid_ids, st.text(alphabet="0123456789Xx ", max_size=20), st.text(max_size=20)))
def test_birth_date_from_id_fast_path(raw):
    def full(id18):
        return date(int(id18[6:10]), int(id18[10:12]), int(id18[12:14]))

    try:
        expected: object = full(raw)
    except ValueError as exc:
        expected = ("ValueError", str(exc))
    try:
        got: object = birth_date_from_id(raw)
    except ValueError as exc:
        got = ("ValueError", str(exc))
    assert got == expected
