"""Settings stored in the database (organisation name, thresholds, fund rules)."""

from __future__ import annotations

import json
from typing import Any

from models import Setting
from wanghu_desk.services.base import writing

DEFAULTS: dict[str, Any] = {
    "organization.name": "望湖街道",
    "ledger.second_approver_threshold_fen": 200_000,
    "ledger.estate_minimum_fen": 1_000_000,
    "rating.publicity_days": 5,
}


def get(key: str, default: Any = None) -> Any:
    row = Setting.get_or_none(Setting.key == key)
    if row is None:
        return DEFAULTS.get(key, default) if default is None else default
    return json.loads(row.value_json)


def put(key: str, value: Any) -> None:
    with writing("setting.put", permission="admin") as tx:
        row = Setting.get_or_none(Setting.key == key)
        before = json.loads(row.value_json) if row else None
        encoded = json.dumps(value, ensure_ascii=False)
        if row:
            Setting.update(value_json=encoded).where(Setting.key == key).execute()
        else:
            Setting.create(key=key, value_json=encoded)
        tx.audit("setting", None, "update", before={key: before}, after={key: value})
