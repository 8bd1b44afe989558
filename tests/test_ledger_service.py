"""`wanghu_desk.services.ledger`: the rules an auditor checks — immutability, reversal
math, no overdraw, gapless voucher numbers, the second approver, forbidden subjects,
carry-over, bulk allocation (flat and by star level), the compliance view and the
funds summary — on an empty database with a few branches, and on the demo."""

from __future__ import annotations

import datetime as dt
import threading

import peewee as pw
import pytest
from conftest import DEMO_TODAY
from ledger_helpers import TODAY, allocate, make_branches, make_rating, reverse, spend

from models import AuditEvent, Fund, LedgerEntry, Rating, db
from wanghu_desk.errors import NotFoundError, PermissionDenied, ValidationError
from wanghu_desk.services import ledger, settings, stats
from wanghu_desk.services.base import Actor, acting_as, writing


@pytest.fixture
def branches(fresh_db):
    return make_branches()


def vouchers(branch_id, year=2026):
    return [v for (v,) in LedgerEntry.select(LedgerEntry.voucher_no)
            .where(LedgerEntry.branch == branch_id, LedgerEntry.year == year)
            .order_by(LedgerEntry.voucher_no).tuples()]


# ---------------------------------------------------------------- basics


def test_allocation_expense_and_running_balance(branches):
    a = branches["甲小区党支部"]
    first = allocate(a, 1_000_000)
    assert first.voucher_no == 1 and first.balance_fen == 1_000_000
    assert first.fund_name == ledger.DEFAULT_FUND_NAME  # created with the first allocation
    assert Fund.get(Fund.name == ledger.DEFAULT_FUND_NAME).minimum_fen == 1_000_000
    spend(a, 123_456)
    e2 = spend(a, 50, day=dt.date(2026, 4, 2), subject="office", summary="打印纸")
    assert e2.voucher_no == 3 and e2.balance_fen == 1_000_000 - 123_456 - 50
    view = ledger.ledger(a, 2026)
    assert [r.balance_fen for r in view.rows] == [1_000_000, 876_544, 876_494]
    assert (view.allocated_fen, view.spent_fen, view.closing_fen) == (1_000_000, 123_506, 876_494)
    assert [(q.quarter, q.allocated_fen, q.spent_fen, q.closing_fen) for q in view.quarters] == [
        (1, 1_000_000, 123_456, 876_544), (2, 0, 50, 876_494), (3, 0, 0, 876_494), (4, 0, 0, 876_494)]
    assert ledger.balance(a, 2026) == 876_494
    assert ledger.balance(a, 2026, as_of=dt.date(2026, 3, 31)) == 876_544
    assert ledger.balance("甲小区党支部", 2026, ledger.DEFAULT_FUND_NAME) == 876_494
    assert e2.subject == "office" and e2.subject_label == "办公" and e2.kind_label == "支出"


def test_every_write_is_audited_and_viewers_cannot_write(branches):
    a = branches["甲小区党支部"]
    row = allocate(a, 100_000)
    event = AuditEvent.get(AuditEvent.entity == "ledger_entry", AuditEvent.entity_id == row.id)
    assert event.action == "create" and '"amount_fen": 100000' in event.after_json
    with acting_as(Actor("guest", "查看者", "viewer")), pytest.raises(PermissionDenied):
        spend(a, 100)
    assert LedgerEntry.select().count() == 1


def test_dates_and_branches_are_checked(branches):
    a = branches["甲小区党支部"]
    with pytest.raises(ValidationError, match="晚于今天"):
        allocate(a, 100, day=TODAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="已撤销"):
        allocate(branches["旧小区党支部"], 100)
    with pytest.raises(NotFoundError):
        allocate(99_999, 100)
    with pytest.raises(NotFoundError, match="是不是"):
        allocate("甲小区党之部", 100)
    with pytest.raises(ValidationError, match="摘要"):
        allocate(a, 100, summary="  ")
    with pytest.raises(ValidationError, match="审批人"):
        allocate(a, 100, approver="")
    row = allocate(a, "1.5万", day="2026年2月3日")  # text amounts and dates go through the parsers
    assert (row.amount_fen, row.entry_date) == (1_500_000, dt.date(2026, 2, 3))
    assert LedgerEntry.select().count() == 1


# ---------------------------------------------------------------- immutability


def test_saved_entries_cannot_be_updated_or_deleted(branches):
    a = branches["甲小区党支部"]
    row = allocate(a, 1_000_000)
    with pytest.raises(ledger.ImmutableEntryError) as caught:
        ledger.update_entry(row.id, amount_fen=1)
    assert "冲销" in caught.value.message and "不能修改或删除" in caught.value.message
    with pytest.raises(ledger.ImmutableEntryError):
        ledger.delete_entry(row.id)
    # No other way through the service, and the database refuses other writers too.
    assert not [n for n in dir(ledger) if n.startswith(("edit", "change", "remove", "modify"))]
    with pytest.raises(pw.IntegrityError, match="immutable"):
        LedgerEntry.update(amount_fen=1).where(LedgerEntry.id == row.id).execute()
    with pytest.raises(pw.IntegrityError, match="immutable"):
        LedgerEntry.delete().where(LedgerEntry.id == row.id).execute()
    saved = LedgerEntry.get_by_id(row.id)
    saved.summary = "改过"
    with pytest.raises(pw.IntegrityError):
        saved.save()
    assert LedgerEntry.get_by_id(row.id).amount_fen == 1_000_000
    assert LedgerEntry.get_by_id(row.id).summary == "拨付专项经费"


# ---------------------------------------------------------------- reversals


def test_reversal_of_an_expense_gives_the_money_back(branches):
    a = branches["甲小区党支部"]
    allocate(a, 1_000_000)
    e = spend(a, 30_000)
    r = reverse(e.id, reason="金额录错")
    assert r.kind == "reversal" and r.voucher_no == 3 and r.reverses_id == e.id
    assert r.amount_fen == 30_000 and r.summary == "冲销第2号凭证：金额录错"
    assert (r.income_fen, r.expense_fen) == (0, -30_000)
    assert r.balance_fen == 1_000_000
    assert r.subject == e.subject
    view = ledger.ledger(a, 2026)
    assert view.spent_fen == 0 and view.allocated_fen == 1_000_000
    original = next(x for x in view.rows if x.id == e.id)
    assert original.is_reversed and original.reversed_by_voucher_no == 3
    assert stats.ledger_summary()["2026"] == {"allocated_fen": 1_000_000, "spent_fen": 0, "balance_fen": 1_000_000}


def test_reversal_of_an_allocation_takes_the_money_away(branches):
    a = branches["甲小区党支部"]
    first = allocate(a, 1_000_000)
    allocate(a, 500_000, day=dt.date(2026, 2, 1), fund=ledger.DEFAULT_FUND_NAME)
    r = reverse(first.id, day=dt.date(2026, 2, 2))
    assert (r.income_fen, r.expense_fen, r.balance_fen) == (-1_000_000, 0, 500_000)
    assert ledger.ledger(a, 2026).allocated_fen == 500_000


def test_reversal_rules(branches):
    a = branches["甲小区党支部"]
    alloc = allocate(a, 1_000_000)
    e = spend(a, 10_000, day=dt.date(2026, 3, 5))
    with pytest.raises(ValidationError, match="早于原凭证"):
        reverse(e.id, day=dt.date(2026, 3, 4))
    with pytest.raises(ValidationError, match="原因"):
        reverse(e.id, reason=" ")
    r = reverse(e.id)
    with pytest.raises(ValidationError, match="不能重复冲销"):
        reverse(e.id)
    with pytest.raises(ValidationError, match="冲销凭证不能再冲销"):
        reverse(r.id)
    with pytest.raises(NotFoundError):
        reverse(123_456)
    assert [x.id for x in ledger.reversible_entries(a, 2026)] == [alloc.id]
    # A reversal stays in its original's year.
    last_year = allocate(a, 1000, day=dt.date(2025, 12, 30))
    with pytest.raises(ValidationError, match="同一年度"):
        reverse(last_year.id, day=dt.date(2026, 1, 2))
    assert reverse(last_year.id, day=dt.date(2025, 12, 31)).voucher_no == 2  # the 2025 sequence


# ---------------------------------------------------------------- overdraw


def test_an_expense_that_would_overdraw_is_refused(branches):
    a = branches["甲小区党支部"]
    allocate(a, 100_000)
    spend(a, 60_000)
    before = LedgerEntry.select().count()
    with pytest.raises(ValidationError) as caught:
        spend(a, 40_001)
    assert "余额不足" in caught.value.message and "¥400.00" in caught.value.message
    assert caught.value.field == "amount"
    assert LedgerEntry.select().count() == before
    assert spend(a, 40_000).balance_fen == 0  # exactly the balance is fine
    with pytest.raises(ValidationError, match="余额不足"):
        spend(branches["乙小区党支部"], 1)  # no money at all


def test_a_back_dated_expense_may_not_overdraw_an_earlier_day(branches):
    a = branches["甲小区党支部"]
    allocate(a, 100_000, day=dt.date(2026, 1, 10))
    spend(a, 50_000, day=dt.date(2026, 3, 1))
    allocate(a, 100_000, day=dt.date(2026, 6, 1))
    # 150,000 left at the end, but on 1 March only 50,000 would remain after this one.
    with pytest.raises(ValidationError, match="可用余额只有 ¥500.00"):
        spend(a, 80_000, day=dt.date(2026, 2, 1))
    assert spend(a, 50_000, day=dt.date(2026, 2, 1)).balance_fen == 50_000
    assert [r.balance_fen for r in ledger.ledger(a, 2026).rows] == [100_000, 50_000, 0, 100_000]


def test_reversing_a_spent_allocation_is_refused(branches):
    a = branches["甲小区党支部"]
    alloc = allocate(a, 100_000)
    spend(a, 30_000)
    with pytest.raises(ValidationError, match="先冲销用这笔经费支付的支出"):
        reverse(alloc.id)


def test_funds_are_separate_purses(branches):
    a = branches["甲小区党支部"]
    allocate(a, 100_000)  # creates the default fund
    ledger.create_fund("党建工作经费")
    allocate(a, 50_000, fund="党建工作经费", subject="activity")
    with pytest.raises(ValidationError, match="党建工作经费"):
        spend(a, 60_000, fund="党建工作经费")
    spend(a, 60_000)  # from the default fund
    view = ledger.ledger(a, 2026)
    assert view.closing_fen == 90_000 and len(view.funds) == 2
    assert ledger.balance(a, 2026, "党建工作经费") == 50_000
    assert [r.voucher_no for r in view.rows] == [1, 2, 3]  # one sequence across funds


# ---------------------------------------------------------------- voucher numbers


def test_voucher_numbers_have_no_gaps_after_refusals_and_a_rollback(branches):
    a, b = branches["甲小区党支部"], branches["乙小区党支部"]
    allocate(a, 1_000_000)
    with pytest.raises(ValidationError):
        spend(a, 2_000_000)  # refused: takes no number
    with pytest.raises(RuntimeError):
        with writing("test.rollback"):
            spend(a, 100)
            spend(a, 200)
            raise RuntimeError("power cut")
    assert vouchers(a) == [1]
    assert spend(a, 300).voucher_no == 2
    assert allocate(b, 100).voucher_no == 1  # per branch
    assert allocate(a, 100, day=dt.date(2025, 5, 1)).voucher_no == 1  # per year
    assert spend(a, 100).voucher_no == 3


def test_voucher_numbers_stay_gapless_under_many_concurrent_inserts(branches, fresh_db):
    a = branches["甲小区党支部"]
    allocate(a, 9_000_000)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(25):
                spend(a, 100 + n, summary=f"线程{n}第{i}笔")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert vouchers(a) == list(range(1, 102))
    view = ledger.ledger(a, 2026)
    assert view.closing_fen == 9_000_000 - 25 * (100 + 101 + 102 + 103)


# ---------------------------------------------------------------- approvers and subjects


def test_second_approver_at_or_above_the_threshold(branches):
    a = branches["甲小区党支部"]
    allocate(a, 5_000_000)
    assert spend(a, 199_999).second_approver is None
    with pytest.raises(ValidationError) as caught:
        ledger.record_expense(a, 200_000, entry_date=dt.date(2026, 3, 1), subject="service", summary="修车棚",
                              handler="张三", approver="李书记", today=TODAY)
    assert caught.value.field == "second_approver" and "¥2,000.00" in caught.value.message
    with pytest.raises(ValidationError, match="同一人"):
        spend(a, 200_000, second_approver="李书记")
    row = spend(a, 200_000, second_approver="赵主任")
    assert row.approvers == "李书记、赵主任"
    settings.put("ledger.second_approver_threshold_fen", 100_000)
    with pytest.raises(ValidationError, match="¥1,000.00"):
        ledger.record_expense(a, 100_000, entry_date=dt.date(2026, 3, 1), subject="service", summary="x",
                              handler="张三", approver="李书记", today=TODAY)
    assert allocate(a, 5_000_000).second_approver is None  # allocations are not expenses


@pytest.mark.parametrize("subject", ["宴请", "旅游", "旅游费", "购置固定资产", "发放个人补贴", "礼品礼金"])
def test_forbidden_subjects_are_refused(branches, subject):
    a = branches["甲小区党支部"]
    allocate(a, 1_000_000)
    with pytest.raises(ValidationError, match="禁止列支") as caught:
        spend(a, 100, subject=subject)
    assert caught.value.field == "subject"
    assert LedgerEntry.select().count() == 1


def test_subjects_by_label_or_code(branches):
    a = branches["甲小区党支部"]
    allocate(a, 1_000_000)
    assert spend(a, 100, subject="慰问").subject == "condolence"
    assert spend(a, 100, subject="venue").subject == "venue"
    assert spend(a, 100, subject="活动").subject == "activity"
    with pytest.raises(ValidationError, match="不在科目表"):
        spend(a, 100, subject="杂项")
    assert ledger.forbidden_terms("年底工作人员宴请") == ["宴请"]


# ---------------------------------------------------------------- carry-over


def test_without_carry_over_each_year_opens_at_zero(branches):
    a = branches["甲小区党支部"]
    allocate(a, 1_000_000, day=dt.date(2025, 1, 10))
    spend(a, 400_000, day=dt.date(2025, 6, 1))
    assert ledger.balance(a, 2025) == 600_000
    assert ledger.ledger(a, 2026).opening_fen == 0
    with pytest.raises(ValidationError, match="余额不足"):
        spend(a, 100, day=dt.date(2026, 1, 5))


def test_with_carry_over_the_closing_balance_opens_the_next_year(branches):
    a = branches["甲小区党支部"]
    allocate(a, 1_000_000, day=dt.date(2024, 1, 10))
    spend(a, 100_000, day=dt.date(2024, 6, 1))
    allocate(a, 1_000_000, day=dt.date(2025, 1, 10))
    spend(a, 400_000, day=dt.date(2025, 6, 1))
    info = ledger.set_fund_carries_over(ledger.DEFAULT_FUND_NAME, True)
    assert info.carries_over
    assert AuditEvent.select().where(AuditEvent.entity == "fund", AuditEvent.action == "update").exists()
    assert ledger.ledger(a, 2025).opening_fen == 900_000
    view = ledger.ledger(a, 2026)
    assert view.opening_fen == 1_500_000 and view.closing_fen == 1_500_000
    row = spend(a, 1_500_000, day=dt.date(2026, 1, 5), second_approver="赵主任")
    assert row.balance_fen == 0
    # A back-dated 2025 expense would now leave 2026 short: refused.
    with pytest.raises(ValidationError, match="余额不足"):
        spend(a, 100, day=dt.date(2025, 12, 1))
    summary = ledger.funds_summary(2026)
    row_a = next(r for r in summary.rows if r.branch_id == a)
    assert (row_a.year_opening_fen, row_a.opening_fen, row_a.spent_fen, row_a.closing_fen) == (1_500_000, 1_500_000, 1_500_000, 0)
    assert row_a.spend_rate_permille == 1000
    ledger.set_fund_carries_over(ledger.DEFAULT_FUND_NAME, False)
    assert ledger.ledger(a, 2025).opening_fen == 0


def test_fund_settings(branches):
    info = ledger.create_fund("党建工作经费", carries_over=True)
    assert info.carries_over and info.minimum_fen == 0
    with pytest.raises(ValidationError, match="已经有了"):
        ledger.create_fund("党建工作经费")
    assert ledger.set_fund_minimum("党建工作经费", 50_000).minimum_fen == 50_000
    with pytest.raises(PermissionDenied), acting_as(Actor("clerk", "录入员", "clerk")):
        ledger.set_fund_carries_over("党建工作经费", False)
    assert [f.name for f in ledger.fund_choices()][0] == "党建工作经费"  # the fund with a minimum first


# ---------------------------------------------------------------- bulk allocation


def test_flat_bulk_allocation_preview_then_commit(branches):
    before = LedgerEntry.select().count()
    plan = ledger.preview_flat_allocation(2026, 1_000_000, handler="王会计", approver="李书记",
                                          entry_date=dt.date(2026, 1, 8), today=TODAY)
    assert LedgerEntry.select().count() == before  # a preview writes nothing
    assert [line.branch_name for line in plan.to_write] == ["甲小区党支部", "乙小区党支部", "丙小区党支部"]
    assert plan.total_fen == 3_000_000 and plan.fund_name == ledger.DEFAULT_FUND_NAME
    rows = ledger.commit_bulk_allocation(plan, today=TODAY)
    assert [(r.voucher_no, r.amount_fen, r.summary) for r in rows] == [(1, 1_000_000, "2026年小区党组织服务群众专项经费拨付")] * 3
    assert AuditEvent.select().where(AuditEvent.action == "bulk_allocation").count() == 1
    # Topping up: nobody lacks anything now; a partly funded branch gets the difference.
    again = ledger.preview_flat_allocation(2026, 1_000_000, handler="王会计", approver="李书记", today=TODAY)
    assert again.to_write == [] and "不再拨付" in again.skipped[0].note
    more = ledger.preview_flat_allocation(2026, 1_200_000, handler="王会计", approver="李书记", today=TODAY)
    assert {line.amount_fen for line in more.to_write} == {200_000}
    full = ledger.preview_flat_allocation(2026, 1_200_000, handler="王会计", approver="李书记", top_up=False, today=TODAY)
    assert {line.amount_fen for line in full.to_write} == {1_200_000}
    with pytest.raises(ValidationError, match="没有需要拨付"):
        ledger.commit_bulk_allocation(again, today=TODAY)


def test_bulk_allocation_refuses_a_stale_preview(branches):
    plan = ledger.preview_flat_allocation(2026, 1_000_000, handler="王会计", approver="李书记", today=TODAY)
    allocate(branches["乙小区党支部"], 300_000)
    with pytest.raises(ValidationError, match="重新预览"):
        ledger.commit_bulk_allocation(plan, today=TODAY)
    assert LedgerEntry.select().count() == 1


def test_bulk_allocation_by_star_level(branches):
    a, b, c, f = (branches[n] for n in ("甲小区党支部", "乙小区党支部", "丙小区党支部", "功能型党支部"))
    make_rating(2025, {a: 5, b: 3, c: 0, f: 1, branches["旧小区党支部"]: 4})
    ledger.create_fund("党建工作经费")
    amounts = {5: 500_000, 4: 300_000, 3: 200_000, 2: 100_000, 1: 50_000}
    plan = ledger.preview_star_allocation(2026, amounts, fund="党建工作经费", handler="王会计", approver="李书记",
                                          entry_date=dt.date(2026, 4, 1), today=TODAY)
    assert plan.rating_year == 2025
    assert [(line.branch_name, line.stars, line.amount_fen) for line in plan.to_write] == [
        ("甲小区党支部", 5, 500_000), ("乙小区党支部", 3, 200_000), ("功能型党支部", 1, 50_000)]
    skipped = {line.branch_name: line.note for line in plan.skipped}
    assert skipped == {"旧小区党支部": "支部已撤销，不拨付", "丙小区党支部": "该星级不拨付"}
    rows = ledger.commit_bulk_allocation(plan, today=TODAY)
    assert [r.summary for r in rows][0] == "2025年度5星级党支部党建工作经费"
    assert ledger.balance(a, 2026, "党建工作经费") == 500_000
    assert ledger.balance(f, 2026) == 50_000
    assert ledger.preview_star_allocation(2026, amounts, fund="党建工作经费", handler="王会计", approver="李书记",
                                          today=TODAY).to_write == []


def test_a_vetoed_branch_is_named_as_such_in_the_star_allocation(branches):
    a, b = branches["甲小区党支部"], branches["乙小区党支部"]
    make_rating(2025, {a: 0, b: 0})
    Rating.update(vetoed=True, veto_reason="重大安全事故").where(Rating.branch == a).execute()
    ledger.create_fund("党建工作经费")
    plan = ledger.preview_star_allocation(2026, {5: 500_000}, fund="党建工作经费", handler="王会计",
                                          approver="李书记", today=TODAY)
    skipped = {line.branch_name: line.note for line in plan.skipped}
    assert skipped == {"甲小区党支部": "一票否决，不拨付", "乙小区党支部": "该星级不拨付"}


def test_star_allocation_needs_a_finalized_rating(branches):
    make_rating(2025, {branches["甲小区党支部"]: 5}, status="publicity")
    kwargs = dict(handler="王会计", approver="李书记", today=TODAY)
    with pytest.raises(ValidationError, match="还没有审定"):
        ledger.preview_star_allocation(2026, {5: 100}, **kwargs)
    with pytest.raises(ValidationError, match="尚未审定（公示中）"):
        ledger.preview_star_allocation(2026, {5: 100}, rating_year=2025, **kwargs)
    with pytest.raises(ValidationError, match="没有 2024 年度"):
        ledger.preview_star_allocation(2026, {5: 100}, rating_year=2024, **kwargs)
    with pytest.raises(ValidationError, match="至少"):
        ledger.preview_star_allocation(2026, {5: 0}, rating_year=2025, **kwargs)


# ---------------------------------------------------------------- compliance and summary


def test_compliance_flags(branches):
    a, b, c = (branches[n] for n in ("甲小区党支部", "乙小区党支部", "丙小区党支部"))
    allocate(a, 1_000_000)
    allocate(b, 500_000)
    spend(a, 900_000, day=dt.date(2026, 2, 1), second_approver="赵主任")
    spend(b, 10_000, day=dt.date(2026, 8, 1))
    report = ledger.compliance(2026, 3, today=TODAY)
    by_name = {r.branch_name: r for r in report.rows}
    assert set(by_name) == {"甲小区党支部", "乙小区党支部", "丙小区党支部"}
    assert not by_name["甲小区党支部"].below_minimum and by_name["甲小区党支部"].no_expense_in_quarter
    assert by_name["乙小区党支部"].below_minimum and by_name["乙小区党支部"].low_spend
    assert not by_name["乙小区党支部"].no_expense_in_quarter
    assert by_name["丙小区党支部"].below_minimum and not by_name["丙小区党支部"].no_expense_in_quarter
    assert by_name["乙小区党支部"].issues[0] == "专项经费本年拨付 ¥5,000.00，低于 ¥10,000.00"
    assert "拨付不足 ¥10,000.00 的小区党支部 2 个" in report.sentence()
    assert ledger.compliance(2026, 3, min_spend_percent=1, today=TODAY).low_spend == []
    # Q1: 甲 had spent 90 % by 31 March; 乙 had its allocation but spent nothing in the quarter.
    q1 = {r.branch_name: r for r in ledger.compliance(2026, 1, today=TODAY).rows}
    assert not q1["甲小区党支部"].low_spend and q1["乙小区党支部"].no_expense_in_quarter


def test_funds_summary_for_a_quarter(branches):
    a = branches["甲小区党支部"]
    allocate(a, 1_000_000, day=dt.date(2026, 1, 10))
    spend(a, 100_000, day=dt.date(2026, 2, 1))
    spend(a, 50_000, day=dt.date(2026, 5, 1))
    e = spend(a, 20_000, day=dt.date(2026, 5, 2))
    reverse(e.id, day=dt.date(2026, 7, 3))
    q2 = ledger.funds_summary(2026, 2)
    row = next(r for r in q2.rows if r.branch_id == a)
    assert (row.opening_fen, row.allocated_fen, row.spent_fen, row.closing_fen) == (900_000, 0, 70_000, 830_000)
    assert row.spend_rate_permille == 170
    q3 = next(r for r in ledger.funds_summary(2026, 3).rows if r.branch_id == a)
    assert (q3.opening_fen, q3.spent_fen, q3.closing_fen) == (830_000, -20_000, 850_000)
    year = ledger.funds_summary(2026)
    assert year.title_period == "2026年度" and q2.title_period == "2026年第二季度"
    assert year.total.closing_fen == 850_000 and year.total.branch_name == "合计"
    assert [r.branch_name for r in year.rows] == ["甲小区党支部", "乙小区党支部", "丙小区党支部"]


def test_demo_estate_branches_all_have_the_minimum_and_a_reversal_shows_up(demo_db):
    report = ledger.compliance(2026, 4, today=DEMO_TODAY)
    estates = [r for r in report.rows if r.figures.category == "estate"]
    assert len(estates) == 29
    assert all(r.figures.minimum_allocated_fen >= 1_000_000 for r in estates)
    assert report.below_minimum == []
    target = estates[0].figures
    view = ledger.ledger(target.branch_id, 2026)
    allocation = next(r for r in view.rows if r.kind == "allocation" and r.fund_name == ledger.DEFAULT_FUND_NAME)
    with pytest.raises(ValidationError, match="先冲销"):
        reverse(allocation.id, day=DEMO_TODAY)
    for row in view.rows:
        if row.kind == "expense" and row.fund_id == allocation.fund_id and not row.is_reversed:
            reverse(row.id, day=DEMO_TODAY, reason="记错支部")
    reverse(allocation.id, day=DEMO_TODAY, reason="记错支部")
    after = ledger.compliance(2026, 4, today=DEMO_TODAY)
    assert [r.branch_name for r in after.below_minimum] == [target.branch_name]
    assert ledger.balance(target.branch_id, 2026, allocation.fund_id) == 0


# ---------------------------------------------------------------- import rows


def test_normalize_ledger_row():
    rec, problems = ledger.normalize_ledger_row(
        {"branch": "甲小区党支部", "entry_date": "2026.3.5", "summary": "购买党旗", "subject": "活动经费",
         "expense": "¥1,200.50", "handler": "张三", "approver": "李书记", "voucher_no": "第3号"}, today=TODAY)
    assert problems == []
    assert rec["kind"] == "expense" and rec["amount_fen"] == 120_050 and rec["entry_date"] == dt.date(2026, 3, 5)
    assert rec["subject"] == "activity" and rec["source_voucher_no"] == 3 and rec["year"] == 2026

    rec, problems = ledger.normalize_ledger_row(
        {"branch": "甲小区党支部", "entry_date": "2026-03-05", "summary": "聚餐", "subject": "宴请",
         "kind": "支出", "amount": "3000", "handler": "张三", "approver": "李书记"}, today=TODAY)
    fields = {p.field: p.message for p in problems}
    assert "禁止列支" in fields["subject"] and "两人审批" in fields["second_approver"]

    rec, problems = ledger.normalize_ledger_row(
        {"branch": "", "entry_date": "2027-01-01", "summary": "", "income": "10.005", "handler": "张三"}, today=TODAY)
    fields = {p.field for p in problems}
    assert {"branch", "entry_date", "summary", "income", "approver"} <= fields

    rec, problems = ledger.normalize_ledger_row(
        {"branch": "甲小区党支部", "entry_date": 46000, "summary": "冲销第2号凭证（重复录入）", "kind": "冲销",
         "amount": -300, "handler": "张三", "approver": "李书记"}, today=TODAY)
    assert problems == [] and rec["kind"] == "reversal" and rec["reverses_voucher_no"] == 2
    assert rec["amount_fen"] == 30_000

    _, problems = ledger.normalize_ledger_row(
        {"branch": "甲", "entry_date": "2026-01-01", "summary": "x", "amount": "-5", "handler": "a", "approver": "b",
         "kind": "支出"}, today=TODAY)
    assert any("负数" in p.message for p in problems)
    _, problems = ledger.normalize_ledger_row(
        {"branch": "甲", "entry_date": "2026-01-01", "summary": "x", "income": "5", "expense": "5", "handler": "a",
         "approver": "b"}, today=TODAY)
    assert any("分成两行" in p.message for p in problems)


def test_normalized_rows_commit_all_or_nothing(branches):
    a = branches["甲小区党支部"]
    rows = [
        {"branch": "甲小区党支部", "entry_date": "2026-01-10", "summary": "拨付", "income": "10000",
         "handler": "王会计", "approver": "李书记", "voucher_no": 1},
        {"branch": "甲小区党支部", "entry_date": "2026-02-01", "summary": "党旗", "expense": "500", "subject": "活动经费",
         "handler": "张三", "approver": "李书记", "voucher_no": 2},
        {"branch": "甲小区党支部", "entry_date": "2026-02-03", "summary": "冲销第2号凭证（重复录入）", "kind": "冲销",
         "amount": "500", "handler": "张三", "approver": "李书记", "voucher_no": 3},
    ]
    records = []
    for cells in rows:
        rec, problems = ledger.normalize_ledger_row(cells, today=TODAY)
        assert problems == []
        rec["branch_id"] = a
        records.append(rec)
    ids = ledger.commit_normalized_rows(records, today=TODAY)
    view = ledger.ledger(a, 2026)
    assert [r.id for r in view.rows] == ids and view.closing_fen == 1_000_000
    assert view.rows[2].reverses_voucher_no == 2 and view.rows[2].summary == "冲销第2号凭证：重复录入"
    bad = dict(records[1], amount_fen=5_000_000, entry_date=dt.date(2026, 3, 1), second_approver="赵主任")
    with pytest.raises(ValidationError, match="余额不足"):
        ledger.commit_normalized_rows([records[0], bad], today=TODAY)
    assert len(ledger.ledger(a, 2026).rows) == 3  # nothing of the failed batch was written
