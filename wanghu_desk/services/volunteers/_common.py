"""The small helpers every part of `services.volunteers` shares: the form check, field
parsers, text limits, and the audit diff."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wanghu_desk import validation
from wanghu_desk.errors import ValidationError
from wanghu_desk.services.base import current_actor

_NAME_LIMIT = 40
_ACTIVITY_LIMIT = 100
_SKILLS_LIMIT = 100
_NOTE_LIMIT = 500
_NUMBER_LIMIT = 30


@dataclass
class FormCheck:
    """The outcome of checking a form: normalised values, and per field an error (the
    field turns red, 保存 stays disabled) or a warning (shown, saving allowed)."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def first_error(self) -> tuple[str, str] | None:
        return next(iter(self.errors.items()), None)


def _refuse(check: FormCheck, labels: Mapping[str, str]) -> None:
    first = check.first_error()
    if first:
        key, message = first
        raise ValidationError(f"{labels.get(key, key)}：{message}", field=key)


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _as_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _int_or_none(raw: object) -> int | None:
    if raw in (None, "", 0, False):
        return None
    try:
        return int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _text(raw: object, limit: int, check: FormCheck, key: str, label: str) -> str | None:
    text = validation.clean_text(raw)
    if text is not None and len(text) > limit:
        check.errors[key] = f"{label}太长（{len(text)} 个字），最多 {limit} 个字。"
        return None
    return text


def _date_field(raw: object, label: str, check: FormCheck, key: str, today: dt.date, *,
                required: bool = False) -> dt.date | None:
    checked = validation.parse_date(raw)
    if checked.errors:
        check.errors[key] = checked.errors[0].message
        return None
    if checked.warnings:
        check.warnings[key] = checked.warnings[0].message
    value = checked.value
    if value is None:
        if required:
            check.errors[key] = f"请填写{label}。"
        return None
    if value > today:
        check.errors[key] = f"{label}晚于今天（{value.isoformat()}），请核对。"
        return None
    return value


def _name_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def _see_ids() -> bool:
    return current_actor().may_see_id_numbers


def _shown_id(id_number: str | None, visible: bool) -> str:
    if not id_number:
        return ""
    return id_number if visible else validation.mask_id_number(id_number)


def age_on(birth: dt.date | None, today: dt.date) -> int | None:
    if birth is None:
        return None
    years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return years if years >= 0 else None


def _tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return [t for t in re.split(r"\s+", text) if t]


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    def norm(value: Any) -> Any:
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value

    keys = [k for k in after if norm(before.get(k)) != norm(after.get(k))]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}
