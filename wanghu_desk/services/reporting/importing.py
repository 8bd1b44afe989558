"""Writing an imported 在职党员报到 roster (the `reporting` import kind): new members are
registered, changed registrations updated, the same ones left alone — inside the
import's transaction, through the register's own services (audited each)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from typing import Any

from models.reporting import ReportingMember
from wanghu_desk.services.reporting.members import register_member, update_registration

INSERT, UPDATE, UNCHANGED = "insert", "update", "unchanged"
_FIELDS = ("work_unit", "unit_kind", "unit_party_org", "community_id", "estate_id", "reported_on", "skills", "posts")


def _stored() -> dict[int, tuple[int, dict[str, Any], str]]:
    out = {}
    for r in ReportingMember.select():
        out[r.member_id] = (r.id, {f: getattr(r, f) for f in _FIELDS}, r.status)
    return out


def classify(records: list[dict[str, Any]], options: dict[str, Any] | None = None) -> list[str]:
    """"insert" for a member not registered, "update" when a field differs, else "unchanged"."""
    stored = _stored()
    actions = []
    for rec in records:
        found = stored.get(rec.get("member_id"))
        if found is None:
            actions.append(INSERT)
        else:
            same = all(found[1][f] == rec.get(f) for f in _FIELDS)
            actions.append(UNCHANGED if same else UPDATE)
    return actions


def commit(records: list[dict[str, Any]], counts: Any, source: str,
           options: dict[str, Any] | None = None) -> Generator[tuple[int, int, str], None, None]:
    options = options or {}
    today = options.get("today") or dt.date.today()
    stored = _stored()
    actions = classify(records, options)
    total = len(records)
    yield 0, total, f"正在登记 {total:,} 名报到党员…"
    for i, (rec, action) in enumerate(zip(records, actions, strict=True), 1):
        if action == INSERT:
            register_member(rec, today=today)
            counts.inserted += 1
        elif action == UPDATE:
            update_registration(stored[rec["member_id"]][0], rec, today=today)
            counts.updated += 1
        else:
            counts.unchanged += 1
        if i % 100 == 0:
            yield i, total, f"正在登记报到党员 {i:,} / {total:,} 名…"
    yield total, total, "正在登记报到党员…"
