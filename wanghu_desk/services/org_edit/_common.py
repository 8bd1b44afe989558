"""The small checks every part of `services.org_edit` shares: text, phone, person, date and
count fields, fetching a row or saying it is gone, unique names, saving with an audit event."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from models import BuildingGroup, BuildingGroupBuilding
from wanghu_desk import validation
from wanghu_desk.errors import NotFoundError, ValidationError
from wanghu_desk.services.base import changes, snapshot

MAX_NAME = 60


def _text(raw: object, label: str, *, required: bool = False, limit: int = 100) -> str | None:
    text = validation.clean_text(raw)
    if text is None:
        if required:
            raise ValidationError(f"请填写{label}。", field=label)
        return None
    text = text.replace("\n", " ")
    if len(text) > limit:
        raise ValidationError(f"{label}太长（{len(text)} 个字），最多 {limit} 个字。", field=label)
    return text


def _phone(raw: object, label: str = "联系电话") -> str | None:
    checked = validation.validate_phone(raw)
    if checked.errors:
        raise ValidationError(f"{label}：{checked.errors[0].message}", field=label)
    return checked.value


def _person(raw: object, label: str, *, required: bool = False) -> str | None:
    checked = validation.normalize_name(raw)
    if checked.errors:
        raise ValidationError(f"{label}：{checked.errors[0].message}", field=label)
    if checked.value is None and required:
        raise ValidationError(f"请填写{label}。", field=label)
    return checked.value


def _date(raw: object, label: str, today: dt.date, *, required: bool = False) -> dt.date | None:
    checked = validation.parse_date(raw)
    if checked.errors:
        raise ValidationError(f"{label}：{checked.errors[0].message}", field=label)
    if checked.value is None:
        if required:
            raise ValidationError(f"请填写{label}。", field=label)
        return None
    if checked.value > today:
        raise ValidationError(f"{label}晚于今天（{checked.value.isoformat()}），请核对。", field=label)
    return checked.value


def _count(raw: object, label: str) -> int:
    text = validation.clean_text(raw)
    if text is None:
        return 0
    try:
        value = int(str(text).replace(",", ""))
    except ValueError:
        raise ValidationError(f"{label}请填写整数。", field=label) from None
    if value < 0 or value > 1_000_000:
        raise ValidationError(f"{label}应在 0 到 1000000 之间。", field=label)
    return value


def _get(model, obj_id: int | None, what: str):
    row = model.get_or_none(model.id == obj_id) if obj_id is not None else None
    if row is None:
        raise NotFoundError(f"找不到这个{what}，可能已被修改。请刷新后重试。")
    return row


def full_name_for(short: str) -> str:
    """The usual full name of a branch: 望湖城北苑小区党支部 → 中共望湖城北苑小区支部委员会."""
    stem = short[: -len("党支部")] if short.endswith("党支部") else short
    return f"中共{stem}支部委员会"


def _natural(text: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def _covering_groups() -> dict[int, tuple[int, str]]:
    rows = (
        BuildingGroupBuilding.select(BuildingGroupBuilding.building, BuildingGroup.id, BuildingGroup.name)
        .join(BuildingGroup)
        .where(BuildingGroup.status == "active")
        .tuples()
    )
    return {bid: (gid, name) for bid, gid, name in rows}


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else (value or "")


def _unique(model, column, value: str, own_id: int | None, message: str) -> None:
    other = model.get_or_none(column == value)
    if other is not None and other.id != own_id:
        raise ValidationError(message)


def _save(tx, entity: str, row, values: Mapping[str, Any], *, action: str = "update") -> bool:
    before = snapshot(row)
    for key, value in values.items():
        setattr(row, key, value)
    old, new = changes(before, snapshot(row))
    if not new:
        return False
    row.save()
    if action == "update" and "name" in new:
        action = "rename"
    tx.audit(entity, row.id, action, before=old, after=new)
    return True
