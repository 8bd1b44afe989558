"""The figures of the 首页 dashboard that `stats.collect()` does not hold: members by the
category of their branch, volunteer service per month over the last twelve months,
funds per branch category, and the reminders (待办提醒) with the numbers behind them.

Plain data in dataclasses; the dashboard (`ui.dashboard`) only draws it. The reminders
reuse the quarterly report's rules (`services.quarterly`), so the dashboard and the
report never disagree:

- 转正: 预备党员 in the register whose due date (one year after joining) is on or before
  today (已到期) or within 30 days after today (即将到期);
- 小区党支部经费: estate branches whose allocation this year in a fund with a yearly
  minimum (¥10,000) is below it — the same flag as the report's funds table;
- 楼栋党小组 without a leader (active groups);
- 星级评定: last year's rating round is not finalized once the first quarter is over
  (the rule: rate last year's work by 31 March).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from models import Branch, Member, RatingRound, ServiceRecord
from wanghu_desk import vocab
from wanghu_desk.services import quarterly

__all__ = [
    "CategoryFunds",
    "MonthService",
    "Overview",
    "RatingDue",
    "members_by_branch_category",
    "overview",
    "rating_due",
    "service_by_month",
]

#: The months shown in the volunteer chart (the current one included).
SERVICE_MONTHS = 12


@dataclass(frozen=True)
class MonthService:
    year: int
    month: int
    records: int
    minutes: int

    @property
    def hours_text(self) -> str:
        return quarterly.hours_text(self.minutes)


@dataclass(frozen=True)
class CategoryFunds:
    code: str
    label: str
    branches: int  # branches of the category with a ledger or standing at the year's end
    allocated_fen: int
    spent_fen: int

    @property
    def spend_rate_permille(self) -> int | None:
        return quarterly.share_permille(self.spent_fen, self.allocated_fen)


@dataclass(frozen=True)
class RatingDue:
    """Last year's rating round as seen on `today`."""

    year: int  # the year rated (last year)
    status: str  # "finalized" | "open" (a round exists, not finalized) | "missing"
    deadline: dt.date  # 31 March of the year after `year`
    overdue: bool  # not finalized and the deadline has passed


@dataclass
class Overview:
    today: dt.date
    members_by_branch_category: list[quarterly.CountRow]
    service_by_month: list[MonthService]
    funds_year: int
    funds_by_category: list[CategoryFunds]
    estate_minimum_fen: int
    estate_below_minimum: list[str]  # branch names, this year
    probation_overdue: int
    probation_due_soon: int
    groups_without_leader: int
    rating: RatingDue
    branches: int = 0  # standing branches today (no branch: no reminders about them)
    funds_entries: int = 0
    matters_overdue: int = 0  # open residents' matters past their deadline
    matters_total: int = 0

    @property
    def members_total(self) -> int:
        return sum(r.count for r in self.members_by_branch_category)


def members_by_branch_category() -> list[quarterly.CountRow]:
    """Members in the register (状态「在册」, as `stats.collect()` counts them) by the
    category of their branch, every category in vocabulary order."""
    category_of = dict(Branch.select(Branch.id, Branch.category).tuples())
    counts: dict[str, int] = {}
    per_branch = (
        Member.select(Member.branch, pw.fn.COUNT(Member.id))
        .where(Member.status == "active")
        .group_by(Member.branch)
        .tuples()
    )
    for branch_id, n in per_branch:  # grouped by the indexed branch column, then summed here: faster than a join
        code = category_of.get(branch_id, "other")
        counts[code] = counts.get(code, 0) + n
    rows = [quarterly.CountRow(code, label, counts.get(code, 0)) for code, label in vocab.BRANCH_CATEGORIES.items()]
    rows += [quarterly.CountRow(code, code, n) for code, n in counts.items() if code not in vocab.BRANCH_CATEGORIES]
    return rows


def _month_back(year: int, month: int, back: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) - back
    return index // 12, index % 12 + 1


def service_by_month(today: dt.date, months: int = SERVICE_MONTHS) -> list[MonthService]:
    """Service records and minutes per month, the `months` months up to `today`'s
    (oldest first; a month without service is there with zeros; the current month
    counts up to `today`)."""
    first_year, first_month = _month_back(today.year, today.month, months - 1)
    start = dt.date(first_year, first_month, 1)
    month_key = pw.fn.substr(ServiceRecord.served_on, 1, 7)  # dates are stored as 'YYYY-MM-DD'; faster than strftime
    rows = {
        key: (n, minutes)
        for key, n, minutes in ServiceRecord.select(
            month_key, pw.fn.COUNT(ServiceRecord.id), pw.fn.COALESCE(pw.fn.SUM(ServiceRecord.minutes), 0)
        )
        .where(ServiceRecord.served_on.between(start, today))
        .group_by(month_key)
        .tuples()
    }
    out = []
    for back in range(months - 1, -1, -1):
        year, month = _month_back(today.year, today.month, back)
        n, minutes = rows.get(f"{year:04d}-{month:02d}", (0, 0))
        out.append(MonthService(year, month, int(n), int(minutes)))
    return out


def rating_due(today: dt.date) -> RatingDue:
    year = today.year - 1
    rnd = RatingRound.get_or_none(RatingRound.year == year)
    status = "missing" if rnd is None else ("finalized" if rnd.status == "finalized" else "open")
    deadline = dt.date(today.year, 3, 31)
    return RatingDue(year=year, status=status, deadline=deadline, overdue=status != "finalized" and today > deadline)


def funds_by_category(funds: quarterly.FundFigures) -> list[CategoryFunds]:
    """The per-branch funds of the report summed by branch category (categories without
    any branch left out)."""
    sums: dict[str, list[int]] = {}
    for b in funds.branches:
        row = sums.setdefault(b.category, [0, 0, 0])
        row[0] += 1
        row[1] += b.allocated_fen
        row[2] += b.spent_fen
    order = list(vocab.BRANCH_CATEGORIES) + sorted(c for c in sums if c not in vocab.BRANCH_CATEGORIES)
    return [CategoryFunds(code, vocab.BRANCH_CATEGORIES.get(code, code), *sums[code]) for code in order if code in sums]


def overview(today: dt.date, funds_year: int | None = None) -> Overview:
    """Everything the dashboard draws besides `stats.collect()`. `funds_year` is the
    year of the funds card (this year by default); the estate reminder always looks at
    this year."""
    now = quarterly.Quarter.containing(today)
    members = quarterly.member_figures(now, as_of=today)
    organization = quarterly.organization_figures(now, as_of=today)
    this_year = quarterly.fund_figures(quarterly.Quarter(today.year, 4))
    shown = this_year
    if funds_year is not None and funds_year != today.year:
        shown = quarterly.fund_figures(quarterly.Quarter(funds_year, 4))
    return Overview(
        today=today,
        members_by_branch_category=members_by_branch_category(),
        service_by_month=service_by_month(today),
        funds_year=shown.year,
        funds_by_category=funds_by_category(shown),
        estate_minimum_fen=this_year.minimum_fen,
        estate_below_minimum=[b.name for b in this_year.below_minimum],
        probation_overdue=members.overdue,
        probation_due_soon=members.due_soon,
        groups_without_leader=organization.groups_without_leader,
        rating=rating_due(today),
        branches=organization.branches_total,
        funds_entries=shown.entries,
        **_matters(today),
    )


def _matters(today: dt.date) -> dict[str, int]:
    """The residents' matters reminder: open matters past their deadline today."""
    from models import Matter
    from wanghu_desk.services import matters

    return {"matters_overdue": matters.overdue_reminder(today=today).count, "matters_total": Matter.select().count()}
