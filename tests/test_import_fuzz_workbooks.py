"""A bounded hypothesis fuzz over generated, well-formed workbooks (the byte-level fuzz is
in test_import_hostile): any header among the synonyms and any sheet layout, cells of any
kind (text of any script, numbers, dates, times, booleans, formulas, ID-like strings,
blanks), several sheets. Through the member import pipeline each ends in an outcome or a
Chinese `UserError`, never another exception; an import that is not committed leaves the
database file byte for byte as it was."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from test_import_hostile import TODAY, fingerprint, make_id

from models import Branch, Community, Member
from reports import importing
from wanghu_desk.errors import UserError

HEADERS = ["序号", "姓名", "性别", "民族", "出生日期", "公民身份号码", "身份证号", "学历", "人员类别", "入党日期",
           "转正日期", "所在党支部", "党支部", "联系电话", "手机", "家庭住址", "备注", "", "未知列"]

text = st.text(max_size=40).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s))
cells = st.one_of(
    st.none(),
    text,
    st.sampled_from(["银杏苑小区党支部", "男", "女", "汉族", "正式党员", "预备党员", "大学本科", "　", " ", "-"]),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 12, 31)),
    st.times(),
    st.booleans(),
    st.sampled_from(["=1+1", "=A1", "=SUM(A1:A3)", "=1/0", '="3401"&"04"']),
    st.builds(lambda y, m, d, s: make_id(f"{y:04d}{m:02d}{d:02d}", f"{s:03d}"),
              st.integers(1930, 2010), st.integers(1, 12), st.integers(1, 28), st.integers(0, 999)),
)


@st.composite
def workbooks(draw) -> list[tuple[str, list[list]]]:
    sheets = []
    if draw(st.booleans()):  # a roster that would import, with some cells spoilt
        rows = [["姓名", "公民身份号码", "所在党支部", "入党日期"]]
        for i in range(draw(st.integers(1, 8))):
            row = ["张" + "伟芳娜敏静丽强磊"[i], make_id(f"19{60 + i}0101", f"{i:03d}"), "银杏苑小区党支部",
                   dt.date(1990 + i, 7, 1)]
            if draw(st.integers(0, 3)) == 0:
                row[draw(st.integers(0, 3))] = draw(cells)
            rows.append(row)
        return [("花名册", rows)]
    for number in range(draw(st.integers(1, 3))):
        header = draw(st.lists(st.sampled_from(HEADERS), min_size=0, max_size=10))
        width = max(len(header), 1)
        rows = draw(st.lists(st.lists(cells, min_size=0, max_size=width + 2), max_size=12))
        above = draw(st.lists(st.lists(cells, max_size=3), max_size=3))  # title or note rows
        sheets.append((f"表{number + 1}", [*above, header, *rows]))
    return sheets


@pytest.fixture
def branch_db(fresh_db):
    community = Community.create(name="望湖社区")
    Branch.create(name="银杏苑小区党支部", category="estate", community=community, sort_order=1)
    return fresh_db


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(book=workbooks(), suffix=st.sampled_from([".xlsx", ".csv"]))
def test_generated_workbooks_end_in_an_outcome_or_a_chinese_message(branch_db, tmp_path, book, suffix):
    path = tmp_path / f"生成 的名册{suffix}"
    if suffix == ".xlsx":
        workbook = openpyxl.Workbook()
        workbook.remove(workbook.active)
        for title, rows in book:
            sheet = workbook.create_sheet(title)
            for row in rows:
                sheet.append(row)
        workbook.save(path)
    else:
        lines = [",".join("" if v is None else str(v).replace(",", "，").replace("\n", " ").replace("\r", " ")
                          for v in row) for row in book[0][1]]
        path.write_text("\n".join(lines), encoding="utf-8")
    before = fingerprint(branch_db.path)
    try:
        outcome = importing.run(path, "members", today=TODAY)
    except UserError as error:
        assert re.search("[\u4e00-\u9fff]", error.message) and "Traceback" not in error.message
        committed = False
    else:
        committed = outcome.committed
    event("committed" if committed else "refused, file unchanged")
    if committed:
        Member.delete().execute()
    else:
        assert fingerprint(branch_db.path) == before
