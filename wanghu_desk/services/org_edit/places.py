"""Communities, estates and their buildings: the tree the 党组织 tab shows, and every
change (a building number range such as 1-12栋 adds twelve buildings)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import peewee as pw

from models import (
    Branch,
    BranchEstate,
    Building,
    BuildingGroup,
    BuildingGroupBuilding,
    Community,
    Estate,
    EstateRole,
    Organization,
    ServiceProject,
    VolunteerTeam,
)
from wanghu_desk import validation, vocab
from wanghu_desk.errors import ValidationError
from wanghu_desk.services.base import snapshot, writing
from wanghu_desk.services.org_edit._common import (
    MAX_NAME,
    _count,
    _covering_groups,
    _get,
    _natural,
    _person,
    _phone,
    _save,
    _text,
    _unique,
)


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


def _community_values(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": _text(raw.get("name"), "社区名称", required=True, limit=MAX_NAME),
        "address": _text(raw.get("address"), "地址"),
        "phone": _phone(raw.get("phone")),
    }


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
