"""在职党员双报到 and the 三单制 orders (migration 6)."""

from __future__ import annotations

import peewee as pw  # noqa: F401

from models.base import BaseModel

#: The tables of this module, in creation order (appended to `models.ALL_TABLES`).
TABLES: list[type[BaseModel]] = []
