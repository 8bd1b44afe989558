"""Rules of the yearly star rating (SPEC §4): the default scheme and the star function.

Pure data and functions, no database. Points are integer hundredths (`*_cp`):
90 points = 9000. A scheme stored in the database (`RatingScheme`, `RatingCriterion`)
is created from these defaults and may then differ per year and city.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

#: Minimum total (in hundredths of a point) for each star level: ★5 ≥ 90 … ★1 ≥ 50.
DEFAULT_THRESHOLDS_CP: dict[int, int] = {5: 9000, 4: 8000, 3: 7000, 2: 6000, 1: 5000}

#: Caps on the share of a star level, in percent: at most 10 % five-star branches (包河区).
DEFAULT_CAPS: dict[int, int] = {5: 10}


class Criterion(NamedTuple):
    """One line of a scheme.

    kind: ``score`` (计分项, up to `max_cp`), ``deduction`` (减分项, up to `max_cp` off)
    or ``veto`` (一票否决, `max_cp` 0).
    """

    kind: str
    dimension: str
    item: str
    max_cp: int


def _score(dimension: str, item: str, points: int) -> Criterion:
    return Criterion("score", dimension, item, points * 100)


#: The default 100-point scheme over six dimensions, then deductions and veto items.
DEFAULT_CRITERIA: tuple[Criterion, ...] = (
    _score("组织建设", "支部班子健全，书记、委员分工明确", 6),
    _score("组织建设", "按期换届，楼栋党小组设置规范", 5),
    _score("组织建设", "党群服务站（阵地）建设规范、作用明显", 5),
    _score("组织建设", "党员信息、台账资料齐全准确", 4),
    _score("党员队伍", "发展党员程序规范、质量合格", 5),
    _score("党员队伍", "党员教育培训到位", 5),
    _score("党员队伍", "党员管理（含流动党员、在职党员报到）到位", 5),
    _score("组织生活", "“三会一课”制度落实", 8),
    _score("组织生活", "主题党日活动经常、有特色", 6),
    _score("组织生活", "组织生活会和民主评议党员规范开展", 6),
    _score("作用发挥", "党员亮身份、参加志愿服务", 7),
    _score("作用发挥", "党支部与业委会、物业联动开展小区治理", 7),
    _score("作用发挥", "为民服务项目有成效", 6),
    _score("群众评价", "居民群众满意度测评", 10),
    _score("群众评价", "群众诉求办理及时、反映良好", 5),
    _score("基础保障", "服务群众专项经费使用规范", 5),
    _score("基础保障", "活动场所与设施保障到位", 5),
    Criterion("deduction", "减分项", "党员受到党纪政务处分（每人次扣 5 分）", 500),
    Criterion("deduction", "减分项", "工作推进不力被上级通报批评", 300),
    Criterion("deduction", "减分项", "台账资料弄虚作假", 500),
    Criterion("veto", "一票否决", "严重违法违纪", 0),
    Criterion("veto", "一票否决", "重大安全事故", 0),
    Criterion("veto", "一票否决", "群体性事件", 0),
    Criterion("veto", "一票否决", "三年未发展党员", 0),
)


def score_items(criteria: Iterable[Criterion] = DEFAULT_CRITERIA) -> list[Criterion]:
    """The score (计分) items of a scheme, in order."""
    return [c for c in criteria if c.kind == "score"]


def max_total_cp(criteria: Iterable[Criterion] = DEFAULT_CRITERIA) -> int:
    """The highest reachable total: the sum of the score items' maxima."""
    return sum(c.max_cp for c in score_items(criteria))


def stars_for(
    total_cp: int | None,
    vetoed: bool,
    thresholds: Mapping[int | str, int] = DEFAULT_THRESHOLDS_CP,
) -> int:
    """The star level (0–5) for a total in hundredths of a point.

    A veto gives 0 whatever the score; a total below the lowest threshold gives 0.
    Thresholds may have int or str keys (as stored in `thresholds_json`).
    """
    if vetoed or total_cp is None:
        return 0
    levels = sorted(((int(star), int(cp)) for star, cp in thresholds.items()), reverse=True)
    for star, minimum in levels:
        if total_cp >= minimum:
            return star
    return 0
