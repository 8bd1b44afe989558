"""Deadlines: received date + an amount of days, working days or months.

Calendar days unless a setting says otherwise; working days skip Saturdays and Sundays
only (no holiday calendar: the office's holidays are not known to the program). A month
deadline lands on the same day of the month, or on the month's last day when it is
shorter (31 January + 1 month = 28 or 29 February).
"""

from __future__ import annotations

import calendar
import datetime as dt

from wanghu_desk.services import settings
from wanghu_desk.services.matters.vocab import DEADLINE_UNITS, DEFAULT_DEADLINES

SETTING_KEY = "matters.deadlines"


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_workdays(day: dt.date, count: int) -> dt.date:
    """`count` working days after `day` (Monday–Friday); a weekend start counts from Monday."""
    current = day
    left = count
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def deadline_after(received: dt.date, amount: int, unit: str) -> dt.date:
    if amount < 0:
        raise ValueError(amount)
    if unit == "day":
        return received + dt.timedelta(days=amount)
    if unit == "workday":
        return add_workdays(received, amount)
    if unit == "month":
        return add_months(received, amount)
    raise ValueError(unit)


def kind_deadlines() -> dict[str, tuple[int, str]]:
    """The deadline of every kind: the setting over the defaults."""
    found = dict(DEFAULT_DEADLINES)
    stored = settings.get(SETTING_KEY, {}) or {}
    for kind, value in stored.items():
        try:
            amount, unit = int(value[0]), str(value[1])
        except (TypeError, ValueError, IndexError):
            continue
        if kind in found and unit in DEADLINE_UNITS and amount >= 0:
            found[kind] = (amount, unit)
    return found


def deadline_rule(kind: str, category_amount: int | None = None, category_unit: str | None = None) -> tuple[int, str]:
    if category_amount is not None and category_unit in DEADLINE_UNITS:
        return int(category_amount), str(category_unit)
    return kind_deadlines()[kind]


def rule_text(amount: int, unit: str) -> str:
    return f"{amount} {DEADLINE_UNITS.get(unit, unit)}"
