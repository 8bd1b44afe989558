"""Branches (党支部): the detail, and creating, renaming (the old name stays as an alias),
moving to another committee and dissolving one with nothing active below it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import peewee as pw

from models import Branch, BranchAlias, BranchEstate, BuildingGroup, Community, Estate, Member, Organization
from wanghu_desk import validation, vocab
from wanghu_desk.errors import ValidationError
from wanghu_desk.services.base import changes, snapshot, writing
from wanghu_desk.services.lookup import normalize_org_name
from wanghu_desk.services.org_edit._common import MAX_NAME, _date, _get, _iso, _person, _phone, _text, full_name_for


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
