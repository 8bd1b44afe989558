"""党员积分: the yearly points scheme (items), points entries per member, closed months (migration 5)."""

from __future__ import annotations

import peewee as pw  # noqa: F401

from models.base import BaseModel

#: The tables of this module, in creation order (appended to `models.ALL_TABLES`).
TABLES: list[type[BaseModel]] = []
