"""`RosterSearch` gives exactly `members.search_rows`'s rows in the same order, for typed,
deleted, edited and pasted queries over a generated roster (names, pinyin initials, ID
fragments as shown or masked, phones, addresses, Latin letters, several words)."""

from __future__ import annotations

import random

from wanghu_desk.services import members
from wanghu_desk.services.base import Actor, acting_as
from wanghu_desk.services.members import (
    FLAG_LATIN,
    R_ADDRESS,
    R_FLAGS,
    R_ID_NUMBER,
    R_INITIALS,
    R_NAME,
    R_PHONE,
    R_TEXT,
    RosterFilter,
)
from wanghu_desk.services.roster_search import RosterSearch

CLERK = Actor(username="clerk", display_name="录入员", role="clerk")


def _with_latin(rows):
    """A few rows given Latin letters in the name or address, as imported rosters have."""
    out = list(rows)
    for i, (name, initials) in enumerate((("李Anna", "lanna"), ("王·Mary", "wmary"), ("张三", "zs"))):
        r = list(out[i])
        r[R_NAME], r[R_INITIALS] = name, initials
        if i == 2:
            r[R_ADDRESS] = "Lakeside Garden 3栋"
        r[R_FLAGS] |= FLAG_LATIN
        r[R_TEXT] = f"{r[R_NAME]}\x00{r[R_ID_NUMBER]}\x00{r[R_PHONE] or ''}\x00{r[R_ADDRESS] or ''}".lower()
        out[i] = tuple(r)
    r = list(out[3])  # letters in a phone only: no Latin flag, found by the text alone
    r[R_PHONE] = "ext123"
    r[R_TEXT] = f"{r[R_NAME]}\x00{r[R_ID_NUMBER]}\x00ext123\x00{r[R_ADDRESS] or ''}".lower()
    out[3] = tuple(r)
    return out


def _queries(rows, rng: random.Random) -> list[str]:
    people = rng.sample(rows, 12)
    out = ["", "  ", "王", "z", "zs", "ZS", "w", "la", "an", "anna", "mary", "lakeside", "x", "1", "19", "340",
           "１９", "望湖", "栋", "单元", "王 望湖", "z 1", "没有这个人", "a\x00b", "ext1", "an1"]
    for r in people:
        name, ini, number, phone, address = r[R_NAME], r[R_INITIALS], r[R_ID_NUMBER], r[R_PHONE] or "", r[R_ADDRESS] or ""
        out += [name, name[:1], name[1:], ini, ini[:2], number, number[:6], number[-4:], number[6:14], phone[-4:],
                phone[3:8], address[:4], address[-5:], f"{name[:1]} {address[:2]}", f"{ini[:1]} {number[-3:]}"]
    return out


def _typing(query: str) -> list[str]:
    """Forward one character at a time, back one at a time, then the whole text pasted."""
    forward = [query[:i] for i in range(1, len(query) + 1)]
    return forward + forward[-2::-1] + ["", query]


def _check(rows, roster, rng):
    search = RosterSearch(rows)
    for query in _queries(rows, rng):
        for step in _typing(query):
            want = members.search_rows(rows, step, roster=roster)
            got = search.search(step, roster=roster)
            assert [id(r) for r in got] == [id(r) for r in want], step


def test_same_rows_as_search_rows_for_the_admin(demo_db):
    roster = members.load_roster()
    rows = _with_latin(members.filter_rows(roster.rows, RosterFilter(status=None)))
    _check(rows, roster, random.Random(1))


def test_same_rows_as_search_rows_with_masked_ids_and_a_whole_id_typed(demo_db):
    whole = members.load_roster().rows[5][R_ID_NUMBER]
    with acting_as(CLERK):
        roster = members.load_roster()
        assert not roster.ids_visible
        rows = _with_latin(members.filter_rows(roster.rows, RosterFilter()))
        _check(rows, roster, random.Random(2))
        search = RosterSearch(rows)
        for step in _typing(whole) + [whole.lower(), f"{whole} 望湖"]:
            want = members.search_rows(rows, step, roster=roster)
            assert [id(r) for r in search.search(step, roster=roster)] == [id(r) for r in want], step
        assert search.search(whole, roster=roster)  # found although every ID is shown masked


def test_an_empty_list_and_a_sorted_list():
    assert RosterSearch([]).search("王") == []
    roster = None
    rows = [
        (1, "王梅", "wm", "女", None, "3401", "full", None, None, 1, None, "138", "望湖", "active", 0, None,
         "王梅\x003401\x00138\x00望湖"),
        (2, "张三", "zs", "男", None, "3402", "full", None, None, 1, None, "139", "湖滨\n2栋", "active", 0, None,
         "张三\x003402\x00139\x00湖滨\n2栋"),
    ]
    for order in (rows, rows[::-1]):
        search = RosterSearch(order)
        for text in ("湖", "2栋", "z", "34", "3401 wm", "9"):
            assert search.search(text, roster=roster) == members.search_rows(order, text, roster=roster)
