"""The volunteer files: the 志愿服务时长证明 PDF (its text read back with pypdf, both in the
built-in STSong-Light CID font, as on CI, and in an embedded TrueType font where this
machine has one: `report_fonts`, tests/conftest.py), and the exports the
shared roster export lacks — the teams workbook and the filtered service records, which
import back unchanged through the shared pipeline."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
import pytest
from conftest import DEMO_TODAY
from pypdf import PdfReader
from test_volunteers_factory import CLERK, make_id

from models import Branch, Member, ServiceRecord
from reports import fonts as font_resolver
from reports import importing
from reports.volunteer_certificate import TITLE, certificate_document, write_certificate
from reports.volunteer_export import SERVICE_FIELDS, export_records, export_teams
from wanghu_desk.errors import PermissionDenied, UsageError
from wanghu_desk.services import volunteers as vs
from wanghu_desk.services.base import acting_as

TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def cid_fonts(tmp_path_factory):
    """What a machine without any Chinese font gets: STSong-Light, not embedded."""
    return font_resolver.resolve_fonts([tmp_path_factory.mktemp("no-fonts")])


def _text(path) -> list[str]:
    return [re.sub(r"\s+", "", page.extract_text() or "") for page in PdfReader(str(path)).pages]


def _volunteer_with_records(n: int = 3) -> tuple[int, str]:
    from models import Organization

    Organization.create(name="中共合肥市包河区望湖街道工作委员会", area_name="望湖街道", kind="working_committee")
    tid = vs.create_team({"name": "护花志愿服务队"}, today=TODAY)
    pid = vs.create_project({"name": "护花行动", "team_id": tid}, today=TODAY)
    id_number = make_id("19850701")
    vid = vs.create_volunteer({"name": "张三", "id_number": id_number, "registration_no": "WH00001",
                               "team_ids": [tid]}, today=TODAY)
    for i in range(n):
        vs.create_record({"volunteer_id": vid, "served_on": dt.date(2026, 3, 1) + dt.timedelta(days=i),
                          "team_id": tid, "project_id": pid, "activity": f"修剪绿化ACT{i:03d}", "hours": "2.5"},
                         today=TODAY)
    return vid, id_number


# ---------------------------------------------------------------- certificate


def test_the_certificate_is_a_valid_pdf_with_any_fonts(fresh_db, tmp_path, cid_fonts):
    vid, _ = _volunteer_with_records(3)
    path = write_certificate(vid, tmp_path / "证明.pdf", today=TODAY, fonts=cid_fonts)
    assert path.read_bytes().startswith(b"%PDF")
    reader = PdfReader(str(path))
    assert len(reader.pages) == 2  # the certificate, and the attachment with the records
    assert reader.metadata.title == TITLE


def test_the_certificate_states_name_masked_id_hours_period_and_issuer(fresh_db, tmp_path, report_fonts):
    vid, id_number = _volunteer_with_records(3)
    path = write_certificate(vid, tmp_path / "cert.pdf", today=TODAY, fonts=report_fonts)
    pages = _text(path)
    first, everything = pages[0], "".join(pages)
    assert "志愿服务时长证明" in first and "兹证明张三同志" in first
    masked = id_number[:6] + "********" + id_number[-4:]
    assert masked in first and id_number not in everything  # never the full number
    assert "WH00001" in first and "护花志愿服务队" in first
    assert "2026年3月1日至2026年11月22日" in first and "参加志愿服务活动3次" in first
    assert "累计服务时长7.5小时" in first
    assert "特此证明" in first and "中共合肥市包河区望湖街道工作委员会" in first and "2026年11月22日" in first
    attachment = pages[1]
    assert "附件" in attachment and all(f"ACT{i:03d}" in attachment for i in range(3))
    assert "合计" in attachment and "3次" in attachment and "7.5" in attachment


def test_a_certificate_for_a_period_and_for_a_star_volunteer(fresh_db, tmp_path, report_fonts):
    vid, _ = _volunteer_with_records(2)
    for day in range(5):  # + 5 × 20 h = 100 h more: a star volunteer
        vs.create_record({"volunteer_id": vid, "served_on": dt.date(2025, 6, 1) + dt.timedelta(days=day),
                          "activity": "OLD", "hours": "20"}, today=TODAY)
    path = write_certificate(vid, tmp_path / "year.pdf", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31),
                             today=TODAY, fonts=report_fonts)
    pages = _text(path)
    assert "2026年1月1日至2026年11月22日" in pages[0]  # never past today
    assert "参加志愿服务活动2次" in pages[0] and "累计服务时长5小时" in pages[0]
    assert "累计105小时" in pages[0] and "一星志愿者" in pages[0]
    assert "OLD" not in "".join(pages)


def test_a_volunteer_without_records_gets_a_one_page_certificate(fresh_db, tmp_path, report_fonts):
    vid = vs.create_volunteer({"name": "李四", "phone": "13955110000"}, today=TODAY)
    path = write_certificate(vid, tmp_path / "none.pdf", today=TODAY, fonts=report_fonts)
    pages = _text(path)
    assert len(pages) == 1 and "没有志愿服务记录" in pages[0] and "李四" in pages[0]


def test_a_long_record_list_runs_over_pages_with_its_header(fresh_db, tmp_path, report_fonts):
    vid, _ = _volunteer_with_records(120)
    data = vs.certificate_data(vid, today=TODAY)
    doc = certificate_document(data, today=TODAY, fonts=report_fonts)
    path = doc.build(tmp_path / "long.pdf")
    assert doc.pages >= 4 and len(PdfReader(str(path)).pages) == doc.pages
    everything = "".join(_text(path))
    assert all(f"ACT{i:03d}" in everything for i in range(120))


def test_the_demo_star_volunteer_certificate(demo_db, tmp_path, cid_fonts):
    best = max(vs.list_volunteers(today=DEMO_TODAY), key=lambda r: r.minutes)
    path = write_certificate(best.id, tmp_path / "demo.pdf", today=DEMO_TODAY, fonts=cid_fonts)
    assert len(PdfReader(str(path)).pages) >= 2


# ---------------------------------------------------------------- exports


def test_the_teams_workbook(demo_db, tmp_path):
    result = export_teams(tmp_path / "teams.xlsx", today=DEMO_TODAY)
    assert result.rows == 14 and result.sheets == ["服务队名册", "服务队成员", "2026年分季度时长"]
    book = openpyxl.load_workbook(result.path)
    roster = book["服务队名册"]
    assert roster["A1"].value == "望湖街道志愿服务队名册"
    header = [c.value for c in roster[3]]
    assert header[:4] == ["序号", "服务队名称", "类型", "所属党组织或社区"]
    teams = {t.name: t for t in vs.list_teams(today=DEMO_TODAY)}
    for row in roster.iter_rows(min_row=4, values_only=True):
        t = teams[row[1]]
        assert row[8] == t.volunteers and row[11] == vs.hours_value(t.minutes_year)
        assert isinstance(row[5], str)  # phones stay text
    assert roster.freeze_panes == "A4" and roster.page_setup.orientation == "landscape"
    quarters = book["2026年分季度时长"]
    rows = list(quarters.iter_rows(min_row=4, values_only=True))
    assert rows[-1][1] == "合计"
    figures = vs.volunteer_hours_by_quarter(2026)
    assert list(rows[-1][2:6]) == [figures["quarters"][str(q)]["hours"] for q in range(1, 5)]
    assert rows[-1][6] == figures["total"]["hours"]
    members = book["服务队成员"]
    assert members.max_row - 3 == sum(t.volunteers for t in teams.values())


def test_filtered_records_export_and_import_back_unchanged(demo_db, tmp_path):
    team = next(t for t in vs.list_teams(today=DEMO_TODAY) if t.name == "护花志愿服务队")
    flt = vs.RecordFilter(team_id=team.id, start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30))
    expected = vs.list_records(flt)
    result = export_records(tmp_path / "records.xlsx", flt, unmasked=True, today=DEMO_TODAY)
    assert result.rows == len(expected) > 0 and not result.masked
    sheet = openpyxl.load_workbook(result.path).active
    assert "护花志愿服务队" in sheet["A2"].value and "2026-07-01 至 2026-09-30" in sheet["A2"].value
    header = [c.value for c in sheet[3]]
    assert header == ["序号", "服务日期", "志愿者姓名", "公民身份号码", "联系电话", "志愿者编号", "服务队", "服务项目",
                      "服务内容", "服务时长（小时）"]
    assert len(SERVICE_FIELDS) == len(header) - 1
    total = sum(r[9] for r in sheet.iter_rows(min_row=4, values_only=True))
    assert total * 60 == sum(r.minutes for r in expected)

    before = ServiceRecord.select().count()
    outcome = importing.run(result.path, "services", today=DEMO_TODAY)
    assert outcome.preview.clean, [p.message for p in outcome.preview.errors][:3]
    assert (outcome.inserted, outcome.unchanged) == (0, len(expected))
    assert ServiceRecord.select().count() == before


def test_records_export_masks_ids_unless_allowed(fresh_db, tmp_path):
    vid, id_number = _volunteer_with_records(2)
    masked = export_records(tmp_path / "m.xlsx", today=TODAY)
    values = [c.value for c in openpyxl.load_workbook(masked.path).active[4]]
    assert masked.masked and values[3] == id_number[:6] + "********" + id_number[-4:]
    with acting_as(CLERK), pytest.raises(PermissionDenied):
        export_records(tmp_path / "u.xlsx", unmasked=True, today=TODAY)
    with pytest.raises(UsageError, match=".xlsx"):
        export_records(tmp_path / "x.csv", today=TODAY)
    empty = export_records(tmp_path / "e.xlsx", vs.RecordFilter(start=dt.date(2020, 1, 1), end=dt.date(2020, 1, 2)),
                           today=TODAY)
    assert empty.rows == 0


def test_a_member_volunteer_exports_once(fresh_db, tmp_path):
    branch = Branch.create(name="望湖城北苑小区党支部", category="estate")
    m = Member.create(name="王芳", id_number=make_id("19800202", male=False), branch=branch)
    vs.volunteer_from_member(m.id, today=TODAY)
    vs.volunteer_from_member(m.id, today=TODAY)
    from reports.exports import export

    result = export("volunteers", tmp_path / "v.xlsx")
    assert result.rows == 1
