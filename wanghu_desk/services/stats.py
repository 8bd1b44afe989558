"""Key figures of the whole database: `stats --json`, the dashboard, the reports.

The shape of `collect()` is a contract (SPEC §9): keys may be added, none renamed.
Counting rules: branches and building groups count the active ones; `members.total` and
`members.by_category` count members in the register (状态「在册」); `members.by_status`
counts every record by status (so `all_records` = its sum).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import peewee as pw

from models import (
    Branch,
    BuildingGroup,
    Community,
    Estate,
    LedgerEntry,
    Member,
    Organization,
    Rating,
    RatingRound,
    Volunteer,
    VolunteerTeam,
)
from wanghu_desk import vocab
from wanghu_desk.services import settings


def organization_name() -> str:
    top = Organization.get_or_none(Organization.kind == "working_committee")
    if top is not None:
        return top.area_name
    return settings.get("organization.name")


def _count_by(field: pw.Field, query: pw.ModelSelect) -> Counter:
    return Counter({key: n for key, n in query.select(field, pw.fn.COUNT(pw.SQL("*"))).group_by(field).tuples()})


def rating_summary() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for rnd in RatingRound.select().order_by(RatingRound.year):
        stars = Counter(
            s for (s,) in Rating.select(Rating.stars).where(Rating.round == rnd, Rating.stars.is_null(False)).tuples()
        )
        out[str(rnd.year)] = {
            "finalized": rnd.status == "finalized",
            "status": rnd.status,
            "rated": sum(stars.values()),
            "at_least_one_star": sum(n for s, n in stars.items() if s >= 1),
            "by_stars": {str(s): stars.get(s, 0) for s in range(6)},
        }
    return out


def ledger_summary() -> dict[str, dict[str, int]]:
    """Allocated, spent and balance per year, over all branches, in fen.

    A reversal cancels its original: it counts against the original's kind.
    """
    original = LedgerEntry.alias()
    rows = (
        LedgerEntry.select(
            LedgerEntry.year,
            LedgerEntry.kind,
            original.kind.alias("reversed_kind"),
            pw.fn.SUM(LedgerEntry.amount_fen).alias("total"),
        )
        .join(original, pw.JOIN.LEFT_OUTER, on=(LedgerEntry.reverses == original.id))
        .group_by(LedgerEntry.year, LedgerEntry.kind, original.kind)
        .tuples()
    )
    out: dict[str, dict[str, int]] = {}
    for year, kind, reversed_kind, total in rows:
        fig = out.setdefault(str(year), {"allocated_fen": 0, "spent_fen": 0, "balance_fen": 0})
        if kind == "allocation":
            fig["allocated_fen"] += total
        elif kind == "expense":
            fig["spent_fen"] += total
        elif kind == "reversal" and reversed_kind == "allocation":
            fig["allocated_fen"] -= total
        elif kind == "reversal" and reversed_kind == "expense":
            fig["spent_fen"] -= total
    for fig in out.values():
        fig["balance_fen"] = fig["allocated_fen"] - fig["spent_fen"]
    return dict(sorted(out.items()))


def collect(today: dt.date | None = None) -> dict[str, Any]:
    """The key figures; `today` picks the year of `volunteer_hours` (default: this year)."""
    from wanghu_desk.services import volunteers  # a large module; only needed here

    year = (today or dt.date.today()).year
    active_branches = Branch.select().where(Branch.status == "active")
    by_category = _count_by(Branch.category, active_branches)
    in_register = Member.select().where(Member.status == "active")
    member_categories = _count_by(Member.category, in_register)
    member_statuses = _count_by(Member.status, Member.select())
    return {
        "organization": organization_name(),
        "communities": Community.select().count(),
        "estates": Estate.select().count(),
        "branches": {
            "total": sum(by_category.values()),
            "by_category": {code: by_category.get(code, 0) for code in vocab.BRANCH_CATEGORIES},
        },
        "building_groups": BuildingGroup.select().where(BuildingGroup.status == "active").count(),
        "members": {
            "total": sum(member_categories.values()),
            "by_category": {code: member_categories.get(code, 0) for code in vocab.MEMBER_CATEGORIES},
            "by_status": {code: member_statuses.get(code, 0) for code in vocab.MEMBER_STATUSES},
            "all_records": sum(member_statuses.values()),
        },
        "volunteer_teams": VolunteerTeam.select().where(VolunteerTeam.is_active == True).count(),  # noqa: E712
        "volunteers": Volunteer.select().count(),
        "volunteer_hours": volunteers.volunteer_hours_by_quarter(year),
        "service_projects": volunteers.project_count(),
        "ratings": rating_summary(),
        "ledger": ledger_summary(),
        "matters": _matters_summary(today),
        "reporting": _reporting_summary(today),
    }


def _reporting_summary(today: dt.date | None) -> dict[str, Any]:
    from wanghu_desk.services import reporting  # 双报到 / 三单制: this year's figures

    return reporting.stats_summary(today or dt.date.today())


def _matters_summary(today: dt.date | None) -> dict[str, Any]:
    from wanghu_desk.services import matters  # residents' matters: this year's figures

    return matters.stats_summary(today)


def collect_quarter(year: int, quarter: int, *, today: Any = None) -> dict[str, Any]:
    """The figures of the quarterly report (SPEC §8) for year `year` quarter `quarter`, as
    plain JSON values (see `wanghu_desk.services.quarterly` for what each one counts).

    Money is in fen, service time in minutes (and hours as text with one decimal).
    """
    from wanghu_desk.services import quarterly  # imported here so that this addition stays at the end

    f = quarterly.quarter_figures(year, quarter, today=today)
    org, mem, vol, rating, funds = f.organization, f.members, f.volunteers, f.rating, f.funds
    return {
        "year": year,
        "quarter": quarter,
        "start": f.period.start.isoformat(),
        "end": f.period.end.isoformat(),
        "as_of": f.as_of.isoformat(),
        "organization": f.unit.area_name,
        "communities": org.communities,
        "estates": org.estates,
        "branches": {
            "total": org.branches_total,
            "by_category": {r.code: r.count for r in org.branches_by_category},
            "founded": org.branches_founded,
            "dissolved": org.branches_dissolved,
        },
        "building_groups": org.building_groups,
        "groups_without_leader": org.groups_without_leader,
        "members": {
            "total": mem.total,
            "by_category": {r.code: r.count for r in mem.by_category},
            "joined": mem.joined,
            "left_by_status": {r.code: r.count for r in mem.left_by_status},
            "center_households": mem.center_households,
            "reported_at_residence": mem.reported_at_residence,
            "probation_overdue": mem.overdue,
            "probation_due_30_days": mem.due_soon,
        },
        "volunteer_teams": vol.teams,
        "volunteers": vol.volunteers,
        "service": {
            "records": vol.records,
            "volunteers": vol.active_volunteers,
            "minutes": vol.minutes,
            "hours": vol.hours_text,
            "by_month": {str(m): {"records": n, "minutes": mins} for m, n, mins in vol.by_month},
        },
        "rating": None if rating is None else {
            "year": rating.year,
            "rated": rating.rated,
            "at_least_one_star": rating.at_least_one_star,
            "by_stars": {str(s): n for s, n in rating.by_stars.items()},
            "vetoed": rating.vetoed,
        },
        "ledger": {
            "year": funds.year,
            "allocated_fen": funds.allocated_fen,
            "spent_fen": funds.spent_fen,
            "balance_fen": funds.balance_fen,
            "spent_in_quarter_fen": funds.spent_in_quarter_fen,
            "estate_below_minimum": [b.name for b in funds.below_minimum],
        },
        "reporting": None if f.reporting is None else f.reporting.as_dict(),
    }
