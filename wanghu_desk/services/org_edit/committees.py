"""Party organisations above the branches (the working committee and the community
committees): their detail, and creating, editing and deleting an empty one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import peewee as pw

from models import Branch, Community, Member, Organization
from wanghu_desk import vocab
from wanghu_desk.errors import ValidationError
from wanghu_desk.services.base import snapshot, writing
from wanghu_desk.services.org_edit._common import MAX_NAME, _get, _person, _phone, _save, _text, _unique


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
