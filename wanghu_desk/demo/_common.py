"""Small helpers of the demo: bulk inserts with executemany, the next free id, branch names,
and the plan records (`Person`, `BranchPlan`) the builder passes between its steps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from models import db
from models.base import BaseModel


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _iso(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _bulk(model: type[BaseModel], rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows (dicts keyed by field name, all with the same keys) with executemany."""
    if not rows:
        return 0
    fields = model._meta.fields
    names = list(rows[0])
    columns = ", ".join(f'"{fields[n].column_name}"' for n in names)
    marks = ", ".join("?" for _ in names)
    sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})'
    cursor = db.cursor()
    for start in range(0, len(rows), 500):
        batch = rows[start : start + 500]
        cursor.executemany(sql, [tuple(_iso(row[n]) for n in names) for row in batch])
    return len(rows)


def _next_id(model: type[BaseModel]) -> int:
    (top,) = db.execute_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{model._meta.table_name}"').fetchone()
    return top + 1


def _full_name(short: str) -> str:
    """中共…支部委员会 from a short branch name ending in 党支部."""
    stem = short[: -len("党支部")] if short.endswith("党支部") else short
    return f"中共{stem}支部委员会"


def _estate_branch_name(estate: str) -> str:
    return f"{estate}党支部" if estate.endswith(("小区", "片区")) else f"{estate}小区党支部"


@dataclass
class Person:
    name: str
    gender: str
    birth: dt.date
    ethnicity: str = "汉族"
    id_number: str | None = None
    phone: str | None = None


@dataclass
class BranchPlan:
    id: int
    name: str
    category: str
    community: int | None  # index into COMMUNITIES
    organization_id: int
    estate: int | None = None  # index into ESTATES
    size: int = 0
    profile: str = "mixed"
    employer: str | None = None
    founded_on: dt.date | None = None
    member_ids: list[int] = field(default_factory=list)
    secretary: dict = field(default_factory=dict)
    members: list[dict] = field(default_factory=list)
    quality: float = 0.0
