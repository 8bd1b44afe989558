"""All branches at once: the funds summary of a year or a quarter, and the
compliance view (estate branches below the minimum, low spend rate, no expense
in the quarter)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import peewee as pw

from models import Branch, Fund, LedgerEntry
from wanghu_desk.money import format_fen
from wanghu_desk.services.ledger.choices import _community_names
from wanghu_desk.services.ledger.funds import _fund
from wanghu_desk.services.ledger.reading import _as_date, _opening_by_fund
from wanghu_desk.services.ledger.results import ComplianceReport, ComplianceRow, FundsSummary, FundsSummaryRow
from wanghu_desk.services.ledger.rules import _signed, default_spend_percent, estate_minimum, quarter_period

# ---------------------------------------------------------------- all branches: summary, compliance


def _minimum_funds() -> dict[int, int]:
    return dict(Fund.select(Fund.id, Fund.minimum_fen).where(Fund.minimum_fen > 0).tuples())


@dataclass(frozen=True)
class MinimumCheck:
    """The yearly-minimum rule for one branch (小区党支部 ≥ ¥10,000 of special funds)."""

    allocated_fen: int  # what the rule counts: allocated to the day in the funds with a minimum
    minimum_fen: int
    below: bool


def minimum_checks(year: int, end: dt.date, branch_ids: Iterable[int], *,
                   fund: int | None = None) -> dict[int, MinimumCheck]:
    """The rule's figure and verdict for each of `branch_ids`, allocations from 1 January
    to `end` (reversals of allocations subtract). The rule is about the funds that have a
    yearly minimum (专项经费): other funds do not count towards it. Without such a fund the
    setting ``ledger.estate_minimum_fen`` applies to all allocations. `fund` narrows the
    check to one fund (none when that fund has no minimum while others do). The one source
    of the figure for the compliance view, the funds summary and the quarterly report."""
    ids = list(branch_ids)
    if not ids:
        return {}
    minimum_funds = _minimum_funds()
    if fund is not None and minimum_funds:
        minimum_funds = {f: m for f, m in minimum_funds.items() if f == fund}
        if not minimum_funds:
            return {}
    original = LedgerEntry.alias()
    query = (LedgerEntry.select(LedgerEntry.branch, LedgerEntry.fund, LedgerEntry.kind, original.kind,
                                pw.fn.SUM(LedgerEntry.amount_fen))
             .join(original, pw.JOIN.LEFT_OUTER, on=(LedgerEntry.reverses == original.id))
             .where(LedgerEntry.year == year, LedgerEntry.entry_date <= end, LedgerEntry.branch.in_(ids))
             .group_by(LedgerEntry.branch, LedgerEntry.fund, LedgerEntry.kind, original.kind))
    if fund is not None:
        query = query.where(LedgerEntry.fund == fund)
    by_fund: dict[tuple[int, int], int] = defaultdict(int)
    for branch_id, fund_id, kind, reversed_kind, total in query.tuples():
        income, _expense = _signed(kind, reversed_kind, int(total or 0))
        by_fund[(branch_id, fund_id)] += income
    out = {}
    if minimum_funds:
        minimum = max(minimum_funds.values())
        for bid in ids:
            counted = sum(by_fund.get((bid, fid), 0) for fid in minimum_funds)
            below = any(by_fund.get((bid, fid), 0) < m for fid, m in minimum_funds.items())
            out[bid] = MinimumCheck(counted, minimum, below)
    else:
        minimum = estate_minimum()
        totals: dict[int, int] = defaultdict(int)
        for (bid, _fid), value in by_fund.items():
            totals[bid] += value
        for bid in ids:
            out[bid] = MinimumCheck(totals.get(bid, 0), minimum, totals.get(bid, 0) < minimum)
    return out


def funds_summary(year: int, quarter: int | None = None, fund: int | str | None = None, *,
                  include_all_estates: bool = True) -> FundsSummary:
    """Every branch with ledger entries (and every active estate branch) for a year or a
    quarter: the balance at the start, allocated and spent in the period, the balance
    at its end, the spend rate to date, and whether an estate branch got less than the
    yearly minimum (funds with a minimum; else the setting ``ledger.estate_minimum_fen``)."""
    if quarter is None:
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        q_start = dt.date(year, 10, 1)
    else:
        start, end = quarter_period(year, quarter)
        q_start = start
    fund_row = _fund(fund) if fund is not None else None
    openings = _opening_by_fund(None, year)
    original = LedgerEntry.alias()
    query = (LedgerEntry.select(LedgerEntry.branch, LedgerEntry.fund, LedgerEntry.entry_date, LedgerEntry.kind,
                                original.kind, LedgerEntry.amount_fen)
             .join(original, pw.JOIN.LEFT_OUTER, on=(LedgerEntry.reverses == original.id))
             .where(LedgerEntry.year == year, LedgerEntry.entry_date <= end))
    if fund_row is not None:
        query = query.where(LedgerEntry.fund == fund_row.id)
    minimum_funds = _minimum_funds()
    fallback = estate_minimum()
    figures: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (branch_id, fund_id), value in openings.items():
        if fund_row is None or fund_id == fund_row.id:
            figures[branch_id]["year_opening"] += value
    for branch_id, _fund_id, day, kind, reversed_kind, amount in query.tuples():
        day = _as_date(day)
        income, expense = _signed(kind, reversed_kind, amount)
        f = figures[branch_id]
        f["ytd_alloc"] += income
        f["ytd_spent"] += expense
        if day < start:
            f["before_alloc"] += income
            f["before_spent"] += expense
        else:
            f["alloc"] += income
            f["spent"] += expense
        if day >= q_start:
            f["q_spent"] += expense
    branches = {b.id: b for b in Branch.select()}
    communities = _community_names()
    wanted = set(figures)
    if include_all_estates:
        wanted |= {b.id for b in branches.values() if b.category == "estate" and b.status == "active"}
    checks = minimum_checks(year, end, wanted, fund=fund_row.id if fund_row is not None else None)
    rows = []
    for bid in sorted(wanted, key=lambda i: (branches[i].sort_order, i)):
        b = branches[bid]
        f = figures.get(bid, {})
        opening = f.get("year_opening", 0) + f.get("before_alloc", 0) - f.get("before_spent", 0)
        closing = opening + f.get("alloc", 0) - f.get("spent", 0)
        check = checks.get(bid)
        below = b.category == "estate" and b.status == "active" and check is not None and check.below
        rows.append(FundsSummaryRow(
            bid, b.name, b.category, communities.get(b.community_id, ""), opening, f.get("alloc", 0),
            f.get("spent", 0), closing, f.get("year_opening", 0), f.get("ytd_alloc", 0), f.get("ytd_spent", 0),
            f.get("q_spent", 0), check.allocated_fen if check is not None else 0, below,
        ))
    minimum = max(minimum_funds.values()) if minimum_funds else fallback
    return FundsSummary(year, quarter, start, end, fund_row.id if fund_row else None,
                        fund_row.name if fund_row else "全部经费", minimum, rows)


def compliance(year: int, quarter: int, *, min_spend_percent: int | None = None,
               today: dt.date | None = None) -> ComplianceReport:
    """The compliance view for `year` quarter `quarter` (figures to the quarter's end):
    estate branches allocated less than the yearly minimum; branches whose spend rate is
    under `min_spend_percent` (default per quarter, see `default_spend_percent`); branches
    that had money but spent nothing this quarter (only once the quarter has begun)."""
    today = today or dt.date.today()
    percent = default_spend_percent(quarter) if min_spend_percent is None else int(min_spend_percent)
    summary = funds_summary(year, quarter)
    start, end = summary.start, summary.end
    started = start <= today
    out = []
    for r in summary.rows:
        issues = []
        if r.below_minimum:
            issues.append(f"专项经费本年拨付 {format_fen(r.minimum_allocated_fen)}，低于 {format_fen(summary.minimum_fen)}")
        rate = r.spend_rate_permille
        low = started and rate is not None and rate < percent * 10
        if low:
            issues.append(f"支出进度 {rate / 10:.1f}%，低于 {percent}%")
        had_money = r.opening_fen + r.allocated_fen > 0
        idle = started and had_money and r.spent_in_quarter_fen <= 0
        if idle:
            issues.append("本季度没有支出")
        out.append(ComplianceRow(r, r.below_minimum, low, idle, tuple(issues)))
    return ComplianceReport(year, quarter, start, end, summary.minimum_fen, percent, out)
