"""Key figures of the whole database: `stats --json`, the dashboard, the reports.

The shape of `collect()` is a contract (SPEC §9): keys may be added, none renamed.
Counting rules: branches and building groups count the active ones; `members.total` and
`members.by_category` count members in the register (状态「在册」); `members.by_status`
counts every record by status (so `all_records` = its sum).
"""

from __future__ import annotations

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


def collect() -> dict[str, Any]:
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
        "ratings": rating_summary(),
        "ledger": ledger_summary(),
    }
