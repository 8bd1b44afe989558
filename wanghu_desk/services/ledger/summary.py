"""All branches at once: the funds summary of a year or a quarter, and the
compliance view (estate branches below the minimum, low spend rate, no expense
in the quarter)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

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
    for branch_id, fund_id, day, kind, reversed_kind, amount in query.tuples():
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
        if fund_id in minimum_funds:
            f[f"min_{fund_id}"] += income
        f["min_total"] += income if fund_id in minimum_funds else 0
    branches = {b.id: b for b in Branch.select()}
    communities = _community_names()
    wanted = set(figures)
    if include_all_estates:
        wanted |= {b.id for b in branches.values() if b.category == "estate" and b.status == "active"}
    check_minimum = fund_row is None or fund_row.id in minimum_funds or not minimum_funds
    rows = []
    for bid in sorted(wanted, key=lambda i: (branches[i].sort_order, i)):
        b = branches[bid]
        f = figures.get(bid, {})
        opening = f.get("year_opening", 0) + f.get("before_alloc", 0) - f.get("before_spent", 0)
        closing = opening + f.get("alloc", 0) - f.get("spent", 0)
        below = False
        if b.category == "estate" and b.status == "active" and check_minimum:
            if minimum_funds:
                below = any(f.get(f"min_{fid}", 0) < m for fid, m in minimum_funds.items()
                            if fund_row is None or fid == fund_row.id)
            else:
                below = f.get("ytd_alloc", 0) < fallback
        rows.append(FundsSummaryRow(
            bid, b.name, b.category, communities.get(b.community_id, ""), opening, f.get("alloc", 0),
            f.get("spent", 0), closing, f.get("year_opening", 0), f.get("ytd_alloc", 0), f.get("ytd_spent", 0),
            f.get("q_spent", 0), f.get("min_total", 0) if minimum_funds else f.get("ytd_alloc", 0), below,
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
            issues.append(f"本年拨付 {format_fen(r.minimum_allocated_fen)}，低于 {format_fen(summary.minimum_fen)}")
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
