"""The demo's 双报到 and 三单制: every member flagged 已到居住地报到 is registered, a few hundred
orders over the year, most done, each state's dates consistent."""

from __future__ import annotations

import datetime as dt

from conftest import DEMO_TODAY

from models import Member
from models.reporting import ReportingMember, ReportingOrder, ReportingOrderMember
from wanghu_desk.services import reporting


def test_the_demo_registers_the_flagged_members_and_a_year_of_orders(demo_db):
    flagged = {m.id for m in Member.select().where(Member.reported_at_residence == True,  # noqa: E712
                                                   Member.status == "active")}
    registered = {r.member_id for r in ReportingMember.select()}
    active = Member.select().where(Member.status == "active").count()
    assert registered == flagged and 0.08 * active <= len(registered) <= 0.25 * active
    assert {r.unit_kind for r in ReportingMember.select()} >= {"agency", "enterprise"}
    orders = list(ReportingOrder.select())
    assert 250 <= len(orders) <= 500
    states = {o.state for o in orders}
    assert states >= {"done", "cancelled"} and states & {"ordered", "assigned", "accepted"}
    done = [o for o in orders if o.state == "done"]
    assert len(done) >= 0.8 * len(orders)
    accepted_by = {}
    for link in ReportingOrderMember.select().where(ReportingOrderMember.accepted_on.is_null(False)):
        accepted_by.setdefault(link.order_id, []).append(link)
    for o in orders:
        assert o.ordered_on <= DEMO_TODAY
        if o.state == "done":
            assert o.ordered_on <= o.assigned_on <= o.accepted_on <= o.done_on <= DEMO_TODAY
            assert o.minutes > 0 and o.evaluation and o.id in accepted_by
        if o.state in ("assigned", "ordered"):
            assert o.id not in accepted_by
    assert any(o.matter_id for o in orders)  # some come from a 微心愿
    year = reporting.stats_summary(DEMO_TODAY)
    per_member = reporting.orders_done_by_member(dt.date(DEMO_TODAY.year, 1, 1), DEMO_TODAY)
    assert year["services"] == sum(per_member.values()) > year["orders_done"] > 200
