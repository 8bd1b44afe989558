"""Writing single entries through the forms' rules: 拨付, 支出 and 冲销, each in
`writing()` with its audit event, voucher numbers ``MAX + 1`` inside the same
transaction, no overdrawn balance at any point in date order; and the refusals of
`update_entry` / `delete_entry` (entries are immutable)."""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

import peewee as pw

from models import Branch, Fund, LedgerEntry
from wanghu_desk.errors import NotFoundError, ValidationError
from wanghu_desk.money import format_fen
from wanghu_desk.services.base import current_actor, snapshot, writing
from wanghu_desk.services.ledger.choices import _branch
from wanghu_desk.services.ledger.funds import _default_fund, _fund
from wanghu_desk.services.ledger.reading import _as_date, _opening_by_fund, entry
from wanghu_desk.services.ledger.results import LedgerRow
from wanghu_desk.services.ledger.rules import (
    ALLOCATION,
    EXPENSE,
    REVERSAL,
    SUMMARY_MAX,
    ImmutableEntryError,
    _amount,
    _date,
    _delta,
    _person,
    _summary,
    check_subject,
    second_approver_threshold,
)
from wanghu_desk.validation import clean_text

# ---------------------------------------------------------------- immutability


def update_entry(entry_id: int, **changes: Any) -> NoReturn:
    """Always refused: saved entries are immutable (SPEC §5)."""
    raise ImmutableEntryError()


def delete_entry(entry_id: int) -> NoReturn:
    """Always refused: saved entries are immutable (SPEC §5)."""
    raise ImmutableEntryError()


# ---------------------------------------------------------------- writing entries


def _lowest_balance(branch_id: int, fund: Fund, year: int, day: dt.date, delta: int) -> int:
    """The lowest balance of the fund from `day` on if an entry of `delta` were added on
    `day` (after the entries already on that day: it takes the next voucher number)."""
    opening = _opening_by_fund([branch_id], year).get((branch_id, fund.id), 0)
    original = LedgerEntry.alias()
    query = (LedgerEntry.select(LedgerEntry.year, LedgerEntry.entry_date, LedgerEntry.voucher_no,
                                LedgerEntry.kind, original.kind, LedgerEntry.amount_fen)
             .join(original, pw.JOIN.LEFT_OUTER, on=(LedgerEntry.reverses == original.id))
             .where(LedgerEntry.branch == branch_id, LedgerEntry.fund == fund.id))
    query = query.where(LedgerEntry.year >= year) if fund.carries_over else query.where(LedgerEntry.year == year)
    facts = sorted(((y, _as_date(d), v, _delta(k, rk, a)) for y, d, v, k, rk, a in query.tuples()),
                   key=lambda t: (t[0], t[1], t[2]))
    running = opening
    lowest: int | None = None
    inserted = False
    for y, d, _v, change in facts:
        if not inserted and (y, d) > (year, day):
            running += delta
            inserted = True
            lowest = running
        running += change
        if inserted:
            lowest = min(lowest, running)  # type: ignore[type-var]
    if not inserted:
        running += delta
        lowest = running if lowest is None else min(lowest, running)
    return lowest  # type: ignore[return-value]


def _check_not_overdrawn(branch: Branch, fund: Fund, year: int, day: dt.date, delta: int, what: str) -> None:
    if delta >= 0:
        return
    lowest = _lowest_balance(branch.id, fund, year, day, delta)
    if lowest >= 0:
        return
    raise _overdrawn(fund.name, day, delta, lowest, what)


def _overdrawn(fund_name: str, day: dt.date, delta: int, lowest: int, what: str) -> ValidationError:
    """The refusal of an entry of `delta` on `day` that would take the fund's balance to
    `lowest` (< 0) at some point; `what` is the entry's kind (an expense, or a reversal)."""
    available = lowest - delta
    if what == EXPENSE:
        return ValidationError(
            f"余额不足：这笔支出 {format_fen(-delta)}，「{fund_name}」截至 {day.isoformat()} 可用余额只有 "
            f"{format_fen(max(available, 0))}。支出不能使余额为负数。",
            field="amount",
        )
    return ValidationError(
        f"冲销这笔拨付后，「{fund_name}」的余额将为负数（差 {format_fen(-lowest)}）。"
        "请先冲销用这笔经费支付的支出，再冲销拨付。",
        field="amount",
    )


def _next_voucher_no(branch_id: int, year: int) -> int:
    current = (LedgerEntry.select(pw.fn.MAX(LedgerEntry.voucher_no))
               .where(LedgerEntry.branch == branch_id, LedgerEntry.year == year).scalar())
    return int(current or 0) + 1


def _insert(tx, **values: Any) -> LedgerEntry:
    """Insert one entry with the next voucher number of its branch and year. Must run
    inside `writing()`: the number is read and used in one BEGIN IMMEDIATE transaction."""
    values["voucher_no"] = _next_voucher_no(values["branch"].id, values["year"])
    values.setdefault("created_by", current_actor().username)
    row = LedgerEntry.create(**values)
    tx.audit("ledger_entry", row.id, "create", after=snapshot(row),
             note=f"{values['branch'].name} {values['year']}年第{values['voucher_no']}号凭证")
    return row


def _record(kind: str, branch: int | str, amount_fen: int, *, entry_date: dt.date | str, summary: str,
            handler: str, approver: str, second_approver: str | None, subject: str, fund: int | str | None,
            today: dt.date | None) -> LedgerRow:
    today = today or dt.date.today()
    amount = _amount(amount_fen)
    day = _date(entry_date, today)
    code = check_subject(subject)
    text = _summary(summary)
    who = _person(handler, "经办人", "handler")
    boss = _person(approver, "审批人", "approver")
    second = _person(second_approver, "第二审批人", "second_approver", required=False)
    if kind == EXPENSE:
        threshold = second_approver_threshold()
        if threshold and amount >= threshold and second is None:
            raise ValidationError(
                f"支出金额达到 {format_fen(threshold)}（含）须两人审批，请填写第二审批人。", field="second_approver"
            )
    if second is not None and second == boss:
        raise ValidationError("第二审批人不能与审批人是同一人。", field="second_approver")
    with writing(f"ledger.{kind}") as tx:
        b = _branch(branch)
        if b.status != "active":
            raise ValidationError(f"党支部「{b.name}」已撤销，不能再记拨付或支出。", field="branch")
        if fund is None and kind == EXPENSE and _default_fund() is None:
            raise ValidationError("余额不足：还没有拨付过任何经费，不能记支出。请先录入拨付。", field="amount")
        f = _fund(fund, create=(kind == ALLOCATION))
        delta = amount if kind == ALLOCATION else -amount
        _check_not_overdrawn(b, f, day.year, day, delta, kind)
        row = _insert(tx, branch=b, fund=f, year=day.year, entry_date=day, kind=kind, subject=code, summary=text,
                      amount_fen=amount, handler=who, approver=boss, second_approver=second)
    return entry(row.id)


def record_allocation(
    branch: int | str,
    amount_fen: int,
    *,
    entry_date: dt.date | str,
    summary: str,
    handler: str,
    approver: str,
    fund: int | str | None = None,
    subject: str = "service",
    second_approver: str | None = None,
    today: dt.date | None = None,
) -> LedgerRow:
    """拨付: money received by the branch. `fund` None: the default fund (created with the
    first allocation when there is none). Returns the saved entry."""
    return _record(ALLOCATION, branch, amount_fen, entry_date=entry_date, summary=summary, handler=handler,
                   approver=approver, second_approver=second_approver, subject=subject, fund=fund, today=today)


def record_expense(
    branch: int | str,
    amount_fen: int,
    *,
    entry_date: dt.date | str,
    subject: str,
    summary: str,
    handler: str,
    approver: str,
    second_approver: str | None = None,
    fund: int | str | None = None,
    today: dt.date | None = None,
) -> LedgerRow:
    """支出: refused when it would overdraw the fund, when its subject is forbidden, and at
    or above the threshold without a second approver."""
    return _record(EXPENSE, branch, amount_fen, entry_date=entry_date, summary=summary, handler=handler,
                   approver=approver, second_approver=second_approver, subject=subject, fund=fund, today=today)


def reversal_summary(voucher_no: int, reason: str) -> str:
    return f"冲销第{voucher_no}号凭证：{reason}"


def record_reversal(
    original_id: int,
    *,
    entry_date: dt.date | str,
    reason: str,
    handler: str,
    approver: str,
    today: dt.date | None = None,
) -> LedgerRow:
    """冲销: cancels entry `original_id` in full, with a new voucher in the same year.
    An entry can be reversed once; a reversal cannot be reversed; reversing an allocation
    is refused when the money has already been spent (the balance would go negative)."""
    today = today or dt.date.today()
    day = _date(entry_date, today)
    why = clean_text(reason)
    if why is None:
        raise ValidationError("请填写冲销原因（如：重复录入、金额录错）。", field="summary")
    who = _person(handler, "经办人", "handler")
    boss = _person(approver, "审批人", "approver")
    with writing("ledger.reversal") as tx:
        original = LedgerEntry.get_or_none(LedgerEntry.id == original_id)
        if original is None:
            raise NotFoundError("找不到要冲销的凭证。请刷新后重试。")
        if original.kind == REVERSAL:
            raise ValidationError("冲销凭证不能再冲销。如果冲销错了，请重新录入一笔正确的凭证。", field="reverses")
        done = LedgerEntry.get_or_none(LedgerEntry.reverses == original.id)
        if done is not None:
            raise ValidationError(
                f"第{original.voucher_no}号凭证已在 {_as_date(done.entry_date).isoformat()} 由第{done.voucher_no}号凭证冲销，"
                "不能重复冲销。",
                field="reverses",
            )
        original_day = _as_date(original.entry_date)
        if day.year != original.year:
            raise ValidationError(
                f"冲销凭证应与原凭证在同一年度（{original.year}年）。请把日期改在 {original.year} 年内。", field="entry_date"
            )
        if day < original_day:
            raise ValidationError(
                f"冲销日期不能早于原凭证的日期（{original_day.isoformat()}）。", field="entry_date"
            )
        b = Branch.get_by_id(original.branch_id)
        f = Fund.get_by_id(original.fund_id)
        delta = -_delta(original.kind, None, original.amount_fen)
        _check_not_overdrawn(b, f, original.year, day, delta, REVERSAL)
        summary = reversal_summary(original.voucher_no, why)
        if len(summary) > SUMMARY_MAX:
            raise ValidationError(f"冲销原因太长了，请控制在 {SUMMARY_MAX - 12} 字以内。", field="summary")
        row = _insert(tx, branch=b, fund=f, year=original.year, entry_date=day, kind=REVERSAL,
                      subject=original.subject, summary=summary, amount_fen=original.amount_fen,
                      handler=who, approver=boss, second_approver=None, reverses=original.id)
    return entry(row.id)
