"""This year's ledgers: allocations to every estate branch and the expenses against them."""

from __future__ import annotations

import datetime as dt

from models import Fund, LedgerEntry
from wanghu_desk.demo._base import _BuilderBase
from wanghu_desk.demo._common import BranchPlan
from wanghu_desk.demo.data import (
    ESTATE_ALLOCATION_FEN,
    EXPENSE_TEMPLATES,
    PARTY_FUND,
    SEASONAL,
    SECOND_APPROVER_FEN,
    SPECIAL_FUND,
    SUBJECT_WEIGHTS,
)


class _Ledgers(_BuilderBase):
    """Builder part: this year's ledgers."""

    def ledger_entry(self, own: list[dict], branch_id: int, fund: dict, day: dt.date, kind: str,
                     subject: str, summary: str, amount: int, handler: str, approver: str,
                     second_approver: str | None = None) -> dict:
        row = {
            "id": None, "branch": branch_id, "fund": fund["id"], "year": day.year, "voucher_no": None,
            "entry_date": day, "kind": kind, "subject": subject, "summary": summary,
            "amount_fen": amount, "handler": handler, "approver": approver,
            "second_approver": second_approver, "reverses": None,
            "created_at": self.stamp(day, 10), "created_by": "admin", "_order": len(own),
        }
        own.append(row)
        return row

    def expenses(self, own: list[dict], plan: BranchPlan, fund: dict, budget: int, first_day: dt.date,
                 second: str) -> int:
        """Expenses of one branch from one fund, dated after `first_day`, within `budget`."""
        rng, today = self.rng, self.today
        sec = plan.secretary["name"]
        others = [m["name"] for m in plan.members if m["status"] == "active" and m["name"] != sec] or [sec]
        subjects = list(SUBJECT_WEIGHTS)
        weights = list(SUBJECT_WEIGHTS.values())
        spent = 0
        for _ in range(40):
            if budget - spent < 5_000:
                break
            day = self.day_between(first_day + dt.timedelta(days=3), today)
            subject = rng.choices(subjects, weights)[0]
            fitting = [t for t in EXPENSE_TEMPLATES[subject] if day.month in SEASONAL.get(t[0], (day.month,))]
            summary, low, high = rng.choice(fitting)
            amount = rng.randint(low // 100, high // 100) * 100 + rng.choice((0, 0, 0, 50))
            if spent + amount > budget:
                continue
            spent += amount
            self.ledger_entry(own, plan.id, fund, day, "expense", subject, summary, amount,
                              rng.choice(others), sec, second if amount >= SECOND_APPROVER_FEN else None)
        return spent

    def build_ledger(self) -> None:
        rng, today = self.rng, self.today
        year = today.year
        special = self.add(Fund, {"name": SPECIAL_FUND, "carries_over": False, "minimum_fen": ESTATE_ALLOCATION_FEN})
        party = self.add(Fund, {"name": PARTY_FUND, "carries_over": False, "minimum_fen": 0})
        office_clerk = self.han_name("女", 1990)
        top_secretary = self.top["secretary"]
        alloc_day = min(dt.date(year, 1, rng.randint(8, 20)), today)
        party_day = self.finalized_on + dt.timedelta(days=rng.randint(10, 30))
        party_amount = {5: 500_000, 4: 300_000, 3: 200_000, 2: 100_000, 1: 50_000}
        elapsed = (today - dt.date(year, 1, 1)).days / 365
        committee_secretary = {c["id"]: c["secretary"] for c in self.committees}
        entries: list[dict] = []
        reversal_done = False

        for p in self.branches:
            own: list[dict] = []
            sec = p.secretary["name"]
            second = committee_secretary.get(p.organization_id, top_secretary)
            stars = self.stars.get(p.id, 0)
            if p.category == "estate":
                self.ledger_entry(own, p.id, special, alloc_day, "allocation", "service",
                                  f"{year}年小区党组织服务群众专项经费拨付", ESTATE_ALLOCATION_FEN,
                                  office_clerk, top_secretary)
                if (today - alloc_day).days > 5:
                    share = min(0.95, elapsed * rng.uniform(0.55, 1.05))
                    budget = int(ESTATE_ALLOCATION_FEN * share)
                    spent = self.expenses(own, p, special, budget, alloc_day, second)
                    # One entry keyed in twice, corrected by a reversal (as an accountant would).
                    done = [e for e in own if e["kind"] == "expense"]
                    if not reversal_done and done:
                        original = max(done, key=lambda e: (e["entry_date"], e["_order"]))
                        if (spent + original["amount_fen"] <= ESTATE_ALLOCATION_FEN
                                and original["entry_date"] + dt.timedelta(days=3) <= today):
                            dup = self.ledger_entry(
                                own, p.id, special, original["entry_date"], "expense", original["subject"],
                                original["summary"], original["amount_fen"], original["handler"],
                                original["approver"], original["second_approver"])
                            fix_day = original["entry_date"] + dt.timedelta(days=rng.randint(1, 3))
                            rev = self.ledger_entry(own, p.id, special, fix_day, "reversal", original["subject"],
                                                    "冲销重复录入的凭证", original["amount_fen"],
                                                    original["handler"], sec)
                            rev["_reverses"] = dup
                            reversal_done = True
            if stars >= 1 and party_day <= today:
                amount = party_amount[stars]
                self.ledger_entry(own, p.id, party, party_day, "allocation", "activity",
                                  f"{year - 1}年度{stars}星级党支部党建工作经费", amount, office_clerk,
                                  top_secretary)
                if (today - party_day).days > 5:
                    self.expenses(own, p, party, int(amount * rng.uniform(0.3, 0.9)), party_day, second)
            own.sort(key=lambda e: (e["entry_date"], e["kind"] != "allocation", e["_order"]))
            for n, row in enumerate(own, start=1):
                row["voucher_no"] = n
            entries.extend(own)

        entries.sort(key=lambda e: (e["entry_date"], e["branch"], e["voucher_no"]))
        for row in entries:
            row["id"] = self.new_id(LedgerEntry)
        for row in entries:
            dup = row.pop("_reverses", None)
            if dup is not None:
                row["reverses"] = dup["id"]
                row["summary"] = f"冲销第{dup['voucher_no']}号凭证（重复录入）"
            row.pop("_order")
            self.rows.setdefault(LedgerEntry, []).append(row)
