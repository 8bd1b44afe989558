"""The 望湖街道 demo (SPEC §11): its figures are acceptance criteria, its data must pass
the app's own rules, and it is deterministic for a given date."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import peewee as pw
import pytest

from models import (
    Account,
    AuditEvent,
    Branch,
    BranchEstate,
    Building,
    BuildingGroup,
    BuildingGroupBuilding,
    Community,
    EstateRole,
    Fund,
    LedgerEntry,
    Member,
    Rating,
    RatingCriterion,
    RatingRound,
    RatingScore,
    ServiceProject,
    ServiceRecord,
    Setting,
    Volunteer,
    VolunteerTeam,
    db,
)
from wanghu_desk import database, demo, validation, vocab
from wanghu_desk.errors import UsageError
from wanghu_desk.pinyin import initials
from wanghu_desk.rating_rules import stars_for
from wanghu_desk.services import stats

#: Same as tests/conftest.py: the date the session's demo database is built for.
DEMO_TODAY = dt.date(2026, 11, 22)


# ---------------------------------------------------------------- invariant checks


def check_members(today: dt.date) -> None:
    ids = [m.id_number for m in Member.select()]
    assert len(ids) == len(set(ids))
    for m in Member.select():
        checked = validation.validate_id_number(m.id_number, today=today)
        assert checked.problems == () and checked.value == m.id_number, (m.name, m.id_number)
        assert m.gender == validation.gender_from_id(m.id_number)
        assert m.birth_date == validation.birth_date_from_id(m.id_number)
        assert dt.date(1935, 1, 1) <= m.birth_date <= dt.date(2004, 12, 31)
        assert m.name_initials == initials(m.name) and m.name_initials
        assert validation.validate_phone(m.phone).value == m.phone
        assert m.education in vocab.EDUCATION_LEVELS
        assert m.ethnicity in vocab.ETHNICITIES
        assert m.status in vocab.MEMBER_STATUSES
        assert demo.add_years(m.birth_date, 18) < m.joined_on <= today
        if m.category == "full":
            assert m.confirmed_on == validation.probation_due_date(m.joined_on) <= today
        else:
            assert m.category == "probationary" and m.confirmed_on is None
            assert (today - m.joined_on).days <= 396
        if m.status == "active":
            assert m.status_changed_on is None
        else:
            assert m.joined_on < m.status_changed_on <= today and m.group_id is None


def check_ledger(today: dt.date) -> None:
    by_branch_year: dict[tuple[int, int], list[LedgerEntry]] = defaultdict(list)
    for e in LedgerEntry.select().order_by(LedgerEntry.voucher_no):
        by_branch_year[(e.branch_id, e.year)].append(e)
        assert e.entry_date <= today and e.entry_date.year == e.year == today.year
        assert e.subject in vocab.LEDGER_SUBJECTS
        assert e.summary and e.handler and e.approver
        if e.kind == "expense":
            assert (e.second_approver is not None) == (e.amount_fen >= 200_000)
    for entries in by_branch_year.values():
        assert [e.voucher_no for e in entries] == list(range(1, len(entries) + 1))
        dates = [e.entry_date for e in entries]
        assert dates == sorted(dates)
        balance: Counter = Counter()
        for e in entries:
            if e.kind == "allocation":
                balance[e.fund_id] += e.amount_fen
            elif e.kind == "expense":
                balance[e.fund_id] -= e.amount_fen
            else:
                original = LedgerEntry.get_by_id(e.reverses_id)
                assert original.branch_id == e.branch_id and original.amount_fen == e.amount_fen
                balance[e.fund_id] += e.amount_fen if original.kind == "expense" else -e.amount_fen
            assert balance[e.fund_id] >= 0, "overdrawn"


def check_service_records(today: dt.date) -> None:
    over = (
        ServiceRecord.select(ServiceRecord.volunteer, ServiceRecord.served_on)
        .group_by(ServiceRecord.volunteer, ServiceRecord.served_on)
        .having(pw.fn.SUM(ServiceRecord.minutes) > 1440)
        .count()
    )
    assert over == 0
    low, high, first, last = ServiceRecord.select(
        pw.fn.MIN(ServiceRecord.minutes), pw.fn.MAX(ServiceRecord.minutes),
        pw.fn.MIN(ServiceRecord.served_on), pw.fn.MAX(ServiceRecord.served_on),
    ).tuples().get()
    assert low >= 30 and high <= 480
    assert db.execute_sql("SELECT COUNT(*) FROM service_record WHERE minutes % 30 != 0").fetchone()[0] == 0
    assert dt.date.fromisoformat(str(last)) <= today
    assert (today - dt.date.fromisoformat(str(first))).days <= 470


def check_rating(year: int) -> None:
    rnd = RatingRound.get(RatingRound.year == year)
    assert rnd.status == "finalized" and rnd.finalized_by == "admin" and rnd.finalized_at
    assert (rnd.publicity_end - rnd.publicity_start).days == 5
    street = dict(
        RatingScore.select(RatingScore.rating, pw.fn.SUM(RatingScore.points_cp))
        .join(RatingCriterion)
        .where(RatingScore.stage == "street", RatingCriterion.kind == "score")
        .group_by(RatingScore.rating)
        .tuples()
    )
    for r in Rating.select().where(Rating.round == rnd):
        assert street[r.id] == r.total_cp
        assert r.stars == stars_for(r.total_cp, r.vetoed)
        assert abs(r.self_stars - r.stars) <= 1 or r.vetoed
        assert bool(r.veto_reason) == r.vetoed
    for s in RatingScore.select(RatingScore, RatingCriterion).join(RatingCriterion):
        assert 0 <= s.points_cp <= s.criterion.max_cp
    vetoed = Rating.select().where(Rating.round == rnd, Rating.vetoed == True).count()  # noqa: E712
    assert 1 <= vetoed <= 2


# ---------------------------------------------------------------- the demo database


def test_headline_figures(demo_db):
    figures = stats.collect()
    assert figures["organization"] == "望湖街道"
    assert figures["communities"] == 5
    assert figures["estates"] == 29
    assert figures["branches"]["total"] == 74
    assert figures["branches"]["by_category"]["estate"] == 29
    assert figures["building_groups"] == 233
    assert 2_500 <= figures["members"]["total"] <= 3_500
    by_category = figures["members"]["by_category"]
    assert 0.04 <= by_category["probationary"] / figures["members"]["total"] <= 0.08
    assert figures["members"]["by_status"]["transferred_out"] > 0
    assert figures["members"]["by_status"]["deceased"] > 0
    assert figures["volunteer_teams"] >= 12
    assert 350 <= figures["volunteers"] <= 450
    assert list(figures["ratings"]) == ["2025"]
    rating = figures["ratings"]["2025"]
    assert rating["finalized"] is True
    assert rating["rated"] == 74
    assert rating["at_least_one_star"] == 66
    assert rating["by_stars"]["5"] == 7
    assert rating["by_stars"]["0"] == 8
    assert list(figures["ledger"]) == ["2026"]
    assert figures["ledger"]["2026"]["allocated_fen"] >= 29 * 1_000_000
    assert 0 < figures["ledger"]["2026"]["spent_fen"] < figures["ledger"]["2026"]["allocated_fen"]


def test_organisation_tree(demo_db):
    from models import Organization

    top = Organization.get(Organization.kind == "working_committee")
    assert top.area_name == "望湖街道" and top.parent_id is None
    committees = list(Organization.select().where(Organization.kind == "community_committee"))
    assert len(committees) == 5
    assert all(c.parent_id == top.id and c.community_id for c in committees)
    assert len({c.community_id for c in committees}) == 5
    org_ids = {top.id} | {c.id for c in committees}
    for b in Branch.select():
        assert b.organization_id in org_ids
        assert b.secretary and validation.validate_phone(b.phone).ok and b.founded_on <= DEMO_TODAY
        assert b.full_name.startswith("中共") and b.full_name.endswith("支部委员会")
        secretary = Member.get_or_none(Member.branch == b, Member.name == b.secretary, Member.phone == b.phone)
        assert secretary is not None and secretary.status == "active"
        if b.organization_id != top.id:
            assert b.community_id is not None
    estate_branches = Branch.select().where(Branch.category == "estate")
    links = Counter(link.branch_id for link in BranchEstate.select())
    assert all(links[b.id] == 1 for b in estate_branches)
    assert len({link.estate_id for link in BranchEstate.select()}) == 29
    assert Branch.select().where(Branch.organization == top.id).count() >= 1
    assert Community.select().count() == 5


def test_building_groups_cover_their_estates_buildings(demo_db):
    estate_of_branch = {link.branch_id: link.estate_id for link in BranchEstate.select()}
    covered: Counter = Counter()
    for group in BuildingGroup.select():
        assert group.branch_id in estate_of_branch
        buildings = [link.building for link in BuildingGroupBuilding.select().where(BuildingGroupBuilding.group == group)]
        assert 1 <= len(buildings) <= 3
        assert all(b.estate_id == estate_of_branch[group.branch_id] for b in buildings)
        covered.update(b.id for b in buildings)
        leader = group.leader
        assert leader is not None and leader.group_id == group.id and leader.status == "active"
        assert leader.branch_id == group.branch_id
    assert all(n == 1 for n in covered.values())
    assert len(covered) == Building.select().count()
    # Most members of estate branches are in one of their branch's groups.
    estate_members = Member.select().where(Member.branch.in_(list(estate_of_branch)), Member.status == "active")
    grouped = estate_members.where(Member.group.is_null(False)).count()
    assert grouped / estate_members.count() >= 0.85
    wrong = (
        Member.select().join(BuildingGroup, on=(Member.group == BuildingGroup.id))
        .where(BuildingGroup.branch != Member.branch).count()
    )
    assert wrong == 0


def test_estate_governance_teams_one_plus_x(demo_db):
    roles = Counter(r.role for r in EstateRole.select())
    assert roles["instructor"] == 29
    assert roles["red_steward"] == 52
    assert roles["student_steward"] == 28
    assert roles["secretary"] == 29
    assert roles["building_head"] > 29
    teams = {r.estate_id for r in EstateRole.select().where(EstateRole.role.in_(["red_steward", "student_steward"]))}
    assert len(teams) == 28
    assert len({r.estate_id for r in EstateRole.select().where(EstateRole.role == "instructor")}) == 29
    for r in EstateRole.select().where(EstateRole.member.is_null(False)):
        assert r.member.name == r.person_name and r.member.phone == r.phone


def test_members_pass_the_apps_rules(demo_db):
    check_members(DEMO_TODAY)
    assert Member.select().where(Member.name.contains("·")).count() >= 1
    assert Counter(len(m.name) for m in Member.select())[2] > 100
    han = Member.select().where(Member.ethnicity == "汉族").count()
    assert han / Member.select().count() > 0.9
    for flag, low, high in (
        (Member.is_center_household, 0.02, 0.08),
        (Member.reported_at_residence, 0.08, 0.25),
        (Member.is_lost_contact, 0.0, 0.01),
        (Member.is_floating, 0.0, 0.05),
    ):
        share = Member.select().where(flag == True).count() / Member.select().count()  # noqa: E712
        assert low <= share <= high, flag.name


def test_probationary_members_include_due_and_overdue(demo_db):
    due = [
        (validation.probation_due_date(m.joined_on) - DEMO_TODAY).days
        for m in Member.select().where(Member.category == "probationary", Member.status == "active")
    ]
    assert any(d < 0 for d in due), "some overdue for 转正"
    assert any(0 <= d <= 30 for d in due), "some due within 30 days"
    assert sum(d < 0 for d in due) <= 15


def test_volunteers(demo_db):
    volunteers = list(Volunteer.select())
    linked = [v for v in volunteers if v.member_id]
    assert 0.25 <= len(linked) / len(volunteers) <= 0.4
    for v in linked:
        assert v.id_number == v.member.id_number and v.name == v.member.name
    member_ids = {m.id_number for m in Member.select(Member.id_number)}
    for v in volunteers:
        assert v.id_number or v.phone
        assert v.name_initials == initials(v.name)
        if v.id_number:
            assert validation.validate_id_number(v.id_number, today=DEMO_TODAY).problems == ()
            assert v.member_id or v.id_number not in member_ids
    names = {t.name for t in VolunteerTeam.select()}
    assert {"护花志愿服务队", "“情暖桑榆”志愿服务队", "朝阳护学志愿服务队"} <= names
    for t in VolunteerTeam.select():
        assert (t.branch_id is None) != (t.community_id is None)
        assert t.leader_name and t.memberships.count() > 0
    projects = {p.name for p in ServiceProject.select()}
    assert len(projects) >= 50
    assert {"乐夕阳", "朝阳护学", "老韩说法", "幸福护卫", "情暖桑榆", "爱在楼栋 友邻相伴"} <= projects
    assert 2_000 <= ServiceRecord.select().count() <= 10_000
    check_service_records(DEMO_TODAY)


def test_rating_of_previous_year(demo_db):
    check_rating(2025)
    rnd = RatingRound.get(RatingRound.year == 2025)
    assert rnd.publicity_start.year == 2026 and rnd.publicity_start.month == 3
    five = Rating.select().where(Rating.round == rnd, Rating.stars == 5).count()
    assert five * 100 <= 74 * 10  # within the 10 % cap
    criteria = RatingCriterion.select().where(RatingCriterion.scheme == rnd.scheme)
    assert sum(c.max_cp for c in criteria if c.kind == "score") == 10000
    assert {c.item for c in criteria if c.kind == "veto"} == {"严重违法违纪", "重大安全事故", "群体性事件", "三年未发展党员"}
    stages = Counter(s.stage for s in RatingScore.select())
    assert stages["street"] and stages["self"] and stages["community"]
    mean = Counter()
    for r in Rating.select(Rating, Branch).join(Branch).where(Rating.round == rnd):
        key = "estate" if r.branch.category == "estate" else "other"
        mean[key] += r.total_cp
        mean[key + "_n"] += 1
    assert mean["estate"] / mean["estate_n"] > mean["other"] / mean["other_n"]


def test_ledger_of_current_year(demo_db):
    check_ledger(DEMO_TODAY)
    special = Fund.get(Fund.name == "小区党组织服务群众专项经费")
    assert special.carries_over is False and special.minimum_fen == 1_000_000
    assert Fund.get_or_none(Fund.name == "党建工作经费") is not None
    allocated = dict(
        LedgerEntry.select(LedgerEntry.branch, pw.fn.SUM(LedgerEntry.amount_fen))
        .where(LedgerEntry.fund == special, LedgerEntry.kind == "allocation", LedgerEntry.year == 2026)
        .group_by(LedgerEntry.branch)
        .tuples()
    )
    estate_ids = [b.id for b in Branch.select().where(Branch.category == "estate")]
    assert sorted(allocated) == sorted(estate_ids)
    assert all(amount == 1_000_000 for amount in allocated.values())
    for branch_id in estate_ids:
        first = LedgerEntry.get(LedgerEntry.branch == branch_id, LedgerEntry.year == 2026, LedgerEntry.voucher_no == 1)
        assert first.kind == "allocation" and first.fund_id == special.id and first.amount_fen == 1_000_000
        assert first.entry_date.month == 1
        assert LedgerEntry.select().where(LedgerEntry.branch == branch_id, LedgerEntry.kind == "expense").count() >= 1


def test_account_setting_and_audit(demo_db):
    admin = Account.get(Account.username == "admin")
    assert admin.display_name == "管理员" and admin.role == "admin" and admin.password_hash is None
    assert Setting.get_by_id("organization.name").value_json == '"望湖街道"'
    events = list(AuditEvent.select().where(AuditEvent.entity == "database", AuditEvent.action == "demo"))
    assert len(events) == 1 and "74" in events[0].note


def test_demo_refuses_a_database_that_has_branches(demo_db):
    before = Member.select().count()
    with pytest.raises(UsageError) as info:
        demo.build_demo(today=DEMO_TODAY)
    assert "空数据库" in info.value.message
    assert Member.select().count() == before
    assert AuditEvent.select().where(AuditEvent.action == "demo").count() == 1


def test_demo_database_is_healthy(demo_db):
    assert database.integrity_problems() == []


# ---------------------------------------------------------------- determinism and other dates


def _build(path, today):
    with database.opened(path, lock=False):
        counts = demo.build_demo(today=today)
        figures = stats.collect()
        members = list(Member.select(Member.name, Member.id_number).order_by(Member.id).tuples())
        ledger = list(LedgerEntry.select(LedgerEntry.branch, LedgerEntry.voucher_no, LedgerEntry.amount_fen)
                      .order_by(LedgerEntry.id).tuples())
    return counts, figures, members, ledger


def test_same_date_gives_the_same_data(tmp_path):
    first = _build(tmp_path / "a.db", DEMO_TODAY)
    second = _build(tmp_path / "b.db", DEMO_TODAY)
    assert first == second
    other_seed_members = None
    with database.opened(tmp_path / "c.db", lock=False):
        demo.build_demo(today=DEMO_TODAY, seed=7)
        other_seed_members = list(Member.select(Member.name, Member.id_number).order_by(Member.id).tuples())
    assert other_seed_members != first[2]


@pytest.mark.parametrize("today", [dt.date(2025, 6, 30), dt.date(2028, 2, 29), dt.date(2027, 1, 5)])
def test_other_dates_move_the_rating_and_the_ledger(tmp_path, today):
    with database.opened(tmp_path / "w.db", lock=False):
        demo.build_demo(today=today)
        figures = stats.collect()
        assert list(figures["ratings"]) == [str(today.year - 1)]
        rating = figures["ratings"][str(today.year - 1)]
        assert (rating["rated"], rating["at_least_one_star"], rating["by_stars"]["5"]) == (74, 66, 7)
        assert list(figures["ledger"]) == [str(today.year)]
        assert figures["ledger"][str(today.year)]["allocated_fen"] >= 29 * 1_000_000
        assert figures["branches"]["total"] == 74 and figures["building_groups"] == 233
        check_members(today)
        check_ledger(today)
        check_service_records(today)
        check_rating(today.year - 1)
        assert database.integrity_problems() == []
        assert db.execute_sql("SELECT COUNT(*) FROM member").fetchone()[0] > 2000
