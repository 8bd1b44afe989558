"""三单制 figures: orders done per member (read by 积分), minutes, the quarter and stats figures."""

from __future__ import annotations

import datetime as dt

from models import Branch, Community, Member
from models.reporting import ReportingMember, ReportingOrder, ReportingOrderMember
from wanghu_desk.services import reporting

D = dt.date


def _setup():
    community = Community.create(name="望湖社区")
    branch = Branch.create(name="望湖城小区党支部", category="estate")
    a = Member.create(name="张三", id_number="11010519491231002X", branch=branch, reported_at_residence=True)
    b = Member.create(name="李四", id_number="110105194912310037", branch=branch, reported_at_residence=True)
    for m in (a, b):
        ReportingMember.create(member=m, work_unit="区财政局", community=community, reported_on=D(2026, 1, 5))
    return a, b


def _order(seq, state, done_on=None, minutes=None, members=(), accepted=(), evaluation=None):
    order = ReportingOrder.create(year=2026, seq=seq, number=f"DD2026-{seq:04d}", content="帮老人取药",
                                  ordered_on=D(2026, 2, 1), state=state, done_on=done_on, minutes=minutes,
                                  evaluation=evaluation,
                                  cancelled_on=D(2026, 3, 1) if state == "cancelled" else None)
    for m in members:
        ReportingOrderMember.create(order=order, member=m, accepted_on=D(2026, 2, 2) if m in accepted else None)
    return order


def test_orders_done_by_member_counts_accepted_members_by_completion_date(fresh_db):
    a, b = _setup()
    _order(1, "done", D(2026, 3, 31), 60, (a, b), (a, b), "satisfied")
    _order(2, "done", D(2026, 4, 1), 90, (a, b), (a,), "basic")  # b assigned but never accepted
    _order(3, "accepted", None, None, (b,), (b,))  # not done
    _order(4, "cancelled", None, None, (a,), (a,))
    assert reporting.orders_done_by_member(D(2026, 1, 1), D(2026, 3, 31)) == {a.id: 1, b.id: 1}
    assert reporting.orders_done_by_member(D(2026, 4, 1), D(2026, 4, 1)) == {a.id: 1}
    assert reporting.orders_done_by_member(D(2026, 1, 1), D(2026, 12, 31)) == {a.id: 2, b.id: 1}
    assert reporting.orders_done_by_member(D(2025, 1, 1), D(2025, 12, 31)) == {}
    assert reporting.minutes_by_member(D(2026, 1, 1), D(2026, 12, 31)) == {a.id: 150, b.id: 60}

    q1 = reporting.quarter_figures(D(2026, 1, 1), D(2026, 3, 31))
    assert (q1.reporting_members, q1.orders_placed, q1.orders_done, q1.orders_cancelled) == (2, 4, 1, 1)
    assert (q1.services, q1.members_served, q1.minutes) == (2, 2, 120)
    assert q1.open_orders == 2  # order 2 (done in April) and order 3
    assert q1.by_state == {"ordered": 0, "assigned": 0, "accepted": 1, "done": 2, "cancelled": 1}
    summary = reporting.stats_summary(D(2026, 11, 22))
    assert summary["services"] == 3 and summary["minutes"] == 210 and summary["orders_done"] == 2
    assert summary["satisfaction_rate"] == "100.0%" and summary["open_orders"] == 1
    board = reporting.dashboard(D(2026, 11, 22))
    assert (board.reporting_members, board.open_orders, board.services_this_year) == (2, 1, 3)
