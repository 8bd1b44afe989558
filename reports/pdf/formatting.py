"""How figures are written in the PDF reports: money from integer fen (¥10,000.00),
counts with thousands separators, dates the Chinese way (2026年9月30日)."""

from __future__ import annotations

import datetime as dt


def money(fen: int) -> str:
    """1000000 → "¥10,000.00"; negative amounts keep their sign in front: "-¥5.00"."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"


def count(n: int) -> str:
    return f"{int(n):,}"


def date_cn(day: dt.date | None) -> str:
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"


def date_iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def permille(value: int | None) -> str:
    """Tenths of a percent: 346 → "34.6%", None → "—"."""
    if value is None:
        return "—"
    return f"{value // 10}.{value % 10}%"
