"""Bulk allocation: the same amount to every estate branch, or an amount per star
level of a finalized rating, previewed first and then written all or nothing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping

import peewee as pw

from models import Branch, Fund, LedgerEntry, Rating, RatingRound
from wanghu_desk import vocab
from wanghu_desk.errors import ValidationError
from wanghu_desk.money import format_fen
from wanghu_desk.services.base import writing
from wanghu_desk.services.ledger.choices import _community_names, finalized_rating_years
from wanghu_desk.services.ledger.entries import _insert
from wanghu_desk.services.ledger.funds import _fund, _fund_info, fund_choices
from wanghu_desk.services.ledger.reading import entry
from wanghu_desk.services.ledger.results import BulkLine, BulkPlan, FundInfo, LedgerRow
from wanghu_desk.services.ledger.rules import ALLOCATION, _amount, _date, _person, _signed, _summary, check_subject
from wanghu_desk.validation import clean_text

# ---------------------------------------------------------------- bulk allocation


def _allocated_this_year(fund_id: int, year: int) -> dict[int, int]:
    original = LedgerEntry.alias()
    rows = (LedgerEntry.select(LedgerEntry.branch, LedgerEntry.kind, original.kind, pw.fn.SUM(LedgerEntry.amount_fen))
            .join(original, pw.JOIN.LEFT_OUTER, on=(LedgerEntry.reverses == original.id))
            .where(LedgerEntry.fund == fund_id, LedgerEntry.year == year)
            .group_by(LedgerEntry.branch, LedgerEntry.kind, original.kind).tuples())
    out: dict[int, int] = defaultdict(int)
    for branch_id, kind, reversed_kind, total in rows:
        out[branch_id] += _signed(kind, reversed_kind, int(total))[0]
    return dict(out)


def _bulk_common(year: int, fund: int | str | None, entry_date: dt.date | str | None, subject: str,
                 handler: str, approver: str, today: dt.date) -> tuple[FundInfo, dt.date, str, str, str]:
    day = _date(entry_date or min(today, dt.date(year, 12, 31)), today)
    if day.year != year:
        raise ValidationError(f"拨付日期应在 {year} 年内。", field="entry_date")
    code = check_subject(subject)
    who = _person(handler, "经办人", "handler")
    boss = _person(approver, "审批人", "approver")
    info = fund_choices()[0] if fund is None and not Fund.select().exists() else _fund_info(_fund(fund))
    return info, day, code, who, boss  # type: ignore[return-value]


def _line(branch_id: int, name: str, community: str, stars: int | None, target: int, already: int,
          top_up: bool, summary: str, active: bool = True, vetoed: bool = False) -> BulkLine:
    if not active:
        return BulkLine(branch_id, name, community, stars, target, already, 0, summary, "支部已撤销，不拨付")
    if vetoed and target <= 0:
        return BulkLine(branch_id, name, community, stars, target, already, 0, summary, "一票否决，不拨付")
    if target <= 0:
        return BulkLine(branch_id, name, community, stars, target, already, 0, summary, "该星级不拨付")
    if top_up:
        amount = max(0, target - already)
        if amount == 0:
            note = f"已拨付 {format_fen(already)}，不再拨付"
        elif already:
            note = f"已拨付 {format_fen(already)}，补足差额"
        else:
            note = ""
    else:
        amount = target
        note = f"已拨付 {format_fen(already)}，本次再拨付" if already else ""
    return BulkLine(branch_id, name, community, stars, target, already, amount, summary, note)


def preview_flat_allocation(
    year: int,
    amount_fen: int,
    *,
    handler: str,
    approver: str,
    fund: int | str | None = None,
    entry_date: dt.date | str | None = None,
    summary: str | None = None,
    subject: str = "service",
    top_up: bool = True,
    today: dt.date | None = None,
) -> BulkPlan:
    """The same amount to every active estate branch (e.g. ¥10,000 a year). With `top_up`,
    a branch that already has allocations this year from this fund gets only what it
    lacks (nothing when it has the amount already). Nothing is written."""
    today = today or dt.date.today()
    amount = _amount(amount_fen)
    info, day, code, who, boss = _bulk_common(year, fund, entry_date, subject, handler, approver, today)
    text = _summary(summary) if summary is not None and clean_text(summary) else f"{year}年{info.name}拨付"
    already = _allocated_this_year(info.id, year) if info.id else {}
    communities = _community_names()
    lines = [
        _line(b.id, b.name, communities.get(b.community_id, ""), None, amount, already.get(b.id, 0), top_up, text)
        for b in Branch.select().where(Branch.category == "estate", Branch.status == "active")
        .order_by(Branch.sort_order, Branch.id)
    ]
    params = (("kind", "flat"), ("year", year), ("amount_fen", amount), ("handler", who), ("approver", boss),
              ("fund", info.id if info.id else None), ("entry_date", day), ("summary", summary),
              ("subject", code), ("top_up", top_up))
    return BulkPlan("flat", year, info.id, info.name, day, code, who, boss, top_up, None, tuple(lines), params)


def preview_star_allocation(
    year: int,
    amounts_by_star: Mapping[int, int],
    *,
    handler: str,
    approver: str,
    rating_year: int | None = None,
    fund: int | str | None = None,
    entry_date: dt.date | str | None = None,
    subject: str = "activity",
    top_up: bool = True,
    today: dt.date | None = None,
) -> BulkPlan:
    """An amount per star level (e.g. ★5 ¥5,000 … ★1 ¥500) to every active branch rated in
    the finalized rating of `rating_year` (default: the latest finalized year up to
    `year`). The stars are those fixed at finalization. Nothing is written."""
    today = today or dt.date.today()
    amounts = {}
    for star, value in amounts_by_star.items():
        star = int(star)
        if star not in range(6):
            raise ValidationError(f"星级应为 0–5 星，不是 {star}。", field="stars")
        amounts[star] = 0 if not value else _amount(value)
    if not any(amounts.values()):
        raise ValidationError("请至少给一个星级填写拨付金额。", field="amount")
    if rating_year is None:
        years = [y for y in finalized_rating_years() if y <= year]
        if not years:
            raise ValidationError(f"{year} 年及以前还没有审定（定级）的星级评定，不能按星级拨付。", field="rating_year")
        rating_year = years[-1]
    rnd = RatingRound.get_or_none(RatingRound.year == rating_year)
    if rnd is None:
        raise ValidationError(f"没有 {rating_year} 年度的星级评定。", field="rating_year")
    if rnd.status != "finalized":
        raise ValidationError(
            f"{rating_year} 年度星级评定尚未审定（{vocab.label(vocab.RATING_ROUND_STATUSES, rnd.status)}），"
            "审定后才能按星级拨付。",
            field="rating_year",
        )
    info, day, code, who, boss = _bulk_common(year, fund, entry_date, subject, handler, approver, today)
    already = _allocated_this_year(info.id, year) if info.id else {}
    communities = _community_names()
    query = (Rating.select(Rating.branch, Rating.stars, Branch.name, Branch.community, Branch.status, Rating.vetoed)
             .join(Branch, on=(Rating.branch == Branch.id))
             .where(Rating.round == rnd.id)
             .order_by(Rating.stars.desc(), Branch.sort_order, Branch.id))
    lines = []
    for branch_id, stars, name, community_id, status, vetoed in query.tuples():
        stars = int(stars or 0)
        text = f"{rating_year}年度{stars}星级党支部{info.name}"
        lines.append(_line(branch_id, name, communities.get(community_id, ""), stars, amounts.get(stars, 0),
                           already.get(branch_id, 0), top_up, text, active=(status == "active"),
                           vetoed=bool(vetoed)))
    params = (("kind", "stars"), ("year", year), ("amounts_by_star", tuple(sorted(amounts.items()))),
              ("handler", who), ("approver", boss), ("rating_year", rating_year),
              ("fund", info.id if info.id else None), ("entry_date", day), ("subject", code), ("top_up", top_up))
    return BulkPlan("stars", year, info.id, info.name, day, code, who, boss, top_up, rating_year, tuple(lines), params)


def _replan(plan: BulkPlan, today: dt.date) -> BulkPlan:
    p = dict(plan.params)
    kind = p.pop("kind")
    if kind == "flat":
        return preview_flat_allocation(p.pop("year"), p.pop("amount_fen"), today=today, **p)
    amounts = dict(p.pop("amounts_by_star"))
    return preview_star_allocation(p.pop("year"), amounts, today=today, **p)


def commit_bulk_allocation(plan: BulkPlan, *, today: dt.date | None = None) -> list[LedgerRow]:
    """Write a previewed plan, all or nothing. The plan is worked out again inside the
    transaction; if anything changed since the preview, nothing is written."""
    today = today or dt.date.today()
    if not plan.to_write:
        raise ValidationError("没有需要拨付的支部。", field="amount")
    ids: list[int] = []
    with writing("ledger.bulk_allocation") as tx:
        fresh = _replan(plan, today)
        if [(line.branch_id, line.amount_fen) for line in fresh.to_write] != [
            (line.branch_id, line.amount_fen) for line in plan.to_write
        ]:
            raise ValidationError("预览之后台账有了变化，请重新预览后再确认拨付。")
        f = _fund(plan.fund_id, create=True)
        for line in plan.to_write:
            b = Branch.get_by_id(line.branch_id)
            row = _insert(tx, branch=b, fund=f, year=plan.year, entry_date=plan.entry_date, kind=ALLOCATION,
                          subject=plan.subject, summary=line.summary, amount_fen=line.amount_fen,
                          handler=plan.handler, approver=plan.approver, second_approver=None)
            ids.append(row.id)
        tx.audit("ledger_entry", None, "bulk_allocation",
                 after={"year": plan.year, "fund": f.name, "mode": plan.mode, "branches": len(ids),
                        "total_fen": plan.total_fen},
                 note=f"批量拨付 {len(ids)} 个支部，共 {format_fen(plan.total_fen)}")
    return [entry(i) for i in ids]
