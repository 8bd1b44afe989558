"""双报到 registration and the 三单制 workflow: every step, every refused transition, the
member flag kept with the registration, nothing written on bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from models import AuditEvent, Branch, Community, Estate, Member
from models.reporting import ReportingMember, ReportingOrder, ReportingOrderMember
from wanghu_desk.errors import ValidationError
from wanghu_desk.services import reporting

D = dt.date
TODAY = D(2026, 6, 30)


@pytest.fixture
def place(fresh_db):
    community = Community.create(name="望湖社区")
    other = Community.create(name="湖滨社区")
    estate = Estate.create(name="望湖城北苑", community=community)
    branch = Branch.create(name="望湖城小区党支部", category="estate")
    a = Member.create(name="张三", id_number="11010519491231002X", branch=branch, joined_on=D(2000, 1, 1))
    b = Member.create(name="李四", id_number="110105194912310037", branch=branch)
    c = Member.create(name="王五", id_number="110105194912310045", branch=branch)
    return {"community": community, "other": other, "estate": estate, "branch": branch, "a": a, "b": b, "c": c}


def _register(p, member, **extra):
    raw = {"member_id": member.id, "work_unit": "区财政局", "unit_kind": "区直机关", "unit_party_org": "区财政局机关党支部",
           "community_id": p["community"].id, "estate_id": p["estate"].id, "reported_on": D(2026, 3, 1),
           "skills": "财务咨询", "posts": ["政策宣讲岗", "关爱帮扶岗"], **extra}
    return reporting.register_member(raw, today=TODAY)


def _order(p):
    return reporting.place_order({"content": "独居老人家中水管漏水，需要帮忙联系维修", "category": "设施维修",
                                  "estate_id": p["estate"].id, "resident_name": "赵奶奶",
                                  "resident_phone": "13800001111", "ordered_on": D(2026, 4, 1)}, today=TODAY)


def test_registration_sets_the_member_flag_and_withdrawal_clears_it(place):
    rid = _register(place, place["a"])
    assert Member.get_by_id(place["a"].id).reported_at_residence
    (row,) = reporting.list_members(2026)
    assert (row.name, row.unit_kind_label, row.posts, row.estate) == ("张三", "区直机关", "政策宣讲岗、关爱帮扶岗", "望湖城北苑")
    reporting.update_registration(rid, {**reporting.registration_values(rid), "skills": "法律咨询"}, today=TODAY)
    assert reporting.list_members(2026)[0].skills == "法律咨询"
    reporting.withdraw_member(rid, D(2026, 5, 1), "搬离本社区", today=TODAY)
    assert not Member.get_by_id(place["a"].id).reported_at_residence
    assert ReportingMember.get_by_id(rid).status == "withdrawn"
    with pytest.raises(ValidationError, match="已经退出"):
        reporting.withdraw_member(rid, D(2026, 5, 2), today=TODAY)


@pytest.mark.parametrize(("extra", "message"), [
    ({"work_unit": " "}, "工作单位"),
    ({"community_id": None}, "居住地社区"),
    ({"unit_kind": "外星单位"}, "单位类型"),
    ({"reported_on": D(2026, 7, 1)}, "不能晚于今天"),
    ({"reported_on": D(1999, 1, 1)}, "早于入党日期"),
    ({"reported_on": "2026/13/01"}, "不是有效日期"),
])
def test_a_bad_registration_is_refused_and_writes_nothing(place, extra, message):
    audits = AuditEvent.select().count()
    with pytest.raises(ValidationError, match=message):
        _register(place, place["a"], **extra)
    assert ReportingMember.select().count() == 0 and AuditEvent.select().count() == audits
    assert not Member.get_by_id(place["a"].id).reported_at_residence


def test_an_estate_of_another_community_and_a_second_registration_are_refused(place):
    with pytest.raises(ValidationError, match="不在湖滨社区"):
        _register(place, place["a"], community_id=place["other"].id)
    _register(place, place["a"])
    with pytest.raises(ValidationError, match="已经登记过报到"):
        _register(place, place["a"])


def test_one_order_from_ordered_to_done(place):
    for m in ("a", "b"):
        _register(place, place[m])
    oid = _order(place)
    row = reporting.order_row(oid)
    assert (row.number, row.state_label, row.community) == ("DD2026-0001", "居民点单", "望湖社区")
    assert row.resident_phone != "13800001111"  # masked
    a, b = place["a"].id, place["b"].id
    reporting.assign_order(oid, place["branch"].id, [a, b], D(2026, 4, 2), today=TODAY)
    assert reporting.order_row(oid).state == "assigned"
    reporting.accept_order(oid, [a], D(2026, 4, 3), today=TODAY)
    assert reporting.order_row(oid).state == "accepted"
    reporting.complete_order(oid, D(2026, 4, 5), 90, "满意", "联系物业更换了水管", today=TODAY)
    row = reporting.order_row(oid)
    assert (row.state, row.minutes, row.evaluation_label, row.members) == ("done", 90, "满意", "张三、李四（未接单）")
    assert reporting.orders_done_by_member(D(2026, 1, 1), D(2026, 12, 31)) == {a: 1}
    letter = reporting.letter_data(a, 2026)
    assert [o.number for o in letter.orders] == ["DD2026-0001"] and letter.minutes == 90 and letter.satisfied == 1
    assert reporting.letter_data(b, 2026).orders == ()
    assert reporting.next_number(2026) == (2, "DD2026-0002")


def test_every_invalid_transition_is_refused_with_the_state_named(place):
    _register(place, place["a"])
    a = place["a"].id
    oid = _order(place)
    with pytest.raises(ValidationError, match="现在是“居民点单”，不能接单；下一步只能下单、取消"):
        reporting.accept_order(oid, [a], D(2026, 4, 3), today=TODAY)
    with pytest.raises(ValidationError, match="不能完成"):
        reporting.complete_order(oid, D(2026, 4, 3), 60, "满意", today=TODAY)
    reporting.assign_order(oid, place["branch"].id, [a], D(2026, 4, 2), today=TODAY)
    with pytest.raises(ValidationError, match="现在是“支部已下单”，不能完成"):
        reporting.complete_order(oid, D(2026, 4, 3), 60, "满意", today=TODAY)
    reporting.accept_order(oid, [a], D(2026, 4, 3), today=TODAY)
    with pytest.raises(ValidationError, match="不能下单"):
        reporting.assign_order(oid, place["branch"].id, [a], D(2026, 4, 3), today=TODAY)
    reporting.complete_order(oid, D(2026, 4, 4), 60, "basic", today=TODAY)
    for call in (lambda: reporting.cancel_order(oid, D(2026, 4, 5), "不需要了", today=TODAY),
                 lambda: reporting.accept_order(oid, [a], D(2026, 4, 5), today=TODAY),
                 lambda: reporting.complete_order(oid, D(2026, 4, 5), 30, "满意", today=TODAY),
                 lambda: reporting.assign_order(oid, place["branch"].id, [a], D(2026, 4, 5), today=TODAY)):
        with pytest.raises(ValidationError, match="已完成，不能再"):
            call()
    other = _order(place)
    reporting.cancel_order(other, D(2026, 4, 2), "居民已自行解决", today=TODAY)
    with pytest.raises(ValidationError, match="已取消，不能再下单"):
        reporting.assign_order(other, place["branch"].id, [a], D(2026, 4, 3), today=TODAY)


def test_bad_steps_write_nothing(place):
    _register(place, place["a"])
    a, c = place["a"].id, place["c"].id
    oid = _order(place)
    audits = AuditEvent.select().count()
    bad = [
        (lambda: reporting.assign_order(oid, place["branch"].id, [], D(2026, 4, 2), today=TODAY), "至少选择一名"),
        (lambda: reporting.assign_order(oid, place["branch"].id, [c], D(2026, 4, 2), today=TODAY), "王五没有登记报到"),
        (lambda: reporting.assign_order(oid, None, [a], D(2026, 4, 2), today=TODAY), "下单的党支部"),
        (lambda: reporting.assign_order(oid, place["branch"].id, [a], D(2026, 3, 31), today=TODAY), "不能早于点单日期"),
        (lambda: reporting.cancel_order(oid, D(2026, 4, 2), " ", today=TODAY), "取消的原因"),
        (lambda: reporting.place_order({"content": "", "ordered_on": D(2026, 4, 1)}, today=TODAY), "需求内容"),
        (lambda: reporting.place_order({"content": "x", "ordered_on": D(2026, 7, 1)}, today=TODAY), "不能晚于今天"),
        (lambda: reporting.place_order({"content": "x", "ordered_on": D(2026, 4, 1), "matter_id": 999},
                                       today=TODAY), "居民事项不存在"),
    ]
    for call, message in bad:
        with pytest.raises(ValidationError, match=message):
            call()
    assert ReportingOrderMember.select().count() == 0 and ReportingOrder.get_by_id(oid).state == "ordered"
    reporting.assign_order(oid, place["branch"].id, [a], D(2026, 4, 2), today=TODAY)
    audits = AuditEvent.select().count()
    for call, message in [
        (lambda: reporting.accept_order(oid, [c], D(2026, 4, 3), today=TODAY), "不在这张服务单的派单名单上"),
        (lambda: reporting.accept_order(oid, [a], D(2026, 4, 1), today=TODAY), "不能早于下单日期"),
    ]:
        with pytest.raises(ValidationError, match=message):
            call()
    reporting.accept_order(oid, [a], D(2026, 4, 3), today=TODAY)
    audits = AuditEvent.select().count()
    for args, message in [((D(2026, 4, 4), 0, "满意"), "大于 0"), ((D(2026, 4, 4), "九十", "满意"), "分钟数"),
                          ((D(2026, 4, 4), 60, "还行"), "居民评价"), ((D(2026, 4, 2), 60, "满意"), "不能早于接单日期"),
                          ((D(2026, 4, 4), 25 * 60, "满意"), "24 小时")]:
        with pytest.raises(ValidationError, match=message):
            reporting.complete_order(oid, *args, today=TODAY)
    assert ReportingOrder.get_by_id(oid).state == "accepted" and AuditEvent.select().count() == audits
