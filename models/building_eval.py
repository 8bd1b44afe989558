"""楼栋积分: monthly cross-evaluation of buildings and the 流动红旗 (migration 7)."""

from __future__ import annotations

import peewee as pw  # noqa: F401

from models.base import BaseModel

#: The tables of this module, in creation order (appended to `models.ALL_TABLES`).
TABLES: list[type[BaseModel]] = []
