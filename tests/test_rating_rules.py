"""The star rule and the default rating scheme (SPEC §4)."""

from __future__ import annotations

from collections import Counter

import pytest

from wanghu_desk.rating_rules import (
    DEFAULT_CAPS,
    DEFAULT_CRITERIA,
    DEFAULT_THRESHOLDS_CP,
    max_total_cp,
    score_items,
    stars_for,
)


@pytest.mark.parametrize(
    ("total_cp", "stars"),
    [
        (10000, 5), (9000, 5), (8999, 4), (8000, 4), (7999, 3), (7000, 3), (6999, 2),
        (6000, 2), (5999, 1), (5000, 1), (4999, 0), (0, 0),
    ],
)  # fmt: skip
def test_stars_for_boundaries(total_cp, stars):
    assert stars_for(total_cp, False) == stars


def test_veto_gives_no_star_whatever_the_score():
    assert stars_for(10000, True) == 0
    assert stars_for(9000, True) == 0
    assert stars_for(4999, True) == 0


def test_no_score_gives_no_star():
    assert stars_for(None, False) == 0


def test_thresholds_from_json_with_string_keys():
    stored = {str(k): v for k, v in DEFAULT_THRESHOLDS_CP.items()}
    assert stars_for(8999, False, stored) == 4
    assert stars_for(9000, False, stored) == 5
    assert stars_for(8500, False, {"3": 8000, "1": 6000}) == 3
    assert stars_for(5999, False, {"3": 8000, "1": 6000}) == 0


def test_default_scheme_is_100_points_over_six_dimensions():
    scores = score_items(DEFAULT_CRITERIA)
    assert sum(c.max_cp for c in scores) == 100 * 100
    assert max_total_cp() == 10000
    per_dimension = Counter(c.dimension for c in scores)
    assert list(per_dimension) == ["组织建设", "党员队伍", "组织生活", "作用发挥", "群众评价", "基础保障"]
    assert all(2 <= n <= 4 for n in per_dimension.values())
    assert all(c.max_cp > 0 and c.max_cp % 50 == 0 for c in scores)


def test_default_scheme_has_deductions_and_the_four_vetoes():
    deductions = [c for c in DEFAULT_CRITERIA if c.kind == "deduction"]
    vetoes = [c.item for c in DEFAULT_CRITERIA if c.kind == "veto"]
    assert deductions and all(c.max_cp > 0 for c in deductions)
    assert vetoes == ["严重违法违纪", "重大安全事故", "群体性事件", "三年未发展党员"]
    assert {c.kind for c in DEFAULT_CRITERIA} == {"score", "deduction", "veto"}
    items = [(c.dimension, c.item) for c in DEFAULT_CRITERIA]
    assert len(items) == len(set(items))


def test_default_thresholds_and_cap():
    assert DEFAULT_THRESHOLDS_CP == {5: 9000, 4: 8000, 3: 7000, 2: 6000, 1: 5000}
    assert DEFAULT_CAPS == {5: 10}


# ---------------------------------------------------------------- points, totals and caps (issue 5)

from decimal import Decimal  # noqa: E402

from wanghu_desk.rating_rules import (  # noqa: E402
    Item,
    apply_caps,
    branch_score,
    cap_limit,
    format_points,
    parse_points,
    points_decimal,
    points_problem,
    stage_total,
    thresholds_problem,
)


@pytest.mark.parametrize(
    ("raw", "cp"),
    [
        (8, 800), (8.5, 850), ("8.5", 850), ("８.５分", 850), (" 8.50 ", 850), ("89.99", 8999), (0, 0),
        ("-3", -300), (Decimal("2.25"), 225), (0.1, 10), (None, None), ("无", None), ("—", None), ("", None),
    ],
)  # fmt: skip
def test_parse_points_to_hundredths(raw, cp):
    checked = parse_points(raw)
    assert checked.ok and checked.value == cp


@pytest.mark.parametrize("raw", ["8.123", 8.123, "八分", "8,5", True, float("nan"), "1e3"])
def test_parse_points_refuses_what_it_cannot_read_exactly(raw):
    checked = parse_points(raw)
    assert not checked.ok and checked.value is None


def test_format_points():
    assert [format_points(v) for v in (9000, 8550, 8999, 805, 0, -300, None)] == [
        "90", "85.5", "89.99", "8.05", "0", "-3", ""]
    assert points_decimal(8550) == Decimal("85.5") and points_decimal(None) is None


def test_points_problem():
    assert points_problem(600, "score", 600) is None
    assert points_problem(601, "score", 600) == "该项满分 6 分，不能填 6.01。"
    assert points_problem(-1, "score", 600) == "分数不能为负数。"
    assert points_problem(500, "deduction", 500) is None
    assert "最多扣 5 分" in points_problem(600, "deduction", 500)
    assert "不要带负号" in points_problem(-100, "deduction", 500)
    assert "一票否决项不计分" in points_problem(0, "veto", 0)


def test_thresholds_problem():
    assert thresholds_problem(DEFAULT_THRESHOLDS_CP, 10000) is None
    assert "五个星级" in thresholds_problem({5: 9000}, 10000)
    assert "高于四星" in thresholds_problem({5: 8000, 4: 8000, 3: 7000, 2: 6000, 1: 5000}, 10000)
    assert "高于满分" in thresholds_problem(DEFAULT_THRESHOLDS_CP, 8000)
    assert "大于 0" in thresholds_problem({5: 9000, 4: 8000, 3: 7000, 2: 6000, 1: 0}, 10000)


ITEMS = [Item("a", "score", 6000), Item("b", "score", 4000), Item("d", "deduction", 500), Item("v", "veto", 0)]


def test_stage_total_subtracts_deductions_and_never_goes_below_zero():
    assert stage_total({}, ITEMS) is None
    assert stage_total({"a": 5000, "b": 4000}, ITEMS) == 9000
    assert stage_total({"a": 5000, "b": 4000, "d": 300}, ITEMS) == 8700
    assert stage_total({"a": 100, "d": 500}, ITEMS) == 0
    assert stage_total({"v": 100, "x": 5}, ITEMS) is None  # vetoes and unknown keys take no points


def test_branch_score_falls_back_item_by_item():
    score = branch_score(ITEMS, {"self": {"a": 6000, "b": 4000}, "community": {"b": 3000}, "street": {}}, False)
    assert (score.total_cp, score.source_stage, score.fallback_items, score.stars) == (9000, "community", 1, 5)
    assert score.effective == {"a": (6000, "self"), "b": (3000, "community")}
    assert score.complete_stage == {"self": True, "community": False, "street": False}
    score = branch_score(ITEMS, {"street": {"a": 5000, "b": 3999, "d": 0}}, False)
    assert (score.total_cp, score.stars) == (8999, 4)
    assert branch_score(ITEMS, {"street": {"a": 6000, "b": 4000}}, True).stars == 0
    empty = branch_score(ITEMS, {}, False)
    assert (empty.total_cp, empty.source_stage, empty.stars) == (None, None, 0)


def test_cap_limit_rounds_down():
    assert cap_limit(74, 10) == 7
    assert cap_limit(20, 10) == 2
    assert cap_limit(9, 10) == 0
    assert cap_limit(100, 0) == 0


def test_apply_caps_without_and_with_ties():
    entries = [("a", 9700, 5), ("b", 9500, 5), ("c", 9400, 5), ("d", 8000, 4)] + [(f"x{i}", 7000, 3) for i in range(16)]
    out = apply_caps(entries, {"5": 10})
    assert out.limits == {5: 2}
    assert (out.stars["a"], out.stars["b"], out.stars["c"], out.stars["d"]) == (5, 5, 4, 4)
    assert out.capped_from == {"c": 5} and out.ties == ()

    tied = [("a", 9500, 5), ("b", 9500, 5), ("c", 9500, 5)] + [(f"x{i}", 7000, 3) for i in range(17)]
    out = apply_caps(tied, {5: 10})
    assert len(out.ties) == 1 and not out.ties[0].resolved
    assert out.pending == {"a", "b", "c"} and all(out.stars[k] == 5 for k in "abc")
    # Entry order never decides: reversing it gives the same outcome.
    assert apply_caps(list(reversed(tied)), {5: 10}).pending == {"a", "b", "c"}

    out = apply_caps(tied, {5: 10}, decisions={"a": (5, "keep"), "c": (5, "keep")})
    assert out.ties[0].resolved and (out.stars["a"], out.stars["b"], out.stars["c"]) == (5, 4, 5)
    out = apply_caps(tied, {5: 10}, decisions={"b": (5, "demote")})
    assert out.ties[0].resolved and out.stars["b"] == 4 and out.pending == frozenset()
    out = apply_caps(tied, {5: 10}, decisions={k: (5, "keep") for k in "abc"})
    assert not out.ties[0].resolved and "超过名额" in out.ties[0].message
    # A decision recorded for another level does not count.
    out = apply_caps(tied, {5: 10}, decisions={"a": (4, "keep"), "c": (4, "keep")})
    assert not out.ties[0].resolved


def test_apply_caps_cascades_down_and_a_zero_cap():
    entries = [("a", 9900, 5), ("b", 9800, 5), ("c", 8500, 4)] + [(f"x{i}", 6000, 2) for i in range(7)]
    out = apply_caps(entries, {5: 10, 4: 10})  # one five-star, one four-star among 10
    assert (out.stars["a"], out.stars["b"], out.stars["c"]) == (5, 4, 3)
    assert out.capped_from == {"b": 5, "c": 4}
    out = apply_caps([("a", 9900, 5), ("b", 6000, 2)], {5: 10})
    assert out.stars["a"] == 4 and out.limits == {5: 0}
