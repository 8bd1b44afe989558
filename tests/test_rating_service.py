"""The star-rating service (SPEC §4): schemes, score entry per stage, the rules (thresholds,
deductions, veto, the five-star cap with ties, stage fallback), 公示, finalization that
locks the year in the service layer, the audited reopen, and the results on the demo."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from models import AuditEvent, Branch, Community, Rating, RatingCriterion, RatingRound, RatingScore
from wanghu_desk.errors import NotFoundError, PermissionDenied, ValidationError
from wanghu_desk.services import rating, settings, stats
from wanghu_desk.services.base import Actor, acting_as
from wanghu_desk.services.lookup import BranchLookup

CLERK = Actor(username="clerk1", display_name="录入员", role="clerk")
VIEWER = Actor(username="viewer1", display_name="查看", role="viewer")
YEAR = 2026
TODAY = dt.date(2027, 4, 1)


# ---------------------------------------------------------------- helpers


def make_branches(n: int, *, community: str = "望湖社区") -> list[int]:
    comm, _ = Community.get_or_create(name=community)
    start = Branch.select().count()
    ids = []
    for i in range(n):
        b = Branch.create(name=f"测试{start + i + 1:02d}小区党支部", category="estate", community=comm,
                          sort_order=start + i + 1)
        ids.append(b.id)
    return ids


def spread(total_cp: int, scheme: rating.SchemeInfo) -> dict[int, int]:
    """Points per score item (each within its maximum) that add up to `total_cp`."""
    out = {}
    left = total_cp
    for c in scheme.score_items:
        take = min(c.max_cp, left)
        out[c.id] = take
        left -= take
    assert left == 0, "total above the scheme's maximum"
    return out


def enter(year: int, branch_id: int, total_cp: int, stage: str = "street") -> None:
    scheme = rating.scheme_for_year(year)
    rating.set_scores(year, stage, [(branch_id, cid, cp) for cid, cp in spread(total_cp, scheme).items()])


def result_of(year: int, branch_id: int) -> rating.BranchResult:
    return rating.year_result(year).by_branch()[branch_id]


def finalize_now(year: int) -> rating.Distribution:
    rating.start_publicity(year, TODAY - dt.timedelta(days=10))
    return rating.finalize(year, today=TODAY)


@pytest.fixture
def round_of_ten(fresh_db):
    ids = make_branches(10)
    rating.create_round(YEAR, source="default")
    return ids


# ---------------------------------------------------------------- schemes and rounds


def test_create_round_uses_the_default_scheme_and_rates_every_active_branch(fresh_db):
    ids = make_branches(3)
    Branch.update(status="dissolved").where(Branch.id == ids[2]).execute()
    info = rating.create_round(YEAR, source="default")
    assert info.status == "open" and info.year == YEAR
    scheme = rating.scheme_for_year(YEAR)
    assert scheme.name == "2026年度星级党支部评定标准"
    assert scheme.max_total_cp == 10000
    assert scheme.thresholds == {5: 9000, 4: 8000, 3: 7000, 2: 6000, 1: 5000}
    assert scheme.caps == {5: 10}
    assert [c.code for c in scheme.score_items][:4] == ["1.1", "1.2", "1.3", "1.4"]
    assert [c.item for c in scheme.vetoes] == ["严重违法违纪", "重大安全事故", "群体性事件", "三年未发展党员"]
    assert [r.branch_id for r in rating.load_sheet(YEAR).rows] == ids[:2]
    with pytest.raises(ValidationError, match="已经建立"):
        rating.create_round(YEAR)
    events = {(e.entity, e.action) for e in AuditEvent.select()}
    assert {("rating_scheme", "create"), ("rating_round", "create")} <= events


def test_a_new_year_copies_last_years_scheme_and_picks_up_new_branches(round_of_ten):
    scheme = rating.scheme_for_year(YEAR)
    lines = [rating.CriterionInput(c.kind, c.dimension, c.item, c.max_cp, c.id) for c in scheme.criteria]
    lines.append(rating.CriterionInput("veto", "一票否决", "拒不执行上级决定", 0))
    rating.save_scheme(scheme.id, name=scheme.name, thresholds={5: 9200, 4: 8000, 3: 7000, 2: 6000, 1: 5000},
                       caps={5: 15}, criteria=lines)
    rating.create_round(YEAR + 1)  # copies the previous year's scheme
    copied = rating.scheme_for_year(YEAR + 1)
    assert copied.id != scheme.id
    assert copied.thresholds[5] == 9200 and copied.caps == {5: 15}
    assert copied.vetoes[-1].item == "拒不执行上级决定"
    assert rating.years() == [YEAR + 1, YEAR]

    new = make_branches(1)[0]
    assert rating.missing_branches(YEAR + 1) == [(new, Branch.get_by_id(new).name)]
    assert rating.add_missing_branches(YEAR + 1) == 1
    assert rating.missing_branches(YEAR + 1) == []
    rating.remove_branch(YEAR + 1, new)
    enter(YEAR + 1, round_of_ten[0], 8000)
    with pytest.raises(ValidationError, match="已有评分"):
        rating.remove_branch(YEAR + 1, round_of_ten[0])


def test_scheme_edits_are_checked(round_of_ten):
    scheme = rating.scheme_for_year(YEAR)
    lines = [rating.CriterionInput(c.kind, c.dimension, c.item, c.max_cp, c.id) for c in scheme.criteria]
    thresholds = dict(scheme.thresholds)

    def save(**kw):
        args = {"name": scheme.name, "thresholds": thresholds, "caps": {5: 10}, "criteria": lines} | kw
        return rating.save_scheme(scheme.id, **args)

    with pytest.raises(ValidationError, match="高于四星"):
        save(thresholds={5: 8000, 4: 8000, 3: 7000, 2: 6000, 1: 5000})
    with pytest.raises(ValidationError, match="高于满分"):
        save(thresholds={5: 10100, 4: 8000, 3: 7000, 2: 6000, 1: 5000})
    with pytest.raises(ValidationError, match="至少要有一个计分项"):
        save(criteria=[c for c in lines if c.kind != "score"])
    with pytest.raises(ValidationError, match="重复"):
        save(criteria=lines + [rating.CriterionInput(lines[0].kind, lines[0].dimension, lines[0].item, 100)])
    with pytest.raises(ValidationError, match="0% 至 100%"):
        save(caps={5: 120})

    # Scores entered: the item can be neither removed nor given a maximum below them.
    first = scheme.score_items[0]
    rating.set_score(YEAR, round_of_ten[0], first.id, "street", first.max_cp)
    with pytest.raises(ValidationError, match="已有 1 条评分，不能删除"):
        save(criteria=[c for c in lines if c.id != first.id])
    lower = [rating.CriterionInput(c.kind, c.dimension, c.item, c.max_cp - 100 if c.id == first.id else c.max_cp, c.id)
             for c in lines]
    with pytest.raises(ValidationError, match="满分不能低于"):
        save(criteria=lower)

    # A fine edit: rename an item, a cap of 20 %, then the change is audited.
    renamed = [rating.CriterionInput(c.kind, c.dimension, c.item + "（修订）" if c.id == first.id else c.item,
                                     c.max_cp, c.id) for c in lines]
    after = save(criteria=renamed, caps={5: 20, 4: 40})
    assert after.caps == {5: 20, 4: 40}
    assert after.score_items[0].item.endswith("（修订）")
    assert AuditEvent.select().where(AuditEvent.entity == "rating_scheme", AuditEvent.action == "update").count() == 1


def test_a_scheme_in_use_by_a_finalized_year_cannot_change(demo_db):
    scheme = rating.scheme_for_year(2025)
    assert scheme.locked and "已定级" in scheme.locked_reason
    lines = [rating.CriterionInput(c.kind, c.dimension, c.item, c.max_cp, c.id) for c in scheme.criteria]
    with pytest.raises(rating.YearFinalizedError, match="已用于已定级的2025 年度"):
        rating.save_scheme(scheme.id, name="改名", thresholds=scheme.thresholds, caps=scheme.caps, criteria=lines)
    assert rating.scheme_for_year(2025).name == scheme.name


# ---------------------------------------------------------------- the rules


@pytest.mark.parametrize(("total_cp", "stars"), [(8999, 4), (9000, 5), (7999, 3), (8000, 4), (4999, 0), (5000, 1)])
def test_threshold_boundaries_are_exact(round_of_ten, total_cp, stars):
    enter(YEAR, round_of_ten[0], total_cp)
    r = result_of(YEAR, round_of_ten[0])
    assert r.total_cp == total_cp
    assert r.stars == stars


def test_deductions_count_against_the_total_within_their_maximum(round_of_ten):
    b = round_of_ten[0]
    scheme = rating.scheme_for_year(YEAR)
    disciplinary = scheme.deductions[0]  # 最多扣 5 分
    enter(YEAR, b, 9200)
    assert result_of(YEAR, b).stars == 5
    rating.set_score(YEAR, b, disciplinary.id, "street", 300)
    r = result_of(YEAR, b)
    assert (r.total_cp, r.stars) == (8900, 4)
    with pytest.raises(ValidationError, match="最多扣 5 分"):
        rating.set_score(YEAR, b, disciplinary.id, "street", 600)
    with pytest.raises(ValidationError, match="不要带负号"):
        rating.set_score(YEAR, b, disciplinary.id, "street", -300)
    # Never below zero.
    enter(YEAR, round_of_ten[1], 200)
    rating.set_score(YEAR, round_of_ten[1], disciplinary.id, "street", 500)
    assert result_of(YEAR, round_of_ten[1]).total_cp == 0


def test_scores_outside_0_to_max_are_refused(round_of_ten):
    first = rating.scheme_for_year(YEAR).score_items[0]  # 6 分
    with pytest.raises(ValidationError, match="满分 6 分，不能填 6.5"):
        rating.set_score(YEAR, round_of_ten[0], first.id, "street", 650)
    with pytest.raises(ValidationError, match="不能为负数"):
        rating.set_score(YEAR, round_of_ten[0], first.id, "self", -1)
    with pytest.raises(ValidationError, match="评分阶段"):
        rating.set_score(YEAR, round_of_ten[0], first.id, "district", 100)
    veto = rating.scheme_for_year(YEAR).vetoes[0]
    with pytest.raises(ValidationError, match="一票否决项不计分"):
        rating.set_score(YEAR, round_of_ten[0], veto.id, "street", 0)
    with pytest.raises(ValidationError):  # all or nothing: the good first entry is not kept
        rating.set_scores(YEAR, "street", [(round_of_ten[0], first.id, 500), (round_of_ten[1], first.id, 700)])
    assert RatingScore.select().count() == 0
    with pytest.raises(NotFoundError, match="不在 2026 年度的评定名单"):
        rating.set_score(YEAR, make_branches(1)[0], first.id, "street", 100)


def test_veto_gives_no_star_and_needs_a_reason(round_of_ten):
    b = round_of_ten[0]
    enter(YEAR, b, 9500)
    with pytest.raises(ValidationError, match="请写明一票否决的原因"):
        rating.set_veto(YEAR, b, True, "  ")
    rating.set_veto(YEAR, b, True, "三年未发展党员")
    r = result_of(YEAR, b)
    assert r.vetoed and r.stars == 0 and r.result_label == "一票否决"
    assert r.total_cp == 9500  # the score is still shown
    assert r.reviewed
    rating.set_veto(YEAR, b, False)
    assert result_of(YEAR, b).stars == 5
    assert Rating.get(Rating.branch == b).veto_reason is None
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.entity == "rating").order_by(AuditEvent.id)]
    assert actions[-2:] == ["veto", "unveto"]


def test_stage_fallback_item_by_item_and_which_stage_the_total_came_from(round_of_ten):
    b = round_of_ten[0]
    scheme = rating.scheme_for_year(YEAR)
    items = scheme.score_items
    assert result_of(YEAR, b).source_stage is None and result_of(YEAR, b).source_label == "未评分"
    enter(YEAR, b, 8500, stage="self")
    r = result_of(YEAR, b)
    assert (r.source_stage, r.total_cp, r.fallback_items, r.stars) == ("self", 8500, 0, 4)
    assert not r.reviewed
    # 社区初评 lowers two items; the others are taken from 自评.
    rating.set_score(YEAR, b, items[0].id, "community", 0)
    rating.set_score(YEAR, b, items[1].id, "community", 0)
    r = result_of(YEAR, b)
    lost = spread(8500, scheme)[items[0].id] + spread(8500, scheme)[items[1].id]
    assert r.source_stage == "community"
    assert r.total_cp == 8500 - lost
    assert r.fallback_items == len(items) - 2
    assert r.stage_totals == {"self": 8500, "community": 0, "street": None}
    assert r.effective[items[0].id] == (0, "community") and r.effective[items[2].id][1] == "self"
    assert "沿用前一阶段" in r.source_label
    # 街道审定 complete: the total is the street's own.
    enter(YEAR, b, 9100, stage="street")
    r = result_of(YEAR, b)
    assert (r.source_stage, r.total_cp, r.fallback_items, r.stars, r.reviewed) == ("street", 9100, 0, 5, True)
    assert rating.year_result(YEAR).progress_text == "已审定 1/10"
    # Clearing a score brings the earlier stage back for that item.
    rating.set_score(YEAR, b, items[0].id, "street", None)
    r = result_of(YEAR, b)
    assert r.effective[items[0].id] == (0, "community") and r.fallback_items == 1 and not r.reviewed


def test_self_declared_star_beside_the_computed_one(round_of_ten):
    b = round_of_ten[0]
    enter(YEAR, b, 8500)
    rating.set_self_stars(YEAR, b, 5)
    r = result_of(YEAR, b)
    assert (r.self_stars, r.stars, r.self_differs) == (5, 4, True)
    rating.set_self_stars(YEAR, b, 4)
    assert not result_of(YEAR, b).self_differs
    with pytest.raises(ValidationError, match="0 至 5 星"):
        rating.set_self_stars(YEAR, b, 6)


# ---------------------------------------------------------------- the cap


@pytest.fixture
def round_of_twenty(fresh_db):
    """20 branches: the five-star cap of 10 % allows 2."""
    ids = make_branches(20)
    rating.create_round(YEAR, source="default")
    for b in ids:
        enter(YEAR, b, 7500)
    return ids


def test_the_cap_keeps_the_highest_totals_and_lowers_the_rest_one_level(round_of_twenty):
    a, b, c = round_of_twenty[:3]
    enter(YEAR, a, 9700)
    enter(YEAR, b, 9600)
    enter(YEAR, c, 9500)
    res = rating.year_result(YEAR)
    assert res.limits == {5: 2}
    by = res.by_branch()
    assert (by[a].stars, by[b].stars, by[c].stars) == (5, 5, 4)
    assert by[c].capped_from == 5 and by[c].uncapped_stars == 5
    assert res.ties == [] and res.distribution.five_star == 2


def test_a_tie_at_the_cap_boundary_is_reported_not_broken_silently(round_of_twenty):
    a, b, c = round_of_twenty[:3]
    for x in (a, b, c):
        enter(YEAR, x, 9500)
    res = rating.year_result(YEAR)
    assert len(res.ties) == 1
    tie = res.ties[0]
    assert (tie.star, tie.total_cp, tie.cap, tie.slots, tie.resolved) == (5, 9500, 2, 2, False)
    assert set(tie.branch_ids) == {a, b, c}
    assert "3 个支部同为 95 分" in tie.message and "请记录裁定" in tie.message
    by = res.by_branch()
    assert all(by[x].stars == 5 and by[x].cap_pending for x in (a, b, c))  # provisional, flagged
    rating.start_publicity(YEAR, TODAY - dt.timedelta(days=10))
    with pytest.raises(ValidationError, match="同为 95 分"):
        rating.finalize(YEAR, today=TODAY)

    with pytest.raises(ValidationError, match="请写明裁定依据"):
        rating.record_cap_decision(YEAR, a, "keep", "")
    rating.record_cap_decision(YEAR, a, "keep", "经街道党工委会议研究")
    rating.record_cap_decision(YEAR, b, "keep", "经街道党工委会议研究")
    with pytest.raises(ValidationError, match="只剩 2 个五星名额"):
        rating.record_cap_decision(YEAR, c, "keep", "再试一次")
    with pytest.raises(ValidationError, match="不在星级名额边界"):
        rating.record_cap_decision(YEAR, round_of_twenty[5], "keep", "无关支部")
    res = rating.year_result(YEAR)
    by = res.by_branch()
    assert (by[a].stars, by[b].stars, by[c].stars) == (5, 5, 4)
    assert by[c].capped_from == 5 and not any(by[x].cap_pending for x in (a, b, c))
    assert res.ties[0].resolved and res.pending_ties == []
    stored = json.loads(Rating.get(Rating.branch == a).cap_decision)
    assert stored["decision"] == "keep" and stored["star"] == 5 and stored["reason"] == "经街道党工委会议研究"

    dist = rating.finalize(YEAR, today=TODAY)
    assert dist.five_star == 2 and dist.by_stars[4] == 1


def test_a_tie_below_a_clear_leader_and_settling_it_by_demotion(round_of_twenty):
    a, b, c = round_of_twenty[:3]
    enter(YEAR, a, 9800)
    enter(YEAR, b, 9300)
    enter(YEAR, c, 9300)
    tie = rating.year_result(YEAR).ties[0]
    assert (tie.slots, set(tie.branch_ids)) == (1, {b, c})
    rating.record_cap_decision(YEAR, c, "demote", "经街道党工委会议研究，按群众评价得分排序")
    by = rating.year_result(YEAR).by_branch()
    assert (by[a].stars, by[b].stars, by[c].stars) == (5, 5, 4)
    rating.record_cap_decision(YEAR, c, None)
    assert rating.year_result(YEAR).pending_ties


# ---------------------------------------------------------------- 公示, finalize, reopen


def test_publicity_is_five_days_by_default_and_a_setting(round_of_ten):
    info = rating.start_publicity(YEAR, dt.date(2027, 3, 10))
    assert (info.status, info.publicity_start, info.publicity_end) == ("publicity", dt.date(2027, 3, 10),
                                                                       dt.date(2027, 3, 14))
    settings.put("rating.publicity_days", 7)
    info = rating.start_publicity(YEAR, dt.date(2027, 3, 10))
    assert info.publicity_end == dt.date(2027, 3, 16)
    assert rating.cancel_publicity(YEAR).status == "open"


def test_finalize_needs_publicity_over_and_every_branch_scored(round_of_ten):
    for b in round_of_ten[:-1]:
        enter(YEAR, b, 8200)
    rating.set_veto(YEAR, round_of_ten[0], True, "群体性事件")
    with pytest.raises(ValidationError, match="还没有公示"):
        rating.finalize(YEAR, today=TODAY)
    rating.start_publicity(YEAR, dt.date(2027, 3, 28))  # ends 2027-04-01 = TODAY
    problems = rating.finalize_problems(YEAR, today=TODAY)
    assert any("2027-04-02 起" in p for p in problems)
    assert any("还没有任何评分" in p for p in problems)
    enter(YEAR, round_of_ten[-1], 9100)
    dist = rating.finalize(YEAR, today=TODAY + dt.timedelta(days=1))
    assert dist.finalized and dist.rated == 10 and dist.by_stars[0] == 1  # the veto
    assert dist.summary == "10 个支部中一星以上 9 个，五星 1 个"
    stored = {r.branch_id: (r.total_cp, r.stars) for r in Rating.select()}
    assert stored[round_of_ten[1]] == (8200, 4)
    assert stored[round_of_ten[0]] == (8200, 0)
    rnd = RatingRound.get(RatingRound.year == YEAR)
    assert rnd.status == "finalized" and rnd.finalized_by == "admin"
    assert stats.collect()["ratings"][str(YEAR)]["at_least_one_star"] == 9


def test_five_star_cap_of_a_small_year_is_reported_in_the_result(round_of_ten):
    b = round_of_ten[0]
    enter(YEAR, b, 9100)
    assert rating.year_result(YEAR).limits == {5: 1}
    assert result_of(YEAR, b).stars == 5


def test_a_finalized_year_refuses_every_write_in_the_service_layer(round_of_ten):
    for b in round_of_ten:
        enter(YEAR, b, 7600)
    finalize_now(YEAR)
    first = rating.scheme_for_year(YEAR).score_items[0]
    b = round_of_ten[0]
    writes = [
        lambda: rating.set_score(YEAR, b, first.id, "street", 100),
        lambda: rating.set_scores(YEAR, "community", [(b, first.id, 100)]),
        lambda: rating.set_self_stars(YEAR, b, 3),
        lambda: rating.set_veto(YEAR, b, True, "严重违法违纪"),
        lambda: rating.record_cap_decision(YEAR, b, None),
        lambda: rating.start_publicity(YEAR, TODAY),
        lambda: rating.cancel_publicity(YEAR),
        lambda: rating.add_missing_branches(YEAR),
        lambda: rating.remove_branch(YEAR, b),
        lambda: rating.finalize(YEAR, today=TODAY),
    ]
    before = RatingScore.select().count(), AuditEvent.select().count()
    for write in writes:
        with pytest.raises(rating.YearFinalizedError) as caught:
            write()
        assert caught.value.message == "2026 年度星级评定已定级，不能再修改。如确需更改，请由管理员「重新开放」该年度。"
    assert (RatingScore.select().count(), AuditEvent.select().count()) == before
    scheme = rating.scheme_for_year(YEAR)
    with pytest.raises(rating.YearFinalizedError):
        rating.save_scheme(scheme.id, name=scheme.name, thresholds=scheme.thresholds, caps=scheme.caps,
                           criteria=[rating.CriterionInput(c.kind, c.dimension, c.item, c.max_cp, c.id)
                                     for c in scheme.criteria])


def test_reopen_is_for_administrators_with_a_reason_and_is_audited(round_of_ten):
    for b in round_of_ten:
        enter(YEAR, b, 7600)
    finalize_now(YEAR)
    with acting_as(CLERK):
        with pytest.raises(PermissionDenied, match="只有管理员"):
            rating.reopen(YEAR, "复核")
    with pytest.raises(ValidationError, match="请写明重新开放的原因"):
        rating.reopen(YEAR, "")
    info = rating.reopen(YEAR, "群众反映第一小区党支部得分有误，经党工委研究复核")
    assert info.status == "open" and info.finalized_at is None
    event = AuditEvent.select().where(AuditEvent.entity == "rating_round", AuditEvent.action == "reopen").get()
    assert event.note == "群众反映第一小区党支部得分有误，经党工委研究复核"
    assert event.account_name == "admin"
    before = json.loads(event.before_json)
    assert before["status"] == "finalized" and before["results"][str(round_of_ten[0])] == [7600, 3]
    assert Rating.select().where(Rating.stars.is_null(False)).count() == 0
    rating.set_score(YEAR, round_of_ten[0], rating.scheme_for_year(YEAR).score_items[0].id, "street", 0)
    with pytest.raises(ValidationError, match="已定级|还没有定级"):
        rating.reopen(YEAR, "再来一次")


def test_viewers_cannot_write(round_of_ten):
    first = rating.scheme_for_year(YEAR).score_items[0]
    with acting_as(VIEWER):
        with pytest.raises(PermissionDenied):
            rating.set_score(YEAR, round_of_ten[0], first.id, "street", 100)
    with acting_as(CLERK):
        rating.set_score(YEAR, round_of_ten[0], first.id, "street", 100)


def test_every_write_is_audited(round_of_ten):
    b = round_of_ten[0]
    first = rating.scheme_for_year(YEAR).score_items[0]
    n = AuditEvent.select().count()
    rating.set_score(YEAR, b, first.id, "street", 450)
    rating.set_score(YEAR, b, first.id, "street", 450)  # unchanged: nothing to record
    rating.set_score(YEAR, b, first.id, "street", None)
    events = list(AuditEvent.select().where(AuditEvent.id > n).order_by(AuditEvent.id))
    assert [e.action for e in events] == ["score", "score"]
    assert json.loads(events[0].after_json) == {"criterion": first.id, "points_cp": 450, "stage": "street"}
    assert json.loads(events[1].after_json)["points_cp"] is None


def test_unknown_year(fresh_db):
    with pytest.raises(NotFoundError, match="还没有 2030 年度"):
        rating.year_result(2030)
    with pytest.raises(ValidationError, match="年度应在"):
        rating.create_round(1999)


# ---------------------------------------------------------------- the demo and the results


def test_the_demo_previous_year_66_at_one_star_or_more_and_7_five_star(demo_db):
    res = rating.year_result(2025)
    dist = res.distribution
    assert dist.summary == "74 个支部中一星以上 66 个，五星 7 个"
    assert dist.by_stars == {0: 8, 1: 6, 2: 10, 3: 19, 4: 24, 5: 7}
    assert dist.vetoed == 2 and dist.finalized
    assert res.progress_text == "已审定 74/74"
    assert res.limits == {5: 7}
    figures = stats.collect()["ratings"]["2025"]
    assert (figures["rated"], figures["at_least_one_star"], figures["by_stars"]["5"]) == (74, 66, 7)

    # Computed live from the stored scores, the rules give the stored result.
    sheet = rating.load_sheet(2025)
    sheet.round = rating.RoundInfo(**{**sheet.round.__dict__, "status": "open"})
    live = rating.evaluate(sheet)
    assert [(r.total_cp, r.stars) for r in live.results] == [(r.total_cp, r.stars) for r in res.results]
    assert live.ties == []


def test_history_with_arrows_and_the_branches_that_dropped(demo_db):
    rating.create_round(2026)
    before = {r.branch_id: r for r in rating.year_result(2025).results}
    five = next(b for b, r in before.items() if r.stars == 5)
    three = next(b for b, r in before.items() if r.stars == 3)
    enter(2026, five, 8500)  # 5 → 4
    enter(2026, three, 9000)  # 3 → 5
    hist = rating.history()
    assert hist.years == [2025, 2026] and hist.finalized == {2025: True, 2026: False}
    rows = {r.branch_id: r for r in hist.rows}
    assert rows[five].change(2026, hist.years) == -1
    assert rows[three].change(2026, hist.years) == 2
    assert rows[five].change(2025, hist.years) is None
    unscored = next(b for b in before if b not in (five, three))
    assert rows[unscored].stars[2026] is None and rows[unscored].change(2026, hist.years) is None
    drops = rating.dropped(2026)
    assert [(d.branch_id, d.previous_stars, d.stars) for d in drops] == [(five, 5, 4)]
    assert rating.dropped(2025) == []


# ---------------------------------------------------------------- import support (pure)


def test_normalize_score_row(round_of_ten):
    scheme = rating.scheme_for_year(YEAR)
    first, second = scheme.score_items[:2]
    deduction = scheme.deductions[0]
    lookup = BranchLookup()
    name = Branch.get_by_id(round_of_ten[0]).name
    row = rating.normalize_score_row(f" {name} ", {first.id: "５.５分", second.id: 4, deduction.id: "-3"},
                                     criteria=scheme.criteria, lookup=lookup)
    assert row.ok and row.branch_id == round_of_ten[0]
    assert row.points == {first.id: 550, second.id: 400, deduction.id: 300}

    row = rating.normalize_score_row(name.removesuffix("党支部"), {first.id: 7, second.id: "—", deduction.id: 8.123},
                                     criteria=scheme.criteria, lookup=lookup)
    assert row.branch_id == round_of_ten[0]  # "…小区" for "…小区党支部"
    assert row.points == {}
    messages = {where: p.message for where, p in row.problems}
    assert messages[first.id] == "该项满分 6 分，不能填 7。"
    assert messages[deduction.id] == "分数最多保留两位小数，请核对。"
    assert second.id not in messages  # "—" means empty

    row = rating.normalize_score_row("不存在的支部", {first.id: "abc"}, criteria=scheme.criteria, lookup=lookup,
                                     rated_branch_ids=round_of_ten, year=YEAR)
    assert not row.ok and row.branch_id is None
    assert any(where == "branch" and "不存在" in p.message for where, p in row.problems)
    assert any(where == first.id and "看不懂的分数" in p.message for where, p in row.problems)

    outsider = make_branches(1)[0]
    row = rating.normalize_score_row(Branch.get_by_id(outsider).name, {}, criteria=scheme.criteria,
                                     lookup=BranchLookup(), rated_branch_ids=round_of_ten, year=YEAR)
    assert [p.message for _, p in row.problems] == [f"党支部「{Branch.get_by_id(outsider).name}」不在 2026 年度的评定名单中。"]


def test_match_score_header(round_of_ten):
    scheme = rating.scheme_for_year(YEAR)
    first = scheme.score_items[0]
    assert rating.match_score_header("支部班子健全，书记、委员分工明确（6分）", scheme.criteria) == first.id
    assert rating.match_score_header("组织建设 支部班子健全,书记、委员分工明确", scheme.criteria) == first.id
    assert rating.match_score_header("1.1", scheme.criteria) == first.id
    assert rating.match_score_header("支部班子健全", scheme.criteria) == first.id
    assert rating.match_score_header("减1", scheme.criteria) == scheme.deductions[0].id
    assert rating.match_score_header("党支部名称", scheme.criteria) is None
    assert rating.match_score_header("严重违法违纪", scheme.criteria) is None  # a veto takes no points
    assert RatingCriterion.select().count() == len(scheme.criteria)
