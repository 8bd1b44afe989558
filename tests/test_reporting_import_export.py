"""The 在职党员报到 roster through the shared pipeline: a messy sheet (synonyms, a title
row, names or ID numbers) previews with clear Chinese problems, commits all-or-nothing,
and the program's own export imports back unchanged; the order export and the 反馈单."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from models import Branch, Community, Estate, Member
from models.reporting import ReportingMember
from reports import importing, reporting_export, reporting_letter
from wanghu_desk import kinds
from wanghu_desk.services import reporting
from wanghu_desk.validation import id_check_char

TODAY = dt.date(2026, 11, 22)


def _id(seq: int) -> str:
    first17 = f"11010519800101{seq:03d}"
    return first17 + id_check_char(first17)


LI_SI = _id(3)


@pytest.fixture
def place(fresh_db):
    community = Community.create(name="望湖社区", sort_order=1)
    Estate.create(name="望湖城北苑", community=community)
    a = Branch.create(name="望湖城北苑小区党支部", category="estate", community=community)
    b = Branch.create(name="区财政局机关党支部", category="agency")
    ids = {}
    for name, number, branch in (("张三", _id(1), a), ("李四", LI_SI, a), ("王五", _id(5), a), ("王五", _id(7), b)):
        ids[number] = Member.create(name=name, id_number=number, branch=branch, joined_on=dt.date(2000, 7, 1)).id
    return {"community": community.id, "ids": ids}


def _sheet(path, rows) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["望湖街道在职党员到社区报到名册"])
    ws.append(["序号", "党员姓名", "身份证号", "支部", "单位", "单位性质", "单位党组织", "居住地社区", "小区",
               "报到时间", "个人特长", "岗位"])
    for i, row in enumerate(rows, 1):
        ws.append([i, *row])
    wb.save(path)


def test_a_roster_previews_with_clear_problems_and_commits(place, tmp_path):
    path = tmp_path / "报到名册.xlsx"
    _sheet(path, [
        ["张三", None, None, "包河区财政局", "区直机关", "区财政局机关党委", "望湖社区", "望湖城北苑", "2026-03-01",
         "法律咨询", "政策宣讲岗，关爱帮扶岗"],
        ["王五", None, "区财政局机关党支部", "包河区财政局", "机关", None, "望湖", None, "2026/04/02", None, None],
        ["李四", LI_SI, None, "中铁四局", "国企", None, "望湖社区", "东方花园", "2026-05-01", None,
         "文明劝导岗"],
        ["王五", None, None, "中铁四局", "企业", None, "望湖社区", None, "2026-05-01", None, None],  # ambiguous
        ["赵六", None, None, "中铁四局", "企业", None, "望湖社区", None, "2026-05-01", None, None],  # not a member
        ["张三", None, None, "包河区财政局", "区直机关", None, "湖滨社区", None, "2026-03-01", None, None],
    ])
    p = importing.preview(path, "reporting", today=TODAY)
    assert p.header_row == 2 and len(p.rows) == 6
    bad = {e.row: e.message for e in p.errors}
    assert "有 2 名党员叫「王五」" in bad[6] and "没有在册党员「赵六」" in bad[7] and "湖滨社区" in bad[8]
    assert "东方花园" in " ".join(w.message for w in p.warnings)
    assert p.actions[:3] == ["insert", "insert", "insert"], [(e.row, e.message) for e in p.errors]
    with pytest.raises(Exception, match="没有导入任何内容"):
        importing.commit(p)
    assert ReportingMember.select().count() == 0
    outcome = importing.commit(p, skip_invalid=True)
    assert (outcome.inserted, outcome.skipped) == (3, 3)
    rows = {r.name + r.branch: r for r in reporting.list_members(2026)}
    zhang = rows["张三望湖城北苑小区党支部"]
    assert (zhang.unit_kind, zhang.posts, zhang.estate) == ("agency", "政策宣讲岗、关爱帮扶岗", "望湖城北苑")
    assert rows["王五区财政局机关党支部"].community == "望湖社区"
    assert rows["李四望湖城北苑小区党支部"].unit_kind == "enterprise" and not rows["李四望湖城北苑小区党支部"].estate
    assert Member.select().where(Member.reported_at_residence == True).count() == 3  # noqa: E712

    # the program's own export imports back unchanged; a changed cell is an update
    out = tmp_path / "导出.xlsx"
    result = kinds.resolve(kinds.get("reporting").export.writer)(out, year=2026)
    assert result.rows == 3
    again = importing.run(out, "reporting", today=TODAY)
    assert (again.committed, again.inserted, again.updated, again.unchanged) == (True, 0, 0, 3)
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    header = next(r for r in ws.iter_rows(values_only=True) if "工作单位" in r)
    unit_col = header.index("工作单位")
    for row in ws.iter_rows():
        if row[unit_col].value == "中铁四局":
            row[unit_col].value = "中铁四局集团"
    wb.save(out)
    changed = importing.run(out, "reporting", today=TODAY)
    assert (changed.updated, changed.unchanged) == (1, 2)
    assert rows["李四望湖城北苑小区党支部"].id == ReportingMember.get(ReportingMember.work_unit == "中铁四局集团").id


def test_the_order_export_and_the_letter(place, tmp_path, report_fonts):
    zhang = place["ids"][_id(1)]
    reporting.register_member({"member_id": zhang, "work_unit": "包河区财政局", "unit_party_org": "区财政局机关党委",
                               "community_id": place["community"], "reported_on": dt.date(2026, 3, 1)}, today=TODAY)
    oid = reporting.place_order({"content": "帮独居老人取药", "ordered_on": dt.date(2026, 4, 1),
                                 "resident_phone": "13800001111"}, today=TODAY)
    reporting.assign_order(oid, Branch.get().id, [zhang], dt.date(2026, 4, 1), today=TODAY)
    reporting.accept_order(oid, [zhang], dt.date(2026, 4, 2), today=TODAY)
    reporting.complete_order(oid, dt.date(2026, 4, 2), 90, "satisfied", today=TODAY)
    out = reporting_export.write_orders_workbook(tmp_path / "服务单.xlsx", year=2026)
    cells = [c for row in openpyxl.load_workbook(out.path).worksheets[0].iter_rows(values_only=True) for c in row]
    assert "DD2026-0001" in cells and "13800001111" not in cells and 90 in cells and "张三" in cells
    with pytest.raises(Exception, match=r"\.xlsx"):
        reporting_export.write_orders_workbook(tmp_path / "服务单.csv", year=2026)

    data = reporting.letter_data(zhang, 2026)
    assert (len(data.orders), data.minutes, data.satisfied) == (1, 90, 1)
    doc = reporting_letter.letter_document(data, today=TODAY, fonts=report_fonts)
    pdf = doc.build(tmp_path / "反馈单.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    text = " ".join(getattr(f, "text", "") for f in doc.story)
    assert "区财政局机关党委：" in text and "完成服务 1 次" in text and "1.5 小时" in text
    with pytest.raises(Exception, match="没有报到登记"):
        reporting.letter_data(place["ids"][LI_SI], 2026)
