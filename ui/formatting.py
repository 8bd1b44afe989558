"""How figures look on screen (SPEC §12): money ``¥10,000.00`` from integer fen,
counts with thousands separators, stars ``★★★☆☆``, dates ``2026-09-30``."""

from __future__ import annotations

import datetime as dt


def money(fen: int) -> str:
    """``1000000`` → ``¥10,000.00``; negative amounts get a leading minus sign."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def count(n: int) -> str:
    return f"{int(n):,}"


def stars(n: int, out_of: int = 5) -> str:
    n = max(0, min(int(n), out_of))
    return "★" * n + "☆" * (out_of - n)


def date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""
