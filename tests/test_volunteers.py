"""志愿服务 services (issue 7): hours in 0.5 h steps and at most 24 h a person and day,
bulk entry all or nothing, star levels at their exact boundaries (99.5 h is no star,
100 h is one), quarter and year sums across quarter edges (03-31 / 04-01), the
member ↔ volunteer link by ID number (a member is one volunteer, never two), teams with
join / leave dates, projects, the audit trail, and the demo database's figures."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import DEMO_TODAY
from test_volunteers_factory import CLERK, VIEWER, make_id

from models import AuditEvent, Branch, Member, ServiceRecord, TeamMembership, Volunteer, VolunteerTeam, db
from wanghu_desk.errors import NotFoundError, PermissionDenied, ValidationError
from wanghu_desk.services import volunteers as vs
from wanghu_desk.services.base import acting_as

TODAY = dt.date(2026, 11, 22)


# ---------------------------------------------------------------- builders


def branch() -> int:
    return Branch.create(name="望湖城北苑小区党支部", category="estate").id


def member(name: str = "张三", id_number: str | None = None, **kw) -> Member:
    return Member.create(name=name, id_number=id_number or make_id(), branch=kw.pop("branch", None) or branch(),
                         gender="男", phone=kw.pop("phone", "13855110000"), **kw)


def team(name: str = "护花志愿服务队", **kw) -> int:
    return vs.create_team({"name": name, "kind": "volunteer", **kw}, today=TODAY)


_phones = iter(range(13900000000, 13999999999))


def volunteer(name: str = "李四", **kw) -> int:
    raw = {"name": name, "phone": str(next(_phones))}
    raw.update(kw)
    return vs.create_volunteer(raw, today=TODAY)


def record(vid: int, day: str | dt.date, hours: str = "2", activity: str = "修剪绿化", **kw) -> int:
    return vs.create_record({"volunteer_id": vid, "served_on": day, "activity": activity, "hours": hours, **kw},
                            today=TODAY)


def events(entity: str, action: str | None = None) -> int:
    query = AuditEvent.select().where(AuditEvent.entity == entity)
    if action:
        query = query.where(AuditEvent.action == action)
    return query.count()


# ---------------------------------------------------------------- hours and stars


@pytest.mark.parametrize(("text", "minutes"), [
    ("2", 120), ("1.5", 90), ("0.5", 30), ("2小时", 120), ("１．５", 90), (" 3 ", 180), ("24", 1440),
    (2, 120), (1.5, 90), ("2.50", 150), ("10个小时", 600),
])
def test_hours_are_read_in_half_hour_steps(text, minutes):
    checked = vs.parse_hours(text)
    assert checked.ok and checked.value == minutes


@pytest.mark.parametrize(("text", "message"), [
    ("0", "大于 0"), ("0.0", "大于 0"), ("0.3", "0.5 小时"), ("1.25", "0.5 小时"), ("24.5", "24 小时"),
    ("30", "24 小时"), ("两小时", "看不懂"), ("-1", "看不懂"),
])
def test_bad_hours_are_refused_with_a_reason(text, message):
    checked = vs.parse_hours(text)
    assert not checked.ok and message in checked.errors[0].message


def test_empty_hours_are_no_value_and_no_error():
    assert vs.parse_hours("").value is None and vs.parse_hours(None).ok


@pytest.mark.parametrize(("minutes", "text"), [(0, "0"), (30, "0.5"), (90, "1.5"), (120, "2"), (45, "0.75"),
                                               (20, "0.33"), (600030, "10,000.5")])
def test_hours_text(minutes, text):
    assert vs.hours_text(minutes) == text


@pytest.mark.parametrize(("hours", "level"), [
    ("0", 0), ("99.5", 0), ("100", 1), ("299.5", 1), ("300", 2), ("599.5", 2), ("600", 3), ("999.5", 3),
    ("1000", 4), ("1499.5", 4), ("1500", 5), ("20000", 5),
])
def test_star_levels_at_their_boundaries(hours, level):
    whole, _, half = hours.partition(".")
    minutes = int(whole) * 60 + (30 if half == "5" else 0)
    assert vs.star_level(minutes) == level
    assert vs.star_label(level) == ("" if level == 0 else f"{vs.STAR_NAMES[level]}志愿者")


def test_99_5_hours_of_records_is_no_star_and_half_an_hour_more_is_one(fresh_db):
    vid = volunteer()
    start = dt.date(2026, 6, 1)
    for day in range(4):  # 4 × 24 h = 96 h
        record(vid, start + dt.timedelta(days=day), "24")
    record(vid, dt.date(2026, 6, 10), "3.5")  # 99.5 h
    (row,) = vs.volunteer_rows([vid], today=TODAY)
    assert row.minutes == 5970 and row.star == 0
    assert vs.next_star(row.minutes) == (1, 30)
    assert vs.overview(today=TODAY).stars == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    record(vid, dt.date(2026, 6, 11), "0.5")  # 100 h
    (row,) = vs.volunteer_rows([vid], today=TODAY)
    assert row.minutes == 6000 and row.star == 1
    assert vs.overview(today=TODAY).star_volunteers == 1


# ---------------------------------------------------------------- member ↔ volunteer


def test_a_volunteer_with_a_members_id_number_is_linked_to_that_member(fresh_db):
    m = member("王芳", make_id("19800202", male=False))
    vid = vs.create_volunteer({"name": "王芳", "id_number": m.id_number.lower(), "skills": "理发"}, today=TODAY)
    v = Volunteer.get_by_id(vid)
    assert v.member_id == m.id and v.id_number == m.id_number
    assert v.gender == "女" and v.birth_date == dt.date(1980, 2, 2)  # from the ID
    (row,) = vs.volunteer_rows([vid], today=TODAY)
    assert row.is_member and row.member_branch == "望湖城北苑小区党支部" and row.age == 46
    assert vs.overview(today=TODAY).member_volunteers == 1


def test_a_member_is_one_volunteer_never_two(fresh_db):
    m = member()
    first = vs.create_volunteer({"name": "张三", "id_number": m.id_number}, today=TODAY)
    check = vs.check_volunteer({"name": "张三", "id_number": m.id_number, "phone": "13955110001"}, today=TODAY)
    assert "同一个人不要重复登记" in check.errors["id_number"]
    with pytest.raises(ValidationError, match="同一个人不要重复登记"):
        vs.create_volunteer({"name": "张三", "id_number": m.id_number}, today=TODAY)
    # Adding the member "as a volunteer" finds the volunteer already registered.
    assert vs.volunteer_from_member(m.id, today=TODAY) == first
    assert Volunteer.select().count() == 1


def test_a_member_already_linked_cannot_be_claimed_by_another_id(fresh_db):
    m = member()
    vid = volunteer("张三")
    Volunteer.update(member=m.id).where(Volunteer.id == vid).execute()  # linked earlier, no ID on file
    check = vs.check_volunteer({"name": "张三", "id_number": m.id_number}, today=TODAY)
    assert "已登记为志愿者" in check.errors["id_number"]
    # The linked volunteer itself may take the member's ID.
    assert vs.check_volunteer({"name": "张三", "id_number": m.id_number}, volunteer_id=vid, today=TODAY).ok


def test_volunteer_from_member_copies_the_person_and_joins_teams(fresh_db):
    m = member("赵敏", make_id("19900310", male=False), phone="13955112233")
    tid = team()
    vid = vs.volunteer_from_member(m.id, team_ids=[tid], today=TODAY)
    v = Volunteer.get_by_id(vid)
    assert (v.name, v.id_number, v.phone, v.member_id, v.name_initials) == ("赵敏", m.id_number, "13955112233",
                                                                              m.id, "zm")
    assert [r.volunteer_id for r in vs.team_members(tid, today=TODAY)] == [vid]
    with pytest.raises(NotFoundError):
        vs.volunteer_from_member(99999)


def test_volunteers_registered_before_the_member_are_linked_afterwards(fresh_db):
    id_number = make_id("19750505")
    vid = vs.create_volunteer({"name": "钱七", "id_number": id_number}, today=TODAY)
    assert Volunteer.get_by_id(vid).member_id is None
    m = member("钱七", id_number)
    assert vs.link_members_by_id_number() == 1
    assert Volunteer.get_by_id(vid).member_id == m.id
    assert vs.link_members_by_id_number() == 0  # nothing left to link
    assert events("volunteer", "link_member") == 1
    # Saving the volunteer again keeps the link (it is found by the ID number).
    vs.update_volunteer(vid, {"name": "钱七", "id_number": id_number, "skills": "书法"}, today=TODAY)
    assert Volunteer.get_by_id(vid).member_id == m.id


def test_same_name_and_phone_as_a_member_without_id_is_a_hint(fresh_db):
    member("孙八", phone="13855119999")
    check = vs.check_volunteer({"name": "孙八", "phone": "13855119999"}, today=TODAY)
    assert check.ok and "填写身份证号" in check.warnings["id_number"]


def test_volunteer_form_rules(fresh_db):
    check = vs.check_volunteer({"name": "", "id_number": "", "phone": ""}, today=TODAY)
    assert check.errors["name"] == "请填写姓名。"
    assert "至少一项" in check.errors["phone"]
    good = make_id("19850701")
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    assert "校验码" in vs.check_volunteer({"name": "甲", "id_number": bad}, today=TODAY).errors["id_number"]
    assert "Excel" in vs.check_volunteer({"name": "甲", "id_number": 3.40104198507011e17},
                                         today=TODAY).errors["id_number"]
    assert "手机号" in vs.check_volunteer({"name": "甲", "phone": "1385511"}, today=TODAY).errors["phone"]
    gender = vs.check_volunteer({"name": "甲", "id_number": make_id("19850701", male=True), "gender": "女"},
                                today=TODAY)
    assert gender.ok and gender.values["gender"] == "男" and "身份证号" in gender.warnings["gender"]
    assert vs.check_volunteer({"name": "甲", "phone": "0551-65179666", "gender": "女"}, today=TODAY).values[
        "gender"] == "女"
    volunteer("乙", registration_no="WH00001")
    clash = vs.check_volunteer({"name": "丙", "phone": "13955110000", "registration_no": " WH00001"}, today=TODAY)
    assert "已被「乙」使用" in clash.errors["registration_no"]


def test_a_clerk_sees_masked_ids_and_saving_keeps_the_stored_number(fresh_db):
    id_number = make_id("19850701")
    vid = vs.create_volunteer({"name": "周九", "id_number": id_number}, today=TODAY)
    with acting_as(CLERK):
        (row,) = vs.volunteer_rows([vid], today=TODAY)
        assert row.id_number == id_number[:6] + "********" + id_number[-4:]
        values = vs.volunteer_values(vid)
        assert "*" in values["id_number"]
        vs.update_volunteer(vid, {**values, "skills": "摄影"}, today=TODAY)
    v = Volunteer.get_by_id(vid)
    assert v.id_number == id_number and v.skills == "摄影"


def test_search_by_name_pinyin_initials_and_phone(fresh_db):
    zs = volunteer("张三", phone="13855110001")
    ls = volunteer("李四", phone="13855110002")
    zsf = volunteer("曾少锋", phone="0551-65179666")
    rows = vs.list_volunteers(today=TODAY)
    find = lambda text: [r.id for r in vs.search_volunteers(rows, text)]  # noqa: E731
    assert find("zs") == [zs, zsf]  # 曾 is read zēng as a surname
    assert find("zsf") == [zsf] and find("ls") == [ls]
    assert find("张") == [zs] and find("10002") == [ls] and find("65179666") == [zsf]
    assert find("zs 10001") == [zs]  # every word must match
    assert find("") == [zs, ls, zsf]


# ---------------------------------------------------------------- service records: limits


def test_a_record_of_zero_or_broken_hours_is_refused(fresh_db):
    vid = volunteer()
    for hours, message in (("0", "大于 0"), ("0.3", "0.5 小时"), ("25", "24 小时"), ("", "请填写服务时长")):
        with pytest.raises(ValidationError, match=message):
            record(vid, "2026-06-01", hours)
    assert ServiceRecord.select().count() == 0


def test_one_persons_day_adds_up_to_24_hours_at_most(fresh_db):
    vid = volunteer("张三")
    other = volunteer("李四")
    first = record(vid, "2026-06-01", "20")
    second = record(vid, "2026-06-01", "4")  # 24 h: allowed
    with pytest.raises(ValidationError, match=r"张三 在 2026-06-01 已登记 24 小时，再加 0.5 小时就超过一天 24 小时"):
        record(vid, "2026-06-01", "0.5")
    record(vid, "2026-06-02", "24")  # another day
    record(other, "2026-06-01", "24")  # another person
    assert vs.day_minutes([vid, other], dt.date(2026, 6, 1)) == {vid: 1440, other: 1440}
    # An edit counts the other records of the day, not the old value of itself.
    with pytest.raises(ValidationError, match="超过一天 24 小时"):
        vs.update_record(second, {**vs.record_values(second), "hours": "4.5"}, today=TODAY)
    assert vs.update_record(second, {**vs.record_values(second), "hours": "3.5"}, today=TODAY)
    assert vs.update_record(first, {**vs.record_values(first), "hours": "20.5"}, today=TODAY)
    assert vs.minutes_between(dt.date(2026, 6, 1), dt.date(2026, 6, 1), volunteer_id=vid) == 1440


def test_over_day_limit_checks_a_batch_against_the_stored_records(fresh_db):
    a, b = volunteer("张三"), volunteer("李四")
    record(a, "2026-06-01", "20")
    day = dt.date(2026, 6, 1)
    assert vs.over_day_limit([(a, day, 240), (b, day, 1440)]) == []
    assert vs.over_day_limit([(a, day, 120), (a, day, 150), (b, day, 60)]) == [(a, day, 1470)]
    assert vs.over_day_limit([(b, day, 1000), (b, day, 500), (b, dt.date(2026, 6, 2), 60)]) == [(b, day, 1500)]
    assert vs.over_day_limit([]) == []


def test_record_dates_volunteers_and_activity_are_checked(fresh_db):
    vid = volunteer()
    with pytest.raises(ValidationError, match="晚于今天"):
        record(vid, "2026-11-23")
    with pytest.raises(ValidationError, match="服务日期"):
        record(vid, "")
    with pytest.raises(ValidationError, match="服务内容"):
        record(vid, "2026-06-01", activity="")
    with pytest.raises(ValidationError, match="请选择志愿者"):
        vs.create_record({"served_on": "2026-06-01", "activity": "x", "hours": "1"}, today=TODAY)
    with pytest.raises(ValidationError, match="找不到这名志愿者"):
        vs.create_record({"volunteer_id": 999, "served_on": "2026-06-01", "activity": "x", "hours": "1"},
                         today=TODAY)
    with pytest.raises(ValidationError, match="服务队"):
        record(vid, "2026-06-01", team_id=999)
    rid = record(vid, "2026/6/1", "1.5", activity="为独居老人\n送餐")
    r = ServiceRecord.get_by_id(rid)
    assert (r.served_on, r.minutes, r.activity) == (dt.date(2026, 6, 1), 90, "为独居老人 送餐")


def test_records_by_minutes_must_be_half_hours_too(fresh_db):
    vid = volunteer()
    base = {"volunteer_id": vid, "served_on": "2026-06-01", "activity": "x"}
    assert vs.check_record({**base, "minutes": 90}, today=TODAY).values["minutes"] == 90
    assert "0.5 小时" in vs.check_record({**base, "minutes": 45}, today=TODAY).errors["hours"]


# ---------------------------------------------------------------- bulk entry


def test_bulk_entry_writes_one_record_per_volunteer_in_one_go(fresh_db):
    tid = team()
    ids = [volunteer(n) for n in ("张三", "李四", "王五")]
    before = AuditEvent.select().count()
    created = vs.bulk_record({"served_on": "2026-11-20", "team_id": tid, "activity": "修剪绿化", "hours": "2"},
                             ids + [ids[0]], today=TODAY)  # a volunteer ticked twice counts once
    assert len(created) == 3
    rows = list(ServiceRecord.select().order_by(ServiceRecord.id))
    assert [r.volunteer_id for r in rows] == ids
    assert {(r.team_id, r.served_on, r.activity, r.minutes) for r in rows} == {
        (tid, dt.date(2026, 11, 20), "修剪绿化", 120)}
    assert AuditEvent.select().count() - before == 3
    assert AuditEvent.select().where(AuditEvent.note == "批量登记").count() == 3


def test_bulk_entry_is_all_or_nothing_when_one_person_would_pass_24_hours(fresh_db):
    ids = [volunteer(n) for n in ("张三", "李四", "王五")]
    record(ids[1], "2026-11-20", "23")
    before = (ServiceRecord.select().count(), AuditEvent.select().count())
    raw = {"served_on": "2026-11-20", "activity": "入户走访", "hours": "1.5"}
    check = vs.check_bulk(raw, ids, today=TODAY)
    assert "李四（已登记 23 小时）" in check.errors["volunteer_ids"]
    assert "没有保存任何记录" in check.errors["volunteer_ids"]
    with pytest.raises(ValidationError, match="李四"):
        vs.bulk_record(raw, ids, today=TODAY)
    assert (ServiceRecord.select().count(), AuditEvent.select().count()) == before
    # One hour fits everybody.
    assert len(vs.bulk_record({**raw, "hours": "1"}, ids, today=TODAY)) == 3


def test_bulk_entry_rolls_back_every_record_when_writing_fails_midway(fresh_db, monkeypatch):
    ids = [volunteer(n) for n in ("张三", "李四", "王五")]
    real_create = ServiceRecord.create
    calls = []

    def failing_create(**kw):
        calls.append(kw)
        if len(calls) == 3:
            raise RuntimeError("disk trouble")
        return real_create(**kw)

    monkeypatch.setattr(ServiceRecord, "create", failing_create)
    with pytest.raises(RuntimeError):
        vs.bulk_record({"served_on": "2026-11-20", "activity": "x", "hours": "2"}, ids, today=TODAY)
    assert len(calls) == 3
    assert ServiceRecord.select().count() == 0 and events("service_record") == 0
    assert not db.in_transaction()


def test_bulk_entry_needs_volunteers_that_exist(fresh_db):
    vid = volunteer()
    raw = {"served_on": "2026-11-20", "activity": "x", "hours": "2"}
    assert "至少勾选" in vs.check_bulk(raw, [], today=TODAY).errors["volunteer_ids"]
    with pytest.raises(ValidationError, match="已被删除"):
        vs.bulk_record(raw, [vid, 999], today=TODAY)
    assert ServiceRecord.select().count() == 0


# ---------------------------------------------------------------- sums across quarter edges


def test_quarter_and_year_sums_across_quarter_edges(fresh_db):
    tid = team()
    a, b = volunteer("张三"), volunteer("李四")
    for vid, day, hours in ((a, "2025-03-31", "2"), (a, "2025-04-01", "3"), (b, "2025-04-01", "1.5"),
                            (b, "2025-06-30", "1"), (a, "2025-07-01", "4"), (a, "2025-12-31", "0.5"),
                            (b, "2024-12-31", "8"), (b, "2026-01-01", "8")):
        record(vid, day, hours, team_id=tid)
    figures = vs.volunteer_hours_by_quarter(2025)
    assert figures["year"] == 2025
    assert figures["quarters"] == {
        "1": {"records": 1, "volunteers": 1, "minutes": 120, "hours": 2},
        "2": {"records": 3, "volunteers": 2, "minutes": 330, "hours": 5.5},
        "3": {"records": 1, "volunteers": 1, "minutes": 240, "hours": 4},
        "4": {"records": 1, "volunteers": 1, "minutes": 30, "hours": 0.5},
    }
    assert figures["total"] == {"records": 6, "volunteers": 2, "minutes": 720, "hours": 12}
    assert vs.volunteer_hours_by_quarter(2024)["total"]["minutes"] == 480
    assert vs.volunteer_hours_by_quarter(2023)["total"] == {"records": 0, "volunteers": 0, "minutes": 0, "hours": 0}

    # The teams list counts "this quarter" and "this year" from the day it is asked.
    (row,) = vs.list_teams(today=dt.date(2025, 4, 1))
    assert (row.minutes_quarter, row.minutes_year, row.minutes_total) == (330, 720, 1680)
    (row,) = vs.list_teams(today=dt.date(2025, 3, 31))
    assert (row.minutes_quarter, row.minutes_year) == (120, 720)
    assert vs.minutes_between(*vs.quarter_span(2025, 1)) == 120
    assert vs.minutes_between(*vs.quarter_span(2025, 2)) == 330
    assert vs.quarter_span(2024, 1) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert vs.hours_by_team(dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == {tid: 720}
    # The volunteer's own figures.
    (ra,) = vs.volunteer_rows([a], today=dt.date(2025, 4, 1))
    assert (ra.minutes, ra.minutes_year, ra.records, ra.last_served_on) == (570, 570, 4, dt.date(2025, 12, 31))
    members = {m.volunteer_id: m for m in vs.team_members(tid, today=dt.date(2025, 4, 1))}
    assert members == {}  # created by form without joining the team
    vs.add_team_members(tid, [a, b], "2024-01-01", today=TODAY)
    members = {m.volunteer_id: m for m in vs.team_members(tid, today=dt.date(2025, 4, 1))}
    assert (members[a].minutes_quarter, members[a].minutes_year, members[a].minutes_total) == (180, 570, 570)
    assert (members[b].minutes_quarter, members[b].minutes_year, members[b].cumulative_minutes) == (150, 150, 1110)


# ---------------------------------------------------------------- teams


def test_team_create_update_stop_and_delete(fresh_db):
    bid = branch()
    tid = vs.create_team({"name": "护花志愿服务队", "kind": "志愿服务队", "owner": f"branch:{bid}",
                          "leader_name": "王建国", "leader_phone": "13855110000", "founded_on": "2018-03-01"},
                         today=TODAY)
    t = VolunteerTeam.get_by_id(tid)
    assert (t.kind, t.branch_id, t.community_id, t.founded_on, t.is_active) == (
        "volunteer", bid, None, dt.date(2018, 3, 1), True)
    assert "已有名为「护花志愿服务队」" in vs.check_team({"name": " 护花志愿服务队"}, today=TODAY).errors["name"]
    assert vs.check_team({"name": "护花志愿服务队"}, team_id=tid, today=TODAY).ok
    assert "晚于今天" in vs.check_team({"name": "新队", "founded_on": "2027-01-01"}, today=TODAY).errors["founded_on"]
    assert "找不到" in vs.check_team({"name": "新队", "owner": "branch:999"}, today=TODAY).errors["owner"]
    assert vs.update_team(tid, {**vs.team_values(tid), "leader_name": "李红"}, today=TODAY)
    assert not vs.update_team(tid, vs.team_values(tid), today=TODAY)  # nothing changed
    assert events("volunteer_team", "update") == 1

    vid = volunteer()
    record(vid, "2026-06-01", team_id=tid)
    with pytest.raises(ValidationError, match="停用"):
        vs.delete_team(tid)
    vs.set_team_active(tid, False)
    assert not vs.list_teams(today=TODAY)[0].is_active
    assert vs.team_choices() == [] and len(vs.team_choices(include_inactive=True)) == 1
    with pytest.raises(ValidationError, match="已停用"):
        vs.add_team_members(tid, [vid], today=TODAY)
    vs.set_team_active(tid, True)
    assert events("volunteer_team", "deactivate") == 1 and events("volunteer_team", "activate") == 1

    empty = team("临时队")
    vs.add_team_members(empty, [vid], today=TODAY)
    vs.delete_team(empty)
    assert VolunteerTeam.get_or_none(VolunteerTeam.id == empty) is None
    assert TeamMembership.select().where(TeamMembership.team == empty).count() == 0
    assert Volunteer.get_by_id(vid)  # the person stays


def test_membership_has_join_and_leave_dates(fresh_db):
    tid = team()
    a, b = volunteer("张三"), volunteer("李四")
    assert vs.add_team_members(tid, [a, b], "2024-03-01", today=TODAY) == 2
    assert vs.add_team_members(tid, [a], today=TODAY) == 0  # already in it
    with pytest.raises(ValidationError, match="早于加入日期"):
        vs.leave_team(tid, [a], "2024-02-01", today=TODAY)
    assert vs.leave_team(tid, [a], "2025-06-30", today=TODAY) == 1
    assert [m.volunteer_id for m in vs.team_members(tid, today=TODAY)] == [b]
    gone = [m for m in vs.team_members(tid, today=TODAY, include_left=True) if m.volunteer_id == a]
    assert gone[0].left_on == dt.date(2025, 6, 30) and not gone[0].current
    with pytest.raises(ValidationError, match="早于上次退出"):
        vs.add_team_members(tid, [a], "2025-01-01", today=TODAY)
    assert vs.add_team_members(tid, [a], "2026-01-01", today=TODAY) == 1  # rejoined: a second membership
    assert TeamMembership.select().where(TeamMembership.volunteer == a).count() == 2
    (row,) = vs.volunteer_rows([a], today=TODAY)
    assert row.teams == "护花志愿服务队" and row.team_ids == {tid}
    assert vs.list_teams(today=TODAY)[0].volunteers == 2
    assert {r.id for r in vs.list_volunteers(team_id=tid, today=TODAY)} == {a, b}


def test_the_volunteer_form_sets_the_teams(fresh_db):
    t1, t2 = team("一队"), team("二队")
    vid = vs.create_volunteer({"name": "张三", "phone": "13955110000", "team_ids": [t1]}, today=TODAY)
    assert vs.volunteer_values(vid)["team_ids"] == [t1]
    assert vs.update_volunteer(vid, {**vs.volunteer_values(vid), "team_ids": [t2]}, today=TODAY)
    assert vs.volunteer_values(vid)["team_ids"] == [t2]
    left = TeamMembership.get(TeamMembership.team == t1, TeamMembership.volunteer == vid)
    assert left.left_on == TODAY  # left the first team today, the record of having been in it stays
    assert not vs.update_volunteer(vid, vs.volunteer_values(vid), today=TODAY)


def test_a_volunteer_with_records_is_not_deleted(fresh_db):
    vid = volunteer()
    rid = record(vid, "2026-06-01")
    with pytest.raises(ValidationError, match="有 1 条服务记录"):
        vs.delete_volunteer(vid)
    assert vs.delete_records([rid]) == 1
    vs.delete_volunteer(vid)
    assert Volunteer.select().count() == 0
    assert events("service_record", "delete") == 1 and events("volunteer", "delete") == 1


# ---------------------------------------------------------------- projects


def test_projects_belong_to_teams_and_count_on_the_dashboard(fresh_db):
    bid = branch()
    tid = team(owner=f"branch:{bid}")
    pid = vs.create_project({"name": "“乐夕阳”", "team_id": tid, "description": "助餐、陪护"}, today=TODAY)
    p = vs.list_projects(today=TODAY)[0]
    assert (p.name, p.team, p.owner, p.records) == ("乐夕阳", "护花志愿服务队", "望湖城北苑小区党支部", 0)
    assert "已有名为" in vs.check_project({"name": "乐夕阳"}, today=TODAY).errors["name"]
    vid = volunteer()
    record(vid, "2026-06-01", "2", project_id=pid)
    record(vid, "2026-06-02", "1.5", project_id=pid)
    p = vs.list_projects(today=TODAY)[0]
    assert (p.records, p.volunteers, p.minutes_year, p.minutes_total) == (2, 1, 210, 210)
    assert vs.project_count() == 1
    with pytest.raises(ValidationError, match="不能删除"):
        vs.delete_project(pid)
    vs.set_project_active(pid, False)
    assert vs.project_count() == 0 and vs.project_count(active_only=False) == 1
    assert vs.update_project(pid, {**vs.project_values(pid), "description": "助餐"}, today=TODAY)
    other = vs.create_project({"name": "朝阳护学"}, today=TODAY)
    vs.delete_project(other)
    assert events("service_project", "create") == 2 and events("service_project", "delete") == 1


def test_records_are_filtered_by_team_project_dates_and_search(fresh_db):
    t1, t2 = team("一队"), team("二队")
    pid = vs.create_project({"name": "乐夕阳", "team_id": t1}, today=TODAY)
    a, b = volunteer("张三"), volunteer("李四")
    record(a, "2026-03-31", team_id=t1, project_id=pid, activity="送餐")
    record(a, "2026-04-01", team_id=t2, activity="巡逻")
    record(b, "2026-04-02", team_id=t1, activity="送餐")
    ids = lambda flt: [(r.volunteer, r.served_on.isoformat()) for r in vs.list_records(flt)]  # noqa: E731
    assert ids(vs.RecordFilter(team_id=t1)) == [("李四", "2026-04-02"), ("张三", "2026-03-31")]
    assert ids(vs.RecordFilter(project_id=pid)) == [("张三", "2026-03-31")]
    assert ids(vs.RecordFilter(start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 1))) == [("张三", "2026-04-01")]
    assert ids(vs.RecordFilter(search="zs")) == [("张三", "2026-04-01"), ("张三", "2026-03-31")]
    assert ids(vs.RecordFilter(search="送餐 ls")) == [("李四", "2026-04-02")]
    assert ids(vs.RecordFilter(volunteer_id=b)) == [("李四", "2026-04-02")]
    assert vs.record_count() == 3


# ---------------------------------------------------------------- rights and the audit trail


def test_a_viewer_cannot_change_anything(fresh_db):
    vid = volunteer()
    with acting_as(VIEWER):
        with pytest.raises(PermissionDenied):
            team()
        with pytest.raises(PermissionDenied):
            volunteer("张三")
        with pytest.raises(PermissionDenied):
            record(vid, "2026-06-01")
        with pytest.raises(PermissionDenied):
            vs.bulk_record({"served_on": "2026-06-01", "activity": "x", "hours": "1"}, [vid], today=TODAY)
        assert len(vs.list_volunteers(today=TODAY)) == 1  # reading is allowed
    with acting_as(CLERK):
        record(vid, "2026-06-01")
    assert AuditEvent.select().where(AuditEvent.account_name == "clerk1").count() == 1


def test_every_write_leaves_an_audit_event(fresh_db):
    tid = team()
    vid = volunteer(team_ids=[tid])
    rid = record(vid, "2026-06-01", team_id=tid)
    vs.update_record(rid, {**vs.record_values(rid), "hours": "3"}, today=TODAY)
    assert events("volunteer_team", "create") == 1
    assert events("volunteer", "create") == 1
    assert events("team_membership", "create") == 1
    assert events("service_record", "create") == 1 and events("service_record", "update") == 1
    change = AuditEvent.get(AuditEvent.entity == "service_record", AuditEvent.action == "update")
    assert '"minutes": 120' in change.before_json and '"minutes": 180' in change.after_json


# ---------------------------------------------------------------- the certificate's figures


def test_certificate_data_masks_the_id_and_sums_the_period(fresh_db):
    id_number = make_id("19850701")
    tid = team()
    vid = vs.create_volunteer({"name": "张三", "id_number": id_number, "team_ids": [tid],
                               "registration_no": "WH00001"}, today=TODAY)
    record(vid, "2025-12-31", "8", team_id=tid)
    record(vid, "2026-01-01", "2", team_id=tid, activity="送餐")
    record(vid, "2026-03-31", "1.5", team_id=tid, activity="巡逻")
    data = vs.certificate_data(vid, start=dt.date(2026, 1, 1), today=TODAY)
    assert data.masked_id == id_number[:6] + "********" + id_number[-4:]
    assert (data.minutes, data.cumulative_minutes, len(data.records)) == (210, 690, 2)
    assert [r.activity for r in data.records] == ["送餐", "巡逻"]  # oldest first
    assert data.teams == ["护花志愿服务队"] and data.end == TODAY
    everything = vs.certificate_data(vid, today=TODAY)
    assert everything.minutes == 690 and everything.first_served_on == dt.date(2025, 12, 31)
    with pytest.raises(ValidationError, match="晚于结束日期"):
        vs.certificate_data(vid, start=dt.date(2026, 5, 1), end=dt.date(2026, 4, 1), today=TODAY)


# ---------------------------------------------------------------- the demo database


def test_the_demo_has_the_seeds_teams_with_realistic_records(demo_db):
    teams = {t.name: t for t in vs.list_teams(today=DEMO_TODAY)}
    assert len(teams) == 14
    for name in ("护花志愿服务队", "“情暖桑榆”志愿服务队", "朝阳护学志愿服务队"):
        t = teams[name]
        assert t.is_active and t.volunteers >= 20 and t.minutes_year > 0 and t.minutes_quarter > 0, name
        assert t.owner and t.leader_name
    assert teams["护花志愿服务队"].owner.endswith("党支部") and teams["“情暖桑榆”志愿服务队"].owner.endswith("社区")
    rows = vs.list_volunteers(today=DEMO_TODAY)
    assert len(rows) == 402
    assert sum(1 for r in rows if r.is_member) == 135
    linked = [m for (m,) in Volunteer.select(Volunteer.member).where(Volunteer.member.is_null(False)).tuples()]
    assert len(linked) == len(set(linked)) == 135  # each member is one volunteer
    assert sum(1 for r in rows if r.star) > 0  # some star volunteers
    assert vs.project_count() == 54
    records = vs.list_records()
    assert len(records) == vs.record_count() > 4000
    per_day: dict = {}
    for r in records:
        assert r.minutes % 30 == 0 and 0 < r.minutes <= 1440
        assert r.served_on <= DEMO_TODAY
        per_day[(r.volunteer_id, r.served_on)] = per_day.get((r.volunteer_id, r.served_on), 0) + r.minutes
    assert max(per_day.values()) <= 1440


def test_volunteer_hours_by_quarter_matches_the_records(demo_db):
    records = vs.list_records()
    for year in (DEMO_TODAY.year - 1, DEMO_TODAY.year):
        figures = vs.volunteer_hours_by_quarter(year)
        for q in range(1, 5):
            start, end = vs.quarter_span(year, q)
            mine = [r for r in records if start <= r.served_on <= end]
            minutes = sum(r.minutes for r in mine)
            assert figures["quarters"][str(q)] == {
                "records": len(mine), "volunteers": len({r.volunteer_id for r in mine}), "minutes": minutes,
                "hours": vs.hours_value(minutes)}, (year, q)
        in_year = [r for r in records if r.served_on.year == year]
        assert figures["total"]["minutes"] == sum(r.minutes for r in in_year)
        assert figures["total"]["volunteers"] == len({r.volunteer_id for r in in_year})
    this_year = vs.volunteer_hours_by_quarter(DEMO_TODAY.year)
    assert all(this_year["quarters"][str(q)]["minutes"] > 0 for q in range(1, 5))
    overview = vs.overview(today=DEMO_TODAY)
    assert overview.minutes_year == this_year["total"]["minutes"]
    assert overview.minutes_quarter == this_year["quarters"]["4"]["minutes"]
    assert (overview.teams, overview.volunteers, overview.projects) == (14, 402, 54)
