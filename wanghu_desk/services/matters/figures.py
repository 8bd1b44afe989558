"""The figures of the matters register, from one function used by the tab, the dashboard,
the quarterly report and `stats --json`:

- received: matters received in the period; settled: matters settled (办结 / 评事 / 完成)
  in the period;
- 按时办结率 = settled by the deadline ÷ settled;
- 满意率 = (满意 + 基本满意) ÷ settled matters with an evaluation;
- the share settled at each level (小区 / 社区 / 街道: where the matter was settled);
- escalations: matters passed up to 社区 / 街道 in the period, each matter once per level;
- overdue open matters: open at the period's end (or today, if earlier) past their deadline;
- the same tallies by kind, category, estate and quarter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from models import Estate, Matter, MatterCategory, MatterEscalation
from wanghu_desk.services.matters import vocab
from wanghu_desk.services.matters._common import as_date


def rate_text(numerator: int, denominator: int) -> str:
    """98.0%, rounded half up to one decimal; "—" when there is nothing to divide by."""
    if denominator <= 0:
        return "—"
    tenths = (numerator * 2000 + denominator) // (2 * denominator)
    return f"{tenths // 10}.{tenths % 10}%"


@dataclass
class Tally:
    label: str
    received: int = 0
    settled: int = 0
    on_time: int = 0
    evaluated: int = 0
    satisfied: int = 0
    overdue_open: int = 0
    settled_at: dict[str, int] = field(default_factory=lambda: dict.fromkeys(vocab.LEVEL_ORDER, 0))

    @property
    def on_time_rate(self) -> str:
        return rate_text(self.on_time, self.settled)

    @property
    def satisfaction_rate(self) -> str:
        return rate_text(self.satisfied, self.evaluated)

    def level_share(self, level: str) -> str:
        return rate_text(self.settled_at[level], self.settled)

    def as_dict(self) -> dict:
        return {
            "received": self.received, "settled": self.settled, "settled_on_time": self.on_time,
            "on_time_rate": self.on_time_rate, "evaluated": self.evaluated, "satisfied": self.satisfied,
            "satisfaction_rate": self.satisfaction_rate, "overdue_open": self.overdue_open,
            "settled_at": dict(self.settled_at),
        }


@dataclass
class MatterFigures:
    start: dt.date
    end: dt.date
    as_of: dt.date
    total: Tally
    escalated_to: dict[str, int]  # level → matters passed up to it in the period
    by_kind: dict[str, Tally]
    by_category: dict[str, Tally]
    by_estate: dict[str, Tally]
    by_quarter: dict[str, Tally]  # "2026Q1" → tally
    wishes_claimed: int  # 微心愿 claimed (or done) among those received in the period

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(), "end": self.end.isoformat(), **self.total.as_dict(),
            "escalated_to": dict(self.escalated_to),
            "by_kind": {k: t.as_dict() for k, t in self.by_kind.items()},
            "wishes_claimed": self.wishes_claimed,
        }


def _quarter(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def figures(start: dt.date, end: dt.date, *, today: dt.date | None = None, kind: str | None = None) -> MatterFigures:
    """The figures of matters between `start` and `end` (both included). See the module."""
    today = today or dt.date.today()
    as_of = min(end, today)
    categories = dict(MatterCategory.select(MatterCategory.id, MatterCategory.name).tuples())
    estates = dict(Estate.select(Estate.id, Estate.name).tuples())
    query = Matter.select(
        Matter.id, Matter.kind, Matter.category, Matter.estate, Matter.received_on, Matter.deadline_on,
        Matter.closed_on, Matter.level, Matter.evaluation, Matter.state,
    ).where((Matter.received_on <= end) & (Matter.closed_on.is_null() | (Matter.closed_on >= start)))
    if kind is not None:
        query = query.where(Matter.kind == kind)
    total = Tally("合计")
    by_kind = {k: Tally(label) for k, label in vocab.KINDS.items() if kind is None or k == kind}
    by_category: dict[str, Tally] = {}
    by_estate: dict[str, Tally] = {}
    by_quarter: dict[str, Tally] = {}
    claimed = 0
    for m in query.namedtuples():
        received = as_date(m.received_on)
        closed = as_date(m.closed_on)
        deadline = as_date(m.deadline_on)
        category = categories.get(m.category, "未分类") if m.category else "未分类"
        estate = estates.get(m.estate, "未指定小区") if m.estate else "未指定小区"
        tallies: list[Tally] = [total, by_kind[m.kind],
                                by_category.setdefault(category, Tally(category)),
                                by_estate.setdefault(estate, Tally(estate))]
        if start <= received <= end:
            quarter = by_quarter.setdefault(_quarter(received), Tally(_quarter(received)))
            _add(tallies + [quarter], "received")
            if m.kind == "wish" and m.state != "collect":
                claimed += 1
        if closed is not None and start <= closed <= end:
            quarter = by_quarter.setdefault(_quarter(closed), Tally(_quarter(closed)))
            group = tallies + [quarter]
            _add(group, "settled")
            for t in group:
                t.settled_at[m.level] = t.settled_at.get(m.level, 0) + 1
            if deadline is None or closed <= deadline:
                _add(group, "on_time")
            if m.evaluation:
                _add(group, "evaluated")
                if m.evaluation in vocab.SATISFIED:
                    _add(group, "satisfied")
        open_at_end = received <= as_of and (closed is None or closed > as_of)
        if open_at_end and deadline is not None and deadline < as_of:
            _add(tallies, "overdue_open")
    escalations = MatterEscalation.select(MatterEscalation.matter, MatterEscalation.to_level).join(Matter).where(
        MatterEscalation.escalated_on.between(start, end))
    if kind is not None:
        escalations = escalations.where(Matter.kind == kind)
    passed: dict[str, set[int]] = {level: set() for level in vocab.LEVEL_ORDER[1:]}
    for matter_id, level in escalations.tuples():
        passed.setdefault(level, set()).add(matter_id)
    return MatterFigures(
        start=start, end=end, as_of=as_of, total=total, escalated_to={k: len(v) for k, v in passed.items()},
        by_kind=by_kind, by_category=_ordered(by_category), by_estate=_ordered(by_estate),
        by_quarter=dict(sorted(by_quarter.items())), wishes_claimed=claimed,
    )


def _add(tallies: Iterable[Tally], name: str) -> None:
    for t in tallies:
        setattr(t, name, getattr(t, name) + 1)


def _ordered(groups: dict[str, Tally]) -> dict[str, Tally]:
    return dict(sorted(groups.items(), key=lambda kv: (-kv[1].received, kv[0])))


def year_figures(year: int, *, today: dt.date | None = None, kind: str | None = None) -> MatterFigures:
    return figures(dt.date(year, 1, 1), dt.date(year, 12, 31), today=today, kind=kind)


def quarter_figures(year: int, quarter: int, *, today: dt.date | None = None) -> MatterFigures:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = (dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)) if quarter < 4 else dt.date(year, 12, 31)
    return figures(start, end, today=today)


@dataclass(frozen=True)
class OverdueReminder:
    count: int
    oldest_number: str
    oldest_deadline: dt.date | None


def overdue_reminder(*, today: dt.date | None = None) -> OverdueReminder:
    """Open matters past their deadline today, for the dashboard."""
    today = today or dt.date.today()
    query = (Matter.select(Matter.number, Matter.deadline_on)
             .where(Matter.closed_on.is_null() & Matter.deadline_on.is_null(False) & (Matter.deadline_on < today))
             .order_by(Matter.deadline_on, Matter.id))
    count = query.count()
    first = query.first()
    return OverdueReminder(count, first.number if first else "", as_date(first.deadline_on) if first else None)


def stats_summary(today: dt.date | None = None) -> dict:
    """This year's figures as plain JSON values (the `matters` key of `stats --json`)."""
    today = today or dt.date.today()
    return {"year": today.year, **year_figures(today.year, today=today).as_dict()}
