"""Importing branches, building groups, volunteers and service records: keys, the
things created on the way, and the problems each kind reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from models import (
    Branch,
    BranchEstate,
    Building,
    BuildingGroup,
    BuildingGroupBuilding,
    Community,
    Estate,
    Member,
    ServiceProject,
    ServiceRecord,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
    db,
)
from reports import importing
from wanghu_desk.errors import NotFoundError
from wanghu_desk.services.lookup import BranchLookup, find_branch, normalize_org_name
from wanghu_desk.validation import id_check_char

TODAY = dt.date(2026, 11, 22)


def make_id(birth: str, seq: str) -> str:
    first17 = f"340104{birth}{seq}"
    return first17 + id_check_char(first17)


def xlsx(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def run(path: Path, kind: str, **kwargs) -> importing.ImportOutcome:
    return importing.run(path, kind, today=TODAY, **kwargs)


def errors(outcome) -> list[tuple]:
    return [(p.row, p.column) for p in outcome.preview.errors]


# ---------------------------------------------------------------- lookup


def test_branch_lookup_normalises_and_suggests(fresh_db):
    c = Community.create(name="望湖社区")
    b = Branch.create(name="银杏苑小区党支部", full_name="中共望湖社区银杏苑小区支部委员会", category="estate",
                      community=c)
    lookup = BranchLookup()
    for text in ("银杏苑小区党支部", " 银杏苑 小区党支部\u3000", "中共望湖社区银杏苑小区支部委员会", "银杏苑小区"):
        assert lookup.get(text).id == b.id, text
    assert normalize_org_name("（一）支部 ") == "(一)支部"
    assert lookup.suggestion("银杏园小区党支部") == "银杏苑小区党支部"
    assert lookup.resolve("无").value is None and lookup.resolve("无").problems == ()
    with pytest.raises(NotFoundError, match="是不是「银杏苑小区党支部」"):
        find_branch("银杏圆小区党支部")


# ---------------------------------------------------------------- branches


BRANCH_HEADER = ["序号", "党组织名称", "党组织全称", "类别", "所属社区", "书记", "联系电话"]


def test_branches_insert_update_and_problems(fresh_db, tmp_path):
    rows = [
        BRANCH_HEADER,
        [1, "银杏苑小区党支部", "中共银杏苑小区支部委员会", "小区党支部", "望湖社区", "张三", "13800000000"],
        [2, "望湖社区机关党支部", None, "机关", "望湖社区", None, None],
        [3, "枫林湾小区党支部", None, "游击队", "南湖社区", None, None],
        [4, "银杏苑小区党支部", None, "小区党支部", "望湖社区", None, None],
        [5, None, None, "网格党支部", "南湖社区", None, None],
        [6, "南湖社区第一网格党支部", None, None, "南湖社区", None, "123"],
    ]
    outcome = run(xlsx(tmp_path / "b.xlsx", rows), "branches", skip_invalid=True)
    assert errors(outcome) == [(4, "类别"), (5, "党组织名称"), (6, "党组织名称"), (7, "类别"), (7, "联系电话")]
    assert (outcome.inserted, outcome.created) == (2, {"communities": 1})  # 南湖社区 only on skipped rows
    warned = [(p.row, p.column, p.value) for p in outcome.preview.warnings]
    # once per new community, at its first row (even a row with errors: the clerk should know)
    assert warned == [(2, "所属社区", "望湖社区"), (4, "所属社区", "南湖社区")]
    first = Branch.get(Branch.name == "银杏苑小区党支部")
    assert (first.category, first.community.name, first.secretary, first.phone) == ("estate", "望湖社区", "张三",
                                                                                      "13800000000")
    assert Branch.get(Branch.name == "望湖社区机关党支部").category == "agency"

    update = [BRANCH_HEADER, [1, "银杏苑小区党支部", None, "小区党支部", "望湖社区", "李四", None],
              [2, "望湖社区机关党支部", None, "机关党支部", "望湖社区", None, None]]
    outcome = run(xlsx(tmp_path / "b2.xlsx", update), "branches")
    assert (outcome.inserted, outcome.updated, outcome.unchanged) == (0, 1, 1)
    first = Branch.get(Branch.name == "银杏苑小区党支部")
    assert first.secretary == "李四" and first.full_name == "中共银杏苑小区支部委员会"  # empty cells keep values


def test_branch_named_by_its_full_name_or_alias_is_not_a_new_branch(fresh_db, tmp_path):
    Branch.create(name="银杏苑小区党支部", full_name="中共银杏苑小区支部委员会", category="estate")
    rows = [BRANCH_HEADER, [1, "中共银杏苑小区支部委员会", None, "小区党支部", None, None, None]]
    outcome = run(xlsx(tmp_path / "b.xlsx", rows), "branches")
    assert not outcome.committed and errors(outcome) == [(2, "党组织名称")]
    assert "请把名称写成「银杏苑小区党支部」" in outcome.preview.errors[0].message


# ---------------------------------------------------------------- building groups


@pytest.fixture
def estate_branch(fresh_db):
    c = Community.create(name="望湖社区")
    b = Branch.create(name="银杏苑小区党支部", category="estate", community=c)
    e = Estate.create(name="银杏苑小区", community=c)
    BranchEstate.create(branch=b, estate=e)
    Building.create(estate=e, number="1栋")
    leader = Member.create(name="王芳", id_number=make_id("19700101", "022"), branch=b, phone="13800000001")
    Member.create(name="王芳", id_number=make_id("19710101", "022"), branch=b, phone="13800000002")
    Member.create(name="刘强", id_number=make_id("19720101", "011"), branch=b)
    return {"branch": b, "estate": e, "leader": leader}


GROUP_HEADER = ["序号", "所在党支部", "党小组名称", "组长", "组长联系电话", "覆盖楼栋", "党员人数", "备注"]


def test_groups_leaders_buildings_and_created_places(estate_branch, tmp_path):
    rows = [
        GROUP_HEADER,
        [1, "银杏苑小区党支部", "1-2栋党小组", "王芳", "13800000001", "1栋、2栋", 12, None],
        [2, "银杏苑小区党支部", "3栋党小组", "刘强", None, "枫林湾小区：3栋", 0, None],
        [3, "银杏苑小区党支部", "4栋党小组", "王芳", None, None, 0, None],
        [4, "银杏苑小区党支部", "5栋党小组", "赵六", None, None, 0, None],
        [5, "银杏苑小区党支部", "1-2栋党小组", None, None, None, 0, None],
        [6, "不存在党支部", "6栋党小组", None, None, None, 0, None],
    ]
    outcome = run(xlsx(tmp_path / "g.xlsx", rows), "groups", skip_invalid=True)
    assert errors(outcome) == [(6, "党小组名称"), (7, "所在党支部")]
    assert [(p.row, p.column) for p in outcome.preview.warnings] == [
        (2, "覆盖楼栋"), (3, "覆盖楼栋"), (4, "组长"), (5, "组长")]
    assert outcome.inserted == 4
    assert outcome.created == {"estates": 1, "buildings": 2}
    first = BuildingGroup.get(BuildingGroup.name == "1-2栋党小组")
    assert first.leader_id == estate_branch["leader"].id
    numbers = sorted(link.building.number for link in BuildingGroupBuilding.select().where(
        BuildingGroupBuilding.group == first))
    assert numbers == ["1栋", "2栋"]
    assert BuildingGroup.get(BuildingGroup.name == "3栋党小组").leader.name == "刘强"
    assert BuildingGroup.get(BuildingGroup.name == "4栋党小组").leader_id is None  # two 王芳, no phone
    new_estate = Estate.get(Estate.name == "枫林湾小区")
    assert new_estate.community_id == estate_branch["branch"].community_id
    assert BranchEstate.select().where(BranchEstate.estate == new_estate).count() == 1

    again = [GROUP_HEADER, [1, "银杏苑小区党支部", "1-2栋党小组", "王芳", "13800000001", "银杏苑小区：2栋", 12, "调整"]]
    outcome = run(xlsx(tmp_path / "g2.xlsx", again), "groups")
    assert (outcome.updated, outcome.unchanged) == (1, 0)
    links = BuildingGroupBuilding.select().where(BuildingGroupBuilding.group == first)
    assert [link.building.number for link in links] == ["2栋"]
    assert BuildingGroup.get_by_id(first.id).note == "调整"


# ---------------------------------------------------------------- volunteers and services


VOLUNTEER_HEADER = ["序号", "姓名", "性别", "公民身份号码", "联系电话", "所属服务队", "技能特长", "志愿者编号", "是否党员",
                    "累计服务时长（小时）"]


def test_volunteers_teams_member_links_and_keys(fresh_db, tmp_path):
    branch = Branch.create(name="银杏苑小区党支部", category="estate")
    member_id = make_id("19800101", "011")
    member = Member.create(name="张三", id_number=member_id, branch=branch)
    VolunteerTeam.create(name="护花志愿服务队")
    rows = [
        VOLUNTEER_HEADER,
        [1, "张三", None, member_id, "13800000000", "护花志愿服务队、情暖桑榆志愿服务队", "理发", "WH001", "是", 12],
        [2, "李四", "女", None, "13900000000", "情暖桑榆志愿服务队", None, "WH002", "否", 0],
        [3, "王五", None, make_id("19900101", "022"), None, None, None, None, "是", 0],
        [4, "赵六", None, None, "139", None, None, "WH002", None, 0],
    ]
    outcome = run(xlsx(tmp_path / "v.xlsx", rows), "volunteers", skip_invalid=True)
    assert errors(outcome) == [(5, "联系电话"), (5, "志愿者编号")]
    assert [(p.row, p.column) for p in outcome.preview.warnings] == [(2, "所属服务队"), (4, "是否党员")]
    assert (outcome.inserted, outcome.created) == (3, {"teams": 1})
    zhang = Volunteer.get(Volunteer.name == "张三")
    assert zhang.member_id == member.id and zhang.gender == "男" and zhang.birth_date == dt.date(1980, 1, 1)
    assert sorted(t.team.name for t in TeamMembership.select().where(TeamMembership.volunteer == zhang)) == [
        "情暖桑榆志愿服务队", "护花志愿服务队"]

    again = [VOLUNTEER_HEADER, [1, "张三", None, member_id, "13800000000", "护花志愿服务队", "理发", "WH001", "是", 99],
             [2, "李四", "女", None, "13900000000", "情暖桑榆志愿服务队、护花志愿服务队", None, "WH002", "否", 0]]
    outcome = run(xlsx(tmp_path / "v2.xlsx", again), "volunteers")
    assert (outcome.inserted, outcome.updated, outcome.unchanged) == (0, 1, 1)  # 李四 joins a team
    assert TeamMembership.select().count() == 4


SERVICE_HEADER = ["服务日期", "志愿者姓名", "公民身份号码", "联系电话", "志愿者编号", "服务队", "服务项目", "服务内容", "服务时长（小时）"]


def test_service_records_volunteer_resolution_hours_and_multiset_matching(fresh_db, tmp_path):
    team = VolunteerTeam.create(name="护花志愿服务队")
    a = Volunteer.create(name="张三", id_number=make_id("19800101", "011"), phone="13800000000")
    Volunteer.create(name="李四", phone="13900000000", registration_no="WH002")
    Volunteer.create(name="李四", phone="13700000000")
    rows = [
        SERVICE_HEADER,
        ["2026-05-01", "张三", a.id_number, None, None, "护花志愿服务队", "乐夕阳", "陪老人聊天", 1.5],
        ["2026-05-01", "张三", a.id_number, None, None, "护花志愿服务队", "乐夕阳", "陪老人聊天", "1.5小时"],
        ["2026/5/2", "李四", None, None, "WH002", None, None, "政策宣传", "90分钟"],
        ["2026-05-03", "李四", None, None, None, None, None, "政策宣传", 2],
        ["2026-05-03", "王五", None, None, None, None, None, "政策宣传", 2],
        ["2099-01-01", "张三", a.id_number, None, None, None, None, "政策宣传", 2],
        ["2026-05-04", "张三", a.id_number, None, None, None, None, "政策宣传", 25],
        ["2026-05-04", "张三", a.id_number, None, None, None, None, None, None],
    ]
    outcome = run(xlsx(tmp_path / "s.xlsx", rows), "services", skip_invalid=True)
    assert errors(outcome) == [(5, "志愿者姓名"), (6, "志愿者姓名"), (7, "服务日期"), (8, "服务时长（小时）"),
                               (9, "服务内容"), (9, "服务时长（小时）")]
    assert "有 2 位名叫「李四」" in outcome.preview.errors[0].message
    assert [(p.row, p.column) for p in outcome.preview.warnings] == [(2, "服务项目"), (3, None)]
    assert (outcome.inserted, outcome.created) == (3, {"projects": 1})
    minutes = sorted(r.minutes for r in ServiceRecord.select())
    assert minutes == [90, 90, 90]
    project = ServiceProject.get(ServiceProject.name == "乐夕阳")
    assert project.team_id == team.id

    again = run(xlsx(tmp_path / "s.xlsx", rows), "services", skip_invalid=True)
    assert (again.inserted, again.unchanged) == (0, 3)  # the same file twice adds nothing
    more = rows[:2] + rows[1:3]  # three identical records now, two stored
    third = run(xlsx(tmp_path / "s3.xlsx", more), "services")
    assert (third.inserted, third.unchanged) == (1, 2)


def test_service_hours_go_in_half_hour_steps(fresh_db, tmp_path):
    a = Volunteer.create(name="张三", id_number=make_id("19800101", "011"))
    rows = [
        SERVICE_HEADER,
        ["2026-05-01", "张三", a.id_number, None, None, None, None, "政策宣传", "2.5小时"],
        ["2026-05-02", "张三", a.id_number, None, None, None, None, "政策宣传", "1.25"],
        ["2026-05-03", "张三", a.id_number, None, None, None, None, "政策宣传", 0.75],
        ["2026-05-04", "张三", a.id_number, None, None, None, None, "政策宣传", "45分钟"],
        ["2026-05-05", "张三", a.id_number, None, None, None, None, "政策宣传", "30分钟"],
        ["2026-05-06", "张三", a.id_number, None, None, None, None, "政策宣传", 0],
        ["2026-05-07", "张三", a.id_number, None, None, None, None, "政策宣传", "两小时"],
    ]
    outcome = run(xlsx(tmp_path / "h.xlsx", rows), "services", skip_invalid=True)
    assert errors(outcome) == [(3, "服务时长（小时）"), (4, "服务时长（小时）"), (5, "服务时长（小时）"),
                               (7, "服务时长（小时）"), (8, "服务时长（小时）")]
    messages = [p.message for p in outcome.preview.errors]
    assert messages[:3] == ["服务时长按 0.5 小时计，请填写如 1、1.5、2。"] * 3
    assert [p.value for p in outcome.preview.errors[:3]] == ["1.25", "0.75", "45分钟"]
    assert sorted(r.minutes for r in ServiceRecord.select()) == [30, 150]


def test_service_hours_at_most_24_a_day_counting_the_file_and_stored_records(fresh_db, tmp_path):
    a = Volunteer.create(name="张三", id_number=make_id("19800101", "011"))
    b = Volunteer.create(name="李四", registration_no="WH002")
    ServiceRecord.create(volunteer=a, served_on=dt.date(2026, 5, 10), activity="防汛值守", minutes=20 * 60)
    rows = [
        SERVICE_HEADER,
        ["2026-05-10", "张三", a.id_number, None, None, None, None, "防汛值守", 20],  # 2: stored already: unchanged
        ["2026-05-10", "张三", a.id_number, None, None, None, None, "巡河", 3],  # 3: 23 h
        ["2026-05-10", "张三", a.id_number, None, None, None, None, "巡河", 2],  # 4: 25 h: refused
        ["2026-05-10", "张三", a.id_number, None, None, None, None, "送餐", 1],  # 5: 24 h
        ["2026-05-10", "李四", None, None, "WH002", None, None, "值守", 12],  # 6
        ["2026-05-10", "李四", None, None, "WH002", None, None, "值守", 12.5],  # 7: 24.5 h: refused
        ["2026-05-11", "李四", None, None, "WH002", None, None, "值守", 24],  # 8: another day
    ]
    path = xlsx(tmp_path / "d.xlsx", rows)
    before = list(db.connection().iterdump())
    outcome = run(path, "services")
    assert not outcome.committed
    assert errors(outcome) == [(4, "服务时长（小时）"), (7, "服务时长（小时）")]
    first, second = outcome.preview.errors
    assert first.message == ("张三 在 2026-05-10 已登记 23 小时（含已保存的记录和本表前面的行），再加 2 小时就超过一天 24 小时，"
                             "请核对。")
    assert first.value == "2"
    assert second.message.startswith("李四 在 2026-05-10 已登记 12 小时") and "再加 12.5 小时" in second.message
    assert outcome.preview.actions == ["unchanged", "insert", None, "insert", "insert", None, "insert"]
    assert list(db.connection().iterdump()) == before

    outcome = run(path, "services", skip_invalid=True)
    assert (outcome.inserted, outcome.unchanged, outcome.skipped) == (4, 1, 2)
    per_day: dict[tuple, int] = {}
    for r in ServiceRecord.select():
        per_day[(r.volunteer_id, r.served_on)] = per_day.get((r.volunteer_id, r.served_on), 0) + r.minutes
    assert per_day == {(a.id, dt.date(2026, 5, 10)): 24 * 60, (b.id, dt.date(2026, 5, 10)): 12 * 60,
                       (b.id, dt.date(2026, 5, 11)): 24 * 60}
    again = run(path, "services", skip_invalid=True)  # stored rows are not counted twice
    assert errors(again) == [(4, "服务时长（小时）"), (7, "服务时长（小时）")]
    assert (again.inserted, again.unchanged) == (0, 5)
