"""The figures of 双报到 and 三单制, one place for the tab, 积分, the dashboard, the
quarterly report and `stats --json`.

A service (服务人次) is one accepting member on one completed order: an order done by two
members counts two services; its minutes are the minutes each of them served.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import peewee as pw

from models.reporting import ReportingMember, ReportingOrder, ReportingOrderMember
from wanghu_desk.services.reporting import vocab


def _done_rows(start: dt.date, end: dt.date):
    return (ReportingOrderMember
            .select(ReportingOrderMember.member, ReportingOrder.id, ReportingOrder.minutes)
            .join(ReportingOrder)
            .where(ReportingOrder.state == "done", ReportingOrder.done_on.between(start, end),
                   ReportingOrderMember.accepted_on.is_null(False)))


def orders_done_by_member(start: dt.date, end: dt.date) -> dict[int, int]:
    """Member id → 三单制 orders they completed (accepted, and done) in [start, end] by the
    completion date. Members with none are absent."""
    query = (_done_rows(start, end)
             .select(ReportingOrderMember.member, pw.fn.COUNT(ReportingOrder.id))
             .group_by(ReportingOrderMember.member))
    return {member_id: count for member_id, count in query.tuples()}


def minutes_by_member(start: dt.date, end: dt.date) -> dict[int, int]:
    """Member id → minutes served on the orders completed in [start, end]."""
    query = (_done_rows(start, end)
             .select(ReportingOrderMember.member, pw.fn.SUM(pw.fn.COALESCE(ReportingOrder.minutes, 0)))
             .group_by(ReportingOrderMember.member))
    return {member_id: int(total or 0) for member_id, total in query.tuples()}


@dataclass(frozen=True)
class ReportingFigures:
    """双报到 / 三单制 in [start, end]."""

    start: dt.date
    end: dt.date
    reporting_members: int  # registered (not withdrawn) at the period's end
    newly_reported: int  # registered within the period
    orders_placed: int  # 居民点单 within the period
    orders_done: int  # completed within the period
    orders_cancelled: int  # cancelled within the period
    open_orders: int  # placed by the end and neither done nor cancelled by then
    services: int  # 服务人次: accepting members × orders done in the period
    members_served: int  # distinct members with at least one order done
    minutes: int  # minutes served on the orders done
    evaluated: int
    satisfied: int  # 满意 + 基本满意
    by_state: dict[str, int] = field(default_factory=dict)  # state → orders placed in the period, by current state

    @property
    def hours_text(self) -> str:
        return f"{self.minutes // 60}小时{self.minutes % 60:02d}分" if self.minutes % 60 else f"{self.minutes // 60}小时"

    @property
    def satisfaction_rate(self) -> str:
        if self.evaluated <= 0:
            return "—"
        tenths = (self.satisfied * 2000 + self.evaluated) // (2 * self.evaluated)
        return f"{tenths // 10}.{tenths % 10}%"

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(), "end": self.end.isoformat(),
            "reporting_members": self.reporting_members, "newly_reported": self.newly_reported,
            "orders_placed": self.orders_placed, "orders_done": self.orders_done,
            "orders_cancelled": self.orders_cancelled, "open_orders": self.open_orders,
            "services": self.services, "members_served": self.members_served, "minutes": self.minutes,
            "evaluated": self.evaluated, "satisfied": self.satisfied,
            "satisfaction_rate": self.satisfaction_rate, "orders_by_state": dict(self.by_state),
        }


def quarter_figures(start: dt.date, end: dt.date) -> ReportingFigures:
    """The figures of [start, end] (a quarter for the quarterly report, a year for stats)."""
    reporting = (ReportingMember.select()
                 .where(ReportingMember.reported_on <= end,
                        (ReportingMember.status == "active") | (ReportingMember.withdrawn_on > end)).count())
    newly = ReportingMember.select().where(ReportingMember.reported_on.between(start, end)).count()
    placed = list(ReportingOrder.select(ReportingOrder.state)
                  .where(ReportingOrder.ordered_on.between(start, end)).tuples())
    by_state = dict.fromkeys(vocab.STATES, 0)
    by_state.update(Counter(state for (state,) in placed))
    done = list(ReportingOrder.select(ReportingOrder.id, ReportingOrder.evaluation)
                .where(ReportingOrder.state == "done", ReportingOrder.done_on.between(start, end)).tuples())
    cancelled = ReportingOrder.select().where(ReportingOrder.state == "cancelled",
                                              ReportingOrder.cancelled_on.between(start, end)).count()
    open_orders = ReportingOrder.select().where(
        ReportingOrder.ordered_on <= end,
        ~((ReportingOrder.state == "done") & (ReportingOrder.done_on <= end)),
        ~((ReportingOrder.state == "cancelled") & (ReportingOrder.cancelled_on <= end))).count()
    per_member = orders_done_by_member(start, end)
    minutes = sum(minutes_by_member(start, end).values())
    evaluated = sum(1 for _, ev in done if ev)
    satisfied = sum(1 for _, ev in done if ev in ("satisfied", "basic"))
    return ReportingFigures(
        start=start, end=end, reporting_members=reporting, newly_reported=newly,
        orders_placed=len(placed), orders_done=len(done), orders_cancelled=cancelled,
        open_orders=open_orders, services=sum(per_member.values()), members_served=len(per_member),
        minutes=minutes, evaluated=evaluated, satisfied=satisfied, by_state=by_state)


def stats_summary(today: dt.date) -> dict:
    """`stats --json` key `reporting`: this year up to `today`."""
    figures = quarter_figures(dt.date(today.year, 1, 1), today)
    return {"year": today.year, **figures.as_dict()}


@dataclass(frozen=True)
class ReportingDashboard:
    reporting_members: int
    open_orders: int
    waiting_assignment: int  # 居民点单 not yet assigned
    services_this_year: int
    minutes_this_year: int


def dashboard(today: dt.date) -> ReportingDashboard:
    """The dashboard's 双报到 card: members, open orders, orders waiting for a branch, this year's services."""
    figures = quarter_figures(dt.date(today.year, 1, 1), today)
    waiting = ReportingOrder.select().where(ReportingOrder.state == "ordered").count()
    open_orders = ReportingOrder.select().where(ReportingOrder.state.in_(vocab.OPEN_STATES)).count()
    return ReportingDashboard(reporting_members=figures.reporting_members, open_orders=open_orders,
                              waiting_assignment=waiting, services_this_year=figures.services,
                              minutes_this_year=figures.minutes)
