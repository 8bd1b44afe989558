"""The 公示 PDF names only the stages of the rating that took place that year and states
the recorded tie decisions (记录同分裁定); its text is read back with pypdf in the fonts
this machine offers (`report_fonts`: always the built-in STSong-Light)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pypdf import PdfReader

from models import Branch, Community
from reports import rating_pdf
from wanghu_desk.services import rating

YEAR = 2026
TODAY = dt.date(2027, 4, 1)
REASON = "经街道党工委会议研究，按群众评价得分排序"


def _branches(n: int) -> list[int]:
    community = Community.create(name="望湖社区")
    return [Branch.create(name=f"测试{i:02d}小区党支部", category="estate", community=community, sort_order=i).id
            for i in range(1, n + 1)]


def _enter(branch_ids, total_cp: int, stage: str) -> None:
    """Points per score item (each within its maximum) adding up to `total_cp`, at `stage`."""
    scheme = rating.scheme_for_year(YEAR)
    points, left = {}, total_cp
    for item in scheme.score_items:
        points[item.id] = min(item.max_cp, left)
        left -= points[item.id]
    assert left == 0
    rating.set_scores(YEAR, stage, [(b, cid, cp) for b in branch_ids for cid, cp in points.items()])


def _text(doc, tmp_path, name: str) -> str:
    path = doc.build(tmp_path / name)
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in PdfReader(str(path)).pages))


def _notice(tmp_path, fonts, name="公示.pdf") -> str:
    doc = rating_pdf.build_rating_document(rating.year_result(YEAR), area="测试街道", committee="测试街道党工委",
                                           today=TODAY, fonts=fonts)
    return _text(doc, tmp_path, name)


def test_a_year_scored_by_the_street_alone_claims_no_earlier_stage(fresh_db, tmp_path, report_fonts):
    ids = _branches(6)
    rating.create_round(YEAR, source="default")
    _enter(ids, 8500, "street")
    assert rating.stages_held(rating.year_result(YEAR)) == ("street",)
    text = _notice(tmp_path, report_fonts)
    assert "》，经街道党工委审定，测试街道2026年度共有6个党支部参加星级评定" in text
    assert "自评" not in text and "初评" not in text
    assert "同分裁定" not in text  # no tie, no decision to state


def test_a_year_with_all_three_stages_names_them_in_order(fresh_db, tmp_path, report_fonts):
    ids = _branches(6)
    rating.create_round(YEAR, source="default")
    _enter(ids[:2], 8000, "self")
    _enter(ids[2:3], 8200, "community")
    _enter(ids, 8500, "street")
    assert rating.stages_held(rating.year_result(YEAR)) == ("self", "community", "street")
    text = _notice(tmp_path, report_fonts)
    assert "》，经党支部自评、社区党组织初评、街道党工委审定，测试街道2026年度" in text


def test_a_declared_own_star_is_a_self_assessment(fresh_db, tmp_path):
    ids = _branches(3)
    rating.create_round(YEAR, source="default")
    _enter(ids, 8500, "community")
    assert rating.stages_held(rating.year_result(YEAR)) == ("community",)
    rating.set_self_stars(YEAR, ids[0], 4)
    assert rating.stages_held(rating.year_result(YEAR)) == ("self", "community")
    doc = rating_pdf.build_rating_document(rating.year_result(YEAR), area="测试街道", today=TODAY)
    assert "》，经党支部自评、社区党组织初评，测试街道" in _text(doc, tmp_path, "self.pdf")


def test_a_year_without_any_score_states_no_procedure(fresh_db, tmp_path):
    _branches(2)
    rating.create_round(YEAR, source="default")
    doc = rating_pdf.build_rating_document(rating.year_result(YEAR), area="测试街道", today=TODAY)
    text = _text(doc, tmp_path, "none.pdf")
    assert "》，测试街道2026年度共有2个党支部参加星级评定" in text  # no "经…审定" before it


@pytest.fixture
def tied(fresh_db):
    """20 branches (the five-star cap of 10 % allows 2), three tied at 95 points for both places."""
    ids = _branches(20)
    rating.create_round(YEAR, source="default")
    _enter(ids[3:], 7500, "street")
    _enter(ids[:3], 9500, "street")
    return ids


def test_the_recorded_tie_decision_is_stated_and_survives_finalization(tied, tmp_path, report_fonts):
    a, b, c = tied[:3]
    names = [Branch.get_by_id(x).name for x in (a, b, c)]
    text = _notice(tmp_path, report_fonts, "pending.pdf")
    assert "名单暂按同分列入，以裁定结果为准" in text and "同分裁定" not in text  # not decided yet

    rating.record_cap_decision(YEAR, a, "keep", REASON)
    rating.record_cap_decision(YEAR, b, "keep", REASON)
    rating.record_cap_decision(YEAR, c, "demote", REASON)
    decisions = rating.tie_decisions(rating.year_result(YEAR))
    assert [(d.star, d.total_cp, d.kept, d.demoted, d.reasons) for d in decisions] == [
        (5, 9500, tuple(names[:2]), (names[2],), (REASON,))]
    stated = (f"对五星名额边界同为95分的3个党支部（{'、'.join(names)}），{REASON}，"
              f"裁定{names[0]}、{names[1]}评为五星，{names[2]}评为四星。")
    assert decisions[0].text == stated
    text = _notice(tmp_path, report_fonts, "decided.pdf")
    assert "同分裁定" in text and re.sub(r"\s+", "", stated) in text
    assert "以裁定结果为准" not in text  # the tie is settled

    rating.start_publicity(YEAR, TODAY - dt.timedelta(days=10))
    rating.finalize(YEAR, today=TODAY)
    finalized = rating.year_result(YEAR)
    assert finalized.ties == []  # a finalized year computes no ties, its decisions are still stated
    assert rating.tie_decisions(finalized) == decisions
    assert re.sub(r"\s+", "", stated) in _notice(tmp_path, report_fonts, "final.pdf")


def test_a_stale_decision_is_not_stated(tied, tmp_path):
    a, b, c = tied[:3]
    rating.record_cap_decision(YEAR, c, "demote", REASON)
    assert rating.tie_decisions(rating.year_result(YEAR))
    _enter([c], 9000, "street")  # c leaves the tie: its decision no longer decides anything
    assert rating.tie_decisions(rating.year_result(YEAR)) == []
