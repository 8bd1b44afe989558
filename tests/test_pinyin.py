"""Tests of wanghu_desk.pinyin: initials of names, and that the per-character fast path gives
exactly what pypinyin gives on the whole name (`_initials_full`)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin.constants import PHRASES_DICT

from wanghu_desk import pinyin
from wanghu_desk.pinyin import SURNAME_INITIALS, initials

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢汪"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红梅兰玉春晓文斌浩宇欣怡子涵雨婷俊博鑫鹏飞亮长乐重行朝"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("张三", "zs"),
        ("阿不都·热合曼", "abdrhm"),
        ("阿不都 热合曼", "abdrhm"),
        ("李Anna", "lanna"),
        ("曾小贤", "zxx"),
        ("单田芳", "stf"),
        ("  王伟 ", "ww"),
        ("王2", "w2"),
        ("", ""),
        (None, ""),
        ("·", ""),
        ("- ·", ""),
        # Words of pypinyin's phrase dictionary keep their reading in context.
        ("王长江", "wcj"),
        ("李长春", "lcc"),
        ("张长生", "zcs"),
        ("王乐器", "wyq"),
    ],
)
def test_initials(name, expected):
    assert initials(name) == expected
    assert pinyin._initials_full(name) == expected


def test_phrase_reading_differs_from_the_single_characters():
    """Why names containing a dictionary word take the full path: 长 on its own is read
    zhǎng, in 长江 cháng."""
    name = "王长江"
    assert pinyin._has_phrase(name)
    assert "".join(pinyin._char_initial(ch) for ch in name) == "wzj"
    assert initials(name) == "wcj"


def test_surname_table_applies_to_the_first_character_only():
    for surname, letter in SURNAME_INITIALS.items():
        assert initials(surname + "小明")[0] == letter
        assert initials(surname + "·小明") == pinyin._initials_full(surname + "·小明")


def same_as_full(name: str | None) -> None:
    assert initials(name) == pinyin._initials_full(name), name


name_chars = st.one_of(
    st.sampled_from(SURNAMES + GIVEN),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),
    st.sampled_from("·•・.． \u00a0\u3000-〇AaZz09ÉİΣß'"),
)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=name_chars, max_size=8))
def test_fast_path_agrees_on_any_text(name):
    same_as_full(name)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(SURNAMES),
    st.sampled_from(sorted(k for k in PHRASES_DICT if len(k) <= 4)),
    st.sampled_from(["", "·", " ", "强"]),
)
def test_fast_path_agrees_around_dictionary_words(surname, word, sep):
    same_as_full(surname + word)
    same_as_full(surname + sep + word)
    same_as_full(word + surname)


def test_fast_path_agrees_on_a_large_generated_sample():
    """10,000 names shaped like the import benchmark's (one or two given characters) and
    2,000 with a random dictionary word, so that both paths are exercised."""
    rng = random.Random(4)
    words = sorted(k for k in PHRASES_DICT if len(k) == 2)
    names = {
        rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2)))) for _ in range(10_000)
    }
    names |= {rng.choice(SURNAMES) + rng.choice(words) for _ in range(2_000)}
    with_phrase = 0
    for name in sorted(names):
        with_phrase += pinyin._has_phrase(name)
        same_as_full(name)
    assert 2_000 <= with_phrase < len(names) - 5_000


def test_repeated_calls_are_stable():
    for name in ("王长江", "王伟", "阿不都·热合曼", "X" * 40, "长" * 40):
        assert initials(name) == initials(name) == pinyin._initials_full(name)


def test_fast_path_agrees_on_the_demo_names(demo_db):
    from models import Member, Volunteer

    names = [m.name for m in Member.select()] + [v.name for v in Volunteer.select()]
    assert len(names) > 2000
    for name in names:
        same_as_full(name)
