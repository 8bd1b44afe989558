"""星级党支部评定: the yearly star rating of every branch (SPEC §4), as a service.

What it owns:

- **Schemes**: a `RatingScheme` per year, created by copying last year's or the default
  (`rating_rules.DEFAULT_*`); `save_scheme` edits one, and refuses while the scheme is
  used by a finalized year.
- **Score entry** per stage (自评 / 社区初评 / 街道审定): `set_score`, `set_scores` (many at
  once, for a pasted or imported sheet), `set_self_stars`, `set_veto` (with a reason).
  Score items take 0 … max; a deduction item takes the points deducted, 0 … max.
- **Results, live**: `year_result` computes every total from the 街道审定 scores, item by
  item falling back to 社区初评 and 自评 where a later stage is empty, says which stage
  each total came from, applies the thresholds, the veto and the cap on five-star
  branches (a tie at the cap boundary is reported, and settled by `record_cap_decision`).
- **公示 and finalization**: `start_publicity` (5 days by default, setting
  ``rating.publicity_days``), `finalize` (stores `total_cp` and `stars` and locks the
  year), `reopen` (administrators only, with a reason in the audit log).
  **A finalized year refuses every write here, in the service layer** (`YearFinalizedError`).
- **Views of the results**: `distribution`, `history` (stars per branch across years with
  ↑/↓), `dropped`.
- **Import support**: `normalize_score_row` turns one row of a community's score sheet
  (branch name + points per item) into values and problems, without writing; the import
  pipeline then commits with `set_scores`.

Every write runs in `services.base.writing()` and records audit events. Reads return
plain dataclasses. Points are integer hundredths everywhere (`*_cp`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from models import Branch, Community, Rating, RatingCriterion, RatingRound, RatingScheme, RatingScore
from wanghu_desk import vocab
from wanghu_desk.errors import NotFoundError, UserError, ValidationError
from wanghu_desk.rating_rules import (
    DEFAULT_CAPS,
    DEFAULT_CRITERIA,
    DEFAULT_THRESHOLDS_CP,
    STAGE_LABELS,
    STAGES,
    STAR_NAMES,
    CapTie,
    Item,
    apply_caps,
    branch_score,
    format_points,
    parse_points,
    points_problem,
    thresholds_problem,
)
from wanghu_desk.services import settings
from wanghu_desk.services.base import current_actor, snapshot, writing
from wanghu_desk.services.lookup import BranchLookup
from wanghu_desk.validation import ERROR, Problem, clean_text

__all__ = [
    "BranchResult",
    "CriterionInfo",
    "CriterionInput",
    "Distribution",
    "DropRow",
    "History",
    "HistoryRow",
    "RatingSheet",
    "RoundInfo",
    "SchemeInfo",
    "ScoreRow",
    "SheetRow",
    "TieInfo",
    "YearFinalizedError",
    "YearResult",
    "add_missing_branches",
    "cancel_publicity",
    "create_round",
    "distribution",
    "dropped",
    "evaluate",
    "finalize",
    "history",
    "load_sheet",
    "match_score_header",
    "missing_branches",
    "normalize_score_row",
    "publicity_days",
    "record_cap_decision",
    "remove_branch",
    "reopen",
    "round_info",
    "save_scheme",
    "scheme_detail",
    "scheme_for_year",
    "set_score",
    "set_scores",
    "set_self_stars",
    "set_veto",
    "stages_held",
    "start_publicity",
    "tie_decisions",
    "TieDecision",
    "year_result",
    "years",
]

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_REASON = 200


class YearFinalizedError(UserError):
    """A write to a finalized year: the year is read-only until an administrator reopens it."""


# ---------------------------------------------------------------- plain data


@dataclass(frozen=True)
class CriterionInfo:
    id: int
    kind: str  # score | deduction | veto
    dimension: str
    item: str
    max_cp: int
    sort_order: int
    code: str  # "1.1" … for score items, "减1" for deductions, "否1" for vetoes

    @property
    def kind_label(self) -> str:
        return vocab.label(vocab.CRITERION_KINDS, self.kind)

    @property
    def max_text(self) -> str:
        return format_points(self.max_cp)


@dataclass(frozen=True)
class SchemeInfo:
    id: int
    name: str
    note: str | None
    thresholds: dict[int, int]  # star → minimum total (cp)
    caps: dict[int, int]  # star → percent
    criteria: tuple[CriterionInfo, ...]
    years: tuple[int, ...] = ()  # rounds that use it
    finalized_years: tuple[int, ...] = ()
    scored: dict[int, int] = field(default_factory=dict)  # criterion id → number of scores entered

    @property
    def locked(self) -> bool:
        return bool(self.finalized_years)

    @property
    def locked_reason(self) -> str | None:
        if not self.finalized_years:
            return None
        years = "、".join(f"{y} 年度" for y in self.finalized_years)
        return f"该评定标准已用于已定级的{years}，不能修改。"

    @property
    def score_items(self) -> tuple[CriterionInfo, ...]:
        return tuple(c for c in self.criteria if c.kind == "score")

    @property
    def deductions(self) -> tuple[CriterionInfo, ...]:
        return tuple(c for c in self.criteria if c.kind == "deduction")

    @property
    def vetoes(self) -> tuple[CriterionInfo, ...]:
        return tuple(c for c in self.criteria if c.kind == "veto")

    @property
    def entry_items(self) -> tuple[CriterionInfo, ...]:
        """The items that take points: score items, then deductions."""
        return self.score_items + self.deductions

    @property
    def max_total_cp(self) -> int:
        return sum(c.max_cp for c in self.score_items)

    def items(self) -> list[Item]:
        return [Item(c.id, c.kind, c.max_cp) for c in self.criteria]


@dataclass(frozen=True)
class CriterionInput:
    """One line of a scheme being saved; `id` None for a new line."""

    kind: str
    dimension: str
    item: str
    max_cp: int
    id: int | None = None


@dataclass(frozen=True)
class RoundInfo:
    id: int
    year: int
    scheme_id: int
    status: str  # open | publicity | finalized
    publicity_start: dt.date | None
    publicity_end: dt.date | None
    finalized_at: str | None
    finalized_by: str | None

    @property
    def is_finalized(self) -> bool:
        return self.status == "finalized"

    @property
    def status_label(self) -> str:
        return vocab.label(vocab.RATING_ROUND_STATUSES, self.status)

    @property
    def publicity_text(self) -> str:
        if not self.publicity_start:
            return ""
        end = self.publicity_end.isoformat() if self.publicity_end else "…"
        return f"{self.publicity_start.isoformat()} 至 {end}"


@dataclass
class SheetRow:
    """One branch's entries in one year, as stored."""

    rating_id: int
    branch_id: int
    name: str
    community: str
    category: str
    branch_status: str
    self_stars: int | None
    vetoed: bool
    veto_reason: str | None
    cap_decision: dict | None
    stored_total_cp: int | None
    stored_stars: int | None
    note: str | None
    scores: dict[str, dict[int, int]] = field(default_factory=lambda: {s: {} for s in STAGES})

    @property
    def category_label(self) -> str:
        return vocab.label(vocab.BRANCH_CATEGORIES, self.category)


@dataclass
class RatingSheet:
    round: RoundInfo
    scheme: SchemeInfo
    rows: list[SheetRow]


@dataclass(frozen=True)
class BranchResult:
    """One branch's result, live (or as stored, once the year is finalized)."""

    row: SheetRow
    total_cp: int | None
    source_stage: str | None  # the stage the total came from; None = no scores at all
    fallback_items: int  # items taken from an earlier stage than `source_stage`
    stage_totals: dict[str, int | None]
    effective: dict[int, tuple[int, str]]  # criterion id → (points, stage)
    uncapped_stars: int
    stars: int
    capped_from: int | None  # the level lost to a cap
    cap_pending: bool  # in an unresolved tie at a cap boundary
    reviewed: bool  # 街道审定 complete (or vetoed)

    @property
    def branch_id(self) -> int:
        return self.row.branch_id

    @property
    def name(self) -> str:
        return self.row.name

    @property
    def vetoed(self) -> bool:
        return self.row.vetoed

    @property
    def self_stars(self) -> int | None:
        return self.row.self_stars

    @property
    def self_differs(self) -> bool:
        """The branch declared a different star than the computed one."""
        return self.row.self_stars is not None and self.row.self_stars != self.stars

    @property
    def source_label(self) -> str:
        if self.source_stage is None:
            return "未评分"
        label = STAGE_LABELS[self.source_stage]
        if self.fallback_items:
            return f"{label}（{self.fallback_items} 项沿用前一阶段）"
        return label

    @property
    def result_label(self) -> str:
        if self.row.vetoed:
            return "一票否决"
        if self.total_cp is None:
            return "未评分"
        return STAR_NAMES[self.stars]


@dataclass(frozen=True)
class TieInfo:
    star: int
    total_cp: int
    cap: int
    slots: int
    branch_ids: tuple[int, ...]
    names: tuple[str, ...]
    keep: tuple[int, ...]
    demote: tuple[int, ...]
    undecided: tuple[int, ...]
    resolved: bool
    message: str


@dataclass(frozen=True)
class Distribution:
    year: int
    status: str
    rated: int
    by_stars: dict[int, int]  # 0 … 5
    vetoed: int
    unscored: int

    @property
    def finalized(self) -> bool:
        return self.status == "finalized"

    @property
    def at_least_one_star(self) -> int:
        return sum(n for s, n in self.by_stars.items() if s >= 1)

    @property
    def five_star(self) -> int:
        return self.by_stars.get(5, 0)

    @property
    def summary(self) -> str:
        """ "74 个支部中一星以上 66 个，五星 7 个" """
        return f"{self.rated} 个支部中一星以上 {self.at_least_one_star} 个，五星 {self.five_star} 个"


@dataclass
class YearResult:
    round: RoundInfo
    scheme: SchemeInfo
    results: list[BranchResult]
    ties: list[TieInfo]
    limits: dict[int, int]  # capped star → most branches allowed
    distribution: Distribution

    @property
    def year(self) -> int:
        return self.round.year

    @property
    def rated(self) -> int:
        return len(self.results)

    @property
    def reviewed(self) -> int:
        return sum(1 for r in self.results if r.reviewed)

    @property
    def progress_text(self) -> str:
        return f"已审定 {self.reviewed}/{self.rated}"

    @property
    def pending_ties(self) -> list[TieInfo]:
        return [t for t in self.ties if not t.resolved]

    def by_branch(self) -> dict[int, BranchResult]:
        return {r.branch_id: r for r in self.results}


@dataclass(frozen=True)
class HistoryRow:
    branch_id: int
    name: str
    community: str
    category: str
    stars: dict[int, int | None]  # year → stars (None: not rated that year)
    vetoed: dict[int, bool]

    def change(self, year: int, years: Sequence[int]) -> int | None:
        """Stars gained (+) or lost (−) against the previous year in `years` (ascending)."""
        i = list(years).index(year)
        if i == 0:
            return None
        now, before = self.stars.get(year), self.stars.get(years[i - 1])
        if now is None or before is None:
            return None
        return now - before


@dataclass(frozen=True)
class History:
    years: list[int]  # ascending
    finalized: dict[int, bool]
    rows: list[HistoryRow]


@dataclass(frozen=True)
class DropRow:
    branch_id: int
    name: str
    community: str
    previous_year: int
    previous_stars: int
    stars: int


# ---------------------------------------------------------------- reading


def _decode_levels(text: str | None) -> dict[int, int]:
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return {int(k): int(v) for k, v in data.items() if v is not None}


def _codes(criteria: Sequence[tuple[int, str, str, str, int, int]]) -> dict[int, str]:
    """Short codes: score items "1.1", "1.2", "2.1" … by dimension; "减1"; "否1"."""
    codes: dict[int, str] = {}
    dims: dict[str, int] = {}
    within: dict[str, int] = {}
    deductions = vetoes = 0
    for cid, kind, dimension, _item, _max, _order in criteria:
        if kind == "score":
            dims.setdefault(dimension, len(dims) + 1)
            within[dimension] = within.get(dimension, 0) + 1
            codes[cid] = f"{dims[dimension]}.{within[dimension]}"
        elif kind == "deduction":
            deductions += 1
            codes[cid] = f"减{deductions}"
        else:
            vetoes += 1
            codes[cid] = f"否{vetoes}"
    return codes


def scheme_detail(scheme_id: int) -> SchemeInfo:
    scheme = RatingScheme.get_or_none(RatingScheme.id == scheme_id)
    if scheme is None:
        raise NotFoundError("找不到这个评定标准，可能已被删除。")
    rows = list(
        RatingCriterion.select(RatingCriterion.id, RatingCriterion.kind, RatingCriterion.dimension,
                               RatingCriterion.item, RatingCriterion.max_cp, RatingCriterion.sort_order)
        .where(RatingCriterion.scheme == scheme)
        .order_by(RatingCriterion.sort_order, RatingCriterion.id)
        .tuples()
    )
    codes = _codes(rows)
    rounds = list(RatingRound.select(RatingRound.year, RatingRound.status)
                  .where(RatingRound.scheme == scheme).order_by(RatingRound.year).tuples())
    scored = dict(
        RatingScore.select(RatingScore.criterion, pw.fn.COUNT(RatingScore.id))
        .join(RatingCriterion).where(RatingCriterion.scheme == scheme)
        .group_by(RatingScore.criterion).tuples()
    )
    return SchemeInfo(
        id=scheme.id, name=scheme.name, note=scheme.note,
        thresholds=_decode_levels(scheme.thresholds_json), caps=_decode_levels(scheme.caps_json),
        criteria=tuple(CriterionInfo(cid, kind, dim, item, max_cp, order, codes[cid])
                       for cid, kind, dim, item, max_cp, order in rows),
        years=tuple(y for y, _ in rounds), finalized_years=tuple(y for y, s in rounds if s == "finalized"),
        scored=scored,
    )


def _round_row(year: int) -> RatingRound:
    rnd = RatingRound.get_or_none(RatingRound.year == int(year))
    if rnd is None:
        raise NotFoundError(f"还没有 {year} 年度的星级评定。请先「新建年度」。")
    return rnd


def _round_info(rnd: RatingRound) -> RoundInfo:
    return RoundInfo(id=rnd.id, year=rnd.year, scheme_id=rnd.__data__["scheme"], status=rnd.status,
                     publicity_start=rnd.publicity_start, publicity_end=rnd.publicity_end,
                     finalized_at=rnd.finalized_at, finalized_by=rnd.finalized_by)


def years() -> list[int]:
    """The years that have a rating, newest first."""
    return [y for (y,) in RatingRound.select(RatingRound.year).order_by(RatingRound.year.desc()).tuples()]


def round_info(year: int) -> RoundInfo:
    return _round_info(_round_row(year))


def scheme_for_year(year: int) -> SchemeInfo:
    return scheme_detail(_round_row(year).__data__["scheme"])


def publicity_days() -> int:
    try:
        days = int(settings.get("rating.publicity_days") or 5)
    except (TypeError, ValueError):
        days = 5
    return max(1, days)


def load_sheet(year: int) -> RatingSheet:
    """Everything entered for a year, in the branches' order."""
    rnd = _round_row(year)
    scheme = scheme_detail(rnd.__data__["scheme"])
    query = (
        Rating.select(Rating.id, Branch.id, Branch.name, Community.name, Branch.category, Branch.status,
                      Rating.self_stars, Rating.vetoed, Rating.veto_reason, Rating.cap_decision,
                      Rating.total_cp, Rating.stars, Rating.note)
        .join(Branch)
        .join(Community, pw.JOIN.LEFT_OUTER, on=(Branch.community == Community.id))
        .where(Rating.round == rnd)
        .order_by(Branch.sort_order, Branch.id)
        .tuples()
    )
    rows: list[SheetRow] = []
    by_rating: dict[int, SheetRow] = {}
    for (rid, bid, name, community, category, bstatus, self_stars, vetoed, reason, decision,
         total, stars, note) in query:
        row = SheetRow(rid, bid, name, community or "", category, bstatus, self_stars, bool(vetoed), reason,
                       _decode_decision(decision), total, stars, note)
        rows.append(row)
        by_rating[rid] = row
    scores = (RatingScore.select(RatingScore.rating, RatingScore.criterion, RatingScore.stage, RatingScore.points_cp)
              .join(Rating).where(Rating.round == rnd).tuples())
    for rid, cid, stage, cp in scores:
        row = by_rating.get(rid)
        if row is not None and stage in row.scores:
            row.scores[stage][cid] = cp
    return RatingSheet(_round_info(rnd), scheme, rows)


def _decode_decision(text: str | None) -> dict | None:
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return {"decision": None, "reason": text}
    return data if isinstance(data, dict) else None


def evaluate(sheet: RatingSheet) -> YearResult:
    """Totals, stars, caps and ties of a loaded sheet (no database access).

    For a finalized year the stored `total_cp` and `stars` are the result (they were
    computed the same way at finalization and the year has not changed since)."""
    scheme, rnd = sheet.scheme, sheet.round
    items = scheme.items()
    scored = {row.branch_id: branch_score(items, row.scores, row.vetoed, scheme.thresholds) for row in sheet.rows}
    decisions: dict[int, tuple[int, str]] = {}
    for row in sheet.rows:
        d = row.cap_decision
        if d and d.get("decision") in ("keep", "demote") and d.get("star") is not None:
            decisions[row.branch_id] = (int(d["star"]), d["decision"])
    outcome = apply_caps([(r.branch_id, scored[r.branch_id].total_cp, scored[r.branch_id].stars) for r in sheet.rows],
                         scheme.caps, rated=len(sheet.rows), decisions=decisions)
    finalized = rnd.is_finalized
    results: list[BranchResult] = []
    for row in sheet.rows:
        s = scored[row.branch_id]
        total, stars = s.total_cp, outcome.stars[row.branch_id]
        if finalized:
            total = row.stored_total_cp if row.stored_total_cp is not None else total
            stars = row.stored_stars if row.stored_stars is not None else stars
        results.append(BranchResult(
            row=row, total_cp=total, source_stage=s.source_stage, fallback_items=s.fallback_items,
            stage_totals=s.stage_totals, effective=s.effective, uncapped_stars=s.stars, stars=stars,
            capped_from=outcome.capped_from.get(row.branch_id),
            cap_pending=row.branch_id in outcome.pending and not finalized,
            reviewed=row.vetoed or s.complete_stage.get("street", False),
        ))
    names = {r.branch_id: r.name for r in sheet.rows}
    ties = [] if finalized else [_tie_info(t, names) for t in outcome.ties]
    return YearResult(rnd, scheme, results, ties, outcome.limits, _distribution(rnd, results))


def _tie_info(tie: CapTie, names: Mapping[int, str]) -> TieInfo:
    return TieInfo(tie.star, tie.total_cp, tie.cap, tie.slots, tuple(tie.branches),
                   tuple(names[b] for b in tie.branches), tuple(tie.keep), tuple(tie.demote),
                   tuple(tie.undecided), tie.resolved, tie.message)


def _distribution(rnd: RoundInfo, results: Sequence[BranchResult]) -> Distribution:
    by_stars = dict.fromkeys(range(6), 0)
    for r in results:
        by_stars[r.stars] = by_stars.get(r.stars, 0) + 1
    return Distribution(rnd.year, rnd.status, len(results), by_stars,
                        vetoed=sum(1 for r in results if r.vetoed),
                        unscored=sum(1 for r in results if r.total_cp is None and not r.vetoed))


def year_result(year: int) -> YearResult:
    return evaluate(load_sheet(year))


@dataclass(frozen=True)
class TieDecision:
    """A recorded decision on a tie at a cap boundary (记录同分裁定), as the 公示 states it:
    branches with the same total competing for the last places of `star`."""

    star: int
    total_cp: int
    kept: tuple[str, ...]  # stay at `star`
    demoted: tuple[str, ...]  # one level down
    reasons: tuple[str, ...]  # the recorded grounds, each once, in the branches' order
    decided_on: dt.date | None  # the day of the last decision

    @property
    def text(self) -> str:
        """对五星名额边界同为 95.0 分的 3 个党支部（甲、乙、丙），经街道党工委会议研究，裁定甲、乙评为五星，丙评为四星。"""
        names = self.kept + self.demoted
        parts = []
        if self.kept:
            parts.append(f"{'、'.join(self.kept)}评为{STAR_NAMES[self.star]}")
        if self.demoted:
            parts.append(f"{'、'.join(self.demoted)}评为{STAR_NAMES[max(self.star - 1, 0)]}")
        grounds = "；".join(r.rstrip("。") for r in self.reasons)
        return (f"对{STAR_NAMES[self.star]}名额边界同为{format_points(self.total_cp)}分的{len(names)}个党支部"
                f"（{'、'.join(names)}），" + (f"{grounds}，" if grounds else "") + f"裁定{'，'.join(parts)}。")


def stages_held(result: YearResult) -> tuple[str, ...]:
    """The stages that took place in the year, in order (自评, 社区初评, 街道审定): a stage
    counts when any branch has a score entered at it (自评 also when a branch declared
    its own star level)."""
    held = set()
    for r in result.results:
        held.update(stage for stage, scores in r.row.scores.items() if scores)
        if r.row.self_stars is not None:
            held.add("self")
    return tuple(stage for stage in STAGES if stage in held)


def tie_decisions(result: YearResult) -> list[TieDecision]:
    """The recorded tie decisions that shaped the year's result, grouped per tie (the star
    and the shared total), highest star first. A decision counts while the branch still
    has the total and the star level it was recorded for (a stale one, left after the
    scores changed, decides nothing and is not stated)."""
    groups: dict[tuple[int, int], dict[str, Any]] = {}
    for r in result.results:
        d = r.row.cap_decision
        if not d or d.get("decision") not in ("keep", "demote") or d.get("star") is None:
            continue
        star, total = int(d["star"]), d.get("total_cp")
        if total is None or r.total_cp != int(total) or r.uncapped_stars != star or r.vetoed:
            continue
        group = groups.setdefault((star, int(total)), {"keep": [], "demote": [], "reasons": [], "days": []})
        group[d["decision"]].append(r.name)
        reason = (d.get("reason") or "").strip()
        if reason and reason not in group["reasons"]:
            group["reasons"].append(reason)
        try:
            group["days"].append(dt.date.fromisoformat(str(d.get("at") or "")[:10]))
        except ValueError:
            pass
    return [TieDecision(star, total, tuple(g["keep"]), tuple(g["demote"]), tuple(g["reasons"]),
                        max(g["days"]) if g["days"] else None)
            for (star, total), g in sorted(groups.items(), key=lambda kv: (-kv[0][0], -kv[0][1]))]


def distribution(year: int) -> Distribution:
    """Stars per level: "74 个支部中一星以上 66 个，五星 7 个" (`Distribution.summary`)."""
    return year_result(year).distribution


def history() -> History:
    """Stars of every rated branch in every year (finalized years as stored, an open
    year as computed now), oldest year first."""
    rounds = list(RatingRound.select().order_by(RatingRound.year))
    years_ = [r.year for r in rounds]
    finalized = {r.year: r.status == "finalized" for r in rounds}
    stars: dict[int, dict[int, int | None]] = {}
    vetoed: dict[int, dict[int, bool]] = {}
    for rnd in rounds:
        if rnd.status == "finalized":
            for bid, s, v in (Rating.select(Rating.branch, Rating.stars, Rating.vetoed)
                              .where(Rating.round == rnd).tuples()):
                stars.setdefault(bid, {})[rnd.year] = s
                vetoed.setdefault(bid, {})[rnd.year] = bool(v)
        else:
            for r in year_result(rnd.year).results:
                stars.setdefault(r.branch_id, {})[rnd.year] = r.stars if (r.total_cp is not None or r.vetoed) else None
                vetoed.setdefault(r.branch_id, {})[rnd.year] = r.vetoed
    rows: list[HistoryRow] = []
    if stars:
        query = (Branch.select(Branch.id, Branch.name, Community.name, Branch.category)
                 .join(Community, pw.JOIN.LEFT_OUTER, on=(Branch.community == Community.id))
                 .where(Branch.id.in_(list(stars)))
                 .order_by(Branch.sort_order, Branch.id).tuples())
        for bid, name, community, category in query:
            rows.append(HistoryRow(bid, name, community or "", category, stars[bid], vetoed.get(bid, {})))
    return History(years_, finalized, rows)


def dropped(year: int) -> list[DropRow]:
    """Branches with fewer stars in `year` than in the previous rated year."""
    hist = history()
    if year not in hist.years:
        raise NotFoundError(f"还没有 {year} 年度的星级评定。")
    i = hist.years.index(year)
    if i == 0:
        return []
    before = hist.years[i - 1]
    out = []
    for row in hist.rows:
        now, prev = row.stars.get(year), row.stars.get(before)
        if now is not None and prev is not None and now < prev:
            out.append(DropRow(row.branch_id, row.name, row.community, before, prev, now))
    return out


def missing_branches(year: int) -> list[tuple[int, str]]:
    """Active branches not in the year's rating (founded after it was created)."""
    rnd = _round_row(year)
    rated = Rating.select(Rating.branch).where(Rating.round == rnd)
    return list(Branch.select(Branch.id, Branch.name)
                .where(Branch.status == "active", Branch.id.not_in(rated))
                .order_by(Branch.sort_order, Branch.id).tuples())


# ---------------------------------------------------------------- writing: guards


def _locked_message(year: int) -> str:
    return f"{year} 年度星级评定已定级，不能再修改。如确需更改，请由管理员「重新开放」该年度。"


def _open_round(year: int) -> RatingRound:
    """The round of `year`, read inside the write transaction; refuses a finalized year."""
    rnd = _round_row(year)
    if rnd.status == "finalized":
        raise YearFinalizedError(_locked_message(rnd.year))
    return rnd


def _rating(rnd: RatingRound, branch_id: int) -> Rating:
    rating = Rating.get_or_none(Rating.round == rnd, Rating.branch == branch_id)
    if rating is None:
        branch = Branch.get_or_none(Branch.id == branch_id)
        what = f"党支部「{branch.name}」" if branch else "该党支部"
        raise NotFoundError(f"{what}不在 {rnd.year} 年度的评定名单中。")
    return rating


def _check_stage(stage: str) -> None:
    if stage not in STAGES:
        raise ValidationError("评分阶段应为自评、社区初评或街道审定。", field="stage")


def _reason(raw: Any, what: str) -> str:
    text = clean_text(raw)
    if not text:
        raise ValidationError(f"请写明{what}。", field="reason")
    if len(text) > MAX_REASON:
        raise ValidationError(f"{what}太长了，请控制在 {MAX_REASON} 字以内。", field="reason")
    return text


# ---------------------------------------------------------------- schemes and rounds


def _scheme_name(year: int) -> str:
    base = f"{year}年度星级党支部评定标准"
    name, n = base, 2
    while RatingScheme.select().where(RatingScheme.name == name).exists():
        name = f"{base}（{n}）"
        n += 1
    return name


def _levels_json(levels: Mapping[int, int]) -> str:
    return json.dumps({str(k): int(v) for k, v in sorted(levels.items(), reverse=True)})


def create_round(year: int, *, source: str = "previous") -> RoundInfo:
    """Start the rating of `year` for every active branch.

    `source`: ``"previous"`` copies the scheme of the latest earlier year (the default
    when there is none), ``"default"`` takes the default scheme of SPEC §4.
    """
    year = int(year)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(f"年度应在 {MIN_YEAR} 至 {MAX_YEAR} 之间。", field="year")
    if source not in ("previous", "default"):
        raise ValidationError("评定标准应选「复制上一年度」或「默认标准」。", field="source")
    with writing("rating.create_round") as tx:
        if RatingRound.select().where(RatingRound.year == year).exists():
            raise ValidationError(f"{year} 年度的星级评定已经建立。", field="year")
        previous = None
        if source == "previous":
            previous = (RatingRound.select().where(RatingRound.year < year).order_by(RatingRound.year.desc()).first()
                        or RatingRound.select().order_by(RatingRound.year.desc()).first())
        if previous is not None:
            old = previous.scheme
            scheme = RatingScheme.create(name=_scheme_name(year), thresholds_json=old.thresholds_json,
                                         caps_json=old.caps_json, note=old.note)
            lines = list(RatingCriterion.select().where(RatingCriterion.scheme == old)
                         .order_by(RatingCriterion.sort_order, RatingCriterion.id))
            rows = [{"scheme": scheme.id, "kind": c.kind, "dimension": c.dimension, "item": c.item,
                     "max_cp": c.max_cp, "sort_order": k} for k, c in enumerate(lines, 1)]
            origin = f"复制 {previous.year} 年度标准"
        else:
            scheme = RatingScheme.create(
                name=_scheme_name(year), thresholds_json=_levels_json(DEFAULT_THRESHOLDS_CP),
                caps_json=_levels_json(DEFAULT_CAPS),
                note="百分制：五星 90 分以上，四星 80 分以上，三星 70 分以上，二星 60 分以上，一星 50 分以上；"
                     "五星党支部不超过 10%。")
            rows = [{"scheme": scheme.id, "kind": c.kind, "dimension": c.dimension, "item": c.item,
                     "max_cp": c.max_cp, "sort_order": k} for k, c in enumerate(DEFAULT_CRITERIA, 1)]
            origin = "默认标准"
        if rows:
            RatingCriterion.insert_many(rows).execute()
        rnd = RatingRound.create(year=year, scheme=scheme, status="open")
        branch_ids = [b for (b,) in Branch.select(Branch.id).where(Branch.status == "active")
                      .order_by(Branch.sort_order, Branch.id).tuples()]
        if branch_ids:
            Rating.insert_many([{"round": rnd.id, "branch": b} for b in branch_ids]).execute()
        tx.audit("rating_scheme", scheme.id, "create", after={"name": scheme.name, "criteria": len(rows)},
                 note=origin)
        tx.audit("rating_round", rnd.id, "create", after={"year": year, "scheme": scheme.id,
                                                            "branches": len(branch_ids)}, note=origin)
    return round_info(year)


def add_missing_branches(year: int) -> int:
    """Add the active branches that are not yet in the year's rating; returns how many."""
    with writing("rating.add_branches") as tx:
        rnd = _open_round(year)
        missing = missing_branches(year)
        for bid, name in missing:
            rating = Rating.create(round=rnd, branch=bid)
            tx.audit("rating", rating.id, "create", after={"round": rnd.id, "branch": bid, "name": name})
    return len(missing)


def remove_branch(year: int, branch_id: int) -> None:
    """Take a branch out of the year's rating (e.g. dissolved before the rating); only
    while it has no scores."""
    with writing("rating.remove_branch") as tx:
        rnd = _open_round(year)
        rating = _rating(rnd, branch_id)
        if RatingScore.select().where(RatingScore.rating == rating).exists():
            raise ValidationError("该支部已有评分，不能移出评定名单。请先清空它的评分。")
        before = snapshot(rating)
        rating.delete_instance()
        tx.audit("rating", before["id"], "delete", before=before)


def _check_criteria(lines: Sequence[CriterionInput]) -> list[CriterionInput]:
    cleaned: list[CriterionInput] = []
    seen: set[tuple[str, str]] = set()
    for n, line in enumerate(lines, 1):
        if line.kind not in vocab.CRITERION_KINDS:
            raise ValidationError(f"第 {n} 行：类型应为计分项、减分项或一票否决。", field="criteria")
        dimension = clean_text(line.dimension) or ("减分项" if line.kind == "deduction" else
                                                   "一票否决" if line.kind == "veto" else None)
        item = clean_text(line.item)
        if not dimension:
            raise ValidationError(f"第 {n} 行：请填写评定维度（如「组织建设」）。", field="criteria")
        if not item:
            raise ValidationError(f"第 {n} 行：请填写评定内容。", field="criteria")
        max_cp = int(line.max_cp or 0)
        if line.kind == "veto":
            max_cp = 0
        elif max_cp <= 0:
            raise ValidationError(f"第 {n} 行「{item}」：分值应大于 0。", field="criteria")
        elif max_cp > 100 * 100:
            raise ValidationError(f"第 {n} 行「{item}」：分值不能超过 100 分。", field="criteria")
        key = (dimension, item)
        if key in seen:
            raise ValidationError(f"第 {n} 行「{item}」与前面的内容重复。", field="criteria")
        seen.add(key)
        cleaned.append(CriterionInput(line.kind, dimension, item, max_cp, line.id))
    if not any(c.kind == "score" for c in cleaned):
        raise ValidationError("评定标准至少要有一个计分项。", field="criteria")
    return cleaned


def save_scheme(
    scheme_id: int,
    *,
    name: str,
    thresholds: Mapping[int, int],
    caps: Mapping[int, int],
    criteria: Sequence[CriterionInput],
    note: str | None = None,
) -> SchemeInfo:
    """Replace a scheme's name, thresholds, caps and criteria (lines with an `id` are
    updated, new ones added, missing ones removed). Refused while the scheme is used by
    a finalized year, and where it would contradict scores already entered."""
    name_text = clean_text(name)
    if not name_text:
        raise ValidationError("请填写评定标准的名称。", field="name")
    lines = _check_criteria(criteria)
    max_total = sum(c.max_cp for c in lines if c.kind == "score")
    levels = {int(k): int(v) for k, v in thresholds.items()}
    problem = thresholds_problem(levels, max_total)
    if problem:
        raise ValidationError(problem, field="thresholds")
    cap_levels: dict[int, int] = {}
    for k, v in caps.items():
        if v is None:
            continue
        if int(k) not in (1, 2, 3, 4, 5) or not 0 <= int(v) <= 100:
            raise ValidationError("星级名额比例应在 0% 至 100% 之间。", field="caps")
        cap_levels[int(k)] = int(v)
    with writing("rating.save_scheme") as tx:
        scheme = RatingScheme.get_or_none(RatingScheme.id == scheme_id)
        if scheme is None:
            raise NotFoundError("找不到这个评定标准，可能已被删除。")
        current = scheme_detail(scheme.id)
        if current.locked:
            raise YearFinalizedError(current.locked_reason + "如需调整，请在新年度中复制后修改。")
        if RatingScheme.select().where(RatingScheme.name == name_text, RatingScheme.id != scheme.id).exists():
            raise ValidationError(f"已有名为「{name_text}」的评定标准，请换一个名称。", field="name")
        old = {c.id: c for c in current.criteria}
        kept_ids = {c.id for c in lines if c.id is not None}
        unknown = kept_ids - set(old)
        if unknown:
            raise ValidationError("评定内容已被修改，请关闭后重新打开评定标准。", field="criteria")
        for cid in set(old) - kept_ids:
            n = current.scored.get(cid, 0)
            if n:
                raise ValidationError(f"「{old[cid].item}」已有 {n} 条评分，不能删除。请先清空这些评分。",
                                      field="criteria")
        for line in lines:
            if line.id is None or not current.scored.get(line.id):
                continue
            was = old[line.id]
            if line.kind != was.kind:
                raise ValidationError(f"「{was.item}」已有评分，不能改变它的类型。", field="criteria")
            top = (RatingScore.select(pw.fn.MAX(RatingScore.points_cp))
                   .where(RatingScore.criterion == line.id).scalar() or 0)
            if top > line.max_cp:
                raise ValidationError(f"「{line.item}」已有 {format_points(top)} 分的评分，满分不能低于它。"
                                      "请先修改这些评分。", field="criteria")
        before = {"name": scheme.name, "thresholds": scheme.thresholds_json, "caps": scheme.caps_json,
                  "note": scheme.note, "criteria": [[c.id, c.kind, c.dimension, c.item, c.max_cp]
                                                     for c in current.criteria]}
        RatingScheme.update(name=name_text, thresholds_json=_levels_json(levels), caps_json=_levels_json(cap_levels),
                            note=clean_text(note)).where(RatingScheme.id == scheme.id).execute()
        removed = list(set(old) - kept_ids)
        if removed:
            RatingCriterion.delete().where(RatingCriterion.id.in_(removed)).execute()
        for order, line in enumerate(lines, 1):
            values = {"kind": line.kind, "dimension": line.dimension, "item": line.item, "max_cp": line.max_cp,
                      "sort_order": order}
            if line.id is None:
                RatingCriterion.create(scheme=scheme.id, **values)
            else:
                RatingCriterion.update(**values).where(RatingCriterion.id == line.id).execute()
        after = scheme_detail(scheme.id)
        tx.audit("rating_scheme", scheme.id, "update", before=before,
                 after={"name": after.name, "thresholds": _levels_json(after.thresholds),
                        "caps": _levels_json(after.caps), "note": after.note,
                        "criteria": [[c.id, c.kind, c.dimension, c.item, c.max_cp] for c in after.criteria]})
    return after


# ---------------------------------------------------------------- score entry


def _criterion(rnd: RatingRound, criterion_id: int) -> RatingCriterion:
    crit = RatingCriterion.get_or_none(RatingCriterion.id == criterion_id)
    if crit is None or crit.__data__["scheme"] != rnd.__data__["scheme"]:
        raise NotFoundError(f"该评定内容不属于 {rnd.year} 年度的评定标准，请刷新后重试。")
    return crit


def _entry_problem(crit: RatingCriterion, points_cp: int) -> str | None:
    problem = points_problem(int(points_cp), crit.kind, crit.max_cp)
    return f"「{crit.item}」：{problem}" if problem else None


def _put_score(rating: Rating, crit: RatingCriterion, stage: str, points_cp: int | None) -> tuple[int | None, int | None]:
    """Write one score (None clears it); returns (before, after)."""
    row = RatingScore.get_or_none(RatingScore.rating == rating, RatingScore.criterion == crit,
                                  RatingScore.stage == stage)
    before = row.points_cp if row else None
    if points_cp is None:
        if row is not None:
            row.delete_instance()
    elif row is None:
        RatingScore.create(rating=rating, criterion=crit, stage=stage, points_cp=int(points_cp))
    elif row.points_cp != points_cp:
        RatingScore.update(points_cp=int(points_cp)).where(RatingScore.id == row.id).execute()
    return before, points_cp


def set_score(year: int, branch_id: int, criterion_id: int, stage: str, points_cp: int | None) -> None:
    """Enter (or with None clear) one branch's points for one item at one stage."""
    _check_stage(stage)
    with writing("rating.set_score") as tx:
        rnd = _open_round(year)
        crit = _criterion(rnd, criterion_id)
        if points_cp is not None:
            problem = _entry_problem(crit, points_cp)
            if problem:
                raise ValidationError(problem, field="points")
        elif crit.kind == "veto":
            raise ValidationError("一票否决项不计分，请在「一票否决」栏勾选并写明原因。", field="points")
        rating = _rating(rnd, branch_id)
        before, after = _put_score(rating, crit, stage, points_cp)
        if before != after:
            tx.audit("rating", rating.id, "score",
                     before={"stage": stage, "criterion": crit.id, "points_cp": before},
                     after={"stage": stage, "criterion": crit.id, "points_cp": after},
                     note=f"{STAGE_LABELS[stage]} · {crit.item}")


def set_scores(year: int, stage: str, entries: Iterable[tuple[int, int, int | None]]) -> int:
    """Enter many ``(branch_id, criterion_id, points_cp | None)`` at one stage in one
    transaction (all or nothing); returns the number of scores changed. One audit
    event per branch changed."""
    _check_stage(stage)
    entries = list(entries)
    with writing("rating.set_scores") as tx:
        rnd = _open_round(year)
        crits = {c.id: c for c in RatingCriterion.select().where(RatingCriterion.scheme == rnd.__data__["scheme"])}
        ratings = {r.__data__["branch"]: r for r in Rating.select().where(Rating.round == rnd)}
        changed: dict[int, tuple[dict, dict]] = {}
        for branch_id, criterion_id, points_cp in entries:
            crit = crits.get(criterion_id)
            if crit is None:
                raise NotFoundError(f"该评定内容不属于 {rnd.year} 年度的评定标准，请刷新后重试。")
            rating = ratings.get(branch_id)
            if rating is None:
                _rating(rnd, branch_id)  # raises with the branch's name
            if points_cp is not None:
                problem = _entry_problem(crit, points_cp)
                if problem:
                    raise ValidationError(problem, field="points")
            elif crit.kind == "veto":
                continue
            before, after = _put_score(rating, crit, stage, points_cp)
            if before != after:
                b, a = changed.setdefault(rating.id, ({}, {}))
                b[str(crit.id)] = before
                a[str(crit.id)] = after
        for rating_id, (before, after) in changed.items():
            tx.audit("rating", rating_id, "scores", before={"stage": stage, "points_cp": before},
                     after={"stage": stage, "points_cp": after}, note=STAGE_LABELS[stage])
    return sum(len(a) for _, a in changed.values())


def set_self_stars(year: int, branch_id: int, stars: int | None) -> None:
    """The star the branch declared in its 自评 (0–5; None: not declared)."""
    if stars is not None and not 0 <= int(stars) <= 5:
        raise ValidationError("自评星级应为 0 至 5 星。", field="self_stars")
    with writing("rating.set_self_stars") as tx:
        rnd = _open_round(year)
        rating = _rating(rnd, branch_id)
        before = rating.self_stars
        value = None if stars is None else int(stars)
        if before != value:
            Rating.update(self_stars=value).where(Rating.id == rating.id).execute()
            tx.audit("rating", rating.id, "self_stars", before={"self_stars": before}, after={"self_stars": value})


def set_veto(year: int, branch_id: int, vetoed: bool, reason: str | None = None) -> None:
    """一票否决 (with a reason, required) or lift it."""
    reason_text = _reason(reason, "一票否决的原因（如「三年未发展党员」）") if vetoed else None
    with writing("rating.set_veto") as tx:
        rnd = _open_round(year)
        rating = _rating(rnd, branch_id)
        before = {"vetoed": bool(rating.vetoed), "veto_reason": rating.veto_reason}
        after = {"vetoed": bool(vetoed), "veto_reason": reason_text}
        if before != after:
            Rating.update(vetoed=bool(vetoed), veto_reason=reason_text).where(Rating.id == rating.id).execute()
            tx.audit("rating", rating.id, "veto" if vetoed else "unveto", before=before, after=after)


def record_cap_decision(year: int, branch_id: int, decision: str | None, reason: str | None = None) -> None:
    """Settle a tie at a cap boundary for one branch: ``"keep"`` (stays at the capped
    level), ``"demote"`` (goes one level down), None (clears the decision). The branch
    must be in a tie; "keep" may not exceed the tie's remaining places."""
    if decision not in ("keep", "demote", None):
        raise ValidationError("裁定结果应为「保留」或「降级」。", field="decision")
    reason_text = _reason(reason, "裁定依据（如「经街道党工委会议研究」）") if decision else None
    with writing("rating.cap_decision") as tx:
        rnd = _open_round(year)
        rating = _rating(rnd, branch_id)
        before = _decode_decision(rating.cap_decision)
        record: dict | None = None
        if decision is not None:
            result = year_result(year)
            tie = next((t for t in result.ties if branch_id in t.branch_ids), None)
            if tie is None:
                raise ValidationError("该支部不在星级名额边界的同分并列中，不需要裁定。", field="decision")
            if decision == "keep":
                others = [b for b in tie.keep if b != branch_id]
                if len(others) >= tie.slots:
                    raise ValidationError(f"同分并列只剩 {tie.slots} 个{STAR_NAMES[tie.star]}名额，已记录 "
                                          f"{len(others)} 个「保留」。请先把其中一个改为「降级」。", field="decision")
            actor = current_actor()
            record = {"star": tie.star, "total_cp": tie.total_cp, "decision": decision, "reason": reason_text,
                      "by": actor.display_name, "at": dt.datetime.now().isoformat(timespec="seconds")}
        text = json.dumps(record, ensure_ascii=False) if record else None
        Rating.update(cap_decision=text).where(Rating.id == rating.id).execute()
        tx.audit("rating", rating.id, "cap_decision", before={"cap_decision": before}, after={"cap_decision": record},
                 note=reason_text)


# ---------------------------------------------------------------- 公示, finalize, reopen


def start_publicity(year: int, start: dt.date, days: int | None = None) -> RoundInfo:
    """Start (or re-date) the 公示: `days` days from `start`, both ends included
    (default: the setting ``rating.publicity_days``, 5)."""
    days = publicity_days() if days is None else int(days)
    if not 1 <= days <= 60:
        raise ValidationError("公示天数应在 1 至 60 天之间。", field="days")
    if not isinstance(start, dt.date):
        raise ValidationError("请填写公示开始日期。", field="start")
    end = start + dt.timedelta(days=days - 1)
    with writing("rating.publicity") as tx:
        rnd = _open_round(year)
        before = {"status": rnd.status, "publicity_start": rnd.publicity_start, "publicity_end": rnd.publicity_end}
        RatingRound.update(status="publicity", publicity_start=start, publicity_end=end).where(
            RatingRound.id == rnd.id).execute()
        tx.audit("rating_round", rnd.id, "publicity", before=before,
                 after={"status": "publicity", "publicity_start": start, "publicity_end": end})
    return round_info(year)


def cancel_publicity(year: int) -> RoundInfo:
    """Back from 公示 to 评定中 (e.g. started by mistake); the dates are cleared."""
    with writing("rating.cancel_publicity") as tx:
        rnd = _open_round(year)
        if rnd.status != "publicity":
            raise ValidationError(f"{year} 年度还没有开始公示。")
        before = {"status": rnd.status, "publicity_start": rnd.publicity_start, "publicity_end": rnd.publicity_end}
        RatingRound.update(status="open", publicity_start=None, publicity_end=None).where(
            RatingRound.id == rnd.id).execute()
        tx.audit("rating_round", rnd.id, "cancel_publicity", before=before, after={"status": "open"})
    return round_info(year)


def finalize_problems(year: int, *, today: dt.date | None = None) -> list[str]:
    """Why `year` cannot be finalized now (empty when it can)."""
    today = today or dt.date.today()
    rnd = _round_row(year)
    if rnd.status == "finalized":
        return [f"{year} 年度已经定级。"]
    problems = []
    if rnd.status != "publicity" or rnd.publicity_end is None:
        problems.append("评定结果还没有公示。请先设定公示时间（默认 5 天），公示期满后再定级。")
    elif today <= rnd.publicity_end:
        problems.append(f"公示期到 {rnd.publicity_end.isoformat()} 结束，请在公示期满后"
                        f"（{(rnd.publicity_end + dt.timedelta(days=1)).isoformat()} 起）定级。")
    result = year_result(year)
    if not result.results:
        problems.append("评定名单中没有党支部。")
    unscored = [r.name for r in result.results if r.total_cp is None and not r.vetoed]
    if unscored:
        shown = "、".join(unscored[:5]) + (f" 等 {len(unscored)} 个支部" if len(unscored) > 5 else "")
        problems.append(f"{shown}还没有任何评分。请录入评分，或把不参加本年度评定的支部移出名单。")
    for tie in result.pending_ties:
        problems.append(tie.message + "（" + "、".join(tie.names) + "）")
    return problems


def finalize(year: int, *, today: dt.date | None = None) -> Distribution:
    """定级: store every branch's total and stars and lock the year. Requires the 公示 to
    be over, every branch scored (or vetoed) and no open tie at a cap boundary."""
    with writing("rating.finalize") as tx:
        rnd = _open_round(year)
        problems = finalize_problems(year, today=today)
        if problems:
            raise ValidationError("暂时不能定级：" + "；".join(p.rstrip("。") for p in problems) + "。")
        result = year_result(year)
        for r in result.results:
            Rating.update(total_cp=r.total_cp, stars=r.stars).where(Rating.id == r.row.rating_id).execute()
        actor = current_actor()
        now = dt.datetime.now().isoformat(timespec="seconds")
        RatingRound.update(status="finalized", finalized_at=now, finalized_by=actor.username).where(
            RatingRound.id == rnd.id).execute()
        dist = result.distribution
        tx.audit("rating_round", rnd.id, "finalize", before={"status": rnd.status},
                 after={"status": "finalized", "rated": dist.rated,
                        "by_stars": {str(k): v for k, v in dist.by_stars.items()}},
                 note=dist.summary)
    return distribution(year)


def reopen(year: int, reason: str) -> RoundInfo:
    """重新开放 a finalized year (administrators only). The reason goes to the audit log;
    the stored results are cleared (they are kept in the audit event) and the year goes
    back to 评定中, so it must be publicized and finalized again."""
    reason_text = _reason(reason, "重新开放的原因")
    with writing("rating.reopen", permission="admin") as tx:
        rnd = _round_row(year)
        if rnd.status != "finalized":
            raise ValidationError(f"{year} 年度还没有定级，不需要重新开放。")
        stored = {str(bid): [total, stars] for bid, total, stars in
                  Rating.select(Rating.branch, Rating.total_cp, Rating.stars).where(Rating.round == rnd).tuples()}
        before = {"status": rnd.status, "finalized_at": rnd.finalized_at, "finalized_by": rnd.finalized_by,
                  "results": stored}
        Rating.update(total_cp=None, stars=None).where(Rating.round == rnd).execute()
        RatingRound.update(status="open", finalized_at=None, finalized_by=None).where(
            RatingRound.id == rnd.id).execute()
        tx.audit("rating_round", rnd.id, "reopen", before=before, after={"status": "open"}, note=reason_text)
    return round_info(year)


# ---------------------------------------------------------------- import support


@dataclass(frozen=True)
class ScoreRow:
    """One normalised row of a score sheet. `points`: criterion id → hundredths (for a
    deduction, the points deducted); an empty cell is absent (leaves the score as it is).
    `problems`: ``(where, Problem)`` with `where` ``"branch"`` or the criterion id."""

    branch_id: int | None
    branch_name: str | None
    points: dict[int, int]
    problems: tuple[tuple[str | int, Problem], ...]

    @property
    def ok(self) -> bool:
        return not any(p.level == ERROR for _, p in self.problems)


def normalize_score_row(
    branch_raw: Any,
    points_raw: Mapping[int, Any],
    *,
    criteria: Sequence[CriterionInfo],
    lookup: BranchLookup,
    rated_branch_ids: Iterable[int] | None = None,
    year: int | None = None,
) -> ScoreRow:
    """Pure normalisation of one score-sheet row (no writing): the branch by short name,
    full name or alias; each item's points parsed ("8.5", 8.5, "８.５分") and checked
    against its maximum. In a deduction column "-3" and "3" both mean 3 points off.

    Commit the valid rows with ``set_scores(year, stage, [(branch_id, criterion_id, cp)])``.
    """
    problems: list[tuple[str | int, Problem]] = []
    checked = lookup.resolve(branch_raw)
    ref = checked.value
    for p in checked.problems:
        problems.append(("branch", p))
    if ref is None and not checked.problems:
        problems.append(("branch", Problem(ERROR, "请填写党支部名称。")))
    if ref is not None and rated_branch_ids is not None and ref.id not in set(rated_branch_ids):
        when = f" {year} 年度" if year else "本年度"
        problems.append(("branch", Problem(ERROR, f"党支部「{ref.name}」不在{when}的评定名单中。")))
    by_id = {c.id: c for c in criteria}
    points: dict[int, int] = {}
    for cid, raw in points_raw.items():
        crit = by_id.get(cid)
        if crit is None or crit.kind == "veto":
            continue
        value = parse_points(raw)
        for p in value.problems:
            problems.append((cid, p))
        if value.value is None:
            continue
        cp = value.value
        if crit.kind == "deduction" and cp < 0:
            cp = -cp
        problem = points_problem(cp, crit.kind, crit.max_cp)
        if problem:
            problems.append((cid, Problem(ERROR, problem)))
            continue
        points[cid] = cp
    return ScoreRow(ref.id if ref else None, ref.name if ref else None, points, tuple(problems))


_HEADER_NOISE = re.compile(r"[（(][^）)]*[分满][^）)]*[）)]|\s+|[，,。.、：:；;“”\"'‘’]")


def _header_key(text: Any) -> str:
    raw = clean_text(text) or ""
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", raw).replace("（", "(").replace("）", ")"))


def match_score_header(header: Any, criteria: Sequence[CriterionInfo]) -> int | None:
    """The criterion a score-sheet column header names, or None: the item's text (with or
    without its dimension, punctuation and "(6分)" ignored), its code ("1.1", "减1"), or a
    unique beginning of the item of at least 4 characters."""
    key = _header_key(header)
    if not key:
        return None
    entries = [c for c in criteria if c.kind != "veto"]
    for c in entries:
        if key in (_header_key(c.item), _header_key(c.dimension + c.item), _header_key(c.code)):
            return c.id
    if len(key) >= 4:
        hits = [c.id for c in entries if _header_key(c.item).startswith(key)]
        if len(hits) == 1:
            return hits[0]
    return None
