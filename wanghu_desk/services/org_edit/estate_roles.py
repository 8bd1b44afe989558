"""The estate governance teams (1+X): the seats of each estate's team and their totals,
and adding, editing and removing a seat."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import peewee as pw

from models import Community, Estate, EstateRole, Member
from wanghu_desk import vocab
from wanghu_desk.errors import ValidationError
from wanghu_desk.services.base import snapshot, writing
from wanghu_desk.services.org_edit._common import _date, _get, _iso, _natural, _person, _phone, _save, _text

TEAM_ROLES = (
    "instructor",
    "secretary",
    "red_steward",
    "student_steward",
    "building_head",
    "owners_committee",
    "property",
)


@dataclass
class EstateTeamRow:
    estate_id: int
    estate_name: str
    community_name: str
    kind_label: str
    households: int
    counts: dict[str, int]  # role code -> seats

    @property
    def has_team(self) -> bool:
        """A governance team beyond the instructor and the secretary (the "X")."""
        return self.counts.get("red_steward", 0) + self.counts.get("student_steward", 0) > 0


@dataclass
class RoleRow:
    id: int
    role: str
    role_label: str
    person_name: str
    phone: str
    member_id: int | None
    member_name: str
    note: str
    since: str

    def form_values(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "person_name": self.person_name,
            "phone": self.phone,
            "member_id": self.member_id,
            "note": self.note,
            "since": self.since,
        }


def estate_teams() -> list[EstateTeamRow]:
    counts: dict[int, Counter] = defaultdict(Counter)
    for estate_id, role, n in (
        EstateRole.select(EstateRole.estate, EstateRole.role, pw.fn.COUNT(EstateRole.id))
        .group_by(EstateRole.estate, EstateRole.role)
        .tuples()
    ):
        counts[estate_id][role] = n
    rows = (
        Estate.select(Estate, Community.name.alias("community_name"))
        .join(Community)
        .order_by(Community.sort_order, Estate.sort_order, Estate.id)
        .objects()
    )
    return [
        EstateTeamRow(
            e.id,
            e.name,
            e.community_name,
            vocab.label(vocab.ESTATE_KINDS, e.kind),
            e.households or 0,
            {role: counts[e.id].get(role, 0) for role in TEAM_ROLES},
        )
        for e in rows
    ]


def team_totals(rows: Sequence[EstateTeamRow] | None = None) -> dict[str, int]:
    """Seats per role over every estate, plus "teams": estates with a governance team."""
    rows = estate_teams() if rows is None else rows
    totals = {role: sum(r.counts.get(role, 0) for r in rows) for role in TEAM_ROLES}
    totals["teams"] = sum(1 for r in rows if r.has_team)
    return totals


def estate_roles(estate_id: int) -> list[RoleRow]:
    order = {role: i for i, role in enumerate(TEAM_ROLES)}
    rows = list(EstateRole.select().where(EstateRole.estate == estate_id))
    names = (
        dict(
            Member.select(Member.id, Member.name)
            .where(Member.id.in_([r.member_id for r in rows if r.member_id]))
            .tuples()
        )
        if rows
        else {}
    )
    rows.sort(key=lambda r: (order.get(r.role, 99), _natural(r.note or ""), r.id))
    return [
        RoleRow(
            r.id,
            r.role,
            vocab.label(vocab.ESTATE_ROLES, r.role),
            r.person_name,
            r.phone or "",
            r.member_id,
            names.get(r.member_id, ""),
            r.note or "",
            _iso(r.since),
        )
        for r in rows
    ]


def _role_values(raw: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    role = raw.get("role") or ""
    if role not in vocab.ESTATE_ROLES:
        raise ValidationError("请选择职务。", field="role")
    member_id = raw.get("member_id") or None
    if member_id is not None:
        _get(Member, member_id, "党员")
    return {
        "role": role,
        "person_name": _person(raw.get("person_name"), "姓名", required=True),
        "phone": _phone(raw.get("phone")),
        "member": member_id,
        "note": _text(raw.get("note"), "备注"),
        "since": _date(raw.get("since"), "任职日期", today),
    }


def add_estate_role(estate_id: int, raw: Mapping[str, Any], *, today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    with writing("estate_role.create") as tx:
        estate = _get(Estate, estate_id, "小区")
        values = _role_values(raw, today)
        row = EstateRole.create(estate=estate.id, **values)
        tx.audit("estate_role", row.id, "create", after=snapshot(row))
    return row.id


def update_estate_role(role_id: int, raw: Mapping[str, Any], *, today: dt.date | None = None) -> bool:
    today = today or dt.date.today()
    with writing("estate_role.update") as tx:
        row = _get(EstateRole, role_id, "治理团队成员")
        return _save(tx, "estate_role", row, _role_values(raw, today))


def remove_estate_role(role_id: int) -> None:
    """A seat of the team is vacated (the person left the role); the audit log keeps it."""
    with writing("estate_role.delete") as tx:
        row = _get(EstateRole, role_id, "治理团队成员")
        before = snapshot(row)
        row.delete_instance()
        tx.audit("estate_role", role_id, "delete", before=before)
