"""Totals of service: minutes per team, per quarter of a year (for `stats --json`), and
the figures at the top of the 志愿服务 tab."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

import peewee as pw

from models import ServiceRecord, Volunteer, VolunteerTeam, db
from wanghu_desk.services.volunteers._common import _today
from wanghu_desk.services.volunteers.hours import (
    _period_where,
    hours_value,
    minutes_between,
    star_level,
    this_quarter,
    this_year,
)
from wanghu_desk.services.volunteers.projects import project_count


def hours_by_team(start: dt.date | None = None, end: dt.date | None = None) -> dict[int | None, int]:
    """Minutes per team id (None: records without a team) in [start, end]."""
    query = ServiceRecord.select(ServiceRecord.team, pw.fn.SUM(ServiceRecord.minutes))
    where = _period_where(start, end)
    if where:
        query = query.where(*where)
    return {tid: int(m or 0) for tid, m in query.group_by(ServiceRecord.team).tuples()}


def volunteer_hours_by_quarter(year: int) -> dict[str, Any]:
    """Service in each quarter of `year` and in the whole year (for `stats --json`)::

        {"year": 2026,
         "quarters": {"1": {"records": 812, "volunteers": 260, "minutes": 101520, "hours": 1692},
                      "2": {…}, "3": {…}, "4": {…}},
         "total": {"records": …, "volunteers": …, "minutes": …, "hours": …}}

    `volunteers` counts distinct people who served (in the quarter, or in the year — not
    the sum of the quarters). `hours` is `minutes / 60` (an int when whole, else two
    decimals); `minutes` is exact."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    per = {
        int(q): (n, v, int(m or 0))
        for q, n, v, m in db.execute_sql(
            "SELECT (CAST(strftime('%m', served_on) AS INTEGER) + 2) / 3 AS q, COUNT(*), COUNT(DISTINCT volunteer_id), "
            "SUM(minutes) FROM service_record WHERE served_on BETWEEN ? AND ? GROUP BY q",
            (start.isoformat(), end.isoformat()),
        )
    }
    n, v, m = ServiceRecord.select(
        pw.fn.COUNT(ServiceRecord.id), pw.fn.COUNT(ServiceRecord.volunteer.distinct()),
        pw.fn.COALESCE(pw.fn.SUM(ServiceRecord.minutes), 0),
    ).where(ServiceRecord.served_on.between(start, end)).tuples().get()

    def figures(records: int, volunteers: int, minutes: int) -> dict[str, Any]:
        return {"records": int(records or 0), "volunteers": int(volunteers or 0), "minutes": int(minutes or 0),
                "hours": hours_value(minutes)}

    return {
        "year": year,
        "quarters": {str(q): figures(*per.get(q, (0, 0, 0))) for q in range(1, 5)},
        "total": figures(n, v, int(m or 0)),
    }


@dataclass(frozen=True)
class ServiceOverview:
    """The figures at the top of the 志愿服务 tab (and for the dashboard)."""

    teams: int  # active
    volunteers: int
    member_volunteers: int  # volunteers who are party members (each counted once)
    projects: int  # active
    minutes_quarter: int
    minutes_year: int
    quarter_label: str
    year: int
    stars: dict[int, int]  # level (1–5) → volunteers

    @property
    def star_volunteers(self) -> int:
        return sum(self.stars.values())


def overview(*, today: dt.date | None = None) -> ServiceOverview:
    today = _today(today)
    quarter, year = this_quarter(today), this_year(today)
    stars: Counter = Counter()
    for (minutes,) in ServiceRecord.select(pw.fn.SUM(ServiceRecord.minutes)).group_by(ServiceRecord.volunteer).tuples():
        level = star_level(minutes)
        if level:
            stars[level] += 1
    return ServiceOverview(
        teams=VolunteerTeam.select().where(VolunteerTeam.is_active == True).count(),  # noqa: E712
        volunteers=Volunteer.select().count(),
        member_volunteers=Volunteer.select().where(Volunteer.member.is_null(False)).count(),
        projects=project_count(),
        minutes_quarter=minutes_between(quarter.start, quarter.end),
        minutes_year=minutes_between(year.start, year.end),
        quarter_label=quarter.label,
        year=today.year,
        stars={level: stars.get(level, 0) for level in range(1, 6)},
    )
