"""Property test of the ledger (hypothesis): for any sequence of operations — allocations,
expenses and reversals on random dates of the year — the service accepts exactly the
valid ones, the balance equals allocations − expenses ± reversals, no running balance is
ever below zero, and the voucher numbers are 1…n without a gap.

Each example runs in a transaction that is rolled back, so one database serves them all.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_helpers import TODAY, make_branches

from models import db
from wanghu_desk.errors import ValidationError
from wanghu_desk.services import ledger

START = dt.date(2026, 1, 1)

amount = st.integers(min_value=1, max_value=300_000)
day = st.integers(min_value=0, max_value=(TODAY - START).days)
operation = st.one_of(
    st.tuples(st.just("allocation"), amount, day),
    st.tuples(st.just("expense"), amount, day),
    st.tuples(st.just("reversal"), st.integers(min_value=0, max_value=1000), day),
)


@pytest.fixture
def branch_id(fresh_db):
    return make_branches()["甲小区党支部"]


class Model:
    """The rules, written as simply as possible: entries in (date, sequence) order."""

    def __init__(self):
        self.entries: list[dict] = []

    def valid_with(self, entry: dict) -> bool:
        running = 0
        for e in sorted([*self.entries, entry], key=lambda e: (e["day"], e["seq"])):
            running += e["delta"]
            if running < 0:
                return False
        return True

    @property
    def balance(self) -> int:
        return sum(e["delta"] for e in self.entries)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, min_size=1, max_size=25))
def test_any_sequence_of_operations_keeps_the_books_straight(branch_id, ops):
    model = Model()
    with db.atomic() as txn:
        for seq, (kind, value, offset) in enumerate(ops):
            when = START + dt.timedelta(days=offset)
            if kind == "reversal":
                if not model.entries:
                    continue
                original = model.entries[value % len(model.entries)]
                expected = {"day": when, "seq": seq, "delta": -original["delta"]}
                ok = (original["kind"] != "reversal" and not original["reversed"]
                      and when >= original["day"] and model.valid_with(expected))
                try:
                    row = ledger.record_reversal(original["id"], entry_date=when, reason="更正", handler="甲",
                                                 approver="乙", today=TODAY)
                except ValidationError:
                    assert not ok
                    continue
                assert ok
                original["reversed"] = True
                model.entries.append({**expected, "id": row.id, "kind": "reversal", "reversed": False})
                continue
            delta = value if kind == "allocation" else -value
            expected = {"day": when, "seq": seq, "delta": delta}
            ok = model.valid_with(expected)
            try:
                if kind == "allocation":
                    row = ledger.record_allocation(branch_id, value, entry_date=when, summary="拨付", handler="甲",
                                                   approver="乙", today=TODAY)
                else:
                    row = ledger.record_expense(branch_id, value, entry_date=when, subject="活动经费", summary="支出",
                                                handler="甲", approver="乙", second_approver="丙", today=TODAY)
            except ValidationError:
                assert not ok
                continue
            assert ok
            model.entries.append({**expected, "id": row.id, "kind": kind, "reversed": False})

        view = ledger.ledger(branch_id, 2026)
        allocations = sum(r.amount_fen for r in view.rows if r.kind == "allocation")
        expenses = sum(r.amount_fen for r in view.rows if r.kind == "expense")
        reversals = sum(r.amount_fen * (1 if r.reversed_kind == "expense" else -1)
                        for r in view.rows if r.kind == "reversal")
        assert view.closing_fen == allocations - expenses + reversals == model.balance
        assert all(r.balance_fen >= 0 for r in view.rows)
        assert sorted(r.voucher_no for r in view.rows) == list(range(1, len(model.entries) + 1))
        if view.rows:
            assert ledger.balance(branch_id, 2026) == view.rows[-1].balance_fen
        txn.rollback()
