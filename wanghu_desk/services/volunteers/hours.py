"""Service time and star volunteers: hours in 0.5 h steps stored as whole minutes, the
24 h a day limit, star levels by cumulative hours, and the periods (quarter, year) the
totals are taken over."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import peewee as pw

from models import ServiceRecord
from wanghu_desk import validation, vocab
from wanghu_desk.services.volunteers._common import _int_or_none

#: Service time is recorded in steps of half an hour.
HOUR_STEP_MINUTES = 30
#: One person's service on one day adds up to at most 24 hours.
DAY_LIMIT_MINUTES = 24 * 60

STAR_NAMES = {1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}
#: star level → the cumulative hours it takes
STAR_HOURS = {level: hours for hours, level in vocab.VOLUNTEER_STAR_LEVELS}


def parse_hours(raw: object) -> validation.Checked[int]:
    """Hours as a clerk types them ("2", "1.5", "2.5小时", "１．５") → whole minutes.

    Hours go in steps of 0.5 h, more than 0 and at most 24. Empty input gives
    ``Checked(None)`` with no problem."""
    if isinstance(raw, bool):
        return validation.Checked(None, (validation.Problem(validation.ERROR, "请填写小时数，如 2 或 1.5。"),))
    if isinstance(raw, (int, float)):
        text = repr(float(raw))
    else:
        cleaned = validation.clean_text(raw)
        if cleaned is None:
            return validation.Checked(None)
        text = unicodedata.normalize("NFKC", cleaned).replace(" ", "").lower()
        text = re.sub(r"(个)?(小时|钟头|h|hr|hrs|时)$", "", text)
    m = re.fullmatch(r"(\d{1,4})(?:\.(\d+))?", text)
    if not m:
        return validation.Checked(None, (validation.Problem(validation.ERROR, "看不懂的小时数，请填写如 2 或 1.5。"),))
    whole, frac = int(m.group(1)), (m.group(2) or "").rstrip("0")
    if frac not in ("", "5"):
        return validation.Checked(None, (validation.Problem(
            validation.ERROR, "服务时长按 0.5 小时计，请填写如 1、1.5、2。"),))
    minutes = whole * 60 + (30 if frac == "5" else 0)
    if minutes <= 0:
        return validation.Checked(None, (validation.Problem(validation.ERROR, "服务时长应大于 0 小时。"),))
    if minutes > DAY_LIMIT_MINUTES:
        return validation.Checked(None, (validation.Problem(
            validation.ERROR, "一天的服务时长不能超过 24 小时，请核对。"),))
    return validation.Checked(minutes)


def _minutes_checked(raw: object) -> validation.Checked[int]:
    """Whole minutes given directly (by code, not typed): the same rules as `parse_hours`."""
    minutes = _int_or_none(raw)
    if minutes is None or minutes % HOUR_STEP_MINUTES:
        return validation.Checked(None, (validation.Problem(
            validation.ERROR, "服务时长按 0.5 小时计，请填写如 1、1.5、2。"),))
    return parse_hours(f"{minutes // 60}.{5 if minutes % 60 else 0}")


def hours_text(minutes: int | None) -> str:
    """Minutes as hours for the screen: 90 → "1.5", 120 → "2", 45 → "0.75", 0 → "0"."""
    minutes = int(minutes or 0)
    whole, rest = divmod(minutes, 60)
    if rest == 0:
        return f"{whole:,}"
    hundredths = (rest * 100 + 30) // 60  # rounded half up, no floats
    if hundredths == 100:
        return f"{whole + 1:,}"
    text = f"{hundredths:02d}".rstrip("0")
    return f"{whole:,}.{text}"


def hours_value(minutes: int | None) -> int | float:
    """Minutes as a number of hours (for JSON and sheets): int when whole, else 2 decimals."""
    minutes = int(minutes or 0)
    return minutes // 60 if minutes % 60 == 0 else round(minutes / 60, 2)


def star_level(minutes: int | None) -> int:
    """0–5 from cumulative service minutes: 100 h → 1, 300 h → 2, 600 h → 3, 1000 h → 4,
    1500 h → 5 (national levels; 99.5 h is still no star)."""
    minutes = int(minutes or 0)
    for threshold_hours, level in vocab.VOLUNTEER_STAR_LEVELS:
        if minutes >= threshold_hours * 60:
            return level
    return 0


def star_label(level: int) -> str:
    """"三星志愿者", or "" below one star."""
    return f"{STAR_NAMES[level]}志愿者" if level in STAR_NAMES else ""


def next_star(minutes: int) -> tuple[int, int] | None:
    """(the next level, minutes still missing), or None at five stars."""
    for threshold_hours, level in sorted(vocab.VOLUNTEER_STAR_LEVELS):
        if minutes < threshold_hours * 60:
            return level, threshold_hours * 60 - minutes
    return None


@dataclass(frozen=True)
class Period:
    start: dt.date | None
    end: dt.date | None
    label: str


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_span(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year, 12, 31) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)
    return start, end


def this_quarter(today: dt.date) -> Period:
    year, quarter = quarter_of(today)
    start, end = quarter_span(year, quarter)
    return Period(start, end, f"{year}年第{'一二三四'[quarter - 1]}季度")


def this_year(today: dt.date) -> Period:
    return Period(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31), f"{today.year}年")


def _period_where(start: dt.date | None, end: dt.date | None) -> list[pw.Expression]:
    where = []
    if start is not None:
        where.append(ServiceRecord.served_on >= start)
    if end is not None:
        where.append(ServiceRecord.served_on <= end)
    return where


def minutes_between(start: dt.date | None = None, end: dt.date | None = None, *,
                    volunteer_id: int | None = None, team_id: int | None = None) -> int:
    """Service minutes with `served_on` in [start, end] (both included; None = open)."""
    query = ServiceRecord.select(pw.fn.COALESCE(pw.fn.SUM(ServiceRecord.minutes), 0))
    where = _period_where(start, end)
    if volunteer_id is not None:
        where.append(ServiceRecord.volunteer == volunteer_id)
    if team_id is not None:
        where.append(ServiceRecord.team == team_id)
    if where:
        query = query.where(*where)
    return int(query.scalar() or 0)
