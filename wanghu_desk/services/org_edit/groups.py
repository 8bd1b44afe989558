"""Building party groups (楼栋党小组): the per-branch overview and warnings, and creating,
editing, moving (members along when asked) and dissolving a group."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import peewee as pw

from models import Branch, BranchEstate, Building, BuildingGroup, BuildingGroupBuilding, Estate, Member, MemberTransfer
from wanghu_desk.errors import ValidationError
from wanghu_desk.services.base import changes, snapshot, writing
from wanghu_desk.services.org_edit._common import _covering_groups, _date, _get, _natural, _text


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
