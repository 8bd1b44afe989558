"""Rules of the yearly star rating (SPEC §4): the default scheme and the star function.

Pure data and functions, no database. Points are integer hundredths (`*_cp`):
90 points = 9000. A scheme stored in the database (`RatingScheme`, `RatingCriterion`)
is created from these defaults and may then differ per year and city.

Beyond the star function this module owns the arithmetic of a year's rating, so that
the service, the grid and the exports agree to the hundredth:

- `parse_points` / `format_points`: "8.5", 8.5, "８.５分" → 850 and back, never a float
  in between (Decimal), at most two decimals;
- `branch_score`: one branch's total from its 街道审定 scores, item by item falling back
  to 社区初评 and then 自评 where a later stage is empty, and which stage it came from;
  deductions (减分项) count against the total, which never goes below 0;
- `apply_caps`: the cap on the share of a star level (五星 ≤ 10 %), by total score; a tie
  at the boundary is reported as a `CapTie` and settled only by recorded decisions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from wanghu_desk.validation import ERROR, Checked, Problem, clean_text

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


# ---------------------------------------------------------------- stages and points

#: The workflow stages, earliest first: 自评 → 社区初评 → 街道审定.
STAGES: tuple[str, ...] = ("self", "community", "street")
STAGE_LABELS: dict[str, str] = {"self": "自评", "community": "社区初评", "street": "街道审定"}
STAR_LEVELS: tuple[int, ...] = (5, 4, 3, 2, 1)
STAR_NAMES: dict[int, str] = {5: "五星", 4: "四星", 3: "三星", 2: "二星", 1: "一星", 0: "未定星"}

_POINTS = re.compile(r"^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:分)?$")


def parse_points(raw: Any) -> Checked[int]:
    """Points as a clerk types or a sheet holds them → hundredths of a point.

    Accepts 8, 8.5, "8.50", "８.５", "8.5分", " 8.5 " and a leading minus (减分项 are often
    written "-3"; the caller decides what a sign means). Empty cells and the usual empty
    markers ("无", "—", "/") give ``Checked(None)``. More than two decimals is an error:
    a score is never rounded silently.
    """
    if raw is None or isinstance(raw, bool):
        return Checked(None) if raw is None else Checked(None, (Problem(ERROR, "分数应是数字，如 8 或 8.5。"),))
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            return Checked(None, (Problem(ERROR, "分数应是数字，如 8 或 8.5。"),))
        value = Decimal(repr(raw))  # 8.5 → "8.5": the number as the sheet shows it
    elif isinstance(raw, Decimal):
        value = raw
    else:
        text = clean_text(raw)
        if text is None:
            return Checked(None)
        text = unicodedata.normalize("NFKC", text).replace(" ", "").replace("－", "-")
        m = _POINTS.match(text)
        if not m:
            return Checked(None, (Problem(ERROR, f"看不懂的分数「{text}」，请填数字，如 8 或 8.5。"),))
        try:
            value = Decimal(m.group(1) + m.group(2))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return Checked(None, (Problem(ERROR, "分数应是数字，如 8 或 8.5。"),))
    hundredths = value * 100
    if hundredths != hundredths.to_integral_value():
        return Checked(None, (Problem(ERROR, "分数最多保留两位小数，请核对。"),))
    return Checked(int(hundredths))


def format_points(cp: int | None) -> str:
    """9000 → "90", 8550 → "85.5", 8999 → "89.99", -300 → "-3", None → ""."""
    if cp is None:
        return ""
    sign = "-" if cp < 0 else ""
    whole, frac = divmod(abs(int(cp)), 100)
    if not frac:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:02d}".rstrip("0")


def points_decimal(cp: int | None) -> Decimal | None:
    """Hundredths as an exact `Decimal` (for spreadsheets): 8550 → Decimal("85.5")."""
    if cp is None:
        return None
    return Decimal(format_points(cp))


def points_problem(cp: int, kind: str, max_cp: int) -> str | None:
    """Why `cp` cannot be the entry of an item of `kind` with maximum `max_cp`, or None.

    Score items take 0 … max; a deduction item takes the points deducted, 0 … max (it
    counts against the total); a veto item takes no points (it is a tick box).
    """
    if kind == "veto":
        return "一票否决项不计分，请在「一票否决」栏勾选并写明原因。"
    if cp < 0:
        if kind == "deduction":
            return f"减分项请填扣除的分数（0 至 {format_points(max_cp)} 分），不要带负号。"
        return "分数不能为负数。"
    if cp > max_cp:
        if kind == "deduction":
            return f"该减分项最多扣 {format_points(max_cp)} 分，不能填 {format_points(cp)}。"
        return f"该项满分 {format_points(max_cp)} 分，不能填 {format_points(cp)}。"
    return None


def thresholds_problem(thresholds: Mapping[int | str, int], max_total: int) -> str | None:
    """Why star thresholds are unusable, or None: every level 1–5 present, each higher
    star needing strictly more points, all within 0 … the highest reachable total."""
    levels = {int(k): int(v) for k, v in thresholds.items()}
    if sorted(levels) != [1, 2, 3, 4, 5]:
        return "五个星级（一星至五星）都要设定最低分。"
    for star in STAR_LEVELS:
        if levels[star] <= 0:
            return f"{STAR_NAMES[star]}的最低分应大于 0。"
        if levels[star] > max_total:
            return (f"{STAR_NAMES[star]}的最低分 {format_points(levels[star])} 分高于满分 "
                    f"{format_points(max_total)} 分，没有支部能达到。")
    for star in (5, 4, 3, 2):
        if levels[star] <= levels[star - 1]:
            return f"{STAR_NAMES[star]}的最低分应高于{STAR_NAMES[star - 1]}。"
    return None


# ---------------------------------------------------------------- one branch


class Item(NamedTuple):
    """What `branch_score` needs of a criterion: its key (the criterion id), kind, maximum."""

    key: Hashable
    kind: str
    max_cp: int


@dataclass(frozen=True)
class BranchScore:
    """One branch's figures.

    `total_cp`: the total from 街道审定 with per-item fallback (None: no scores at all);
    `source_stage`: the latest stage with any score, i.e. where the total comes from;
    `fallback_items`: how many items were taken from an earlier stage;
    `stage_totals`: each stage's own total (None where the stage has no score);
    `effective`: item key → (points, stage it came from);
    `stars`: the star level before any cap (0 when vetoed or unscored).
    """

    total_cp: int | None
    source_stage: str | None
    fallback_items: int
    stage_totals: dict[str, int | None]
    effective: dict[Hashable, tuple[int, str]]
    stars: int
    complete_stage: dict[str, bool] = field(default_factory=dict)  # every score item entered


def stage_total(points: Mapping[Hashable, int], items: Sequence[Item]) -> int | None:
    """The total of one set of points: score items minus deductions, never below 0.
    None when `points` holds nothing for these items."""
    kinds = {it.key: it.kind for it in items}
    seen = False
    total = 0
    for key, cp in points.items():
        kind = kinds.get(key)
        if kind == "score":
            total += cp
            seen = True
        elif kind == "deduction":
            total -= cp
            seen = True
    return max(0, total) if seen else None


def branch_score(
    items: Sequence[Item],
    scores: Mapping[str, Mapping[Hashable, int]],
    vetoed: bool,
    thresholds: Mapping[int | str, int] = DEFAULT_THRESHOLDS_CP,
) -> BranchScore:
    """See `BranchScore`. `scores` maps a stage to its entered points per item key; an
    item missing from a stage is empty there (0 entered is not empty)."""
    counted = [it for it in items if it.kind in ("score", "deduction")]
    score_keys = [it.key for it in counted if it.kind == "score"]
    stage_totals: dict[str, int | None] = {}
    complete: dict[str, bool] = {}
    for stage in STAGES:
        entered = scores.get(stage) or {}
        stage_totals[stage] = stage_total(entered, counted)
        complete[stage] = bool(score_keys) and all(k in entered for k in score_keys)
    effective: dict[Hashable, tuple[int, str]] = {}
    for it in counted:
        for stage in reversed(STAGES):
            entered = scores.get(stage) or {}
            if it.key in entered:
                effective[it.key] = (entered[it.key], stage)
                break
    source = next((s for s in reversed(STAGES) if stage_totals[s] is not None), None)
    if source is None:
        return BranchScore(None, None, 0, stage_totals, effective, 0, complete)
    total = stage_total({k: cp for k, (cp, _) in effective.items()}, counted)
    fallback = sum(1 for _, stage in effective.values() if stage != source)
    return BranchScore(total, source, fallback, stage_totals, effective,
                       stars_for(total, vetoed, thresholds), complete)


# ---------------------------------------------------------------- caps


def cap_limit(rated: int, percent: int) -> int:
    """How many branches a cap of `percent` % allows among `rated`: 10 % of 74 → 7."""
    return max(0, int(rated) * int(percent) // 100)


@dataclass(frozen=True)
class CapTie:
    """Branches with the same total at the boundary of a capped star level, where the
    remaining `slots` are fewer than the branches. `resolved` when recorded decisions
    (`keep` / `demote`) settle who stays; until then the `undecided` keep the level
    provisionally and the year cannot be finalized."""

    star: int
    total_cp: int
    cap: int
    slots: int
    branches: tuple[Hashable, ...]
    keep: tuple[Hashable, ...]
    demote: tuple[Hashable, ...]
    undecided: tuple[Hashable, ...]
    resolved: bool

    @property
    def message(self) -> str:
        name = STAR_NAMES[self.star]
        text = (f"{name}名额 {self.cap} 个：{len(self.branches)} 个支部同为 {format_points(self.total_cp)} 分，"
                f"争剩余 {self.slots} 个名额")
        if self.resolved:
            return text + "，已按记录的裁定处理。"
        if len(self.keep) > self.slots:
            return text + f"，但记录了 {len(self.keep)} 个「保留」，超过名额。请修改裁定。"
        return text + "，请记录裁定（保留或降级）。"


@dataclass(frozen=True)
class CapOutcome:
    stars: dict[Hashable, int]  # final star per key
    capped_from: dict[Hashable, int]  # key → the level it lost because of a cap
    pending: frozenset[Hashable]  # keys in an unresolved tie (keep their level provisionally)
    ties: tuple[CapTie, ...]
    limits: dict[int, int]  # capped star → the most branches allowed

    @property
    def unresolved(self) -> tuple[CapTie, ...]:
        return tuple(t for t in self.ties if not t.resolved)


def apply_caps(
    entries: Sequence[tuple[Hashable, int | None, int]],
    caps: Mapping[int | str, int],
    *,
    rated: int | None = None,
    decisions: Mapping[Hashable, tuple[int, str]] | None = None,
) -> CapOutcome:
    """Apply the caps on star shares to ``(key, total_cp, stars)`` entries.

    Levels are taken from the top: when more branches reach a capped level than
    `cap_limit(rated, percent)` allows, those with the highest totals keep it and the
    rest go one level down (where a cap on that level applies in turn). Branches with
    the same total at the boundary are never split by order of entry: `decisions`
    (key → (level, "keep" | "demote")) settle them; otherwise the tie is reported and
    its undecided branches keep the level provisionally (`pending`).
    """
    decisions = decisions or {}
    limits_pct = {int(k): int(v) for k, v in caps.items() if v is not None}
    n = len(entries) if rated is None else rated
    stars = {key: s for key, _, s in entries}
    totals = {key: (t if t is not None else -1) for key, t, _ in entries}
    order = {key: i for i, (key, _, _) in enumerate(entries)}
    capped_from: dict[Hashable, int] = {}
    pending: set[Hashable] = set()
    ties: list[CapTie] = []
    limits: dict[int, int] = {}
    for level in sorted(limits_pct, reverse=True):
        if level < 1:
            continue
        cap = cap_limit(n, limits_pct[level])
        limits[level] = cap
        group = sorted((k for k, s in stars.items() if s == level), key=lambda k: (-totals[k], order[k]))
        if len(group) <= cap:
            continue
        if cap == 0:
            out = group
        else:
            boundary = totals[group[cap - 1]]
            above = [k for k in group if totals[k] > boundary]
            tied = [k for k in group if totals[k] == boundary]
            below = [k for k in group if totals[k] < boundary]
            slots = cap - len(above)
            if len(tied) <= slots:  # pragma: no cover - len(group) > cap means someone is out
                out = below
            else:
                keep = [k for k in tied if decisions.get(k) == (level, "keep")]
                demote = [k for k in tied if decisions.get(k) == (level, "demote")]
                undecided = [k for k in tied if k not in keep and k not in demote]
                if len(keep) == slots:  # the decisions fill the slots: the rest go down
                    resolved, out = True, demote + undecided + below
                elif len(keep) + len(undecided) <= slots:  # enough demoted by decision
                    resolved, out = True, demote + below
                else:
                    # Open tie: the undecided keep the level provisionally, so nobody loses
                    # a level by the order of entry; the year cannot be finalized.
                    resolved, out = False, demote + below
                    pending.update(undecided if len(keep) < slots else keep + undecided)
                ties.append(CapTie(level, boundary, cap, slots, tuple(tied), tuple(keep), tuple(demote),
                                   tuple(undecided), resolved))
        for k in out:
            stars[k] = level - 1
            capped_from.setdefault(k, level)
    return CapOutcome(stars, capped_from, frozenset(pending), tuple(ties), limits)
