"""The figures of a quarter (wanghu_desk.services.quarterly, stats.collect_quarter): what
belongs to the quarter and what does not, on hand-made rows at the quarter's edges and on
the 望湖街道 demo (checked against plain re-counts and against stats.collect())."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from conftest import DEMO_TODAY

from models import (
    Branch,
    BuildingGroup,
    Community,
    Fund,
    LedgerEntry,
    Member,
    Organization,
    Rating,
    RatingRound,
    RatingScheme,
    ServiceRecord,
    Volunteer,
    VolunteerTeam,
)
from wanghu_desk.errors import UsageError
from wanghu_desk.services import quarterly, stats
from wanghu_desk.services.quarterly import Quarter, hours_text
from wanghu_desk.validation import id_check_char, probation_due_date

D = dt.date


# ------------------------------------------------------------------ the period


@pytest.mark.parametrize(
    ("quarter", "start", "end", "label"),
    [
        (1, D(2026, 1, 1), D(2026, 3, 31), "2026年第一季度"),
        (2, D(2026, 4, 1), D(2026, 6, 30), "2026年第二季度"),
        (3, D(2026, 7, 1), D(2026, 9, 30), "2026年第三季度"),
        (4, D(2026, 10, 1), D(2026, 12, 31), "2026年第四季度"),
    ],
)
def test_quarter_bounds_and_labels(quarter, start, end, label):
    q = Quarter(2026, quarter)
    assert (q.start, q.end, q.label) == (start, end, label)
    assert Quarter.containing(start) == q == Quarter.containing(end)


def test_quarter_span_label():
    assert Quarter(2026, 3).span_label == "2026年7月1日—9月30日"
    assert Quarter(2024, 1).end == D(2024, 3, 31)


@pytest.mark.parametrize(("year", "quarter"), [(2026, 0), (2026, 5), (26, 1)])
def test_a_bad_quarter_is_a_usage_error(year, quarter):
    with pytest.raises(UsageError):
        Quarter(year, quarter)


@pytest.mark.parametrize(("minutes", "text"), [(0, "0.0"), (1, "0.0"), (3, "0.1"), (59, "1.0"), (90, "1.5"),
                                               (6_000_030, "100,000.5")])
def test_hours_have_one_decimal_rounded_half_up_without_floats(minutes, text):
    assert hours_text(minutes) == text


def test_as_of_is_today_while_the_quarter_runs():
    q = Quarter(2026, 4)
    assert quarterly.as_of_date(q, D(2026, 11, 22)) == D(2026, 11, 22)
    assert quarterly.as_of_date(q, D(2027, 1, 5)) == D(2026, 12, 31)
    assert quarterly.as_of_date(Quarter(2026, 3), D(2026, 11, 22)) == D(2026, 9, 30)


# ------------------------------------------------------------------ hand-made rows

_serial = iter(range(1, 10_000))


def _id_number(birth: str = "19800101") -> str:
    first17 = f"340104{birth}{next(_serial):03d}"
    return first17 + id_check_char(first17)


@pytest.fixture
def org(fresh_db):
    community = Community.create(name="望湖社区")
    top = Organization.create(name="中共测试街道工作委员会", area_name="测试街道", kind="working_committee",
                              secretary="王书记", phone="0551-63517010")
    estate = Branch.create(name="甲小区党支部", category="estate", organization=top, community=community,
                           founded_on=D(2020, 1, 1), sort_order=1)
    other = Branch.create(name="机关党支部", category="agency", organization=top, founded_on=D(2010, 1, 1),
                          sort_order=2)
    late = Branch.create(name="新小区党支部", category="estate", organization=top, founded_on=D(2026, 8, 1),
                         sort_order=3)
    gone = Branch.create(name="已撤销党支部", category="other", organization=top, founded_on=D(2015, 1, 1),
                         status="dissolved", dissolved_on=D(2026, 8, 15), sort_order=4)
    BuildingGroup.create(branch=estate, name="1栋党小组")
    fund = Fund.create(name="小区党组织服务群众专项经费", minimum_fen=1_000_000)
    party = Fund.create(name="党建工作经费")

    class Org:
        pass

    o = Org()
    o.top, o.estate, o.other, o.late, o.gone, o.fund, o.party = top, estate, other, late, gone, fund, party
    return o


def _member(branch, **kw):
    kw.setdefault("name", "张三")
    kw.setdefault("id_number", _id_number())
    kw.setdefault("category", "full")
    kw.setdefault("joined_on", D(2000, 7, 1))
    return Member.create(branch=branch, **kw)


def test_branches_count_as_of_the_quarter_end(org):
    q3 = quarterly.organization_figures(Quarter(2026, 3))
    assert q3.branches_total == 3  # 甲, 机关, 新 (founded 8-01); 已撤销 left on 8-15
    assert q3.estate_branches == 2
    assert (q3.branches_founded, q3.branches_dissolved) == (1, 1)
    q2 = quarterly.organization_figures(Quarter(2026, 2))
    assert q2.branches_total == 3  # 甲, 机关, and 已撤销 (still standing on 6-30)
    assert (q2.branches_founded, q2.branches_dissolved) == (0, 0)
    assert q3.building_groups == 1 and q3.groups_without_leader == 1


def test_members_in_the_register_and_their_category_at_the_quarter_end(org):
    q = Quarter(2026, 3)
    _member(org.estate)  # in the register
    _member(org.estate, joined_on=D(2026, 10, 2), category="probationary")  # joined after the quarter
    _member(org.estate, status="transferred_out", status_changed_on=D(2026, 10, 5))  # left after: counts
    _member(org.estate, status="deceased", status_changed_on=D(2026, 9, 30))  # left inside: not counted
    _member(org.estate, status="transferred_out", status_changed_on=D(2026, 7, 1))  # left inside
    _member(org.estate, category="full", joined_on=D(2025, 10, 20), confirmed_on=D(2026, 10, 20))  # 预备 on 9-30
    _member(org.estate, category="probationary", joined_on=D(2026, 7, 1))  # new in the quarter
    _member(org.other, category="probationary", joined_on=D(2026, 9, 30))  # new, last day
    _member(org.other, joined_on=None)  # no joining date: counted
    m = quarterly.member_figures(q)
    assert m.total == 6
    assert (m.full, m.probationary) == (3, 3)
    assert m.joined == 2
    assert {r.code: r.count for r in m.left_by_status} == {"transferred_out": 1, "deceased": 1}


def test_probation_due_within_30_days_and_overdue(org):
    q = Quarter(2026, 3)  # ends 9-30; the window runs to 10-30
    due_soon = _member(org.estate, name="甲", category="probationary", joined_on=D(2025, 10, 30))
    overdue = _member(org.other, name="乙", category="probationary", joined_on=D(2025, 9, 30))
    _member(org.estate, name="丙", category="probationary", joined_on=D(2025, 10, 31))  # due 10-31: later
    confirmed_after = _member(org.estate, name="丁", category="full", joined_on=D(2025, 8, 1),
                              confirmed_on=D(2026, 10, 9))  # still 预备 on 9-30, overdue then
    _member(org.estate, name="戊", category="probationary", joined_on=D(2025, 3, 1), status="transferred_out",
            status_changed_on=D(2026, 5, 1))  # not in the register
    m = quarterly.member_figures(q)
    by_name = {d.name: d for d in m.probation_due}
    assert set(by_name) == {"甲", "乙", "丁"}
    assert by_name["甲"].due_on == D(2026, 10, 30) and not by_name["甲"].overdue
    assert by_name["乙"].due_on == D(2026, 9, 30) and by_name["乙"].overdue
    assert by_name["丁"].overdue and by_name["丁"].branch == "甲小区党支部"
    assert (m.overdue, m.due_soon) == (2, 1)
    assert {due_soon.id, overdue.id, confirmed_after.id} == {d.member_id for d in m.probation_due}


def test_leap_day_joiners_are_due_on_28_february(org):
    _member(org.estate, name="闰", category="probationary", joined_on=D(2024, 2, 29))
    m = quarterly.member_figures(Quarter(2025, 1))
    (due,) = m.probation_due
    assert due.due_on == probation_due_date(D(2024, 2, 29)) == D(2025, 2, 28) and due.overdue


def _volunteer(name="志愿者", created="2026-01-01T09:00:00"):
    return Volunteer.create(name=name, created_at=created)


def test_service_counts_only_records_inside_the_quarter(org):
    team = VolunteerTeam.create(name="护花志愿服务队", branch=org.estate, founded_on=D(2020, 1, 1))
    VolunteerTeam.create(name="后来的服务队", founded_on=D(2026, 10, 1))
    VolunteerTeam.create(name="停用的服务队", is_active=False)
    a, b = _volunteer("甲"), _volunteer("乙")
    _volunteer("丙", created="2026-10-01T08:00:00")  # registered after the quarter
    for day, vol, minutes, tm in [
        (D(2026, 6, 30), a, 60, team),  # before
        (D(2026, 7, 1), a, 90, team),  # first day
        (D(2026, 8, 15), b, 45, None),  # no team
        (D(2026, 9, 30), b, 120, team),  # last day
        (D(2026, 10, 1), a, 60, team),  # after
    ]:
        ServiceRecord.create(volunteer=vol, team=tm, served_on=day, activity="护绿", minutes=minutes)
    v = quarterly.volunteer_figures(Quarter(2026, 3))
    assert (v.records, v.minutes, v.active_volunteers) == (3, 255, 2)
    assert v.hours_text == "4.3"  # 4.25 h, rounded half up
    assert (v.teams, v.volunteers) == (1, 2)
    assert [(t.team, t.records, t.volunteers, t.minutes) for t in v.by_team] == [
        ("护花志愿服务队", 2, 2, 210), ("未归属服务队", 1, 1, 45)]
    assert v.by_month == [(7, 1, 90), (8, 1, 45), (9, 1, 120)]


def test_the_last_rating_finalized_by_the_quarter_end(org):
    scheme = RatingScheme.create(name="标准", thresholds_json="{}")
    r24 = RatingRound.create(year=2024, scheme=scheme, status="finalized", finalized_at="2025-03-20T10:00:00")
    r25 = RatingRound.create(year=2025, scheme=scheme, status="finalized", finalized_at="2026-04-02T10:00:00")
    RatingRound.create(year=2026, scheme=scheme, status="open")
    for rnd, stars in ((r24, (5, 1, 0)), (r25, (5, 5, 3))):
        for branch, s in zip((org.estate, org.other, org.gone), stars):
            Rating.create(round=rnd, branch=branch, stars=s, total_cp=9000, vetoed=(s == 0))
    q1 = quarterly.rating_figures(Quarter(2026, 1))  # the 2025 round was finalized in April
    assert q1.year == 2024 and (q1.rated, q1.at_least_one_star, q1.five_star, q1.vetoed) == (3, 2, 1, 1)
    q2 = quarterly.rating_figures(Quarter(2026, 2))
    assert q2.year == 2025 and q2.finalized_on == D(2026, 4, 2)
    assert q2.by_stars == {0: 0, 1: 0, 2: 0, 3: 1, 4: 0, 5: 2}
    assert q2.five_star_branches == ["甲小区党支部", "机关党支部"]
    assert quarterly.rating_figures(Quarter(2025, 1)).year == 2024  # finalized on 2025-03-20
    assert quarterly.rating_figures(Quarter(2024, 4)) is None


def _entry(branch, fund, day, kind, amount, *, reverses=None, n=[0]):  # noqa: B006 - a voucher counter
    n[0] += 1
    return LedgerEntry.create(branch=branch, fund=fund, year=day.year, voucher_no=n[0], entry_date=day, kind=kind,
                              subject="service", summary="测试", amount_fen=amount, reverses=reverses)


def test_funds_up_to_the_quarter_end_with_reversals_and_the_estate_minimum(org):
    _entry(org.estate, org.fund, D(2026, 1, 10), "allocation", 1_000_000)
    _entry(org.estate, org.fund, D(2026, 5, 1), "expense", 100_000)  # earlier quarter
    dup = _entry(org.estate, org.fund, D(2026, 8, 1), "expense", 50_000)
    _entry(org.estate, org.fund, D(2026, 8, 1), "expense", 50_000)
    _entry(org.estate, org.fund, D(2026, 8, 3), "reversal", 50_000, reverses=dup)  # cancels the duplicate
    _entry(org.estate, org.fund, D(2026, 10, 8), "expense", 70_000)  # after the quarter
    _entry(org.estate, org.fund, D(2025, 8, 1), "expense", 1_000)  # another year
    wrong = _entry(org.late, org.fund, D(2026, 8, 5), "allocation", 1_000_000)
    _entry(org.late, org.fund, D(2026, 8, 6), "reversal", 1_000_000, reverses=wrong)  # allocation taken back
    _entry(org.late, org.fund, D(2026, 8, 6), "allocation", 800_000)
    _entry(org.other, org.party, D(2026, 4, 1), "allocation", 300_000)
    f = quarterly.fund_figures(Quarter(2026, 3))
    rows = {b.name: b for b in f.branches}
    assert list(rows) == ["甲小区党支部", "机关党支部", "新小区党支部"]  # standing branches, register order
    estate = rows["甲小区党支部"]
    assert (estate.allocated_fen, estate.spent_fen, estate.spent_in_quarter_fen) == (1_000_000, 150_000, 50_000)
    assert estate.balance_fen == 850_000 and estate.spend_rate_permille == 150
    assert not estate.below_minimum
    assert rows["新小区党支部"].allocated_fen == 800_000 and rows["新小区党支部"].below_minimum
    assert not rows["机关党支部"].below_minimum  # only estate branches have a minimum
    assert rows["机关党支部"].spend_rate_permille == 0
    assert (f.allocated_fen, f.spent_fen, f.balance_fen) == (2_100_000, 150_000, 1_950_000)
    assert [b.name for b in f.below_minimum] == ["新小区党支部"]
    assert f.minimum_fen == 1_000_000
    assert f.entries == 9
    # Up to the year's end the figures agree with stats.ledger_summary.
    year = quarterly.fund_figures(Quarter(2026, 4))
    summary = stats.ledger_summary()["2026"]
    assert (year.allocated_fen, year.spent_fen, year.balance_fen) == (
        summary["allocated_fen"], summary["spent_fen"], summary["balance_fen"])


def test_without_a_fund_minimum_the_setting_is_the_minimum(org):
    Fund.update(minimum_fen=0).execute()
    _entry(org.estate, org.party, D(2026, 1, 10), "allocation", 999_999)
    f = quarterly.fund_figures(Quarter(2026, 1))
    assert f.minimum_fen == 1_000_000
    assert [b.name for b in f.below_minimum] == ["甲小区党支部"]


def test_an_empty_database_has_nothing_to_report(fresh_db):
    f = quarterly.quarter_figures(2026, 3, today=DEMO_TODAY)
    assert f.is_empty
    assert f.organization.branches_total == 0 and f.members.total == 0
    assert f.volunteers.records == 0 and f.rating is None and f.funds.entries == 0
    assert f.funds.branches == [] and f.funds.spend_rate_permille is None
    assert f.unit.area_name == "望湖街道"  # from the settings' default


# ------------------------------------------------------------------ the demo


def test_demo_third_quarter_matches_plain_recounts(demo_db):
    end, start = D(2026, 9, 30), D(2026, 7, 1)
    f = quarterly.quarter_figures(2026, 3, today=DEMO_TODAY)
    assert f.as_of == end and not f.in_progress
    assert f.unit.full_name == "中共合肥市包河区望湖街道工作委员会"

    members = list(Member.select())

    def in_register(m):
        return (m.joined_on is None or m.joined_on <= end) and (
            m.status == "active" or (m.status_changed_on is not None and m.status_changed_on > end))

    register = [m for m in members if in_register(m)]
    probationary = [m for m in register if m.category == "probationary" or (m.confirmed_on and m.confirmed_on > end)]
    assert f.members.total == len(register)
    assert f.members.probationary == len(probationary)
    assert f.members.joined == sum(1 for m in members if m.joined_on and start <= m.joined_on <= end)
    horizon = end + dt.timedelta(days=30)
    assert len(f.members.probation_due) == sum(
        1 for m in probationary if m.joined_on and probation_due_date(m.joined_on) <= horizon)

    records = [r for r in ServiceRecord.select() if start <= r.served_on <= end]
    assert f.volunteers.records == len(records) > 0
    assert f.volunteers.minutes == sum(r.minutes for r in records)
    assert f.volunteers.active_volunteers == len({r.volunteer_id for r in records})

    assert f.rating.year == 2025
    assert (f.rating.rated, f.rating.at_least_one_star, f.rating.five_star) == (74, 66, 7)

    entries = [e for e in LedgerEntry.select() if e.year == 2026 and e.entry_date <= end]
    by_id = {e.id: e for e in LedgerEntry.select()}
    allocated = spent = 0
    for e in entries:
        kind, sign = (by_id[e.reverses_id].kind, -1) if e.kind == "reversal" else (e.kind, 1)
        if kind == "allocation":
            allocated += sign * e.amount_fen
        else:
            spent += sign * e.amount_fen
    assert (f.funds.allocated_fen, f.funds.spent_fen) == (allocated, spent)
    assert len(f.funds.branches) == 74 and not f.funds.below_minimum
    estate = [b for b in f.funds.branches if b.category == "estate"]
    assert len(estate) == 29 and all(b.allocated_fen >= 1_000_000 for b in estate)


def test_demo_current_quarter_agrees_with_stats_collect(demo_db):
    whole = stats.collect()
    q = stats.collect_quarter(2026, 4, today=DEMO_TODAY)
    json.dumps(q)  # plain JSON values
    assert q["as_of"] == "2026-11-22"
    assert q["organization"] == whole["organization"] == "望湖街道"
    assert q["branches"]["total"] == whole["branches"]["total"] == 74
    assert q["branches"]["by_category"] == whole["branches"]["by_category"]
    assert q["building_groups"] == whole["building_groups"] == 233
    assert q["members"]["total"] == whole["members"]["total"]
    assert q["members"]["by_category"] == whole["members"]["by_category"]
    assert q["volunteer_teams"] == whole["volunteer_teams"]
    assert q["volunteers"] == whole["volunteers"]
    rating = whole["ratings"]["2025"]
    assert q["rating"]["rated"] == rating["rated"] == 74
    assert q["rating"]["at_least_one_star"] == rating["at_least_one_star"] == 66
    assert q["rating"]["by_stars"] == rating["by_stars"]
    ledger = whole["ledger"]["2026"]
    assert (q["ledger"]["allocated_fen"], q["ledger"]["spent_fen"], q["ledger"]["balance_fen"]) == (
        ledger["allocated_fen"], ledger["spent_fen"], ledger["balance_fen"])
    assert q["ledger"]["estate_below_minimum"] == []


def test_demo_quarter_before_the_data(demo_db):
    f = quarterly.quarter_figures(2020, 1, today=DEMO_TODAY)
    founded = Counter(b.category for b in Branch.select() if b.founded_on <= D(2020, 3, 31))
    assert f.organization.branches_total == sum(founded.values()) < 74
    assert f.volunteers.records == 0 and f.volunteers.by_team == []
    assert f.rating is None
    assert f.funds.entries == 0 and f.funds.allocated_fen == 0
    assert len(f.funds.below_minimum) == founded["estate"]  # not yet allocated that year
    assert not f.is_empty  # the register had branches and members then
