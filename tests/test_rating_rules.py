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
