"""Small fixtures' helpers shared by the ledger tests: a few branches in an empty
database, a finalized rating, and short calls of the ledger service."""

from __future__ import annotations

import datetime as dt
import json

from models import Branch, Community, Rating, RatingRound, RatingScheme, db
from wanghu_desk.services import ledger

TODAY = dt.date(2026, 11, 22)


def make_branches() -> dict[str, int]:
    """Three estate branches, one functional branch and one dissolved estate branch."""
    with db.atomic():
        community = Community.create(name="望湖社区")
        ids = {}
        for n, (name, category, status) in enumerate([
            ("甲小区党支部", "estate", "active"),
            ("乙小区党支部", "estate", "active"),
            ("丙小区党支部", "estate", "active"),
            ("功能型党支部", "functional", "active"),
            ("旧小区党支部", "estate", "dissolved"),
        ]):
            b = Branch.create(name=name, category=category, community=community, status=status, sort_order=n)
            ids[name] = b.id
    return ids


def make_rating(year: int, stars: dict[int, int], status: str = "finalized") -> None:
    with db.atomic():
        scheme = RatingScheme.create(name=f"{year}年度标准", thresholds_json=json.dumps({"5": 9000}))
        rnd = RatingRound.create(year=year, scheme=scheme, status=status)
        for branch_id, n in stars.items():
            Rating.create(round=rnd, branch=branch_id, stars=n, total_cp=5000 + n * 800)


def allocate(branch, amount, day=dt.date(2026, 1, 10), **kw):
    kw.setdefault("summary", "拨付专项经费")
    kw.setdefault("handler", "王会计")
    kw.setdefault("approver", "李书记")
    return ledger.record_allocation(branch, amount, entry_date=day, today=TODAY, **kw)


def spend(branch, amount, day=dt.date(2026, 3, 1), **kw):
    kw.setdefault("subject", "活动经费")
    kw.setdefault("summary", "主题党日活动资料")
    kw.setdefault("handler", "张三")
    kw.setdefault("approver", "李书记")
    if amount >= 200_000:
        kw.setdefault("second_approver", "赵主任")
    return ledger.record_expense(branch, amount, entry_date=day, today=TODAY, **kw)


def reverse(entry_id, day=dt.date(2026, 6, 1), **kw):
    kw.setdefault("reason", "重复录入")
    kw.setdefault("handler", "王会计")
    kw.setdefault("approver", "李书记")
    return ledger.record_reversal(entry_id, entry_date=day, today=TODAY, **kw)
