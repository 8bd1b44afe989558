"""Importing residents' matters (issue 13 point 5): a messy 扫码 / 12345 export — title
rows above the header, synonyms, Excel serial dates and text dates, 满意度 words — goes
through the shared pipeline; settled 工单 get their steps in the workflow's order, a
repeated 工单编号 is skipped as a duplicate, a bad row says why in Chinese."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest

from models import AuditEvent, Branch, BranchEstate, Building, Community, Estate, Matter, MatterStep
from reports import importing
from wanghu_desk import cli
from wanghu_desk.services import imports as import_service
from wanghu_desk.services import matters

TODAY = dt.date(2026, 11, 22)


def _serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


@pytest.fixture
def place(fresh_db):
    community = Community.create(name="望湖社区", sort_order=1)
    north = Estate.create(name="望湖城北苑", community=community)
    Estate.create(name="信达小区", community=community)
    Building.create(estate=north, number="3栋")
    branch = Branch.create(name="望湖城北苑小区党支部", category="estate", community=community)
    BranchEstate.create(branch=branch, estate=north)
    # a 工单 registered before the import: its number must be skipped, not refused
    matters.create_matter({"kind": "qr_report", "content": "路灯不亮", "received_on": dt.date(2026, 9, 1),
                           "external_no": "SM-0009", "source": "qr"}, today=TODAY)
    return {"north": north.id, "branch": branch.id}


def _messy_workbook(path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "工单明细"
    ws.append(["望湖街道扫码报事平台工单导出"])
    ws.append(["导出时间：2026-11-20 09:30　共 7 条"])
    ws.append([])
    ws.append(["序号", "工单号", "受理时间", "诉求内容", "小区名称", "楼号", "诉求人", "手机号码", "问题分类",
               "渠道", "处理结果", "办结日期", "回访结果"])
    rows = [
        # settled, Excel serial dates, 非常满意 → 满意
        ["SM-0001", _serial(dt.date(2026, 10, 8)), "3栋楼道灯不亮", "望湖城北苑", "3号楼", "王芳", "13955512345",
         "设施维修", "扫码", "已更换灯泡", _serial(dt.date(2026, 10, 10)), "非常满意"],
        # settled late (7-day deadline), text dates with times, 一般 → 基本满意, unknown estate
        ["SM-0002", "2026/10/01 08:12", "小区门口垃圾满溢", "东方花园", None, "李强", "13800001111", "环境卫生",
         "二维码", "已联系保洁清运", "2026-10-12 16:40", "一般"],
        # 12345 hotline, settled, 不满意
        ["12345-778", "2026年10月15日", "夜间施工噪音", "信达小区", None, None, None, "噪音扰民", "12345热线",
         "已约谈施工方", "2026.10.16", "不满意"],
        # open: no 办结日期, handled by no one yet
        ["SM-0003", _serial(dt.date(2026, 11, 18)), "楼下电动车飞线充电", "望湖城北苑", "3栋", "赵敏", None,
         "安全隐患", "扫码", None, None, None],
        # bad: 办结 before 受理, and a 满意度 nobody can read
        ["SM-0004", "2026-11-10", "单元门禁坏了", "望湖城北苑", None, None, None, "设施维修", "扫码",
         "已修好", "2026-11-05", "还行吧"],
        # duplicates: one of the file, one already registered
        ["SM-0001", _serial(dt.date(2026, 10, 8)), "3栋楼道灯不亮（重复提交）", "望湖城北苑", None, None, None,
         None, "扫码", None, None, None],
        ["SM-0009", "2026-09-01", "路灯不亮", None, None, None, None, None, None, None, None, None],
    ]
    for i, row in enumerate(rows, 1):
        ws.append([i, *row])
    wb.save(path)


def test_a_messy_qr_export_previews_with_clear_problems(place, tmp_path):
    path = tmp_path / "扫码工单.xlsx"
    _messy_workbook(path)
    p = importing.preview(path, "matters", today=TODAY)
    assert p.header_row == 4 and len(p.rows) == 7
    assert [r.row for r in p.invalid_rows] == [9]
    bad = {e.column: e.message for e in p.errors}
    assert "早于反映时间" in bad["办结日期"]
    assert "看不懂的满意度「还行吧」" in bad["回访结果"]
    warnings = " ".join(w.message for w in p.warnings)
    assert "东方花园" in warnings and "重复的工单" in warnings
    assert p.actions == ["insert", "insert", "insert", "insert", None, "unchanged", "unchanged"]


def test_commit_registers_settled_matters_with_their_steps_in_order(place, tmp_path):
    path = tmp_path / "扫码工单.xlsx"
    _messy_workbook(path)
    outcome = importing.commit(importing.preview(path, "matters", today=TODAY), skip_invalid=True)
    assert (outcome.inserted, outcome.unchanged, outcome.skipped) == (4, 2, 1)

    by_no = {m.external_no: m for m in Matter.select()}
    first = by_no["SM-0001"]
    assert (first.kind, first.source, first.estate_id, first.evaluation) == ("qr_report", "qr", place["north"],
                                                                             "satisfied")
    assert first.building_id is not None and first.handler_branch_id == place["branch"]
    assert (first.received_on, first.closed_on, first.state) == (dt.date(2026, 10, 8), dt.date(2026, 10, 10), "close")
    steps = [s.step for s in MatterStep.select().where(MatterStep.matter == first.id).order_by(MatterStep.id)]
    assert steps == ["accept", "assign", "handle", "feedback", "evaluate", "close"]

    second = by_no["SM-0002"]
    assert second.evaluation == "basic" and "东方花园" in second.note and second.estate_id is None
    hotline = by_no["12345-778"]
    assert (hotline.source, hotline.evaluation) == ("hotline", "unsatisfied")
    still_open = by_no["SM-0003"]
    assert still_open.state == "accept" and still_open.closed_on is None

    # the figures of the register count them as any matter entered by hand
    f = matters.figures(dt.date(2026, 10, 1), dt.date(2026, 10, 31), today=TODAY)
    assert (f.total.received, f.total.settled) == (3, 3)
    assert f.total.on_time == 2  # SM-0002 was settled on day 11 of a 7-day deadline
    assert (f.total.evaluated, f.total.satisfied) == (3, 2)

    event = AuditEvent.select().where(AuditEvent.entity == "import").order_by(AuditEvent.id.desc()).get()
    assert json.loads(event.after_json)["kind"] == "matters" and "居民事项" in event.note
    assert "新增 4" in event.note

    again = importing.run(path, "matters", today=TODAY, skip_invalid=True)
    assert (again.inserted, again.unchanged) == (0, 6)


def test_cli_imports_matters_as_hotline_opinions(place, fresh_db, tmp_path, capsys):
    from wanghu_desk import database

    path = tmp_path / "12345.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["工单编号", "登记时间", "问题描述", "所属小区", "满意度", "办结时间", "办理结果"])
    ws.append(["12345-001", "2026-11-02", "小区门口路面破损", "信达小区", "满意", "2026-11-06", "已修补"])
    wb.save(path)
    db_path = fresh_db.path
    database.close_database()
    code = cli.main(["--db", str(db_path), "import", "matters", str(path), "--matter-kind", "社情民意", "--json"])
    out = json.loads(capsys.readouterr().out)
    database.open_database(db_path)
    assert code == 0 and out["inserted"] == 1
    matter = Matter.get(Matter.external_no == "12345-001")
    assert (matter.kind, matter.evaluation, matter.state) == ("opinion", "satisfied", "close")
    assert import_service.classify("matters", [{"external_no": "12345-001"}]) == ["unchanged"]
