"""The figures of one quarter (year Y, quarter Q) for the quarterly report (SPEC §8).

Everything is read with a handful of aggregate queries and returned as dataclasses; the
report (`reports.quarterly_report`) only lays them out and never queries the database.

What "belongs to the quarter" (the quarter runs from `start` to `end`, both included):
- stock figures are as of the quarter's last day: a branch counts when it was founded by
  then (or has no founding date) and was not yet dissolved; a member counts when they had
  joined by then (or have no joining date) and were still in the register (状态「在册」,
  or left after the quarter); a member is 预备党员 at the end when their category is
  probationary, or they were confirmed (转正) after the quarter; teams and volunteers count
  when founded / registered by then. Building groups, communities and estates carry no
  dates and are counted as they are now.
- flow figures count what happened inside the quarter: members who joined or left,
  service records (`served_on`), expenses of the quarter.
- members due for 转正: 预备党员 at the quarter's end whose due date
  (`validation.probation_due`: one year after joining, or the end of an extended
  probation, 延长预备期) falls within 30 days after
  the quarter's end (即将到期) or on or before it (已到期).
- a report on the running quarter takes its figures as of today instead of the
  quarter's end (`as_of_date`): "the quarter's end" above then means that day.
- rating: the last rating round finalized by the quarter's end (a round without a
  finalization date counts when its year is before Y).
- funds: ledger entries of year Y dated up to the quarter's end; a reversal cancels its
  original (counts against the original's kind), as in `stats.ledger_summary`. An estate
  branch is flagged when its allocation in a fund with a yearly minimum (the special fund,
  ¥10,000) is below that minimum; when no fund has a minimum, its total allocation is
  compared with the setting ``ledger.estate_minimum_fen``.
- residents' matters (居民事项): the figures of `services.matters.figures` for the
  quarter — the one function the 居民事项 tab and the dashboard use — taken as of the
  same day as the rest (overdue open matters are counted on that day).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import peewee as pw

from models import (
    Branch,
    BuildingGroup,
    Community,
    Estate,
    Fund,
    LedgerEntry,
    Member,
    Organization,
    Rating,
    RatingRound,
    ServiceRecord,
    Volunteer,
    VolunteerTeam,
)
from wanghu_desk import vocab
from wanghu_desk.errors import UsageError
from wanghu_desk.services import ledger, matters, reporting, settings
from wanghu_desk.services.matters import MatterFigures
from wanghu_desk.services.reporting import ReportingFigures
from wanghu_desk.validation import probation_due

__all__ = [
    "BranchFunds",
    "CountRow",
    "FundFigures",
    "MemberFigures",
    "OrganizationFigures",
    "ProbationDue",
    "Quarter",
    "QuarterFigures",
    "as_of_date",
    "RatingFigures",
    "TeamService",
    "UnitInfo",
    "VolunteerFigures",
    "fund_figures",
    "matter_figures",
    "matters_reported",
    "member_figures",
    "organization_figures",
    "quarter_figures",
    "rating_figures",
    "reporting_figures",
    "reporting_reported",
    "unit_info",
    "volunteer_figures",
]

QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
#: How far after the quarter's end a 转正 counts as due soon.
PROBATION_WINDOW_DAYS = 30


# ------------------------------------------------------------------ the period


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int

    def __post_init__(self) -> None:
        if self.quarter not in QUARTER_NAMES:
            raise UsageError(f"季度必须是 1 到 4，不能是 {self.quarter}。")
        if not 1949 <= self.year <= 2200:
            raise UsageError(f"年份 {self.year} 不对，请写成四位数的年份，例如 2026。")

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        if self.quarter == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        """2026年第三季度"""
        return f"{self.year}年第{QUARTER_NAMES[self.quarter]}季度"

    @property
    def span_label(self) -> str:
        """2026年7月1日—9月30日"""
        s, e = self.start, self.end
        return f"{s.year}年{s.month}月{s.day}日—{e.month}月{e.day}日"

    @property
    def end_label(self) -> str:
        """2026年9月30日"""
        return f"{self.end.year}年{self.end.month}月{self.end.day}日"

    @property
    def months(self) -> list[int]:
        return [3 * self.quarter - 2, 3 * self.quarter - 1, 3 * self.quarter]


# ------------------------------------------------------------------ figures


@dataclass(frozen=True)
class CountRow:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class UnitInfo:
    area_name: str  # 望湖街道
    full_name: str  # 中共合肥市包河区望湖街道工作委员会
    secretary: str  # 负责人
    phone: str


@dataclass
class OrganizationFigures:
    communities: int
    estates: int
    branches_total: int
    branches_by_category: list[CountRow]  # every category, in vocabulary order
    branches_founded: int  # in the quarter
    branches_dissolved: int  # in the quarter
    building_groups: int
    groups_without_leader: int

    @property
    def estate_branches(self) -> int:
        return next((r.count for r in self.branches_by_category if r.code == "estate"), 0)


@dataclass(frozen=True)
class ProbationDue:
    member_id: int
    name: str
    branch: str
    joined_on: dt.date
    due_on: dt.date
    overdue: bool  # due on or before the quarter's end
    branch_id: int = 0
    branch_order: tuple[int, int] = (0, 0)  # (Branch.sort_order, Branch.id): the register's order


@dataclass
class MemberFigures:
    total: int  # in the register at the quarter's end
    by_category: list[CountRow]
    joined: int  # 入党日期 in the quarter
    left_by_status: list[CountRow]  # left the register in the quarter (转出, 去世 …)
    center_households: int
    reported_at_residence: int
    probation_due: list[ProbationDue] = field(default_factory=list)

    @property
    def full(self) -> int:
        return next((r.count for r in self.by_category if r.code == "full"), 0)

    @property
    def probationary(self) -> int:
        return next((r.count for r in self.by_category if r.code == "probationary"), 0)

    @property
    def left(self) -> int:
        return sum(r.count for r in self.left_by_status)

    @property
    def overdue(self) -> int:
        return sum(1 for p in self.probation_due if p.overdue)

    @property
    def due_soon(self) -> int:
        return sum(1 for p in self.probation_due if not p.overdue)


@dataclass(frozen=True)
class TeamService:
    team: str
    records: int
    volunteers: int
    minutes: int


@dataclass
class VolunteerFigures:
    teams: int  # active teams founded by the quarter's end
    volunteers: int  # registered by the quarter's end
    active_volunteers: int  # served in the quarter
    records: int  # service records in the quarter
    minutes: int
    by_team: list[TeamService]  # teams with service in the quarter, most hours first
    by_month: list[tuple[int, int, int]]  # (month, records, minutes) for the quarter's three months

    @property
    def hours_text(self) -> str:
        return hours_text(self.minutes)


@dataclass
class RatingFigures:
    year: int
    finalized_on: dt.date | None
    rated: int
    by_stars: dict[int, int]  # 0..5
    vetoed: int
    five_star_branches: list[str]

    @property
    def at_least_one_star(self) -> int:
        return sum(n for s, n in self.by_stars.items() if s >= 1)

    @property
    def five_star(self) -> int:
        return self.by_stars.get(5, 0)


@dataclass
class BranchFunds:
    branch_id: int
    name: str
    category: str
    allocated_fen: int
    spent_fen: int
    spent_in_quarter_fen: int
    below_minimum: bool
    #: what the yearly-minimum rule counts (the special funds), from `ledger.minimum_checks`
    special_allocated_fen: int = 0

    @property
    def balance_fen(self) -> int:
        return self.allocated_fen - self.spent_fen

    @property
    def spend_rate_permille(self) -> int | None:
        """Spent / allocated in tenths of a percent (346 = 34.6 %), None when nothing was allocated."""
        if self.allocated_fen <= 0:
            return None
        return (self.spent_fen * 1000 + self.allocated_fen // 2) // self.allocated_fen


@dataclass
class FundFigures:
    year: int
    as_of: dt.date
    minimum_fen: int
    branches: list[BranchFunds]
    entries: int  # ledger entries counted

    @property
    def allocated_fen(self) -> int:
        return sum(b.allocated_fen for b in self.branches)

    @property
    def spent_fen(self) -> int:
        return sum(b.spent_fen for b in self.branches)

    @property
    def balance_fen(self) -> int:
        return self.allocated_fen - self.spent_fen

    @property
    def spent_in_quarter_fen(self) -> int:
        return sum(b.spent_in_quarter_fen for b in self.branches)

    @property
    def spend_rate_permille(self) -> int | None:
        if self.allocated_fen <= 0:
            return None
        return (self.spent_fen * 1000 + self.allocated_fen // 2) // self.allocated_fen

    @property
    def below_minimum(self) -> list[BranchFunds]:
        return [b for b in self.branches if b.below_minimum]


@dataclass
class QuarterFigures:
    period: Quarter
    unit: UnitInfo
    organization: OrganizationFigures
    members: MemberFigures
    volunteers: VolunteerFigures
    rating: RatingFigures | None
    funds: FundFigures
    generated_on: dt.date
    as_of: dt.date | None = None  # the quarter's end, or the day of a report on a running quarter
    matters: MatterFigures | None = None  # residents' matters of the quarter (services.matters.figures)
    reporting: ReportingFigures | None = None  # 双报到 / 三单制 of the quarter (services.reporting.figures)

    def __post_init__(self) -> None:
        if self.as_of is None:
            self.as_of = self.period.end

    @property
    def in_progress(self) -> bool:
        return self.as_of < self.period.end

    @property
    def as_of_label(self) -> str:
        """2026年9月30日"""
        return f"{self.as_of.year}年{self.as_of.month}月{self.as_of.day}日"

    @property
    def is_empty(self) -> bool:
        """Nothing at all to report: no branches, members, service, rating, ledger or matters."""
        return not (self.organization.branches_total or self.members.total or self.volunteers.records
                    or self.rating or self.funds.entries or matters_reported(self.matters)
                    or reporting_reported(self.reporting))


# ------------------------------------------------------------------ formatting helpers


def hours_text(minutes: int) -> str:
    """Minutes as hours with one decimal, rounded half up, without floats: 90 → "1.5"."""
    tenths = (minutes * 10 + 30) // 60
    return f"{tenths // 10:,}.{tenths % 10}"


def percent_text(permille: int | None) -> str:
    """346 → "34.6%", None → "—"."""
    if permille is None:
        return "—"
    return f"{permille // 10}.{permille % 10}%"


def share_permille(part: int, whole: int) -> int | None:
    if whole <= 0:
        return None
    return (part * 1000 + whole // 2) // whole


# ------------------------------------------------------------------ queries


def _sum(expr: pw.Node) -> pw.Node:
    return pw.fn.COALESCE(pw.fn.SUM(expr), 0)


def _case(condition: pw.Node, then: object = 1, otherwise: object = 0) -> pw.Node:
    return pw.Case(None, [(condition, then)], otherwise)


def unit_info() -> UnitInfo:
    top = Organization.get_or_none(Organization.kind == "working_committee")
    if top is not None:
        return UnitInfo(top.area_name, top.name, top.secretary or "", top.phone or "")
    area = settings.get("organization.name") or ""
    return UnitInfo(area, f"{area}党工委" if area else "", "", "")


def _branches_at_end(end: dt.date) -> pw.Node:
    founded = Branch.founded_on.is_null() | (Branch.founded_on <= end)
    standing = (Branch.status == "active") | ((Branch.status == "dissolved") & (Branch.dissolved_on > end))
    return founded & standing


def organization_figures(period: Quarter, as_of: dt.date | None = None) -> OrganizationFigures:
    start, end = period.start, as_of or period.end
    by_category = Counter(dict(
        Branch.select(Branch.category, pw.fn.COUNT(Branch.id))
        .where(_branches_at_end(end)).group_by(Branch.category).tuples()
    ))
    founded = Branch.select().where(Branch.founded_on.between(start, end)).count()
    dissolved = Branch.select().where(Branch.status == "dissolved", Branch.dissolved_on.between(start, end)).count()
    groups, leaderless = (
        BuildingGroup.select(pw.fn.COUNT(BuildingGroup.id), _sum(_case(BuildingGroup.leader.is_null())))
        .where(BuildingGroup.status == "active").tuples().get()
    )
    rows = [CountRow(code, label, by_category.get(code, 0)) for code, label in vocab.BRANCH_CATEGORIES.items()]
    rows += [CountRow(code, code, n) for code, n in by_category.items() if code not in vocab.BRANCH_CATEGORIES]
    return OrganizationFigures(
        communities=Community.select().count(),
        estates=Estate.select().count(),
        branches_total=sum(by_category.values()),
        branches_by_category=rows,
        branches_founded=founded,
        branches_dissolved=dissolved,
        building_groups=groups or 0,
        groups_without_leader=leaderless or 0,
    )


def _in_register_at(end: dt.date) -> pw.Node:
    joined = Member.joined_on.is_null() | (Member.joined_on <= end)
    still_in = (Member.status == "active") | (Member.status_changed_on > end)
    return joined & still_in


def _probationary_at(end: dt.date) -> pw.Node:
    return (Member.category == "probationary") | (Member.confirmed_on > end)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def member_figures(period: Quarter, as_of: dt.date | None = None) -> MemberFigures:
    start, end = period.start, as_of or period.end
    in_register = _in_register_at(end)
    probationary = _probationary_at(end)
    total, n_probationary, centers, reported = (
        Member.select(
            pw.fn.COUNT(Member.id),
            _sum(_case(probationary)),
            _sum(_case(Member.is_center_household == True)),  # noqa: E712
            _sum(_case(Member.reported_at_residence == True)),  # noqa: E712
        ).where(in_register).tuples().get()
    )
    total = total or 0
    joined = Member.select().where(Member.joined_on.between(start, end)).count()
    left = Counter(dict(
        Member.select(Member.status, pw.fn.COUNT(Member.id))
        .where(Member.status != "active", Member.status_changed_on.between(start, end))
        .group_by(Member.status).tuples()
    ))

    horizon = end + dt.timedelta(days=PROBATION_WINDOW_DAYS)
    latest_join = _add_years(horizon, -1) + dt.timedelta(days=1)  # exact check below
    due: list[ProbationDue] = []
    query = (
        Member.select(Member.id, Member.name, Member.joined_on, Branch.name.alias("branch_name"), Branch.id,
                      Branch.sort_order, Member.probation_extended_to)
        .join(Branch)
        .where(in_register, probationary, Member.joined_on.is_null(False), Member.joined_on <= latest_join)
        .tuples()
    )
    for member_id, name, joined_on, branch_name, branch_id, branch_sort, extended_to in query:
        if isinstance(joined_on, str):
            joined_on = dt.date.fromisoformat(joined_on)
        if isinstance(extended_to, str):
            extended_to = dt.date.fromisoformat(extended_to)
        due_on = probation_due(joined_on, extended_to)
        if due_on <= horizon:
            due.append(ProbationDue(member_id, name, branch_name, joined_on, due_on, overdue=due_on <= end,
                                    branch_id=branch_id, branch_order=(branch_sort or 0, branch_id)))
    due.sort(key=lambda p: (p.due_on, p.branch, p.name))

    n_probationary = n_probationary or 0
    return MemberFigures(
        total=total,
        by_category=[
            CountRow("full", vocab.MEMBER_CATEGORIES["full"], total - n_probationary),
            CountRow("probationary", vocab.MEMBER_CATEGORIES["probationary"], n_probationary),
        ],
        joined=joined,
        left_by_status=[CountRow(code, label, left[code]) for code, label in vocab.MEMBER_STATUSES.items()
                        if left.get(code)],
        center_households=centers or 0,
        reported_at_residence=reported or 0,
        probation_due=due,
    )


def volunteer_figures(period: Quarter, as_of: dt.date | None = None) -> VolunteerFigures:
    start, end = period.start, as_of or period.end
    next_day = (end + dt.timedelta(days=1)).isoformat()
    teams = VolunteerTeam.select().where(
        VolunteerTeam.is_active == True,  # noqa: E712
        VolunteerTeam.founded_on.is_null() | (VolunteerTeam.founded_on <= end),
    ).count()
    volunteers = Volunteer.select().where(Volunteer.created_at.is_null() | (Volunteer.created_at < next_day)).count()
    in_quarter = ServiceRecord.served_on.between(start, end)
    records, minutes, active = (
        ServiceRecord.select(
            pw.fn.COUNT(ServiceRecord.id), _sum(ServiceRecord.minutes),
            pw.fn.COUNT(ServiceRecord.volunteer.distinct()),
        ).where(in_quarter).tuples().get()
    )
    names = dict(VolunteerTeam.select(VolunteerTeam.id, VolunteerTeam.name).tuples())
    by_team = [
        TeamService(names.get(team_id, "未归属服务队") if team_id else "未归属服务队", n, v, m)
        for team_id, n, v, m in (
            ServiceRecord.select(
                ServiceRecord.team, pw.fn.COUNT(ServiceRecord.id),
                pw.fn.COUNT(ServiceRecord.volunteer.distinct()), _sum(ServiceRecord.minutes),
            ).where(in_quarter).group_by(ServiceRecord.team).tuples()
        )
    ]
    by_team.sort(key=lambda t: (-t.minutes, -t.records, t.team))
    month_rows = {
        int(month): (n, m)
        for month, n, m in (
            ServiceRecord.select(
                pw.fn.strftime("%m", ServiceRecord.served_on), pw.fn.COUNT(ServiceRecord.id),
                _sum(ServiceRecord.minutes),
            ).where(in_quarter).group_by(pw.fn.strftime("%m", ServiceRecord.served_on)).tuples()
        )
    }
    by_month = [(m, *month_rows.get(m, (0, 0))) for m in period.months if m <= end.month]
    return VolunteerFigures(
        teams=teams, volunteers=volunteers, active_volunteers=active or 0, records=records or 0,
        minutes=minutes or 0, by_team=by_team, by_month=by_month,
    )


def rating_figures(period: Quarter, as_of: dt.date | None = None) -> RatingFigures | None:
    end = as_of or period.end
    chosen = None
    finalized_on = None
    for rnd in RatingRound.select().where(RatingRound.status == "finalized").order_by(RatingRound.year.desc()):
        day = None
        if rnd.finalized_at:
            try:
                day = dt.date.fromisoformat(str(rnd.finalized_at)[:10])
            except ValueError:
                day = None
        if (day is not None and day <= end) or (day is None and rnd.year < period.year):
            chosen, finalized_on = rnd, day
            break
    if chosen is None:
        return None
    stars = Counter(dict(
        Rating.select(Rating.stars, pw.fn.COUNT(Rating.id))
        .where(Rating.round == chosen, Rating.stars.is_null(False)).group_by(Rating.stars).tuples()
    ))
    vetoed = Rating.select().where(Rating.round == chosen, Rating.vetoed == True).count()  # noqa: E712
    five = [
        name for (name,) in Rating.select(Branch.name).join(Branch)
        .where(Rating.round == chosen, Rating.stars == 5)
        .order_by(Branch.sort_order, Branch.id).tuples()
    ]
    return RatingFigures(
        year=chosen.year, finalized_on=finalized_on, rated=sum(stars.values()),
        by_stars={s: stars.get(s, 0) for s in range(6)}, vetoed=vetoed, five_star_branches=five,
    )


def fund_figures(period: Quarter, as_of: dt.date | None = None) -> FundFigures:
    year, start, end = period.year, period.start, as_of or period.end
    original = LedgerEntry.alias()
    rows = (
        LedgerEntry.select(
            LedgerEntry.branch, LedgerEntry.fund, LedgerEntry.kind, original.kind.alias("reversed_kind"),
            pw.fn.SUM(LedgerEntry.amount_fen),
            _sum(_case(LedgerEntry.entry_date >= start, LedgerEntry.amount_fen)),
            pw.fn.COUNT(LedgerEntry.id),
        )
        .join(original, pw.JOIN.LEFT_OUTER, on=(LedgerEntry.reverses == original.id))
        .where(LedgerEntry.year == year, LedgerEntry.entry_date <= end)
        .group_by(LedgerEntry.branch, LedgerEntry.fund, LedgerEntry.kind, original.kind)
        .tuples()
    )
    allocated: Counter = Counter()
    spent: Counter = Counter()
    spent_quarter: Counter = Counter()
    entries = 0
    for branch_id, _fund_id, kind, reversed_kind, total, in_quarter, n in rows:
        entries += n
        if kind == "allocation" or (kind == "reversal" and reversed_kind == "allocation"):
            sign = 1 if kind == "allocation" else -1
            allocated[branch_id] += sign * total
        elif kind == "expense" or (kind == "reversal" and reversed_kind == "expense"):
            sign = 1 if kind == "expense" else -1
            spent[branch_id] += sign * total
            spent_quarter[branch_id] += sign * in_quarter

    minimum_funds = {fid: m for fid, m in Fund.select(Fund.id, Fund.minimum_fen).where(Fund.minimum_fen > 0).tuples()}
    fallback_minimum = int(settings.get("ledger.estate_minimum_fen") or 0)
    minimum = max(minimum_funds.values()) if minimum_funds else fallback_minimum

    standing = {b for (b,) in Branch.select(Branch.id).where(_branches_at_end(end)).tuples()}
    wanted = standing | set(allocated) | set(spent)
    branches: list[BranchFunds] = []
    query = (
        Branch.select(Branch.id, Branch.name, Branch.category)
        .where(Branch.id.in_(sorted(wanted)) if wanted else (Branch.id < 0))
        .order_by(Branch.sort_order, Branch.id).tuples()
    )
    checks = ledger.minimum_checks(year, end, wanted)  # the one source of the rule's figure
    for branch_id, name, category in query:
        check = checks[branch_id]
        below = category == "estate" and branch_id in standing and check.below
        branches.append(BranchFunds(
            branch_id=branch_id, name=name, category=category, allocated_fen=allocated.get(branch_id, 0),
            spent_fen=spent.get(branch_id, 0), spent_in_quarter_fen=spent_quarter.get(branch_id, 0),
            below_minimum=below, special_allocated_fen=check.allocated_fen,
        ))
    return FundFigures(year=year, as_of=end, minimum_fen=minimum, branches=branches, entries=entries)


def matter_figures(period: Quarter, as_of: dt.date | None = None) -> MatterFigures:
    """The residents' matters of the quarter from `services.matters.figures` (the one
    source of these figures); overdue open matters as of `as_of` (the quarter's end or,
    while it runs, today)."""
    return matters.figures(period.start, period.end, today=as_of or period.end)


def reporting_figures(period: Quarter, as_of: dt.date | None = None) -> ReportingFigures:
    """双报到 / 三单制 of the quarter up to `as_of`, from `services.reporting.figures` (the
    one source of these figures, also behind `stats --json` and the tab)."""
    return reporting.quarter_figures(period.start, as_of or period.end)


def reporting_reported(r: ReportingFigures | None) -> bool:
    return r is not None and bool(r.reporting_members or r.orders_placed or r.orders_done or r.open_orders)


def matters_reported(m: MatterFigures | None) -> bool:
    """Whether the quarter has any matter to report: received, settled or open past its deadline."""
    return m is not None and bool(m.total.received or m.total.settled or m.total.overdue_open)


def as_of_date(period: Quarter, today: dt.date | None = None) -> dt.date:
    """The day the figures are taken on: the quarter's last day, or today while the
    quarter is still running."""
    today = today or dt.date.today()
    return today if period.start <= today < period.end else period.end


def quarter_figures(year: int, quarter: int, *, today: dt.date | None = None) -> QuarterFigures:
    """All figures of the quarter report. Raises `UsageError` for a quarter outside 1–4."""
    period = Quarter(year, quarter)
    today = today or dt.date.today()
    as_of = as_of_date(period, today)
    return QuarterFigures(
        period=period,
        unit=unit_info(),
        organization=organization_figures(period, as_of),
        members=member_figures(period, as_of),
        volunteers=volunteer_figures(period, as_of),
        rating=rating_figures(period, as_of),
        funds=fund_figures(period, as_of),
        generated_on=today,
        as_of=as_of,
        matters=matter_figures(period, as_of),
        reporting=reporting_figures(period, as_of),
    )
