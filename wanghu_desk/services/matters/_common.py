"""Helpers the parts of `services.matters` share: phone masking, dates, lookups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from models import Matter
from wanghu_desk.errors import NotFoundError
from wanghu_desk.services.base import current_actor
from wanghu_desk.validation import mask_phone  # noqa: F401 - re-exported: matters' callers import it from here

_CONTENT_LIMIT = 2000
_TEXT_LIMIT = 200
_NAME_LIMIT = 40


def shown_phone(phone: str | None) -> str:
    return (phone or "") if current_actor().may_see_id_numbers else mask_phone(phone)


def as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def get_matter(matter_id: int) -> Matter:
    matter = Matter.get_or_none(Matter.id == matter_id)
    if matter is None:
        raise NotFoundError("找不到这个事项，可能已被删除。请刷新后重试。")
    return matter


def now_text() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")
