"""Small helpers shared by the reporting services."""

from __future__ import annotations

import datetime as dt

from wanghu_desk.errors import ValidationError


def as_date(value, label: str, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise ValidationError(f"请填写{label}。", field=label)
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValidationError(f"{label}“{value}”不是有效日期，请写成 2026-03-01 这样。", field=label) from None


def clean(value) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def now_text() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def split_posts(text: str | None) -> list[str]:
    if not text:
        return []
    for sep in (",", "，", ";", "；", "/", " "):
        text = text.replace(sep, "、")
    return [p for p in (s.strip() for s in text.split("、")) if p]


def join_posts(posts) -> str | None:
    if isinstance(posts, str):
        posts = split_posts(posts)
    seen = list(dict.fromkeys(p.strip() for p in posts or () if p and p.strip()))
    return "、".join(seen) or None
