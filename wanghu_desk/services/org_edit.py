"""Keeping the organisation right (SPEC §2): communities, estates and their buildings,
community committees, branches, building party groups and the estate governance teams
(1+X) — reading them for the 党组织, 楼栋党小组 and 小区治理团队 views, and every change.

Rules
- Names are unique: a branch's short name, full name and aliases must not be any other
  branch's name of any kind (files name branches all three ways, see `services.lookup`).
  A renamed branch keeps its old short name as an alias, so older files still resolve.
- Moving: a branch to another community committee; a building group to another branch
  (its members go along, with a transfer record each, only when asked to).
- Dissolving a branch or a group (status "dissolved", never a delete) is refused while
  anything active hangs below it; the message says what remains. Communities, estates,
  buildings and empty committees that nothing refers to may be deleted (a mistake).
- A building is covered by at most one active building group.

Every write runs in `services.base.writing()` with audit events (before/after).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from models import (
    Branch,
    BranchAlias,
    BranchEstate,
    Building,
    BuildingGroup,
    BuildingGroupBuilding,
    Community,
    Estate,
    EstateRole,
    Member,
    MemberTransfer,
    Organization,
    ServiceProject,
    VolunteerTeam,
)
from wanghu_desk import validation, vocab
from wanghu_desk.errors import NotFoundError, ValidationError
from wanghu_desk.services.base import changes, snapshot, writing
from wanghu_desk.services.lookup import normalize_org_name

MAX_NAME = 60

# ---------------------------------------------------------------- small checks


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


# ---------------------------------------------------------------- reads: choices


@dataclass(frozen=True)
class Option:
    id: int
    name: str
    detail: str = ""


def community_options() -> list[Option]:
    return [Option(c.id, c.name) for c in Community.select().order_by(Community.sort_order, Community.id)]


def committee_options() -> list[Option]:
    """Organisations a branch can belong to (the working committee and the community
    committees / general branches)."""
    rows = Organization.select().order_by(Organization.parent.is_null(False), Organization.sort_order, Organization.id)
    return [Option(o.id, o.name, vocab.label(vocab.ORGANIZATION_KINDS, o.kind)) for o in rows]


def estate_options() -> list[Option]:
    rows = (
        Estate.select(Estate, Community.name.alias("community_name"))
        .join(Community)
        .order_by(Community.sort_order, Estate.sort_order, Estate.id)
        .objects()
    )
    return [Option(e.id, e.name, e.community_name) for e in rows]


def branch_options(*, exclude: int | None = None) -> list[Option]:
    rows = Branch.select().where(Branch.status == "active").order_by(Branch.sort_order, Branch.id)
    return [Option(b.id, b.name, vocab.label(vocab.BRANCH_CATEGORIES, b.category)) for b in rows if b.id != exclude]


@dataclass(frozen=True)
class BuildingOption:
    id: int
    estate_name: str
    number: str
    group_id: int | None  # the active group covering it, if any
    group_name: str

    @property
    def label(self) -> str:
        return f"{self.estate_name} {self.number}"


def building_options(branch_id: int | None = None) -> list[BuildingOption]:
    """Buildings a group of `branch_id` may cover: those of the estates the branch serves
    (all buildings when it serves none), with the group that covers each today."""
    estate_ids = None
    if branch_id is not None:
        estate_ids = [
            e for (e,) in BranchEstate.select(BranchEstate.estate).where(BranchEstate.branch == branch_id).tuples()
        ]
    query = (
        Building.select(Building.id, Building.number, Estate.name)
        .join(Estate)
        .order_by(Estate.sort_order, Estate.id, Building.id)
    )
    if estate_ids:
        query = query.where(Building.estate.in_(estate_ids))
    covering = _covering_groups()
    out = []
    for bid, number, estate_name in query.tuples():
        gid, gname = covering.get(bid, (None, ""))
        out.append(BuildingOption(bid, estate_name, number, gid, gname))
    out.sort(key=lambda o: (o.estate_name, _natural(o.number)))
    return out


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


# ---------------------------------------------------------------- reads: details


@dataclass
class BranchDetail:
    id: int
    name: str
    full_name: str
    aliases: list[str]
    category: str
    category_label: str
    organization_id: int | None
    organization_name: str
    community_id: int | None
    community_name: str
    estate_ids: list[int]
    estate_names: list[str]
    secretary: str
    phone: str
    founded_on: str
    status: str
    dissolved_on: str
    note: str
    members: int  # active
    groups: int  # active

    def form_values(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "full_name": self.full_name,
            "aliases": "、".join(self.aliases),
            "category": self.category,
            "organization_id": self.organization_id,
            "community_id": self.community_id,
            "estate_ids": list(self.estate_ids),
            "secretary": self.secretary,
            "phone": self.phone,
            "founded_on": self.founded_on,
            "note": self.note,
        }


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else (value or "")


def branch_detail(branch_id: int) -> BranchDetail:
    b = _get(Branch, branch_id, "党支部")
    org = Organization.get_or_none(Organization.id == b.organization_id) if b.organization_id else None
    com = Community.get_or_none(Community.id == b.community_id) if b.community_id else None
    estates = list(
        Estate.select(Estate.id, Estate.name)
        .join(BranchEstate)
        .where(BranchEstate.branch == b.id)
        .order_by(Estate.sort_order, Estate.id)
    )
    aliases = [
        a
        for (a,) in BranchAlias.select(BranchAlias.alias)
        .where(BranchAlias.branch == b.id)
        .order_by(BranchAlias.id)
        .tuples()
    ]
    return BranchDetail(
        id=b.id,
        name=b.name,
        full_name=b.full_name or "",
        aliases=aliases,
        category=b.category,
        category_label=vocab.label(vocab.BRANCH_CATEGORIES, b.category),
        organization_id=b.organization_id,
        organization_name=org.name if org else "",
        community_id=b.community_id,
        community_name=com.name if com else "",
        estate_ids=[e.id for e in estates],
        estate_names=[e.name for e in estates],
        secretary=b.secretary or "",
        phone=b.phone or "",
        founded_on=_iso(b.founded_on),
        status=b.status,
        dissolved_on=_iso(b.dissolved_on),
        note=b.note or "",
        members=Member.select().where(Member.branch == b.id, Member.status == "active").count(),
        groups=BuildingGroup.select().where(BuildingGroup.branch == b.id, BuildingGroup.status == "active").count(),
    )


@dataclass
class GroupDetail:
    id: int
    name: str
    branch_id: int
    branch_name: str
    leader_id: int | None
    leader_name: str
    building_ids: list[int]
    building_labels: list[str]
    members: int  # active
    status: str
    note: str

    def form_values(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "building_ids": list(self.building_ids),
            "leader_id": self.leader_id,
            "note": self.note,
        }


def group_detail(group_id: int) -> GroupDetail:
    g = _get(BuildingGroup, group_id, "楼栋党小组")
    branch = Branch.get_by_id(g.branch_id)
    leader = Member.get_or_none(Member.id == g.leader_id) if g.leader_id else None
    buildings = list(
        Building.select(Building.id, Building.number, Estate.name.alias("estate_name"))
        .join(Estate)
        .switch(Building)
        .join(BuildingGroupBuilding)
        .where(BuildingGroupBuilding.group == g.id)
        .objects()
    )
    buildings.sort(key=lambda b: (b.estate_name, _natural(b.number)))
    return GroupDetail(
        id=g.id,
        name=g.name,
        branch_id=g.branch_id,
        branch_name=branch.name,
        leader_id=g.leader_id,
        leader_name=leader.name if leader else "",
        building_ids=[b.id for b in buildings],
        building_labels=[f"{b.estate_name} {b.number}" for b in buildings],
        members=Member.select().where(Member.group == g.id, Member.status == "active").count(),
        status=g.status,
        note=g.note or "",
    )


@dataclass
class OrganizationDetail:
    id: int
    name: str
    area_name: str
    kind: str
    kind_label: str
    parent_id: int | None
    community_id: int | None
    community_name: str
    secretary: str
    phone: str
    branches: int  # active, directly below
    members: int  # active, in those branches

    def form_values(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "area_name": self.area_name,
            "kind": self.kind,
            "community_id": self.community_id,
            "secretary": self.secretary,
            "phone": self.phone,
        }


def organization_detail(org_id: int) -> OrganizationDetail:
    o = _get(Organization, org_id, "党组织")
    com = Community.get_or_none(Community.id == o.community_id) if o.community_id else None
    branch_ids = [
        b for (b,) in Branch.select(Branch.id).where(Branch.organization == o.id, Branch.status == "active").tuples()
    ]
    members = (
        Member.select().where(Member.branch.in_(branch_ids), Member.status == "active").count() if branch_ids else 0
    )
    return OrganizationDetail(
        id=o.id,
        name=o.name,
        area_name=o.area_name,
        kind=o.kind,
        kind_label=vocab.label(vocab.ORGANIZATION_KINDS, o.kind),
        parent_id=o.parent_id,
        community_id=o.community_id,
        community_name=com.name if com else "",
        secretary=o.secretary or "",
        phone=o.phone or "",
        branches=len(branch_ids),
        members=members,
    )


# ---------------------------------------------------------------- reads: communities, estates, buildings


@dataclass
class BuildingRow:
    id: int
    number: str
    units: int
    households: int
    group_name: str


@dataclass
class EstateRow:
    id: int
    name: str
    community_id: int
    kind: str
    kind_label: str
    households: int
    address: str
    property_company: str
    property_contact: str
    property_phone: str
    owners_committee: str
    owners_committee_contact: str
    owners_committee_phone: str
    branch_names: list[str]
    buildings: list[BuildingRow] = field(default_factory=list)

    def form_values(self) -> dict[str, Any]:
        return {
            key: getattr(self, key)
            for key in (
                "name",
                "community_id",
                "kind",
                "households",
                "address",
                "property_company",
                "property_contact",
                "property_phone",
                "owners_committee",
                "owners_committee_contact",
                "owners_committee_phone",
            )
        }


@dataclass
class CommunityRow:
    id: int
    name: str
    address: str
    phone: str
    estates: list[EstateRow] = field(default_factory=list)

    @property
    def households(self) -> int:
        return sum(e.households for e in self.estates)

    @property
    def building_count(self) -> int:
        return sum(len(e.buildings) for e in self.estates)

    def form_values(self) -> dict[str, Any]:
        return {"name": self.name, "address": self.address, "phone": self.phone}


def communities_tree() -> list[CommunityRow]:
    """Communities → estates → buildings (with the group covering each), in four queries."""
    covering = _covering_groups()
    branches_by_estate: dict[int, list[str]] = defaultdict(list)
    for estate_id, name in (
        BranchEstate.select(BranchEstate.estate, Branch.name).join(Branch).where(Branch.status == "active").tuples()
    ):
        branches_by_estate[estate_id].append(name)
    buildings: dict[int, list[BuildingRow]] = defaultdict(list)
    for b in Building.select():
        buildings[b.estate_id].append(
            BuildingRow(b.id, b.number, b.units, b.households, covering.get(b.id, (None, ""))[1])
        )
    for rows in buildings.values():
        rows.sort(key=lambda r: _natural(r.number))
    out = [
        CommunityRow(c.id, c.name, c.address or "", c.phone or "")
        for c in Community.select().order_by(Community.sort_order, Community.id)
    ]
    by_id = {c.id: c for c in out}
    for e in Estate.select().order_by(Estate.sort_order, Estate.id):
        row = EstateRow(
            id=e.id,
            name=e.name,
            community_id=e.community_id,
            kind=e.kind,
            kind_label=vocab.label(vocab.ESTATE_KINDS, e.kind),
            households=e.households or 0,
            address=e.address or "",
            property_company=e.property_company or "",
            property_contact=e.property_contact or "",
            property_phone=e.property_phone or "",
            owners_committee=e.owners_committee or "",
            owners_committee_contact=e.owners_committee_contact or "",
            owners_committee_phone=e.owners_committee_phone or "",
            branch_names=branches_by_estate.get(e.id, []),
            buildings=buildings.get(e.id, []),
        )
        if e.community_id in by_id:
            by_id[e.community_id].estates.append(row)
    return out


# ---------------------------------------------------------------- reads: building groups


@dataclass
class GroupRow:
    id: int
    name: str
    buildings: str  # "3栋、4栋"
    building_count: int
    leader_id: int | None
    leader_name: str
    members: int  # active


@dataclass
class BranchGroupSummary:
    """One branch in the 楼栋党小组 overview, with its warnings counted."""

    id: int
    name: str
    category: str
    groups: int
    members: int  # active
    unassigned: int  # active members in no group (counted only where the branch has groups)
    leaderless: int  # active groups without a leader
    uncovered: int  # buildings of the estates it serves that no active group covers

    @property
    def warnings(self) -> int:
        return self.unassigned + self.leaderless + self.uncovered


@dataclass
class GroupWarnings:
    unassigned: list[tuple[int, str]]  # (member id, name)
    leaderless: list[tuple[int, str]]  # (group id, name)
    uncovered: list[tuple[int, str]]  # (building id, "望湖城北苑 3栋")

    @property
    def count(self) -> int:
        return len(self.unassigned) + len(self.leaderless) + len(self.uncovered)

    def sentences(self) -> list[str]:
        out = []
        if self.unassigned:
            names = "、".join(n for _, n in self.unassigned[:8])
            more = f"等 {len(self.unassigned)} 名" if len(self.unassigned) > 8 else ""
            out.append(f"未编入党小组的在册党员：{names}{more}")
        if self.leaderless:
            out.append("没有组长的党小组：" + "、".join(n for _, n in self.leaderless))
        if self.uncovered:
            labels = "、".join(n for _, n in self.uncovered[:12])
            more = f"等 {len(self.uncovered)} 栋" if len(self.uncovered) > 12 else ""
            out.append(f"没有党小组覆盖的楼栋：{labels}{more}")
        return out


def _uncovered_buildings(branch_ids: Iterable[int] | None = None) -> dict[int, list[tuple[int, str]]]:
    """Per branch: the buildings of the estates it serves that no active group covers."""
    covering = _covering_groups()
    links = BranchEstate.select(BranchEstate.branch, BranchEstate.estate).join(Branch).where(Branch.status == "active")
    if branch_ids is not None:
        links = links.where(BranchEstate.branch.in_(list(branch_ids)))
    estates_of: dict[int, list[int]] = defaultdict(list)
    for bid, eid in links.tuples():
        estates_of[bid].append(eid)
    if not estates_of:
        return {}
    all_estates = {e for ids in estates_of.values() for e in ids}
    by_estate: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for bid, number, estate_id, estate_name in (
        Building.select(Building.id, Building.number, Estate.id, Estate.name)
        .join(Estate)
        .where(Estate.id.in_(list(all_estates)))
        .tuples()
    ):
        if bid not in covering:
            by_estate[estate_id].append((bid, f"{estate_name} {number}"))
    out: dict[int, list[tuple[int, str]]] = {}
    for branch_id, estate_ids in estates_of.items():
        found = [b for e in estate_ids for b in by_estate.get(e, [])]
        found.sort(key=lambda pair: _natural(pair[1]))
        if found:
            out[branch_id] = found
    return out


def group_overview() -> list[BranchGroupSummary]:
    """Every active branch with its building groups and warnings, in a few queries."""
    branches = list(Branch.select().where(Branch.status == "active").order_by(Branch.sort_order, Branch.id))
    groups = Counter(
        dict(
            BuildingGroup.select(BuildingGroup.branch, pw.fn.COUNT(BuildingGroup.id))
            .where(BuildingGroup.status == "active")
            .group_by(BuildingGroup.branch)
            .tuples()
        )
    )
    leaderless = Counter(
        dict(
            BuildingGroup.select(BuildingGroup.branch, pw.fn.COUNT(BuildingGroup.id))
            .where(BuildingGroup.status == "active", BuildingGroup.leader.is_null())
            .group_by(BuildingGroup.branch)
            .tuples()
        )
    )
    members = Counter(
        dict(
            Member.select(Member.branch, pw.fn.COUNT(Member.id))
            .where(Member.status == "active")
            .group_by(Member.branch)
            .tuples()
        )
    )
    unassigned = Counter(
        dict(
            Member.select(Member.branch, pw.fn.COUNT(Member.id))
            .where(Member.status == "active", Member.group.is_null())
            .group_by(Member.branch)
            .tuples()
        )
    )
    uncovered = _uncovered_buildings()
    return [
        BranchGroupSummary(
            id=b.id,
            name=b.name,
            category=b.category,
            groups=groups.get(b.id, 0),
            members=members.get(b.id, 0),
            unassigned=unassigned.get(b.id, 0) if groups.get(b.id, 0) else 0,
            leaderless=leaderless.get(b.id, 0),
            uncovered=len(uncovered.get(b.id, [])),
        )
        for b in branches
    ]


def branch_groups(branch_id: int) -> list[GroupRow]:
    """The active building groups of a branch, with buildings, leader and member count."""
    groups = list(
        BuildingGroup.select()
        .where(BuildingGroup.branch == branch_id, BuildingGroup.status == "active")
        .order_by(BuildingGroup.sort_order, BuildingGroup.id)
    )
    ids = [g.id for g in groups]
    if not ids:
        return []
    counts = Counter(
        dict(
            Member.select(Member.group, pw.fn.COUNT(Member.id))
            .where(Member.group.in_(ids), Member.status == "active")
            .group_by(Member.group)
            .tuples()
        )
    )
    leaders = dict(
        Member.select(Member.id, Member.name)
        .where(Member.id.in_([g.leader_id for g in groups if g.leader_id]))
        .tuples()
    )
    buildings: dict[int, list[str]] = defaultdict(list)
    for gid, number in (
        BuildingGroupBuilding.select(BuildingGroupBuilding.group, Building.number)
        .join(Building)
        .where(BuildingGroupBuilding.group.in_(ids))
        .tuples()
    ):
        buildings[gid].append(number)
    out = []
    for g in groups:
        numbers = sorted(buildings.get(g.id, []), key=_natural)
        out.append(
            GroupRow(
                g.id,
                g.name,
                "、".join(numbers),
                len(numbers),
                g.leader_id,
                leaders.get(g.leader_id, ""),
                counts.get(g.id, 0),
            )
        )
    return out


def group_warnings(branch_id: int) -> GroupWarnings:
    has_groups = (
        BuildingGroup.select().where(BuildingGroup.branch == branch_id, BuildingGroup.status == "active").exists()
    )
    unassigned = []
    if has_groups:
        unassigned = list(
            Member.select(Member.id, Member.name)
            .where(Member.branch == branch_id, Member.status == "active", Member.group.is_null())
            .order_by(Member.name_initials, Member.id)
            .tuples()
        )
    leaderless = list(
        BuildingGroup.select(BuildingGroup.id, BuildingGroup.name)
        .where(BuildingGroup.branch == branch_id, BuildingGroup.status == "active", BuildingGroup.leader.is_null())
        .order_by(BuildingGroup.sort_order, BuildingGroup.id)
        .tuples()
    )
    uncovered = _uncovered_buildings([branch_id]).get(branch_id, [])
    return GroupWarnings(unassigned, leaderless, uncovered)


# ---------------------------------------------------------------- reads: estate governance teams (1+X)

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


# ---------------------------------------------------------------- writes: communities


def _community_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": _text(raw.get("name"), "社区名称", required=True, limit=MAX_NAME),
        "address": _text(raw.get("address"), "地址"),
        "phone": _phone(raw.get("phone")),
    }


def _unique(model, column, value: str, own_id: int | None, message: str) -> None:
    other = model.get_or_none(column == value)
    if other is not None and other.id != own_id:
        raise ValidationError(message)


def create_community(raw: Mapping[str, Any]) -> int:
    values = _community_values(raw)
    with writing("community.create") as tx:
        _unique(Community, Community.name, values["name"], None, f"已经有社区「{values['name']}」。")
        order = (Community.select(pw.fn.MAX(Community.sort_order)).scalar() or 0) + 1
        row = Community.create(sort_order=order, **values)
        tx.audit("community", row.id, "create", after=snapshot(row))
    return row.id


def update_community(community_id: int, raw: Mapping[str, Any]) -> bool:
    values = _community_values(raw)
    with writing("community.update") as tx:
        row = _get(Community, community_id, "社区")
        _unique(Community, Community.name, values["name"], row.id, f"已经有社区「{values['name']}」。")
        return _save(tx, "community", row, values)


def delete_community(community_id: int) -> None:
    """Delete a community that nothing refers to (entered by mistake)."""
    with writing("community.delete") as tx:
        row = _get(Community, community_id, "社区")
        remains = []
        n = Estate.select().where(Estate.community == row.id).count()
        if n:
            remains.append(f"{n} 个小区")
        n = Branch.select().where(Branch.community == row.id).count()
        if n:
            remains.append(f"{n} 个党支部")
        n = Organization.select().where(Organization.community == row.id).count()
        if n:
            remains.append(f"{n} 个社区党组织")
        n = (
            VolunteerTeam.select().where(VolunteerTeam.community == row.id).count()
            + ServiceProject.select().where(ServiceProject.community == row.id).count()
        )
        if n:
            remains.append(f"{n} 个志愿服务队或服务项目")
        if remains:
            raise ValidationError(f"社区「{row.name}」下面还有 {'、'.join(remains)}，不能删除。")
        before = snapshot(row)
        row.delete_instance()
        tx.audit("community", community_id, "delete", before=before)


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


# ---------------------------------------------------------------- writes: committees


def _organization_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    kind = raw.get("kind") or "community_committee"
    if kind not in ("community_committee", "general_branch"):
        raise ValidationError("请选择「社区党委」或「党总支」。")
    community_id = raw.get("community_id") or None
    if community_id is not None:
        _get(Community, community_id, "社区")
    name = _text(raw.get("name"), "名称", required=True, limit=MAX_NAME)
    area = _text(raw.get("area_name"), "所辖区域", limit=MAX_NAME)
    if area is None:
        area = Community.get_by_id(community_id).name if community_id else name
    return {
        "name": name,
        "kind": kind,
        "community": community_id,
        "area_name": area,
        "secretary": _person(raw.get("secretary"), "书记"),
        "phone": _phone(raw.get("phone")),
    }


def _top() -> Organization | None:
    return Organization.get_or_none(Organization.kind == "working_committee")


def create_organization(raw: Mapping[str, Any]) -> int:
    """A community committee (社区党委) or general branch (党总支) under the working committee."""
    values = _organization_values(raw)
    with writing("organization.create") as tx:
        _unique(Organization, Organization.name, values["name"], None, f"已经有党组织「{values['name']}」。")
        top = _top()
        order = (Organization.select(pw.fn.MAX(Organization.sort_order)).scalar() or 0) + 1
        row = Organization.create(parent=top.id if top else None, sort_order=order, **values)
        tx.audit("organization", row.id, "create", after=snapshot(row))
    return row.id


def update_organization(org_id: int, raw: Mapping[str, Any]) -> bool:
    with writing("organization.update") as tx:
        row = _get(Organization, org_id, "党组织")
        if row.kind == "working_committee":
            values = {
                "name": _text(raw.get("name"), "名称", required=True, limit=MAX_NAME),
                "area_name": _text(raw.get("area_name"), "所辖区域", limit=MAX_NAME) or row.area_name,
                "secretary": _person(raw.get("secretary"), "书记"),
                "phone": _phone(raw.get("phone")),
            }
        else:
            values = _organization_values(raw)
        _unique(Organization, Organization.name, values["name"], row.id, f"已经有党组织「{values['name']}」。")
        return _save(tx, "organization", row, values)


def delete_organization(org_id: int) -> None:
    """Remove a community committee that has no branches (of any status) and no children."""
    with writing("organization.delete") as tx:
        row = _get(Organization, org_id, "党组织")
        if row.kind == "working_committee":
            raise ValidationError("街道党工委不能撤销。")
        active = Branch.select().where(Branch.organization == row.id, Branch.status == "active").count()
        dissolved = Branch.select().where(Branch.organization == row.id, Branch.status != "active").count()
        children = Organization.select().where(Organization.parent == row.id).count()
        if active or children:
            parts = [f"{active} 个党支部"] if active else []
            if children:
                parts.append(f"{children} 个下级党组织")
            raise ValidationError(
                f"「{row.name}」下面还有 {'、'.join(parts)}。请先把党支部移到其他党组织或撤销，再撤销它。"
            )
        if dissolved:
            raise ValidationError(f"「{row.name}」下有 {dissolved} 个已撤销党支部的历史记录，需要保留，不能删除。")
        before = snapshot(row)
        row.delete_instance()
        tx.audit("organization", org_id, "delete", before=before)


# ---------------------------------------------------------------- writes: estates and buildings


def _estate_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    kind = raw.get("kind") or "commercial"
    if kind not in vocab.ESTATE_KINDS:
        raise ValidationError("请选择小区类型。")
    community_id = raw.get("community_id")
    if not community_id:
        raise ValidationError("请选择小区所在的社区。", field="community_id")
    _get(Community, community_id, "社区")
    return {
        "name": _text(raw.get("name"), "小区名称", required=True, limit=MAX_NAME),
        "community": community_id,
        "kind": kind,
        "households": _count(raw.get("households"), "户数"),
        "address": _text(raw.get("address"), "地址"),
        "property_company": _text(raw.get("property_company"), "物业公司"),
        "property_contact": _person(raw.get("property_contact"), "物业联系人"),
        "property_phone": _phone(raw.get("property_phone"), "物业电话"),
        "owners_committee": _text(raw.get("owners_committee"), "业委会"),
        "owners_committee_contact": _person(raw.get("owners_committee_contact"), "业委会联系人"),
        "owners_committee_phone": _phone(raw.get("owners_committee_phone"), "业委会电话"),
    }


def create_estate(raw: Mapping[str, Any]) -> int:
    values = _estate_values(raw)
    with writing("estate.create") as tx:
        _unique(Estate, Estate.name, values["name"], None, f"已经有小区「{values['name']}」。")
        order = (Estate.select(pw.fn.MAX(Estate.sort_order)).scalar() or 0) + 1
        row = Estate.create(sort_order=order, **values)
        tx.audit("estate", row.id, "create", after=snapshot(row))
    return row.id


def update_estate(estate_id: int, raw: Mapping[str, Any]) -> bool:
    values = _estate_values(raw)
    with writing("estate.update") as tx:
        row = _get(Estate, estate_id, "小区")
        _unique(Estate, Estate.name, values["name"], row.id, f"已经有小区「{values['name']}」。")
        return _save(tx, "estate", row, values)


def delete_estate(estate_id: int) -> None:
    with writing("estate.delete") as tx:
        row = _get(Estate, estate_id, "小区")
        remains = []
        n = Building.select().where(Building.estate == row.id).count()
        if n:
            remains.append(f"{n} 栋楼")
        n = BranchEstate.select().where(BranchEstate.estate == row.id).count()
        if n:
            remains.append(f"{n} 个党支部的服务关系")
        n = EstateRole.select().where(EstateRole.estate == row.id).count()
        if n:
            remains.append(f"治理团队 {n} 人")
        if remains:
            raise ValidationError(f"小区「{row.name}」还有 {'、'.join(remains)}，不能删除。")
        before = snapshot(row)
        row.delete_instance()
        tx.audit("estate", estate_id, "delete", before=before)


_RANGE = re.compile(r"^(\d+)\s*[-－—~～至到]\s*(\d+)\s*([栋幢号楼座]?)$")


def parse_building_numbers(raw: object) -> list[str]:
    """ "3栋" → ["3栋"]; "1-12" or "1-12栋" → ["1栋", …, "12栋"]; several separated by 、,;
    a bare number gets "栋"."""
    text = validation.clean_text(raw)
    if text is None:
        raise ValidationError("请填写楼栋号，如「3栋」或「1-12」。")
    out: list[str] = []
    for part in re.split(r"[、,，;；\s]+", text):
        if not part:
            continue
        m = _RANGE.match(part)
        if m:
            first, last, unit = int(m.group(1)), int(m.group(2)), m.group(3) or "栋"
            if last < first or last - first > 200:
                raise ValidationError(f"楼栋范围「{part}」不对，请写成「1-12」。")
            out.extend(f"{n}{unit}" for n in range(first, last + 1))
        elif part.isdigit():
            out.append(f"{int(part)}栋")
        elif len(part) > 20:
            raise ValidationError(f"楼栋号「{part}」太长。")
        else:
            out.append(part)
    if not out:
        raise ValidationError("请填写楼栋号，如「3栋」或「1-12」。")
    return out


def add_buildings(estate_id: int, numbers: object, *, units: object = 1, households: object = 0) -> list[int]:
    """Add one or several buildings ("1-12") to an estate; existing numbers are refused."""
    names = parse_building_numbers(numbers)
    unit_count = max(1, _count(units, "单元数"))
    homes = _count(households, "户数")
    with writing("building.create") as tx:
        estate = _get(Estate, estate_id, "小区")
        taken = {n for (n,) in Building.select(Building.number).where(Building.estate == estate.id).tuples()}
        clash = [n for n in names if n in taken]
        if clash:
            raise ValidationError(f"「{estate.name}」已经有{'、'.join(clash[:6])}。")
        if len(set(names)) != len(names):
            raise ValidationError("楼栋号有重复，请核对。")
        ids = []
        for number in names:
            row = Building.create(estate=estate.id, number=number, units=unit_count, households=homes)
            tx.audit("building", row.id, "create", after=snapshot(row))
            ids.append(row.id)
    return ids


def update_building(building_id: int, raw: Mapping[str, Any]) -> bool:
    with writing("building.update") as tx:
        row = _get(Building, building_id, "楼栋")
        number = _text(raw.get("number"), "楼栋号", required=True, limit=20)
        other = Building.get_or_none(Building.estate == row.estate_id, Building.number == number)
        if other is not None and other.id != row.id:
            raise ValidationError(f"这个小区已经有「{number}」。")
        values = {
            "number": number,
            "units": max(1, _count(raw.get("units"), "单元数")),
            "households": _count(raw.get("households"), "户数"),
        }
        return _save(tx, "building", row, values)


def delete_building(building_id: int) -> None:
    with writing("building.delete") as tx:
        row = _get(Building, building_id, "楼栋")
        groups = [
            g
            for (g,) in BuildingGroup.select(BuildingGroup.name)
            .join(BuildingGroupBuilding)
            .where(BuildingGroupBuilding.building == row.id)
            .tuples()
        ]
        if groups:
            raise ValidationError(f"「{row.number}」由党小组「{'、'.join(groups)}」覆盖，请先在党小组里去掉这栋楼。")
        before = snapshot(row)
        row.delete_instance()
        tx.audit("building", building_id, "delete", before=before)


# ---------------------------------------------------------------- writes: branches


def _names_in_use(own_id: int | None) -> dict[str, str]:
    """Every normalised branch name, full name and alias (of other branches) → the
    branch's short name."""
    out: dict[str, str] = {}
    for bid, name, full_name in Branch.select(Branch.id, Branch.name, Branch.full_name).tuples():
        if bid == own_id:
            continue
        for text in (name, full_name):
            key = normalize_org_name(text)
            if key:
                out[key] = name
    for bid, alias, name in (
        BranchAlias.select(BranchAlias.branch, BranchAlias.alias, Branch.name).join(Branch).tuples()
    ):
        if bid != own_id:
            key = normalize_org_name(alias)
            if key:
                out[key] = name
    return out


def _split_aliases(raw: object) -> list[str]:
    if isinstance(raw, (list, tuple)):
        parts = [validation.clean_text(p) for p in raw]
    else:
        text = validation.clean_text(raw) or ""
        parts = [validation.clean_text(p) for p in re.split(r"[、,，;；\n]+", text)]
    out: list[str] = []
    for p in parts:
        if p and p not in out:
            out.append(p)
    return out


def _branch_values(raw: Mapping[str, Any], own_id: int | None, today: dt.date) -> dict[str, Any]:
    name = _text(raw.get("name"), "支部简称", required=True, limit=MAX_NAME)
    full_name = _text(raw.get("full_name"), "支部全称", limit=MAX_NAME + 10) or full_name_for(name)
    aliases = _split_aliases(raw.get("aliases"))
    category = raw.get("category") or ""
    if category not in vocab.BRANCH_CATEGORIES:
        raise ValidationError("请选择支部类别。", field="category")
    organization_id = raw.get("organization_id") or None
    if organization_id is None:
        raise ValidationError("请选择上级党组织（社区党委或街道党工委）。", field="organization_id")
    _get(Organization, organization_id, "上级党组织")
    community_id = raw.get("community_id") or None
    if community_id is not None:
        _get(Community, community_id, "社区")
    estate_ids = sorted({int(e) for e in (raw.get("estate_ids") or [])})
    known = {e for (e,) in Estate.select(Estate.id).where(Estate.id.in_(estate_ids)).tuples()} if estate_ids else set()
    if len(known) != len(estate_ids):
        raise ValidationError("有小区找不到了，请刷新后重新选择。")

    own_keys = {normalize_org_name(name), normalize_org_name(full_name)}
    unique_aliases: list[str] = []
    for alias in aliases:  # an alias equal to its own name (or given twice) is dropped
        key = normalize_org_name(alias)
        if key not in own_keys:
            own_keys.add(key)
            unique_aliases.append(alias)
    aliases = unique_aliases
    taken = _names_in_use(own_id)
    for label, text in [("简称", name), ("全称", full_name)] + [("别名", a) for a in aliases]:
        key = normalize_org_name(text)
        if key in taken:
            raise ValidationError(f"{label}「{text}」已经是「{taken[key]}」的名称或别名，请换一个。", field=label)
    return {
        "name": name,
        "full_name": full_name,
        "aliases": aliases,
        "category": category,
        "organization": organization_id,
        "community": community_id,
        "estate_ids": estate_ids,
        "secretary": _person(raw.get("secretary"), "书记"),
        "phone": _phone(raw.get("phone")),
        "founded_on": _date(raw.get("founded_on"), "成立日期", today),
        "note": _text(raw.get("note"), "备注", limit=500),
    }


def _set_aliases(branch: Branch, aliases: list[str]) -> None:
    BranchAlias.delete().where(BranchAlias.branch == branch.id).execute()
    for alias in aliases:
        BranchAlias.create(branch=branch.id, alias=alias)


def _set_estates(branch: Branch, estate_ids: list[int]) -> None:
    BranchEstate.delete().where(BranchEstate.branch == branch.id).execute()
    for estate_id in estate_ids:
        BranchEstate.create(branch=branch.id, estate=estate_id)


def _branch_links(branch_id: int) -> tuple[list[str], list[int]]:
    aliases = [
        a
        for (a,) in BranchAlias.select(BranchAlias.alias)
        .where(BranchAlias.branch == branch_id)
        .order_by(BranchAlias.id)
        .tuples()
    ]
    estates = sorted(
        e for (e,) in BranchEstate.select(BranchEstate.estate).where(BranchEstate.branch == branch_id).tuples()
    )
    return aliases, estates


def create_branch(raw: Mapping[str, Any], *, today: dt.date | None = None) -> int:
    today = today or dt.date.today()
    with writing("branch.create") as tx:
        values = _branch_values(raw, None, today)
        aliases, estate_ids = values.pop("aliases"), values.pop("estate_ids")
        order = (Branch.select(pw.fn.MAX(Branch.sort_order)).scalar() or 0) + 1
        row = Branch.create(status="active", sort_order=order, **values)
        _set_aliases(row, aliases)
        _set_estates(row, estate_ids)
        tx.audit("branch", row.id, "create", after={**snapshot(row), "aliases": aliases, "estates": estate_ids})
    return row.id


def update_branch(branch_id: int, raw: Mapping[str, Any], *, today: dt.date | None = None) -> bool:
    """Edit (and rename) a branch. A new short name keeps the old one as an alias."""
    today = today or dt.date.today()
    with writing("branch.update") as tx:
        row = _get(Branch, branch_id, "党支部")
        values = _branch_values(raw, row.id, today)
        aliases, estate_ids = values.pop("aliases"), values.pop("estate_ids")
        old_aliases, old_estates = _branch_links(row.id)
        if values["name"] != row.name:
            old_key = normalize_org_name(row.name)
            own = {normalize_org_name(t) for t in (values["name"], values["full_name"], *aliases)}
            if old_key not in own:
                aliases.append(row.name)  # files from before the rename still name it so
        before = {**snapshot(row), "aliases": old_aliases, "estates": old_estates}
        for key, value in values.items():
            setattr(row, key, value)
        after = {**snapshot(row), "aliases": aliases, "estates": estate_ids}
        old, new = changes(before, after)
        if not new:
            return False
        row.save()
        if aliases != old_aliases:
            _set_aliases(row, aliases)
        if estate_ids != old_estates:
            _set_estates(row, estate_ids)
        tx.audit("branch", row.id, "rename" if "name" in new else "update", before=old, after=new)
    return True


def move_branch(branch_id: int, organization_id: int) -> None:
    """Put a branch under another committee; its community follows the committee's."""
    with writing("branch.move") as tx:
        row = _get(Branch, branch_id, "党支部")
        target = _get(Organization, organization_id, "党组织")
        if row.organization_id == target.id:
            raise ValidationError(f"「{row.name}」已经在「{target.name}」下面。")
        before = snapshot(row)
        row.organization = target.id
        if target.community_id is not None:
            row.community = target.community_id
        row.save()
        old, new = changes(before, snapshot(row))
        tx.audit("branch", row.id, "move", before=old, after=new, note=f"移至「{target.name}」")


def branch_remains(branch_id: int) -> list[str]:
    """What still hangs below a branch and stops it being dissolved (Chinese phrases)."""
    members = Member.select().where(Member.branch == branch_id, Member.status == "active").count()
    groups = BuildingGroup.select().where(BuildingGroup.branch == branch_id, BuildingGroup.status == "active").count()
    out = []
    if members:
        out.append(f"{members} 名在册党员")
    if groups:
        out.append(f"{groups} 个楼栋党小组")
    return out


def dissolve_branch(branch_id: int, on: object = None, *, today: dt.date | None = None) -> None:
    """撤销 a branch: only when it has no active member and no active building group."""
    today = today or dt.date.today()
    with writing("branch.dissolve") as tx:
        row = _get(Branch, branch_id, "党支部")
        if row.status != "active":
            raise ValidationError(f"「{row.name}」已经撤销。")
        remains = branch_remains(row.id)
        if remains:
            raise ValidationError(
                f"「{row.name}」还有 {'、'.join(remains)}，不能撤销。"
                "请先把党员转接到其他支部、把党小组撤销或移到其他支部。"
            )
        day = _date(on, "撤销日期", today) or today
        before = snapshot(row)
        row.status = "dissolved"
        row.dissolved_on = day
        row.save()
        old, new = changes(before, snapshot(row))
        tx.audit("branch", row.id, "dissolve", before=old, after=new)


# ---------------------------------------------------------------- writes: building groups


def _check_buildings(building_ids: Iterable[int], own_group: int | None) -> list[int]:
    ids = sorted({int(b) for b in building_ids})
    if not ids:
        return []
    found = {b for (b,) in Building.select(Building.id).where(Building.id.in_(ids)).tuples()}
    if len(found) != len(ids):
        raise ValidationError("有楼栋找不到了，请刷新后重新选择。")
    covering = _covering_groups()
    taken = [(bid, covering[bid][1]) for bid in ids if bid in covering and covering[bid][0] != own_group]
    if taken:
        numbers = dict(
            Building.select(Building.id, Building.number).where(Building.id.in_([b for b, _ in taken])).tuples()
        )
        text = "、".join(f"{numbers[b]}（{g}）" for b, g in taken[:5])
        raise ValidationError(f"这些楼栋已由其他党小组覆盖：{text}。一栋楼只能属于一个党小组。", field="building_ids")
    return ids


def _group_name(raw: object, branch_id: int, own_id: int | None) -> str:
    name = _text(raw, "党小组名称", required=True, limit=40)
    other = BuildingGroup.get_or_none(BuildingGroup.branch == branch_id, BuildingGroup.name == name)
    if other is not None and other.id != own_id:
        state = "（已撤销）" if other.status != "active" else ""
        raise ValidationError(f"本支部已经有名为「{name}」的党小组{state}，请换一个名称。", field="name")
    return name


def _check_leader(leader_id: object, branch_id: int) -> int | None:
    if leader_id in (None, "", 0):
        return None
    member = Member.get_or_none(Member.id == int(leader_id))  # type: ignore[arg-type]
    if member is None or member.status != "active":
        raise ValidationError("党小组长须是在册党员。", field="leader_id")
    if member.branch_id != branch_id:
        raise ValidationError(f"{member.name}不是本支部的党员，不能担任党小组长。", field="leader_id")
    return member.id


def _set_buildings(group: BuildingGroup, building_ids: list[int]) -> None:
    BuildingGroupBuilding.delete().where(BuildingGroupBuilding.group == group.id).execute()
    for bid in building_ids:
        BuildingGroupBuilding.create(group=group.id, building=bid)


def _make_leader_a_member(group: BuildingGroup, leader_id: int | None, tx) -> None:
    """The leader belongs to the group: put them in it if they are not."""
    if leader_id is None:
        return
    member = Member.get_by_id(leader_id)
    if member.group_id != group.id:
        old = member.group_id
        Member.update(group=group.id).where(Member.id == member.id).execute()
        if old is not None:
            BuildingGroup.update(leader=None).where(
                BuildingGroup.id == old, BuildingGroup.leader == member.id
            ).execute()
        tx.audit(
            "member",
            member.id,
            "assign_group",
            before={"group_id": old},
            after={"group_id": group.id},
            note="担任党小组长",
        )


def create_group(branch_id: int, raw: Mapping[str, Any]) -> int:
    """A building party group of a branch: name, buildings covered, leader (optional)."""
    with writing("group.create") as tx:
        branch = _get(Branch, branch_id, "党支部")
        if branch.status != "active":
            raise ValidationError(f"「{branch.name}」已撤销，不能再建党小组。")
        name = _group_name(raw.get("name"), branch.id, None)
        buildings = _check_buildings(raw.get("building_ids") or [], None)
        leader = _check_leader(raw.get("leader_id"), branch.id)
        order = (
            BuildingGroup.select(pw.fn.MAX(BuildingGroup.sort_order)).where(BuildingGroup.branch == branch.id).scalar()
            or 0
        ) + 1
        row = BuildingGroup.create(
            branch=branch.id,
            name=name,
            leader=leader,
            status="active",
            note=_text(raw.get("note"), "备注", limit=500),
            sort_order=order,
        )
        _set_buildings(row, buildings)
        _make_leader_a_member(row, leader, tx)
        tx.audit("group", row.id, "create", after={**snapshot(row), "buildings": buildings})
    return row.id


def update_group(group_id: int, raw: Mapping[str, Any]) -> bool:
    with writing("group.update") as tx:
        row = _get(BuildingGroup, group_id, "楼栋党小组")
        if row.status != "active":
            raise ValidationError(f"「{row.name}」已撤销，不能修改。")
        name = _group_name(raw.get("name"), row.branch_id, row.id)
        buildings = _check_buildings(raw.get("building_ids") or [], row.id)
        leader = _check_leader(raw.get("leader_id"), row.branch_id)
        old_buildings = sorted(
            b
            for (b,) in BuildingGroupBuilding.select(BuildingGroupBuilding.building)
            .where(BuildingGroupBuilding.group == row.id)
            .tuples()
        )
        before = {**snapshot(row), "buildings": old_buildings}
        row.name = name
        row.leader = leader
        row.note = _text(raw.get("note"), "备注", limit=500)
        old, new = changes(before, {**snapshot(row), "buildings": buildings})
        if not new:
            return False
        row.save()
        if buildings != old_buildings:
            _set_buildings(row, buildings)
        _make_leader_a_member(row, leader, tx)
        tx.audit("group", row.id, "rename" if "name" in new else "update", before=old, after=new)
    return True


def set_group_leader(group_id: int, member_id: int | None) -> None:
    """Make a member of the branch the group's leader (putting them in the group), or
    clear the leader with None."""
    with writing("group.set_leader") as tx:
        row = _get(BuildingGroup, group_id, "楼栋党小组")
        if row.status != "active":
            raise ValidationError(f"「{row.name}」已撤销。")
        leader = _check_leader(member_id, row.branch_id)
        if leader == row.leader_id:
            return
        before = {"leader_id": row.leader_id}
        row.leader = leader
        row.save()
        _make_leader_a_member(row, leader, tx)
        tx.audit("group", row.id, "set_leader", before=before, after={"leader_id": leader})


def move_group(
    group_id: int, to_branch_id: int, *, with_members: bool = False, on: object = None, today: dt.date | None = None
) -> int:
    """Move a building group to another branch. Its active members go along only with
    `with_members` (each with a transfer record); otherwise a group with members is
    refused. Returns how many members moved."""
    today = today or dt.date.today()
    with writing("group.move") as tx:
        row = _get(BuildingGroup, group_id, "楼栋党小组")
        if row.status != "active":
            raise ValidationError(f"「{row.name}」已撤销，不能移动。")
        target = _get(Branch, to_branch_id, "党支部")
        if target.status != "active":
            raise ValidationError(f"「{target.name}」已撤销。")
        if target.id == row.branch_id:
            raise ValidationError(f"「{row.name}」已经属于「{target.name}」。")
        _group_name(row.name, target.id, row.id)
        members = list(Member.select().where(Member.group == row.id, Member.status == "active"))
        if members and not with_members:
            raise ValidationError(
                f"「{row.name}」还有 {len(members)} 名党员。要一并转接到「{target.name}」，请确认随组转接；"
                "否则请先把他们调出党小组。",
                field="members",
            )
        day = _date(on, "转接日期", today) or today
        source = Branch.get_by_id(row.branch_id)
        for m in members:
            MemberTransfer.create(
                member=m.id, from_branch=source.id, to_branch=target.id, moved_on=day, note=f"随「{row.name}」转入"
            )
            tx.audit(
                "member",
                m.id,
                "transfer",
                before={"branch_id": source.id},
                after={"branch_id": target.id},
                note=f"随「{row.name}」转入",
            )
        if members:
            ids = [m.id for m in members]
            Member.update(branch=target.id).where(Member.id.in_(ids)).execute()
            BuildingGroup.update(leader=None).where(BuildingGroup.leader.in_(ids), BuildingGroup.id != row.id).execute()
        before = snapshot(row)
        row.branch = target.id
        row.sort_order = (
            BuildingGroup.select(pw.fn.MAX(BuildingGroup.sort_order)).where(BuildingGroup.branch == target.id).scalar()
            or 0
        ) + 1
        row.save()
        old, new = changes(before, snapshot(row))
        tx.audit(
            "group",
            row.id,
            "move",
            before=old,
            after={**new, "members_moved": len(members)},
            note=f"由「{source.name}」移至「{target.name}」",
        )
    return len(members)


def group_remains(group_id: int) -> list[str]:
    n = Member.select().where(Member.group == group_id, Member.status == "active").count()
    return [f"{n} 名党员"] if n else []


def dissolve_group(group_id: int, on: object = None, *, today: dt.date | None = None) -> None:
    """撤销 a building group: only when no active member is in it. It stops covering its
    buildings (so they can go to another group); the record stays."""
    today = today or dt.date.today()
    with writing("group.dissolve") as tx:
        row = _get(BuildingGroup, group_id, "楼栋党小组")
        if row.status != "active":
            raise ValidationError(f"「{row.name}」已经撤销。")
        remains = group_remains(row.id)
        if remains:
            raise ValidationError(f"「{row.name}」还有 {remains[0]}，不能撤销。请先把他们调出或调入其他党小组。")
        day = _date(on, "撤销日期", today) or today
        buildings = sorted(
            b
            for (b,) in BuildingGroupBuilding.select(BuildingGroupBuilding.building)
            .where(BuildingGroupBuilding.group == row.id)
            .tuples()
        )
        before = {**snapshot(row), "buildings": buildings}
        row.status = "dissolved"
        row.leader = None
        row.save()
        BuildingGroupBuilding.delete().where(BuildingGroupBuilding.group == row.id).execute()
        old, new = changes(before, {**snapshot(row), "buildings": []})
        tx.audit("group", row.id, "dissolve", before=old, after={**new, "dissolved_on": day})


# ---------------------------------------------------------------- writes: estate governance team seats


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
