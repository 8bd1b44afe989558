"""Reading entries: one branch's ledger for a year with running balances and
quarter totals, the opening balance carried over (上年结转), balances, one entry, the
entries that can still be reversed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import peewee as pw

from models import Fund, LedgerEntry
from wanghu_desk.errors import NotFoundError
from wanghu_desk.services.ledger.choices import _branch
from wanghu_desk.services.ledger.funds import _fund
from wanghu_desk.services.ledger.results import LedgerRow, LedgerView, QuarterTotal
from wanghu_desk.services.ledger.rules import REVERSAL, _delta, _signed, quarter_of

# ---------------------------------------------------------------- reading entries


def _opening_by_fund(branch_ids: Iterable[int] | None, year: int) -> dict[tuple[int, int], int]:
    """上年结转 per (branch, fund) for the funds that carry over: the net of every year
    before `year`."""
    carry = [f for (f,) in Fund.select(Fund.id).where(Fund.carries_over == True).tuples()]  # noqa: E712
    if not carry:
        return {}
    original = LedgerEntry.alias()
    query = (LedgerEntry.select(LedgerEntry.branch, LedgerEntry.fund, LedgerEntry.kind, original.kind,
                                pw.fn.SUM(LedgerEntry.amount_fen))
             .join(original, pw.JOIN.LEFT_OUTER, on=(LedgerEntry.reverses == original.id))
             .where(LedgerEntry.year < year, LedgerEntry.fund.in_(carry)))
    if branch_ids is not None:
        query = query.where(LedgerEntry.branch.in_(list(branch_ids)))
    out: dict[tuple[int, int], int] = defaultdict(int)
    for branch_id, fund_id, kind, reversed_kind, total in query.group_by(
        LedgerEntry.branch, LedgerEntry.fund, LedgerEntry.kind, original.kind
    ).tuples():
        out[(branch_id, fund_id)] += _delta(kind, reversed_kind, int(total))
    return dict(out)


def _entry_query():
    original = LedgerEntry.alias()
    reversal = LedgerEntry.alias()
    return (
        LedgerEntry.select(
            LedgerEntry.id, LedgerEntry.branch, LedgerEntry.fund, Fund.name, LedgerEntry.year,
            LedgerEntry.voucher_no, LedgerEntry.entry_date, LedgerEntry.kind, LedgerEntry.subject,
            LedgerEntry.summary, LedgerEntry.amount_fen, LedgerEntry.handler, LedgerEntry.approver,
            LedgerEntry.second_approver, LedgerEntry.reverses, original.voucher_no, original.kind,
            reversal.voucher_no, LedgerEntry.created_at, LedgerEntry.created_by,
        )
        .join(Fund, on=(LedgerEntry.fund == Fund.id))
        .switch(LedgerEntry)
        .join(original, pw.JOIN.LEFT_OUTER, on=(LedgerEntry.reverses == original.id))
        .switch(LedgerEntry)
        .join(reversal, pw.JOIN.LEFT_OUTER, on=(reversal.reverses == LedgerEntry.id))
    )


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _rows(tuples: Iterable[tuple], opening: int) -> list[LedgerRow]:
    out: list[LedgerRow] = []
    running = opening
    for (eid, branch_id, fund_id, fund_name, year, voucher, day, kind, subject, summary, amount, handler,
         approver, second, reverses, rev_voucher, rev_kind, reversed_by, created_at, created_by) in tuples:
        income, expense = _signed(kind, rev_kind, amount)
        running += income - expense
        out.append(LedgerRow(
            eid, branch_id, fund_id, fund_name, year, voucher, _as_date(day), kind, subject, summary, amount,
            handler, approver, second, reverses, rev_voucher, rev_kind, reversed_by, income, expense, running,
            created_at, created_by,
        ))
    return out


def _quarters(rows: Sequence[LedgerRow], opening: int) -> list[QuarterTotal]:
    out = []
    closing = opening
    for q in (1, 2, 3, 4):
        in_q = [r for r in rows if quarter_of(r.entry_date) == q]
        allocated = sum(r.income_fen for r in in_q)
        spent = sum(r.expense_fen for r in in_q)
        closing += allocated - spent
        out.append(QuarterTotal(q, allocated, spent, closing))
    return out


def ledger(branch: int | str, year: int, fund: int | str | None = None) -> LedgerView:
    """One branch's ledger for `year`: entries in (date, voucher) order with the running
    balance, the opening balance carried over, and totals per quarter. `fund` None: every
    fund together (the balance is then the sum of the funds' balances)."""
    b = _branch(branch)
    fund_row = _fund(fund) if fund is not None else None
    query = _entry_query().where(LedgerEntry.branch == b.id, LedgerEntry.year == year)
    if fund_row is not None:
        query = query.where(LedgerEntry.fund == fund_row.id)
    query = query.order_by(LedgerEntry.entry_date, LedgerEntry.voucher_no)
    openings = _opening_by_fund([b.id], year)
    opening = sum(v for (_, fid), v in openings.items() if fund_row is None or fid == fund_row.id)
    rows = _rows(query.tuples(), opening)
    return LedgerView(
        branch_id=b.id, branch_name=b.name, branch_category=b.category, year=year,
        fund_id=fund_row.id if fund_row else None, fund_name=fund_row.name if fund_row else "全部经费",
        opening_fen=opening, rows=rows, quarters=_quarters(rows, opening),
    )


def balance(branch: int | str, year: int, fund: int | str | None = None, *, as_of: dt.date | None = None) -> int:
    """The balance of a branch in `year` (one fund, or all), at the end of `as_of` if given."""
    view = ledger(branch, year, fund)
    if as_of is None:
        return view.closing_fen
    value = view.opening_fen
    for row in view.rows:
        if row.entry_date <= as_of:
            value = row.balance_fen
    return value


def quarter_totals(branch: int | str, year: int, fund: int | str | None = None) -> list[QuarterTotal]:
    return ledger(branch, year, fund).quarters


def entry(entry_id: int) -> LedgerRow:
    """One entry, with its running balance within its fund."""
    row = LedgerEntry.get_or_none(LedgerEntry.id == entry_id)
    if row is None:
        raise NotFoundError("找不到这张凭证。请刷新后重试。")
    view = ledger(row.branch_id, row.year, row.fund_id)
    return next(r for r in view.rows if r.id == entry_id)


def reversible_entries(branch: int | str, year: int) -> list[LedgerRow]:
    """Entries that may still be reversed: allocations and expenses not reversed yet."""
    return [r for r in ledger(branch, year).rows if r.kind != REVERSAL and not r.is_reversed]
